"""Training as a stream of events: mini-batch stochastic gradient descent.

:func:`train` is a generator. It yields :class:`BatchDone` after every
mini-batch, :class:`EpochDone` after every epoch, :class:`EtaChanged` when the
learning rate changes during the run and, if a NaN or infinity appears,
:class:`Diverged` (and then stops). A consumer pauses by not asking for the
next event and cancels by dropping the generator; the command line prints the
events, the app turns them into messages, the tests assert on them. The events
carry what consumers need (a mini-batch's examples, an epoch's test outputs),
so nobody has to replay the run's shuffles.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, NamedTuple, Optional, Union

import numpy as np

from nnsim.core.activations import most_active
from nnsim.core.dataset import Dataset, PixelRows
from nnsim.core.fused import BLOCK, Blocks, ChunkBuffers, FusedStep, _quiet_context, feed_forward

if TYPE_CHECKING:  # the network imports this module for its SGD, not the other way round
    from nnsim.core.network import Network

EVALUATION_CHUNK = 2000
"""Test examples fed forward at once after an epoch: bounds the float copy of uint8 images."""


class BatchDone(NamedTuple):
    """Mini-batch ``index`` (from 0) of ``of`` in ``epoch`` has updated the network,
    whose quadratic cost on that mini-batch was ``cost`` just before the update.
    ``examples`` are its training examples (indices into the training set).

    A named tuple rather than a dataclass: one is made per mini-batch, and a
    tuple is several times cheaper to build.
    """

    epoch: int
    index: int
    of: int
    cost: float
    examples: Optional[np.ndarray] = None


class EpochDone(NamedTuple):
    """An epoch finished: ``correct`` of ``total`` test examples (None without test
    data), wall-clock ``seconds``, ``mean_cost`` the mean quadratic cost over the
    epoch's training examples (each measured just before its mini-batch's update)
    and ``test_cost`` the mean quadratic cost on the test set after the epoch
    (None without test data or targets of the outputs' size). ``outputs`` are the
    test set's output activations (n_out, n) and ``answers`` the classes read
    from them, for a look inside without a second pass."""

    epoch: int
    correct: Optional[int]
    total: Optional[int]
    seconds: float
    mean_cost: float
    test_cost: Optional[float] = None
    outputs: Optional[np.ndarray] = None
    answers: Optional[np.ndarray] = None

    @property
    def accuracy(self) -> Optional[float]:
        return None if not self.total else self.correct / self.total

    def log_line(self) -> str:
        """The seed's own line: ``Epoch 0: 9033 / 10000`` (or ``Epoch 0 complete``)."""
        if self.total is None:
            return f"Epoch {self.epoch} complete"
        return f"Epoch {self.epoch}: {self.correct} / {self.total}"

    def cost_text(self) -> str:
        """Both costs, labelled: ``train cost 0.185 · test cost 0.192``."""
        text = f"train cost {self.mean_cost:.3f}"
        return text if self.test_cost is None else f"{text} · test cost {self.test_cost:.3f}"


class EtaChanged(NamedTuple):
    """From mini-batch ``index`` of ``epoch`` on, the learning rate is ``eta``."""

    epoch: int
    index: int
    eta: float


class Diverged(NamedTuple):
    """A NaN or infinity appeared: training stopped instead of producing garbage."""

    epoch: int
    index: int
    message: str


Event = Union[BatchDone, EpochDone, EtaChanged, Diverged]


class EtaSchedule:
    """Changes of η during a run: asked for live (:meth:`request`, from any thread,
    taking effect at the next mini-batch) or replayed from recorded
    :class:`EtaChanged` events, which makes the same seed give the same run."""

    def __init__(self, changes: Iterable[EtaChanged] = ()) -> None:
        self._planned = {(c.epoch, c.index): float(c.eta) for c in changes}
        self._requested: Optional[float] = None
        self._lock = threading.Lock()

    def request(self, eta: float) -> None:
        eta = float(eta)
        if not (math.isfinite(eta) and eta > 0):
            raise ValueError(f"the learning rate must be a positive number, got {eta!r}")
        with self._lock:
            self._requested = eta

    def take(self, epoch: int, index: int) -> Optional[float]:
        """The η to use from this mini-batch on, if it changes here."""
        if self._requested is None:
            return self._planned.get((epoch, index)) if self._planned else None
        with self._lock:
            eta, self._requested = self._requested, None
        return eta


def train(
    net: Network,
    training: Dataset,
    epochs: int,
    mini_batch_size: int,
    eta: float,
    test: Optional[Dataset] = None,
    seed: Optional[int] = None,
    classify: Optional[Callable[[np.ndarray], np.ndarray]] = None,
    schedule: Optional[EtaSchedule] = None,
) -> Iterator[Event]:
    """Mini-batch SGD on ``net`` in place, yielding events.

    Each epoch shuffles the training set (with ``seed``, the same events come
    out every time), cuts it into mini-batches of ``mini_batch_size`` and takes
    one gradient step per mini-batch. ``classify`` turns the output activations
    of a batch (n_out, m) into class numbers; by default the most active neuron.
    ``schedule`` changes η between mini-batches (see :class:`EtaSchedule`).
    """
    if epochs < 0 or mini_batch_size < 1:
        raise ValueError("epochs must be ≥ 0 and mini_batch_size ≥ 1")
    classify = classify or most_active
    rng = np.random.default_rng(seed)
    images, scale = _images(training.x)
    targets = np.asarray(training.y)
    n = len(training)
    n_batches = math.ceil(n / mini_batch_size)
    steps: dict[int, FusedStep] = {}
    block = BLOCK * mini_batch_size
    blocks = Blocks(images, targets, min(block, n), net.dtype, scale) if n else None
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(n)
        cost_sum = 0.0
        joined = net.joined_parameters()
        for index, k in enumerate(range(0, n, mini_batch_size)):
            if schedule is not None:
                changed = schedule.take(epoch, index)
                if changed is not None and changed != eta:
                    eta = changed
                    yield EtaChanged(epoch, index, eta)
                    joined = net.joined_parameters()
            at = k % block
            if at == 0:
                blocks.fill(order[k:k + block])
            batch = order[k:k + mini_batch_size]
            m = len(batch)
            step = steps.get(m)
            if step is None or step.joined[0] is not joined[0]:
                step = steps[m] = FusedStep(joined, m)
            step.load(blocks.rows[at:at + m], blocks.y[at:at + m])
            cost = step(eta)
            if not math.isfinite(cost):
                yield Diverged(epoch, index, _divergence_message(epoch, index, eta))
                return
            cost_sum += cost
            yield BatchDone(epoch, index, n_batches, cost, batch)
        if not all(np.isfinite(p).all() for p in net.joined_parameters()):
            yield Diverged(epoch, n_batches - 1, _divergence_message(epoch, n_batches - 1, eta))
            return
        correct = total = test_cost = outputs = answers = None
        if test is not None:
            outputs = evaluate(net, test.x)
            answers = classify(outputs)
            correct, total = int(np.sum(answers == test.labels)), len(test)
            test_cost = quadratic_cost(outputs, test.y)
        yield EpochDone(epoch, correct, total, time.perf_counter() - start, cost_sum / max(n, 1),
                        test_cost, outputs, answers)


def _images(x) -> tuple[np.ndarray, Optional[np.floating]]:
    if isinstance(x, PixelRows):
        return x.raw, x.scale
    return np.asarray(x), None


def evaluate(net: Network, x) -> np.ndarray:
    """The network's outputs (n_out, n) for rows ``x``, fed forward a chunk at a time.

    Each chunk is converted into one reused buffer and fed forward in place
    (:func:`~nnsim.core.fused.feed_forward`): fresh 6 MB arrays per chunk cost
    their page faults, a tenth of an epoch of [784, 30, 10]. The arithmetic is
    :meth:`Network.feedforward`'s, call for call, so the outputs are its own.
    """
    n = len(x)
    out = np.empty((net.sizes[-1], n), dtype=net.dtype)
    if not n:
        return out
    images, scale = _images(x)
    buffers: dict[int, ChunkBuffers] = {}
    context = _quiet_context()
    for k in range(0, n, EVALUATION_CHUNK):
        rows = images[k:k + EVALUATION_CHUNK]
        c = len(rows)
        chunk = buffers.get(c) or buffers.setdefault(c, ChunkBuffers(net.sizes, c, net.dtype, scale is not None))
        out[:, k:k + c] = context.run(feed_forward, net.weights, net.biases, chunk.load(rows, scale), chunk.zs)
    return out


def quadratic_cost(outputs: np.ndarray, targets: np.ndarray) -> Optional[float]:
    """Mean over examples of ½‖a − y‖² (eq. 6); None if the targets do not fit the outputs."""
    targets = np.asarray(targets)
    if targets.ndim != 2 or targets.shape[::-1] != outputs.shape:
        return None
    n = outputs.shape[1]
    diff = outputs - targets.T
    return 0.5 * float(np.vdot(diff, diff)) / max(n, 1)


def _divergence_message(epoch: int, index: int, eta: float) -> str:
    return (f"training diverged: NaN or infinity at epoch {epoch}, mini-batch {index} "
            f"(eta = {eta:g}; try a smaller learning rate)")


def _sgd_step(joined: list[np.ndarray], x: np.ndarray, y: np.ndarray, eta: float) -> float:
    """One fused mini-batch update of ``joined`` from column inputs ``x`` (n_in, m) and
    targets ``y`` (n_out, m), as the training loop takes it (see :class:`FusedStep`).
    Returns the mini-batch's quadratic cost before the update."""
    x, y = np.asarray(x), np.asarray(y)
    m = x.shape[1]
    rows = np.ones((m, x.shape[0] + 1), dtype=joined[0].dtype)
    rows[:, :-1] = x.T
    step = FusedStep(joined, m)
    step.load(rows, np.ascontiguousarray(y.T))
    return step(eta)
