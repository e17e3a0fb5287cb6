"""Argument types and options the commands share: each mistake is one line through argparse."""

from __future__ import annotations

import argparse
import math
import sys

DATASET_CHOICES = ("mnist", "fashion-mnist", "sample")


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


def learning_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive learning rate, got {text}")
    return value


def dataset_option(p) -> None:
    p.add_argument("--dataset", choices=DATASET_CHOICES, default="mnist",
                   help="mnist (default), fashion-mnist, or sample (2,000 real digits shipped with nnsim)")
