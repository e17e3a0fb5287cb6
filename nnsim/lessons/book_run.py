"""The book's own training run, as data: the curve the app draws beside a live one.

Source: the chapter text in the seed (*Neural Networks and Deep Learning*,
chapter 1, "Testing the Performance"), which runs::

    net = Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

on MNIST (50,000 training images, 10,000 test images) and prints the lines
below. They are one run with one random initialisation: a new run lands near
them, not on them.
"""

from __future__ import annotations

from typing import Mapping

BOOK_SOURCE = ('Neural Networks and Deep Learning, chapter 1, "Testing the Performance": '
               "Network([784, 30, 10]).SGD(training_data, 30, 10, 3.0, test_data=test_data) on MNIST")

BOOK_TOTAL = 10_000

# Epoch 0 … 29, correct of BOOK_TOTAL test images, exactly as the seed prints them
# ("Epoch 0: 9033 / 10000 Epoch 1: 9241 / 10000 … Epoch 29: 9495 / 10000").
BOOK_CORRECT: tuple[int, ...] = (
    9033, 9241, 9264, 9357, 9367, 9372, 9387, 9423, 9452, 9463,
    9469, 9438, 9476, 9461, 9475, 9474, 9481, 9510, 9500, 9510,
    9491, 9495, 9505, 9500, 9503, 9519, 9532, 9492, 9527, 9495,
)

BOOK_SETTINGS = {"sizes": [784, 30, 10], "mini_batch_size": 10, "eta": 3.0, "dataset": "mnist"}


def book_log_lines() -> list[str]:
    """The seed's lines, ``Epoch 0: 9033 / 10000`` …"""
    return [f"Epoch {epoch}: {correct} / {BOOK_TOTAL}" for epoch, correct in enumerate(BOOK_CORRECT)]


def book_accuracy() -> list[float]:
    """The book's accuracy after each epoch, as a fraction."""
    return [correct / BOOK_TOTAL for correct in BOOK_CORRECT]


def matches_book(settings: Mapping) -> bool:
    """Whether a run uses the book's network, mini-batch size, learning rate and
    data (any number of epochs and any seed): then its curve is comparable to
    the book's. ``settings`` as in :attr:`TrainingPlan.settings`."""
    return (list(settings.get("sizes", ())) == BOOK_SETTINGS["sizes"]
            and settings.get("mini_batch_size") == BOOK_SETTINGS["mini_batch_size"]
            and float(settings.get("eta", 0)) == BOOK_SETTINGS["eta"]
            and settings.get("dataset") == BOOK_SETTINGS["dataset"]
            and settings.get("outputs", "one-hot") == "one-hot"
            and settings.get("test") == BOOK_TOTAL)
