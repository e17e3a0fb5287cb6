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
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple, Optional, Union

import numpy as np

from nnsim.core.activations import most_active
from nnsim.core.dataset import Dataset

if TYPE_CHECKING:  # the network imports this module for its SGD, not the other way round
    from nnsim.core.network import Network


class BatchDone(NamedTuple):
    """Mini-batch ``index`` (from 0) of ``of`` in ``epoch`` has updated the network,
    whose quadratic cost on that mini-batch was ``cost`` just before the update.

    A named tuple rather than a dataclass: one is made per mini-batch, and a
    tuple is several times cheaper to build.
    """

    epoch: int
    index: int
    of: int
    cost: float


class EpochDone(NamedTuple):
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


class Diverged(NamedTuple):
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
    classify = classify or most_active
    rng = np.random.default_rng(seed)
    x_all = np.asarray(training.x, dtype=net.dtype)
    y_all = np.asarray(training.y, dtype=net.dtype)
    n = len(training)
    n_batches = math.ceil(n / mini_batch_size)
    buffers = _Buffers(net.sizes, net.dtype)
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(n)
        cost_sum = 0.0
        for index, k in enumerate(range(0, n, mini_batch_size)):
            batch = order[k:k + mini_batch_size]
            # errstate is entered and left within one mini-batch, never across a
            # yield: a consumer may resume the generator from another thread, and
            # numpy's error state is a context variable that refuses that.
            with np.errstate(over="ignore", invalid="ignore"):
                cost = _sgd_step(net.joined_parameters(), buffers.inputs(x_all, batch),
                                 y_all.take(batch, axis=0).T, eta, buffers)
            if not math.isfinite(cost):
                yield Diverged(epoch, index, _divergence_message(epoch, index, eta))
                return
            cost_sum += cost
            yield BatchDone(epoch, index, n_batches, cost)
        if not all(np.isfinite(p).all() for p in net.joined_parameters()):
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


class _Buffers:
    """Arrays with a row of ones for the bias, reused from one mini-batch to the next."""

    def __init__(self, sizes: list[int], dtype) -> None:
        self.sizes, self.dtype = sizes, dtype
        self.by_batch_size: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}

    def _get(self, m: int) -> tuple[np.ndarray, list[np.ndarray]]:
        if m not in self.by_batch_size:
            # Inputs are gathered as rows (contiguous copies) and used transposed.
            rows = np.ones((m, self.sizes[0] + 1), dtype=self.dtype)
            hidden = [np.ones((n + 1, m), dtype=self.dtype) for n in self.sizes[1:-1]]
            self.by_batch_size[m] = rows, hidden
        return self.by_batch_size[m]

    def inputs(self, x_all: np.ndarray, batch: np.ndarray) -> np.ndarray:
        """The mini-batch's inputs as columns, above a row of ones: (n_in + 1, m)."""
        rows = self._get(len(batch))[0]
        rows[:, :-1] = x_all.take(batch, axis=0)
        return rows.T

    def hidden(self, m: int) -> list[np.ndarray]:
        """One (n + 1, m) array per hidden layer, its last row ones."""
        return self._get(m)[1]


def _sgd_step(joined: list[np.ndarray], x: np.ndarray, y: np.ndarray, eta: float, buffers: _Buffers) -> float:
    """One mini-batch update, the same maths as ``Network.update_batch``, fused.

    This is the hot loop of training: with mini-batches of 10, numpy's per-call
    overhead rather than arithmetic is the cost, so the step uses the fewest
    array operations it can: [w | b] products (see :meth:`Network.joined_parameters`),
    σ computed in place, and (η/m) applied once to δᴸ (backpropagation is
    linear in δ, so every layer's δ then carries the factor). ``x`` is
    (n_in + 1, m) with a last row of ones. Returns the mini-batch's quadratic
    cost before the update (NaN or inf if anything overflowed).
    """
    m = x.shape[1]
    hidden = buffers.hidden(m)
    activations = [x]
    a = x
    for l, j in enumerate(joined):
        if l + 1 < len(joined):
            a = hidden[l]
            z = a[:-1]  # the last row stays 1 for the next layer's bias
            np.matmul(j, activations[-1], out=z)
        else:
            a = z = j @ activations[-1]
        # σ(z) = 1 / (1 + e^(−z)) in place (an overflow to inf gives exactly 0).
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1
        np.reciprocal(z, out=z)
        activations.append(a)
    delta = a - y
    cost = 0.5 * float(np.vdot(delta, delta))
    delta *= a * (1 - a)  # BP1: (a − y) ⊙ σ′(z)
    delta *= j.dtype.type(eta / m)
    for l in range(len(joined) - 1, -1, -1):
        a_prev = activations[l]
        if l:
            h = a_prev[:-1]
            delta_prev = joined[l][:, :-1].T @ delta  # BP2, with the weights before this update
            delta_prev *= h * (1 - h)
        joined[l] -= delta @ a_prev.T  # BP3 and BP4 at once, and the update rule
        if l:
            delta = delta_prev
    return cost
