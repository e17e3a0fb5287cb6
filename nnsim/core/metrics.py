"""What a network gets right and wrong, class by class: pure numpy.

After an epoch the chapter prints one number, ``Epoch 3: 9357 / 10000``. These
functions open it up: which digits the network reads well and which it
confuses (a confusion matrix, accuracy per class), and the test digits it got
wrong, with its answer and how strongly it gave it.

``answers`` are the class numbers the network chose (``Network.classify``, or
a lesson's own classifier); an answer outside ``0 … n_classes − 1`` (a
four-output network can spell 10 to 15) names no class and is counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

import numpy as np

from nnsim.core.activations import most_active
from nnsim.core.network import Network


def confusion_matrix(labels, answers, n_classes: int = 10) -> np.ndarray:
    """Counts ``(n_classes, n_classes)``: row = the true label, column = the answer.

    The diagonal holds the correct answers. Answers that name no class are not
    in the matrix (see :func:`unclassified`); every label must be a class.
    """
    labels, answers = _as_classes(labels, answers, n_classes)
    named = (answers >= 0) & (answers < n_classes)
    flat = labels[named] * n_classes + answers[named]
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def most_confused(confusion: np.ndarray) -> Optional[tuple[int, int, int]]:
    """The pair the network mixes up most: ``(true label, answer, count)`` of the largest
    count off the diagonal (the first in reading order on a tie), or None when every
    answer is right."""
    off = np.array(confusion, copy=True)
    np.fill_diagonal(off, 0)
    if not off.size or off.max() <= 0:
        return None
    t, a = np.unravel_index(int(np.argmax(off)), off.shape)
    return int(t), int(a), int(off[t, a])


def unclassified(labels, answers, n_classes: int = 10) -> np.ndarray:
    """For each true label, how many answers named no class: ``(n_classes,)``."""
    labels, answers = _as_classes(labels, answers, n_classes)
    outside = (answers < 0) | (answers >= n_classes)
    return np.bincount(labels[outside], minlength=n_classes)


def per_class_accuracy(confusion: np.ndarray, unclassified_counts: Optional[np.ndarray] = None) -> np.ndarray:
    """Correct / examples for each true label, from a confusion matrix (NaN for a
    label with no examples). Unclassified answers count as wrong."""
    confusion = np.asarray(confusion)
    totals = confusion.sum(axis=1)
    if unclassified_counts is not None:
        totals = totals + np.asarray(unclassified_counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(confusion) / np.maximum(totals, 1), np.nan)


class Mistake(NamedTuple):
    """Test example ``index`` (true ``label``) read as ``answer``.

    ``confidence`` is the activation of the answer's output neuron, in (0, 1):
    the chapter's network has independent sigmoid outputs, not probabilities,
    so this says how strongly that neuron fired, nothing more. NaN when the
    network has no output neuron per class (four binary outputs).
    """

    index: int
    label: int
    answer: int
    confidence: float


def mistakes(output: np.ndarray, labels, answers, limit: Optional[int] = None,
             n_classes: int = 10) -> list[Mistake]:
    """The misclassified examples, the most confident mistakes first (then by index).

    ``output`` is the network's output activations, one column per example
    (n_out, n); ``answers`` the class chosen for each column. Confidence is
    read only when there is one output neuron per class.
    """
    output = np.asarray(output)
    labels = np.asarray(labels, dtype=np.int64)
    answers = np.asarray(answers, dtype=np.int64)
    wrong = np.flatnonzero(answers != labels)
    if output.shape[0] == n_classes and len(wrong):
        confidence = output[answers[wrong], wrong].astype(np.float64)
    else:
        confidence = np.full(len(wrong), np.nan)
    # Most confident first; NaN (no confidence to rank by) keeps index order.
    order = np.lexsort((wrong, -np.nan_to_num(confidence, nan=-np.inf)))
    if limit is not None:
        order = order[:limit]
    return [Mistake(int(wrong[k]), int(labels[wrong[k]]), int(answers[wrong[k]]), float(confidence[k]))
            for k in order]


@dataclass(frozen=True)
class ClassReport:
    """The network's answers on a test set, class by class.

    Attributes:
        answers: the class chosen for each example, ``(n,)``.
        confusion: ``(n_classes, n_classes)`` counts, row = true label, column = answer.
        unclassified: ``(n_classes,)`` answers naming no class, by true label.
        per_class: ``(n_classes,)`` accuracy of each true label (NaN if absent).
        mistakes: the first misclassified examples, most confident first
            (at most the ``limit`` asked for).
        wrong: how many examples were misclassified in all.
    """

    answers: np.ndarray
    confusion: np.ndarray
    unclassified: np.ndarray
    per_class: np.ndarray
    mistakes: list[Mistake]
    wrong: int

    @property
    def correct(self) -> int:
        return int(np.trace(self.confusion))

    @property
    def total(self) -> int:
        return len(self.answers)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else float("nan")

    @property
    def n_classes(self) -> int:
        return len(self.confusion)

    @property
    def most_confused(self) -> Optional[tuple[int, int, int]]:
        """``(true label, answer, count)`` of the most frequent mistake (see :func:`most_confused`)."""
        return most_confused(self.confusion)


def class_report(net: Network, x: np.ndarray, labels, n_classes: int = 10,
                 classify: Optional[Callable[[np.ndarray], np.ndarray]] = None,
                 limit: Optional[int] = None) -> ClassReport:
    """Feed the examples ``x`` (rows, ``(n, n_in)``, as a Dataset stores them)
    through ``net`` and report its answers class by class.

    ``classify`` turns output activations (n_out, n) into classes, as in
    :func:`nnsim.core.training.train`; by default the most active neuron.
    """
    output = net.feedforward(np.asarray(x, dtype=net.dtype).T)
    answers = np.asarray((classify or most_active)(output), dtype=np.int64)
    return report_from_answers(output, labels, answers, n_classes, limit)


def report_from_answers(output: np.ndarray, labels, answers, n_classes: int = 10,
                        limit: Optional[int] = None) -> ClassReport:
    """A :class:`ClassReport` from outputs already computed (see :func:`class_report`)."""
    labels = np.asarray(labels, dtype=np.int64)
    answers = np.asarray(answers, dtype=np.int64)
    confusion = confusion_matrix(labels, answers, n_classes)
    missed = unclassified(labels, answers, n_classes)
    return ClassReport(
        answers=answers, confusion=confusion, unclassified=missed,
        per_class=per_class_accuracy(confusion, missed),
        mistakes=mistakes(output, labels, answers, limit, n_classes), wrong=int(np.sum(answers != labels)),
    )


def _as_classes(labels, answers, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(labels, dtype=np.int64).ravel()
    answers = np.asarray(answers, dtype=np.int64).ravel()
    if labels.shape != answers.shape:
        raise ValueError(f"{len(labels)} labels but {len(answers)} answers")
    if n_classes < 1:
        raise ValueError(f"n_classes must be ≥ 1, got {n_classes}")
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0 … {n_classes - 1}, got {labels.min()} … {labels.max()}")
    return labels, answers


# The chapter's baselines for the accuracy chart.
BOOK_SVM_ACCURACY = 0.9435
"""The chapter's figure for scikit-learn's SVM classifier with default settings (9,435 of 10,000)."""


def average_darkness_accuracy(training_x, training_labels, test_x, test_labels, n_classes: int = 10) -> float:
    """The chapter's first baseline, computed as it describes: the average darkness
    (sum of pixel intensities) of each digit over the training data, then each test
    image is guessed to be the digit whose average darkness is closest to its own.
    The chapter reports 2,225 of 10,000 (22.25%) on MNIST."""
    darkness = np.asarray(training_x, dtype=np.float64).sum(axis=1)
    labels = np.asarray(training_labels, dtype=np.int64)
    counts = np.bincount(labels, minlength=n_classes)
    # A digit with no training examples can never be guessed.
    averages = np.where(counts > 0, np.bincount(labels, weights=darkness, minlength=n_classes) /
                        np.maximum(counts, 1), np.inf)
    test_darkness = np.asarray(test_x, dtype=np.float64).sum(axis=1)
    guesses = np.argmin(np.abs(test_darkness[:, None] - averages[None, :]), axis=1)
    return float(np.mean(guesses == np.asarray(test_labels, dtype=np.int64))) if len(guesses) else float("nan")
