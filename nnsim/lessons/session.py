"""A training run that a screen can drive: run, pause, step one mini-batch, stop, save.

The training controller. :class:`TrainingSession` owns the network and the core's :func:`~nnsim.core.train`
event stream of one run. It has no user interface: the app calls :meth:`run`
in a worker thread and turns the reports it receives (:class:`Progress`,
:class:`EpochResult`, :class:`StepResult`, :class:`RunStopped`) into messages;
the tests call it directly.

- Training runs in whatever thread calls :meth:`run`; :meth:`request_pause` and
  :meth:`request_stop` may be called from any other thread and take effect
  between two mini-batches (the core's "pause by not pulling").
- Progress is reported at most every ``throttle`` seconds, with examples per
  second, elapsed time (pauses excluded) and an estimate of the time left.
- After every epoch the network is looked inside on the test set: accuracy per
  class, the confusion matrix and the most confident mistakes
  (:mod:`nnsim.core.metrics`), and a copy of the first layer's weights (the
  hidden neurons' "feature detectors").
- :meth:`step` takes exactly one mini-batch and records that update as a
  backprop :class:`~nnsim.core.Trace` for the debugger (the core's event says
  which examples it held).
- :meth:`change_eta` changes the learning rate from the next mini-batch on; the
  change is an :class:`~nnsim.core.EtaChanged` event of the stream, kept in
  :attr:`TrainingSession.eta_changes`, and :meth:`replay` runs the same seed
  with the same changes again, number for number.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import threading
import time
from typing import Callable, Optional

import numpy as np

from nnsim.core import BatchDone, Diverged, EpochDone, EtaChanged, EtaSchedule, Network, Trace, trace_backprop
from nnsim.core.metrics import report_from_answers
from nnsim.core.training import train
from nnsim.errors import NnsimError
from nnsim.lessons.book_run import matches_book
from nnsim.lessons.kinds.train import TrainingPlan, binary_targets
from nnsim.lessons.scenario import Scenario
from nnsim.lessons.steps import LessonStep, match_steps, narration_for
from nnsim.lessons.stepper import condition_hit
from nnsim.lessons.session_reports import (  # noqa: F401 (the session's reports, re-exported)
    CHANCE_FACTOR, CLASSES, DIVERGED, FINISHED, MISTAKES_KEPT, PAUSED, READY, RECENT_COSTS, RUNNING,
    SNAPSHOT_BUDGET, STOPPED, EpochResult, Progress, Report, RunStopped, StepResult,
)


class TrainingSession:
    """One training run of a :class:`~nnsim.lessons.TrainingPlan` (see the module's docstring).

    Args:
        plan: the network, data and settings (from :func:`plan_training`).
        scenario: the lesson it comes from, for narration, breakpoints and
            conditions (e.g. "pause when accuracy ≥ 95%").
        clock: the time source (tests pass a fake one for fixed figures).
        throttle: the least time between two progress reports, in seconds.
    """

    def __init__(self, plan: TrainingPlan, scenario: Optional[Scenario] = None,
                 clock: Callable[[], float] = time.perf_counter, throttle: float = 0.1,
                 eta_changes: tuple[EtaChanged, ...] = ()) -> None:
        if plan.seed is None:
            raise ValueError("a session needs a seeded plan, so that a run can be replayed")
        self.plan = plan
        self.network: Network = plan.network
        self.scenario = scenario
        self.clock = clock
        self.throttle = throttle
        self.state = READY
        self.results: list[EpochResult] = []
        self.n_classes = max(CLASSES, int(np.max(plan.test.labels, initial=0)) + 1)
        self.breakpoints: set[int] = set()
        """Epochs (from 0) after which the run pauses."""
        if scenario is not None:
            titles = [f"epoch {e}" for e in range(plan.epochs)]
            self.breakpoints = {i for ref in scenario.breakpoints for i in match_steps(ref, titles)}
        self.conditions = list(scenario.conditions) if scenario is not None else []
        self.n = len(plan.training)
        self.batches = math.ceil(self.n / plan.mini_batch_size)
        self.examples_done = 0
        self.batch = 0
        self.epoch = 0
        self.cost: Optional[float] = None
        self.last_batch: Optional[BatchDone] = None
        self._events = None
        self._elapsed = 0.0
        self._run_started: Optional[float] = None
        self._pause_requested = False
        self._stop_requested = False
        # One thread pulls events at a time; ``_net_lock`` is held while the network changes.
        self._run_lock = threading.Lock()
        self._net_lock = threading.Lock()
        self.eta = float(plan.eta)
        """The learning rate of the next mini-batch."""
        self.eta_changes: list[EtaChanged] = []
        """The changes of η so far, as the stream recorded them."""
        self._schedule = EtaSchedule(eta_changes)
        self.pace: Optional[float] = None
        """Mini-batches per second (None: as fast as it goes); any thread may set it."""
        self.recent_costs: collections.deque[float] = collections.deque(maxlen=RECENT_COSTS)
        self.sleep: Callable[[float], None] = time.sleep
        self._snapshots: dict[int, Network] = {}
        self._initial_network = self.network.copy()
        self._initial_first_layer = self._initial_network.weights[0]

    # -- settings ---------------------------------------------------------------------

    @property
    def settings(self) -> dict:
        return self.plan.settings

    @property
    def matches_book(self) -> bool:
        """The book's network, mini-batch size, eta and data: its curve is comparable."""
        return matches_book(self.plan.settings)

    @property
    def chance(self) -> float:
        """The accuracy of guessing: one in ``n_classes``."""
        return 1.0 / self.n_classes

    @property
    def is_over(self) -> bool:
        return self.state in (FINISHED, STOPPED, DIVERGED)

    def toggle_breakpoint(self, epoch: Optional[int] = None) -> bool:
        """Pause after ``epoch`` (by default the one in progress); True if now set."""
        epoch = min(self.epoch, self.plan.epochs - 1) if epoch is None else int(epoch)
        if epoch in self.breakpoints:
            self.breakpoints.discard(epoch)
            return False
        self.breakpoints.add(epoch)
        return True

    # -- control from another thread ------------------------------------------------------

    def request_pause(self) -> None:
        """Pause after the mini-batch being computed (any thread)."""
        self._pause_requested = True

    def request_stop(self) -> None:
        """Stop after the mini-batch being computed (any thread); the network is kept.
        A session that is not running stops at once."""
        self._stop_requested = True
        if self._run_lock.acquire(blocking=False):
            try:
                if not self.is_over:
                    self._end(STOPPED)
            finally:
                self._run_lock.release()

    # -- running ------------------------------------------------------------------------

    def progress(self) -> Progress:
        elapsed = self._elapsed
        if self._run_started is not None:
            elapsed += self.clock() - self._run_started
        rate = self.examples_done / elapsed if elapsed > 0 and self.examples_done else None
        total = self.plan.epochs * self.n
        left = (total - self.examples_done) / rate if rate else None
        return Progress(self.state, self.epoch, self.plan.epochs, self.batch, self.batches, self.examples_done,
                        total, elapsed, rate, left, self.cost, tuple(self.recent_costs), self.pace, self.eta)

    def run(self, report: Callable[[Report], None], max_batches: Optional[int] = None,
            max_epochs: Optional[int] = None) -> RunStopped:
        """Train until the end, a pause or stop request, a breakpoint or condition, or
        divergence (or ``max_batches`` mini-batches, or the end of ``max_epochs``
        epochs); send reports to ``report``. With a :attr:`pace`, mini-batches
        are spaced out in time and each one is reported.

        Runs in the calling thread. Returns (and reports) a :class:`RunStopped`.
        """
        with self._run_lock:
            if self.is_over:
                ended = RunStopped(self.state, f"the run is over ({self.state})", self.progress())
                report(ended)
                return ended
            if self._events is None:
                plan = self.plan
                self._events = train(plan.network, plan.training, plan.epochs, plan.mini_batch_size, plan.eta,
                                     test=plan.test, seed=plan.seed, classify=plan.classify,
                                     schedule=self._schedule)
            # A pause asked for before this thread got here still counts; one asked for
            # while no run is under way is forgotten when this run ends.
            self.state = RUNNING
            self._run_started = self.clock()
            try:
                ended = self._loop(report, max_batches, max_epochs)
            finally:
                self._elapsed += self.clock() - self._run_started
                self._run_started = None
                self._pause_requested = False
            ended = dataclasses.replace(ended, progress=self.progress())
            report(ended)
            return ended

    def _loop(self, report: Callable[[Report], None], max_batches: Optional[int],
              max_epochs: Optional[int] = None) -> RunStopped:
        clock, throttle = self.clock, self.throttle
        last_report = clock()
        taken = epochs_done = 0
        next_slot = None
        mini_batch_size, n = self.plan.mini_batch_size, self.n
        while True:
            if self._stop_requested:
                return self._end(STOPPED, "stopped; the network is kept (save it with w)")
            if self._pause_requested:
                self.state = PAUSED
                return RunStopped(PAUSED, "paused", self.progress())
            if max_batches is not None and taken >= max_batches:
                self.state = PAUSED
                return RunStopped(PAUSED, f"paused after {taken} mini-batch{'es' if taken != 1 else ''}",
                                  self.progress())
            with self._net_lock:
                event = next(self._events, None)
            if type(event) is BatchDone:
                taken += 1
                size = min(mini_batch_size, n - event.index * mini_batch_size)
                self.examples_done += size
                self.epoch, self.batch, self.cost = event.epoch, event.index + 1, event.cost
                self.recent_costs.append(event.cost / size)
                self.last_batch = event
                pace = self.pace
                now = clock()
                if pace is not None:
                    # Slow motion: one mini-batch per 1/pace seconds, each one shown.
                    next_slot = max(next_slot or now, now - 1.0 / pace) + 1.0 / pace
                    while next_slot > now and not (self._pause_requested or self._stop_requested):
                        self.sleep(min(next_slot - now, 0.05))
                        now = clock()
                    last_report = clock()
                    report(self.progress())
                elif now - last_report >= throttle:
                    last_report = now
                    report(self.progress())
            elif type(event) is EtaChanged:
                self.eta = event.eta
                self.eta_changes.append(event)
                report(event)
            elif type(event) is EpochDone:
                result = self._epoch_done(event)
                report(result)
                last_report = clock()
                epochs_done += 1
                reason = self._reason_to_pause(result)
                if not reason and max_epochs is not None and epochs_done >= max_epochs:
                    reason = f"paused after epoch {event.epoch} (one epoch per key press)"
                if reason and event.epoch + 1 < self.plan.epochs:
                    self.state = PAUSED
                    return RunStopped(PAUSED, reason, self.progress())
            elif type(event) is Diverged:
                step = LessonStep(len(self.results) + 1, f"diverged in epoch {event.epoch}", event.message,
                                  "diverged", event, dict(epoch=float(event.epoch), batch=float(event.index)))
                return self._end(DIVERGED, event.message, diverged=event, step=step)
            else:  # the generator is exhausted
                return self._end(FINISHED, f"finished {self.plan.epochs} epoch{'s' if self.plan.epochs != 1 else ''}")

    def _end(self, state: str, reason: str = "", **extra) -> RunStopped:
        self.state = state
        if state == FINISHED:
            self.epoch, self.batch = self.plan.epochs, 0
        self.close()
        return RunStopped(state, reason or state, self.progress(), **extra)

    def close(self) -> None:
        """Drop the core's event stream (in the context it ran in); the network is kept.
        Call it when a paused session is discarded."""
        if self._events is not None:
            self._events.close()

    def __del__(self) -> None:
        # Otherwise the garbage collector closes the stream in whatever context it runs in.
        try:
            self.close()
        except Exception:
            pass

    def _epoch_done(self, event: EpochDone) -> EpochResult:
        report = report_from_answers(event.outputs, self.plan.test.labels, event.answers, self.n_classes, limit=MISTAKES_KEPT)
        self._keep_snapshot(event.epoch)
        title = f"epoch {event.epoch}"
        # Narration numbers an epoch's step by the epoch, as ``nnsim run`` does; on screen it is
        # step epoch + 1, after "before training".
        values = dict(epoch=float(event.epoch), correct=float(event.correct), total=float(event.total),
                      accuracy=float(event.accuracy), mean_cost=float(event.mean_cost), seconds=float(event.seconds))
        if event.test_cost is not None:
            values["test_cost"] = float(event.test_cost)
        narration = (narration_for(self.scenario, event.epoch, title, event.log_line(), values) if self.scenario
                     else event.log_line())
        step = LessonStep(len(self.results) + 1, title, narration, "epoch", event, values)
        self.epoch, self.batch = event.epoch + 1, 0
        result = EpochResult(event, report, step,
                             event.accuracy is not None and event.accuracy < CHANCE_FACTOR * self.chance,
                             self.progress())
        self.results.append(result)
        return result

    def _reason_to_pause(self, result: EpochResult) -> Optional[str]:
        if result.event.epoch in self.breakpoints:
            return f"breakpoint after epoch {result.event.epoch}"
        for condition in self.conditions:
            hit = condition_hit(condition, result.step)
            if hit:
                return hit
        return None

    # -- one mini-batch, as a trace ------------------------------------------------------------

    def step(self, report: Callable[[Report], None]) -> Optional[StepResult]:
        """Take one mini-batch (and the end of an epoch, if it is the epoch's last) and
        report it as a :class:`StepResult` with its backprop trace. Returns None
        when the run is over instead."""
        with self._run_lock:
            if self.is_over or self._events is not None and self.epoch >= self.plan.epochs:
                return None
            before = self.network.copy()
            last = self.last_batch
        self.run(report, max_batches=1)
        event = self.last_batch
        if event is None or event is last or self.state == DIVERGED:
            return None  # diverged, or paused at the end of the epoch before the mini-batch
        batch = event.examples
        x = self.plan.training.x[batch].T
        y = self.plan.training.y[batch].T
        # The trace recomputes the step with the one backprop rule; the property tests hold
        # the core's fused step equal to it, so there is nothing to compare here.
        trace = trace_backprop(before, x, y, eta=self.eta)
        result = StepResult(event, batch, trace, self.progress())
        report(result)
        return result

    # -- steering -------------------------------------------------------------------------

    def change_eta(self, eta: float) -> None:
        """Use ``eta`` from the next mini-batch on (any thread). The change shows up
        as an :class:`EtaChanged` report and in :attr:`eta_changes` when it is made."""
        if self.is_over:
            raise NnsimError(f"the run is over ({self.state}); start a new one to train with another η")
        try:
            self._schedule.request(eta)
        except ValueError as error:
            raise NnsimError(str(error)) from None

    def replay(self) -> "TrainingSession":
        """A fresh session of the same plan from the same seed and initial network, with
        this run's η changes at the same mini-batches: it reproduces this run."""
        plan = dataclasses.replace(self.plan, network=self._initial_network.copy())
        return TrainingSession(plan, self.scenario, self.clock, self.throttle, tuple(self.eta_changes))

    # -- looking inside ---------------------------------------------------------------------

    def _keep_snapshot(self, epoch: int) -> None:
        self._snapshots[epoch] = self.network.copy()
        size = self.network.parameter_count * self.network.dtype.itemsize
        while len(self._snapshots) > 1 and size * len(self._snapshots) > SNAPSHOT_BUDGET:
            del self._snapshots[min(self._snapshots)]

    def network_after(self, epoch: int) -> Optional[Network]:
        """A copy of the network as it was after ``epoch`` (None if no longer kept)."""
        net = self._snapshots.get(epoch)
        return net.copy() if net is not None else None

    def feature_detectors(self, epoch: int, change: bool = False) -> Optional[np.ndarray]:
        """The first layer's weights after ``epoch``, one row of 784 per neuron of layer 2
        (the "feature detectors"); with ``change``, what training has added to the
        random initial weights (after - before). None if that epoch's network is no
        longer kept."""
        net = self._snapshots.get(epoch)
        if net is None:
            return None
        return net.weights[0] - self._initial_first_layer if change else net.weights[0].copy()

    def trace_test_example(self, index: int, epoch: Optional[int] = None) -> Trace:
        """One test example's forward and backward pass (no update), through the
        network after ``epoch`` (the last finished epoch by default)."""
        if epoch is None:
            if not self.results:
                raise NnsimError("no epoch has finished yet: nothing to trace")
            epoch = self.results[-1].event.epoch
        net = self.network_after(epoch)
        if net is None:
            raise NnsimError(f"the network after epoch {epoch} is no longer kept (memory budget); "
                             f"open a mistake of a later epoch")
        test = self.plan.test
        x = test.x[index].reshape(-1, 1)
        if net.sizes[-1] == test.y.shape[1]:
            y = test.y[index].reshape(-1, 1)
        else:  # four binary outputs: the digit's bits
            y = binary_targets(test.labels[index:index + 1]).T
        return trace_backprop(net, x, y)

    def snapshot(self) -> Network:
        """A copy of the network now (safe while training runs in another thread)."""
        with self._net_lock:
            return self.network.copy()

    def save(self, path) -> Network:
        """Save the network now as ``.npz`` (atomically); returns the copy saved."""
        net = self.snapshot()
        try:
            net.save(path)
        except OSError as error:
            raise NnsimError(f"cannot save the model to {path}: {error.strerror or error}") from None
        return net

    # -- new runs ---------------------------------------------------------------------------

    def restarted(self, seed: int) -> "TrainingSession":
        """A fresh session with the same data and settings, the network initialised
        and the data shuffled with ``seed``. This one must not be running."""
        plan = dataclasses.replace(self.plan, network=Network(self.network.sizes, seed=seed, dtype=self.network.dtype),
                                   seed=seed, settings=dict(self.plan.settings, seed=seed))
        return TrainingSession(plan, self.scenario, self.clock, self.throttle)
