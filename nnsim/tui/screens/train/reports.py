"""The training screen's side of a run: reports from the worker turned into the log, the
chart, the progress line and the lesson's steps."""

from __future__ import annotations

import time

from textual.message import Message
from textual.widgets import Log, ProgressBar, Static

from nnsim.core import EtaChanged
from nnsim.lessons.book_run import book_accuracy
from nnsim.lessons.text import epoch_header
from nnsim.lessons.session import (
    DIVERGED, FINISHED, PAUSED, STOPPED, EpochResult, Progress, RunStopped, StepResult, TrainingSession,
)
from nnsim.tui.frame.step_counter import StepCounter
from nnsim.tui.screens.train.accuracy_chart import AccuracyChart, chart_baselines
from nnsim.tui.screens.train.text import progress_text, slow_motion_text

EPOCH_REDRAW = 1.0
"""Least seconds between two redraws for finished epochs. Each one writes the log, whose
new lines change its virtual size, and so lays out and repaints the whole screen: about
30 ms of the interface's thread here, which the training thread waits out (the GIL).
Measured on full Fashion-MNIST (0.3 s epochs), one thread of BLAS: at 0.25 s the
interface took 0.8 s of CPU over 8 epochs and the run's epochs 5.8 s; at 1 s, 0.4 s
and 2.8 to 3.6 s. The progress line keeps its own, shorter throttle (the training screen's
``throttle``, 0.5 s: at 0.25 s the app's CPU was 1.18× headless, at 0.5 s 1.05×, in
benchmarks/bench_train_screen.py --dataset fashion-mnist --epochs 15)."""


class TrainingReport(Message):
    """A report of a training session, posted from its worker thread."""

    def __init__(self, session: TrainingSession, report) -> None:
        super().__init__()
        self.session = session
        self.report = report


class RunReports:
    """Part of :class:`~nnsim.tui.screens.train.screen.TrainScreen`: drawing what the worker reports."""

    # -- reports from the worker --------------------------------------------------------------

    def on_training_report(self, message: TrainingReport) -> None:
        if message.session is not self.session:
            return  # from a run that has been replaced
        report = message.report
        if isinstance(report, Progress):
            self.show_progress(report)
        elif isinstance(report, EpochResult):
            self.epoch_done(report)
        elif isinstance(report, StepResult):
            self.step_done(report)
        elif isinstance(report, RunStopped):
            self.run_stopped(report)
        elif isinstance(report, EtaChanged):
            self.eta_changed(report)

    def show_progress(self, p: Progress) -> None:
        self.progress = p
        done = p.batches if p.epoch >= p.epochs else p.batch
        self.query_one("#epoch-bar", ProgressBar).update(total=p.batches, progress=done)
        # Fixed-size lines: no layout pass, which would cost the training thread its time.
        self.query_one("#progress-text", Static).update(progress_text(p), layout=False)
        self.query_one("#pace-line", Static).update(slow_motion_text(p), layout=False)

    def set_state(self, state: str) -> None:
        self.query_one("#run-state", Static).update(state, layout=False)

    def write_log(self, line: str) -> None:
        self.log_lines.append(line)
        self.query_one("#epoch-log", Log).write_line(line)

    def epoch_done(self, result: EpochResult) -> None:
        """Queue a finished epoch; :meth:`draw_epochs` draws the queue at most every
        :data:`EPOCH_REDRAW` seconds, so epochs that take milliseconds (the sample)
        cannot flood the interface and keys are still answered at once."""
        self._pending.append(result)
        if self._draw_timer is None:
            wait = self._last_draw + EPOCH_REDRAW - time.monotonic()
            if wait <= 0:
                # Not a timer of 0 s: Textual's raises ZeroDivisionError once any time has passed
                # (timer.py divides by the interval), and the epochs were then drawn only when
                # the run ended.
                self.draw_epochs()
            else:
                self._draw_timer = self.set_timer(wait, self.draw_epochs)

    def draw_epochs(self) -> None:
        """Draw the queued epochs: log lines, chart, counter, narration, look inside."""
        if self._draw_timer is not None:
            self._draw_timer.stop()
            self._draw_timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        self._last_draw = time.monotonic()
        for result in pending:
            event = result.event
            line = f"{event.log_line()}  {event.accuracy:.2%}  {event.cost_text()}"
            if self.session.matches_book and event.epoch < len(book_accuracy()):
                line += f"  (book: {book_accuracy()[event.epoch] * 10000:.0f})"
            if result.near_chance:
                line += f"  near chance ({self.session.chance:.0%})"
            self.write_log(line)
        self.shown.extend(pending)
        self.show_chart()
        following = self.stepper.at_end
        self.stepper.extend([result.step for result in pending])
        if following:
            self.stepper.goto(len(self.stepper) - 1)
        self.show_progress(pending[-1].progress)
        self.refresh_step() if following else self._refresh_counter()
        last = pending[-1]
        if last.near_chance:
            self.say(f"epoch {last.event.epoch}: {last.event.accuracy:.2%} correct, {self.chance_text()}", "warning")

    def chance_text(self) -> str:
        return (f"no better than guessing (chance is {self.session.chance:.0%}): the network is not learning; "
                f"with eta = {self.session.plan.eta:g} each step may overshoot, try a smaller eta")

    def _refresh_counter(self) -> None:
        step = self.stepper.current
        self.query_one(StepCounter).show(epoch_header(step.data.epoch if step.kind == "epoch" else None,
                                                      len(self.shown), self.session.plan.epochs, step.title),
                                         self.session.epoch in self.session.breakpoints)

    def show_chart(self) -> None:
        session = self.session
        book = book_accuracy() if session is not None and session.matches_book else None
        events = [r.event for r in self.shown]
        epochs = session.plan.epochs if session is not None else self.scenario.train.epochs
        chart = self.query_one("#chart", AccuracyChart)
        darkness, svm = chart_baselines(session)
        if session is None:
            chart.show(events, epochs, book, None, darkness, svm, overlays=self.overlays())
        else:
            # Beside a compared lesson's run, the legend names this lesson's too.
            live = f"this run: {self.scenario.name}" if self.compared and self.scenario.name else "this run"
            chart.show(events, epochs, book, session.chance, darkness, svm, eta_changes=session.eta_changes,
                       overlays=self.overlays(), batches=session.batches, live_label=live)

    def step_done(self, result: StepResult) -> None:
        self.draw_epochs()
        self.last_step = result
        e = result.event
        self.say(f"took mini-batch {e.index + 1:,} of {e.of:,} in epoch {e.epoch}: cost {e.cost:.4g} before the "
                 f"update; d opens its backprop pass", "success")
        self.show_progress(result.progress)

    def run_stopped(self, stopped: RunStopped) -> None:
        self.draw_epochs()
        session = self.session
        self.busy = False
        self.show_progress(stopped.progress)
        self.set_state(stopped.state)
        self.lock_settings()
        if session is not None and session.is_over:
            self.keep_run(session)
        if stopped.state in (FINISHED, STOPPED):
            from nnsim.tui.screens.draw.from_training import remember_run

            remember_run(self)
        if stopped.state == PAUSED:
            if self._step_after_pause:
                self._step_after_pause = False
                self.start_worker(session.step)
                return
            if stopped.reason != "paused" and not stopped.reason.startswith("paused after"):
                self.say(f"paused: {stopped.reason} (c continues)", "warning")
            elif stopped.reason == "paused":
                self.say("paused (s or c resumes, n takes one mini-batch)")
        elif stopped.state == DIVERGED:
            self.write_log(stopped.reason)
            self.stepper.extend([stopped.step])
            self.stepper.goto(len(self.stepper) - 1)
            self.refresh_step()
            self.say(f"{stopped.reason}: the weights overflowed, so the run stopped; r restarts, or lower eta",
                     "error")
        elif stopped.state == FINISHED:
            last = self.shown[-1] if self.shown else None
            summary = f": {last.event.log_line()} ({last.event.accuracy:.2%})" if last is not None else ""
            if last is not None and last.near_chance:
                self.say(f"{stopped.reason}{summary}, {self.chance_text()}", "warning")
            else:
                self.say(f"{stopped.reason}{summary}; w saves the network, r restarts with a new seed", "success")
            self.auto_save()
        elif stopped.state == STOPPED:
            self.say("stopped; the network is kept (w saves it; c starts a new run)")
            self.auto_save()

    def auto_save(self) -> None:
        if self.save_from_command_line and self.save_path:
            self.action_save()

