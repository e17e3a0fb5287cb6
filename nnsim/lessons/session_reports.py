"""What a :class:`~nnsim.lessons.session.TrainingSession` reports: where a run is, each epoch
with its look inside, a stepped mini-batch with its trace, and why a run stopped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from nnsim.core import BatchDone, Diverged, EpochDone, EtaChanged, Trace
from nnsim.core.metrics import ClassReport
from nnsim.lessons.steps import LessonStep

CLASSES = 10
"""Digits and Fashion-MNIST's garments: ten classes either way."""

MISTAKES_KEPT = 60
"""How many misclassified test examples each epoch keeps (most confident first)."""

SNAPSHOT_BUDGET = 64 * 2**20
"""Bytes of per-epoch network copies kept, so that a mistake from an earlier
epoch opens with the network that made it; the oldest go first."""


# States of a session.
READY, RUNNING, PAUSED, FINISHED, STOPPED, DIVERGED = "ready", "running", "paused", "finished", "stopped", "diverged"


@dataclass(frozen=True)
class Progress:
    """Where a run is. Times are seconds of training, pauses excluded.

    Attributes:
        state: ready, running, paused, finished, stopped or diverged.
        epoch: the epoch in progress (from 0); ``epochs`` when all are done.
        epochs: epochs in the run.
        batch: mini-batches of this epoch done so far.
        batches: mini-batches per epoch.
        examples_done: training examples used so far in the whole run.
        examples_total: ``epochs`` × training examples.
        elapsed: seconds spent training.
        examples_per_second: the rate so far (None before anything is measured).
        seconds_left: the estimate of what is left at that rate (None if unknown).
        cost: the quadratic cost of the last mini-batch, before its update.
        recent_costs: the mean cost per example of the latest mini-batches, oldest first.
        pace: mini-batches per second the run is held to (None: as fast as it goes).
        eta: the learning rate of the next mini-batch.
    """

    state: str
    epoch: int
    epochs: int
    batch: int
    batches: int
    examples_done: int
    examples_total: int
    elapsed: float
    examples_per_second: Optional[float]
    seconds_left: Optional[float]
    cost: Optional[float]
    recent_costs: tuple[float, ...] = ()
    pace: Optional[float] = None
    eta: Optional[float] = None

    @property
    def fraction(self) -> float:
        """How much of the whole run is done, 0 to 1."""
        return self.examples_done / self.examples_total if self.examples_total else 0.0


@dataclass(frozen=True)
class EpochResult:
    """An epoch finished, and what the network looks like inside after it.

    Attributes:
        event: the core's :class:`EpochDone` (``log_line()`` is the seed's line).
        report: accuracy per class, confusion matrix, mistakes (on the test set).
        step: the epoch as a lesson step (title ``"epoch 3"``, the lesson's narration).
        near_chance: the accuracy is no better than guessing (see :data:`CHANCE_FACTOR`).
        progress: the run's progress at the end of the epoch.
    """

    event: EpochDone
    report: ClassReport
    step: LessonStep
    near_chance: bool
    progress: Progress


@dataclass(frozen=True)
class StepResult:
    """One mini-batch taken with :meth:`TrainingSession.step`.

    Attributes:
        event: the core's :class:`BatchDone` for it.
        batch: the training examples in it (indices into the training set).
        trace: the update as a backprop trace (forward, cost, BP1–BP4, update),
            recorded on a copy of the network taken just before.
        progress: the run's progress after it.
    """

    event: BatchDone
    batch: np.ndarray
    trace: Trace
    progress: Progress


@dataclass(frozen=True)
class RunStopped:
    """:meth:`TrainingSession.run` returned: ``state`` is paused, finished, stopped or
    diverged; ``reason`` says why in one line; ``diverged`` holds the core's event
    and ``step`` it as a lesson step when training diverged."""

    state: str
    reason: str
    progress: Progress
    diverged: Optional[Diverged] = None
    step: Optional[LessonStep] = None


Report = Union[Progress, EpochResult, StepResult, RunStopped, EtaChanged]

RECENT_COSTS = 40
"""Mini-batch costs kept for the slow-motion sparkline."""

CHANCE_FACTOR = 1.5
"""An accuracy under 1.5 × chance (15% with ten classes) counts as near chance."""


