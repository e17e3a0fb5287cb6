"""The ``nnsim`` command line.

Each area of nnsim contributes its own sub-commands through a ``register``
function in a ``commands`` module, so this file only assembles them and turns
every user-facing failure into one ``nnsim: error:`` line with exit status 2.
Modules named here must import quickly: heavy imports (numpy training, Textual)
belong inside the command handlers, because ``nnsim`` starts the app.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from nnsim import __version__
from nnsim.errors import NnsimError

# Modules with a ``register(subparsers)`` function, in the order ``--help`` lists them.
COMMAND_MODULES: list[str] = ["nnsim.lessons.commands", "nnsim.serve.commands", "nnsim.data.commands"]


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, like every other nnsim error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"nnsim: error: {message} (try '{self.prog} --help')\n")
        raise SystemExit(2)


def whole_number(minimum: int, maximum: int | None = None, what: str = "a whole number"):
    """An argparse ``type`` for an integer flag: its range in the one-line error."""
    bounds = f"from {minimum} to {maximum}" if maximum is not None else f"≥ {minimum}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what} {bounds}, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"expected {what} {bounds}, got {value}")
        return value
    return parse


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="nnsim",
        description=(
            "See a neural network learn: perceptrons, sigmoid neurons, "
            "backpropagation and MNIST training, step by step. "
            "With no command, opens the terminal app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"nnsim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "func", None)
    try:
        if handler is None:
            return open_app(args)
        return int(handler(args) or 0)
    except NnsimError as error:
        sys.stderr.write(f"nnsim: error: {error}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("nnsim: interrupted\n")
        return 130


def open_app(args: argparse.Namespace) -> int:
    """Start the terminal app (the front door when no command is given)."""
    from nnsim.tui.app import run

    return int(run() or 0)
