"""The ``nnsim`` command line.

Each command module of this package contributes its sub-commands through a
``register`` function, so this file only assembles them and turns
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
from nnsim.cli.args import ArgumentParser
from nnsim.errors import NnsimError

# Modules with a ``register(subparsers)`` function, in the order ``--help`` lists them.
COMMAND_MODULES: list[str] = ["nnsim.cli.lessons", "nnsim.cli.draw", "nnsim.cli.serve", "nnsim.cli.data", "nnsim.cli.train"]


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
