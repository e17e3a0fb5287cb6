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
import os
import sys
from typing import Sequence

from nnsim import __version__
from nnsim.cli.args import ArgumentParser
from nnsim.errors import NnsimError, os_error_message
from nnsim.sanitize import redact_urls, sanitize

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
        code = int(handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the boundary, not at exit
        return code
    except NnsimError as error:
        return error_line(str(error))
    except BrokenPipeError:
        _silence_stdout()
        return error_line("standard output: the reader closed the pipe before nnsim finished writing")
    except MemoryError:
        return error_line("out of memory: the input asks for more memory than this computer can give; "
                          "use smaller sizes")
    except OSError as error:
        return error_line(os_error_message(error))
    except KeyboardInterrupt:
        sys.stderr.write("nnsim: interrupted\n")
        return 130


def error_line(message: str) -> int:
    """Print the one ``nnsim: error:`` line (control characters made visible, credentials hidden)."""
    text = sanitize(redact_urls(message), single_line=True)
    try:
        sys.stderr.write(f"nnsim: error: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr itself is gone: the exit status still says it
    return 2


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; pointing it at /dev/null stops a second
    # BrokenPipeError from printing "Exception ignored" after our line.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def open_app(args: argparse.Namespace) -> int:
    """Start the terminal app (the front door when no command is given)."""
    from nnsim.tui.app import run

    return int(run() or 0)
