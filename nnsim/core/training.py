"""Training as a stream of events: mini-batch stochastic gradient descent.

:func:`train` is a generator. It yields :class:`BatchDone` after every
mini-batch, :class:`EpochDone` after every epoch and, if a NaN or infinity
appears, :class:`Diverged` (and then stops). A consumer pauses by not asking
for the next event and cancels by dropping the generator; the command line
prints the events, the app turns them into messages, the tests assert on them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Union

import numpy as np

from nnsim.core.network import Network


@dataclass(frozen=True)
class Dataset:
    """Examples stored compactly as rows: ``x`` (n, n_in), ``y`` (n, n_out) targets,
    ``labels`` (n,) the class each example belongs to.

    One float32 array per set instead of one Python tuple of column arrays per
    image, so 70,000 digits take about 220 MB rather than several times that.
    """

    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        if not (len(self.x) == len(self.y) == len(self.labels)):
            raise ValueError(
                f"x, y and labels disagree in count: {len(self.x)}, {len(self.y)}, {len(self.labels)}"
            )

    def __len__(self) -> int:
        return len(self.x)

    @classmethod
    def from_labels(cls, x: np.ndarray, labels: np.ndarray, n_out: int = 10,
                    dtype=np.float32) -> "Dataset":
        """Targets as the seed's one-hot vectors: 1.0 at the label's index."""
        labels = np.asarray(labels, dtype=np.int64)
        y = np.zeros((len(labels), n_out), dtype=dtype)
        y[np.arange(len(labels)), labels] = 1.0
        return cls(np.asarray(x, dtype=dtype), y, labels)

    @classmethod
    def from_pairs(cls, pairs, n_out: int = 10) -> "Dataset":
        """The seed's lists of (x, y) tuples: x a (n_in, 1) column, y a (n_out, 1)
        one-hot column (training data) or an integer label (test data)."""
        if isinstance(pairs, Dataset):
            return pairs
        pairs = list(pairs)
        if not pairs:
            raise ValueError("no examples")
        x = np.stack([np.ravel(p[0]) for p in pairs])
        first_y = pairs[0][1]
        if np.ndim(first_y) == 0:
            return cls.from_labels(x, [int(p[1]) for p in pairs], n_out, dtype=x.dtype)
        y = np.stack([np.ravel(p[1]) for p in pairs])
        return cls(x, y, np.argmax(y, axis=1))

    def subset(self, indices) -> "Dataset":
        return Dataset(self.x[indices], self.y[indices], self.labels[indices])


@dataclass(frozen=True)
class BatchDone:
    """Mini-batch ``index`` (from 0) of ``of`` in ``epoch`` has updated the network."""

    epoch: int
    index: int
    of: int
    cost: float


@dataclass(frozen=True)
class EpochDone:
    """An epoch finished: ``correct`` of ``total`` test examples (None without test
    data), wall-clock ``seconds``, and the mean quadratic cost over the epoch's
    training examples (each measured just before its mini-batch's update)."""

    epoch: int
    correct: Optional[int]
    total: Optional[int]
    seconds: float
    mean_cost: float

    @property
    def accuracy(self) -> Optional[float]:
        return None if not self.total else self.correct / self.total

    def log_line(self) -> str:
        """The seed's own line: ``Epoch 0: 9033 / 10000`` (or ``Epoch 0 complete``)."""
        if self.total is None:
            return f"Epoch {self.epoch} complete"
        return f"Epoch {self.epoch}: {self.correct} / {self.total}"


@dataclass(frozen=True)
class Diverged:
    """A NaN or infinity appeared: training stopped instead of producing garbage."""

    epoch: int
    index: int
    message: str


Event = Union[BatchDone, EpochDone, Diverged]


def train(
    net: Network,
    training: Dataset,
    epochs: int,
    mini_batch_size: int,
    eta: float,
    test: Optional[Dataset] = None,
    seed: Optional[int] = None,
    classify: Optional[Callable[[np.ndarray], np.ndarray]] = None,
) -> Iterator[Event]:
    """Mini-batch SGD on ``net`` in place, yielding events.

    Each epoch shuffles the training set (with ``seed``, the same events come
    out every time), cuts it into mini-batches of ``mini_batch_size`` and takes
    one gradient step per mini-batch. ``classify`` turns the output activations
    of a batch (n_out, m) into class numbers; by default the most active neuron.
    """
    if epochs < 0 or mini_batch_size < 1:
        raise ValueError("epochs must be ≥ 0 and mini_batch_size ≥ 1")
    classify = classify or (lambda output: np.argmax(output, axis=0))
    rng = np.random.default_rng(seed)
    x_all = np.asarray(training.x, dtype=net.dtype)
    y_all = np.asarray(training.y, dtype=net.dtype)
    n = len(training)
    n_batches = math.ceil(n / mini_batch_size)
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(n)
        # Shuffled copies make every mini-batch a contiguous slice (a view, no copy).
        xs, ys = x_all[order], y_all[order]
        cost_sum = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for index, k in enumerate(range(0, n, mini_batch_size)):
                cost = _sgd_step(net, xs[k:k + mini_batch_size].T, ys[k:k + mini_batch_size].T, eta)
                if not math.isfinite(cost):
                    yield Diverged(epoch, index, _divergence_message(epoch, index, eta))
                    return
                cost_sum += cost
                yield BatchDone(epoch, index, n_batches, cost)
        if not all(np.isfinite(w).all() for w in net.weights + net.biases):
            yield Diverged(epoch, n_batches - 1, _divergence_message(epoch, n_batches - 1, eta))
            return
        correct = total = None
        if test is not None:
            output = net.feedforward(np.asarray(test.x, dtype=net.dtype).T)
            correct, total = int(np.sum(classify(output) == test.labels)), len(test)
        yield EpochDone(epoch, correct, total, time.perf_counter() - start, cost_sum / max(n, 1))


def _divergence_message(epoch: int, index: int, eta: float) -> str:
    return (f"training diverged: NaN or infinity at epoch {epoch}, mini-batch {index} "
            f"(eta = {eta:g}; try a smaller learning rate)")


def _sgd_step(net: Network, x: np.ndarray, y: np.ndarray, eta: float) -> float:
    """One mini-batch update, the same maths as ``Network.update_batch``, fused.

    This is the hot loop of training: mini-batches of 10 make numpy's per-call
    overhead, not arithmetic, the cost, so each array is computed in place and
    (η/m)δ is formed once per layer and reused for ∇b and ∇w. Returns the
    mini-batch's quadratic cost before the update (NaN if anything overflowed).
    """
    weights, biases = net.weights, net.biases
    activations = [x]
    a = x
    for w, b in zip(weights, biases):
        a = w @ a
        a += b
        # σ(z) = 1 / (1 + e^(−z)), computed in place (overflow to inf gives exactly 0).
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)
        activations.append(a)
    delta = a - y
    cost = 0.5 * float(np.vdot(delta, delta))
    delta *= a * (1 - a)  # BP1: (a − y) ⊙ σ′(z)
    step = net.dtype.type(eta / x.shape[1])
    for l in range(len(weights) - 1, -1, -1):
        a_prev = activations[l]
        if l:
            delta_prev = weights[l].T @ delta  # BP2 needs the weights before this update
        delta *= step
        biases[l] -= delta.sum(axis=1, keepdims=True)  # BP3 and the update rule
        weights[l] -= delta @ a_prev.T  # BP4 and the update rule
        if l:
            delta = delta_prev * (a_prev * (1 - a_prev))
    return cost
