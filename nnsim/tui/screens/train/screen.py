"""The training screen (kind ``train``, and ``nnsim train``): a network learning to read
digits, made visible while it happens.

- **Settings** on the left: sizes, epochs, mini-batch size, eta, seed, dataset
  (MNIST, Fashion-MNIST, the offline sample) and where ``w`` saves the model.
  A lesson's [controls] decide which can change. If the dataset is not cached,
  a dialog offers to download it (with a progress bar) or to use the sample.
- **Live accuracy**: the test accuracy after each epoch as a chart (the book's
  own 30 epochs beside it when the settings are the book's), the seed's log
  lines (``Epoch 3: 9357 / 10000``), a progress bar through the epoch's
  mini-batches, examples per second, elapsed time and an estimate of what is left.
- **Looking inside**, after each epoch: accuracy per class and the confusion
  matrix; the misclassified test digits with the network's answer and
  confidence (Enter opens one's forward and backward pass in the debugger); the
  hidden neurons' incoming weights as 28×28 images.

Training runs in a thread worker (:class:`~nnsim.lessons.session.TrainingSession`
does the work and throttles its reports); the worker only posts messages, and
this screen, on Textual's thread, turns them into widget updates.

The debugger's keys mean, here: ``c`` continue (start or resume training, up to
a breakpoint, a lesson's condition or the end), ``n`` step (one mini-batch when
looking at the latest epoch, else the next finished epoch), ``b`` back (an
earlier epoch's look inside), ``r`` restart with a new seed, ``space`` a
breakpoint after the epoch in progress, ``e`` edit the settings (during a run: η
only, from the next mini-batch on). Its own keys: ``s`` pause or resume, ``x``
stop, ``w`` save the model, ``d`` open the last stepped mini-batch in the
debugger, ``+``/``-`` the pace (down to slow motion, each mini-batch shown with
a sparkline of recent costs), ``N`` one epoch, ``o`` overlay kept runs,
``1``–``4`` the panels. The parts live beside this module: settings.py,
loading.py, reports.py, steering.py, compare.py, inside.py, text.py.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Log, ProgressBar, Select, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from nnsim.errors import NnsimError
from nnsim.lessons import LessonStep, Scenario
from nnsim.lessons.book_run import book_log_lines
from nnsim.lessons.kinds.train import first_step, replan
from nnsim.lessons.scenario import with_changes
from nnsim.lessons.text import edited_title, epoch_header, epoch_name, save_name, training_changes
from nnsim.lessons.session import PAUSED, READY, STOPPED, EpochResult, Progress, RunStopped, StepResult, TrainingSession
from nnsim.tui.app import NnsimApp
from nnsim.tui.frame.lesson import LessonScreen
from nnsim.tui.frame.step_counter import StepCounter
from nnsim.tui.screens.train.accuracy_chart import AccuracyChart
from nnsim.tui.screens.train.compare import Comparing
from nnsim.tui.screens.train.confusion_matrix import ConfusionMatrix
from nnsim.tui.screens.train.digit_gallery import DigitGallery
from nnsim.tui.screens.train.inside import LookInside
from nnsim.tui.screens.train.loading import DataLoading
from nnsim.tui.screens.train.reports import RunReports, TrainingReport
from nnsim.tui.screens.train.settings import FIELDS, SettingsForm, remember_saved_quietly
from nnsim.tui.screens.train.steering import Steering
from nnsim.tui.screens.train.text import clock_text, failure_text, progress_text

DATASET_OPTIONS = [("MNIST", "mnist"), ("Fashion-MNIST", "fashion-mnist"), ("offline sample", "sample")]
TABS = ("accuracy", "classes", "mistakes", "features")

__all__ = ["TrainScreen", "TrainingApp", "TrainingReport", "clock_text", "progress_text"]


class TrainScreen(SettingsForm, LookInside, RunReports, Steering, DataLoading, Comparing, LessonScreen):
    """The training screen; see the module's docstring.

    Args:
        scenario: a train lesson (or one made by
            :func:`~nnsim.lessons.kinds.train.train_scenario` for ``nnsim train``).
        data_dir: read the dataset from this folder (``--data-dir``), no download.
        mirror: download from this host (``--mirror``).
        save_path: where ``w`` saves (``--save``; also saved when the run ends).
        clock: the session's time source (tests fix the figures with a fake one).
        throttle: least seconds between two progress reports from the worker (each one
            redraws the progress line, which takes the training thread's time).
    """

    CSS_PATH = LessonScreen.CSS_PATH + [Path(__file__).with_name("train.tcss")]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    """Below 100 columns the settings fold away (``e`` opens them), so the panels keep their width."""

    BINDINGS = [
        Binding("s", "pause", "Pause", tooltip="Pause training, or resume it"),
        Binding("x", "stop", "Stop", tooltip="Stop training; the network is kept to look inside and save"),
        Binding("w,ctrl+s", "save", "Save", key_display="w", tooltip="Save the network as .npz (path in the settings)"),
        Binding("d", "debug", "Debug", tooltip="Open the last stepped mini-batch's backprop pass in the debugger"),
        Binding("g", "draw", "Draw", show=False, tooltip="Draw a digit and watch this network read it"),
        Binding("l", "load", "Load", show=False, tooltip="Load a saved network and train on from it"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+",
                tooltip="Train faster: up to as fast as it goes"),
        Binding("minus", "slower", "Slower", key_display="-",
                tooltip="Train slower, down to slow motion (1 mini-batch a second), each mini-batch shown"),
        Binding("N", "one_epoch", "1 epoch", key_display="N", tooltip="Train one epoch, then pause"),
        Binding("o", "overlay", "Overlay", tooltip="Overlay the kept runs on the chart, one by one, then all"),
        Binding("v", "feature_view", "Δw/w", show=False,
                tooltip="Feature detectors: the weights, or what training changed in them"),
        Binding("1", "tab('accuracy')", "Accuracy", show=False, tooltip="Show the accuracy chart and log"),
        Binding("2", "tab('classes')", "Classes", show=False, tooltip="Show accuracy per class and the confusion matrix"),
        Binding("3", "tab('mistakes')", "Mistakes", show=False, tooltip="Show the misclassified test digits"),
        Binding("4", "tab('features')", "Features", show=False, tooltip="Show the hidden neurons' incoming weights"),
    ]

    def __init__(self, scenario: Scenario, steps: Optional[Sequence[LessonStep]] = None, start: int = 0, *,
                 data_dir=None, mirror: Optional[str] = None, save_path=None,
                 clock: Callable[[], float] = time.perf_counter, throttle: float = 0.5,
                 name: Optional[str] = None, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(scenario, steps=None, start=0, name=name, id=id, classes=classes)
        self.data_dir = data_dir
        self.mirror = mirror
        self.save_from_command_line = save_path is not None
        self.save_path = str(save_path) if save_path is not None else ""
        self._auto_save = ""  # the save name nnsim made up (it follows the settings)
        self._file_scenario = scenario  # the lesson as its file says: the title names what changed
        self.clock = clock
        self.throttle = throttle
        self.session: Optional[TrainingSession] = None
        self.session_scenario: Optional[Scenario] = None
        """The scenario the session's plan was made from."""
        self.last_step: Optional[StepResult] = None
        self.log_lines: list[str] = []
        """The log's lines as written (tests read them)."""
        self.progress: Optional[Progress] = None
        self.busy = False
        """A training worker has been started and has not reported the end of its run."""
        self._step_after_pause = False
        self._pause_on_start = False
        self._one_epoch_on_start = False
        self._loading = False
        self.shown: list[EpochResult] = []
        """The epochs drawn so far (the session may be ahead of the screen by a few)."""
        self._pending: list[EpochResult] = []
        self._draw_timer = None
        self._last_draw = 0.0
        self._drawn: dict[str, tuple] = {}
        """What each gallery shows now (see :meth:`show_gallery`)."""
        self.feature_change = False
        """Feature detectors show the weights (False) or their change since the start (True)."""

    # -- what LessonScreen asks for ---------------------------------------------------------

    @classmethod
    def lesson_steps(cls, scenario: Scenario) -> list[LessonStep]:
        # Epochs are computed live; the list starts with the untrained network.
        return [first_step(scenario)]

    def compose_lesson(self) -> ComposeResult:
        with Horizontal(id="lesson-body"):
            with VerticalScroll(id="settings", classes="panel side-panel"):
                # What a run fixes (all but η, which changes live; see lock_settings).
                with Vertical(id="run-settings"):
                    for field, _, label in FIELDS:
                        yield Label(label, classes="setting-label")
                        yield Input(id=f"set-{field}", compact=True, classes="setting")
                    yield Label("dataset", classes="setting-label")
                    yield Select(DATASET_OPTIONS, id="set-dataset", allow_blank=False, compact=True, value="mnist")
                yield Label("save to", classes="setting-label")
                yield Input(id="set-save", compact=True, classes="setting")
                yield Button("Start", id="start", variant="primary", compact=True)
                yield Static("", id="data-source", markup=False)
            with Vertical(id="train-main"):
                with Horizontal(id="progress-row"):
                    yield Static("ready", id="run-state", markup=False)
                    yield ProgressBar(id="epoch-bar", show_eta=False)
                yield Static("", id="progress-text", markup=False)
                yield Static("", id="pace-line", markup=False)
                with TabbedContent(id="views"):
                    with TabPane("1 accuracy", id="accuracy"):
                        with Horizontal(id="accuracy-row"):
                            yield AccuracyChart(id="chart")
                            log = Log(id="epoch-log", max_lines=2000)
                            log.border_title = "log"
                            yield log
                    with TabPane("2 classes", id="classes"):
                        with VerticalScroll(id="classes-scroll"):
                            yield ConfusionMatrix(id="confusion")
                    with TabPane("3 mistakes", id="mistakes"):
                        yield DigitGallery("after the first epoch: the test digits the network gets wrong",
                                           id="mistakes-gallery")
                    with TabPane("4 features", id="features"):
                        yield DigitGallery("after the first epoch: each hidden neuron's 784 incoming weights "
                                           "as an image (blue positive, red negative); v shows what "
                                           "training changed in them", id="features-gallery")

    def on_mount(self) -> None:
        # LessonScreen's on_mount runs after this one (Textual calls each class's handler).
        self.fill_settings(self.scenario)
        self.query_one("#epoch-bar", ProgressBar).update(total=1, progress=0)
        self.show_chart()
        self.show_pace()
        self.focus_tabs()
        self.call_after_refresh(self._greet)

    def _greet(self) -> None:
        if not self.adopt_parked_run():
            self.say("c starts training (e edits the settings first); ? for help and keys")

    # What the shared debugger keys do on this screen (the help dialog and the palette say so).
    MEANINGS = {
        "step": "One mini-batch of training (pausing first), or the next finished epoch when looking back",
        "back": "Look inside after the previous epoch",
        "continue": "Start training, or resume it, up to a breakpoint, the lesson's condition or the end",
        "restart": "Restart from a new random network with a new seed (the seed + 1), same data and settings",
        "toggle_breakpoint": "Pause when the epoch in progress ends",
        "edit": "Edit the settings (between runs)",
    }

    def own_bindings(self) -> list[Binding]:
        out = []
        for binding in super().own_bindings():
            if binding.action.startswith("select("):
                continue  # no parameters to select here: the settings form takes the arrows
            meaning = self.MEANINGS.get(binding.action)
            out.append(dataclasses.replace(binding, tooltip=meaning) if meaning else binding)
        return out

    def help_text(self) -> str:
        return ("c starts or resumes training; s pauses it, x stops it; n takes one mini-batch (d then opens "
                "its backprop pass in the debugger); r restarts with a new seed; w saves the network, l loads a saved "
                "one to train on from, g draws a digit for this network to read. "
                "b and n also move through the finished epochs' look inside; 1-4 switch panels; in the "
                "mistakes panel, arrows choose a digit and Enter opens its pass.")

    def refresh_step(self) -> None:
        step = self.stepper.current
        epochs = (self.session.plan.epochs if self.session is not None else self.scenario.train.epochs)
        done = len(self.shown)
        # One numbering, the book's (Epoch 0 …), in the header, the status line and the progress.
        in_progress = self.session is not None and self.session.epoch in self.session.breakpoints
        self.query_one(StepCounter).show(epoch_header(step.data.epoch if step.kind == "epoch" else None, done,
                                                      epochs, step.title), in_progress)
        from nnsim.tui.frame.narration import NarrationPanel

        self.query_one(NarrationPanel).show(step.title, step.narration)
        self.show_step(step)

    # -- starting a run ----------------------------------------------------------------------

    def action_continue(self) -> None:
        session = self.session
        if self.busy:
            self.say("training is running (s pauses, x stops)")
            return
        if self._loading:
            self.say("loading the data…")
            return
        if session is not None and session.state == PAUSED:
            self.follow_latest()
            self.start_worker(session.run)
            return
        try:
            scenario = self.settings_scenario()
        except NnsimError as error:
            self.say(str(error), "error")
            return
        if session is not None and session.state == READY and scenario == self.session_scenario:
            self.start_worker(session.run)
            return
        self.begin(scenario)

    def new_session(self, scenario: Scenario, session: TrainingSession, then: str = "run") -> None:
        """Show ``session`` and ``then`` "run" it, take one "step", one "epoch", or "keep" it
        as it is (a run found again after a round trip)."""
        if self.session is not None and self.session is not session:
            self.keep_run(self.session)
            self.session.request_stop()
        session.pace = self.pace
        self.scenario = scenario
        self.session_scenario = scenario
        self.session = session
        self.busy = False
        # The title and the save name say what this run is, not what the file said.
        self.query_one("#lesson-title", Static).update(
            edited_title(self._file_scenario.title, training_changes(self._file_scenario, scenario)))
        if self.save_path == self._auto_save and not self.save_from_command_line:
            self.save_path = self._auto_save = save_name(scenario.network.sizes, scenario.train.seed)
            self.query_one("#set-save", Input).value = self.save_path
        self.shown = []
        self._pending = []
        if self._draw_timer is not None:
            self._draw_timer.stop()
            self._draw_timer = None
        self.last_step = None
        self.log_lines = []
        self.query_one("#epoch-log", Log).clear()
        self.stepper.steps[:] = [first_step(scenario)]
        self.stepper.goto(0)
        self.stepper.breakpoints.clear()
        self.query_one("#data-source", Static).update(session.plan.source)
        self.show_chart()
        self.show_progress(session.progress())
        self.refresh_step()
        if session.matches_book:
            book = book_log_lines()
            self.write_log(f"the book's run, for comparison: {book[0]} … {book[-1]}")
        self.start_comparison(scenario)  # a lesson that compares shows the other run too (compare.py)
        if then == "keep":
            self._pending = list(session.results)
            self.draw_epochs()
            self.show_progress(session.progress())
            self.set_state(session.state)
            self.lock_settings()
        elif then == "step":
            self.start_worker(session.step)
        elif then == "epoch" or self._one_epoch_on_start:
            self._one_epoch_on_start = False
            self.start_worker(lambda post: session.run(post, max_epochs=1))
        elif self._pause_on_start:
            self._pause_on_start = False
            self.set_state("paused")
            self.lock_settings()
            self.say("ready and paused: c or s starts, n takes one mini-batch")
        else:
            self.start_worker(session.run)

    def start_worker(self, method) -> None:
        session = self.session
        self.busy = True
        self.set_state("running")

        def post(report) -> None:
            self.post_message(TrainingReport(session, report))

        self.run_worker(lambda: method(post), thread=True, name="train", group="train", exit_on_error=False)
        self.lock_settings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "plan" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._loading = False
            if event.state == WorkerState.ERROR:
                self.set_state("ready")
                self.say(str(worker.error), "error")
                return
            scenario, then, plan = worker.result
            self.new_session(scenario, TrainingSession(plan, scenario, self.clock, self.throttle), then)
        elif worker.name == "train" and event.state == WorkerState.ERROR:
            self.busy = False
            self.set_state("failed")
            self.say(f"training failed: {failure_text(worker.error)}", "error")
            self.lock_settings()
        elif worker.name == "save" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            if event.state == WorkerState.ERROR:
                self.say(str(worker.error), "error")
            else:
                message, target = worker.result
                self.say(message, "success")
                if target is not None:  # a file on this computer (not a browser download)
                    remember_saved_quietly(target)

    # -- the debugger's keys -------------------------------------------------------------------

    def follow_latest(self) -> None:
        if not self.stepper.at_end:
            self.stepper.goto(len(self.stepper) - 1)
            self.refresh_step()

    def action_step(self) -> None:
        if not self.stepper.at_end:
            self.stepper.next()
            self.say(f"looking inside after {epoch_name(self.stepper.current.data.epoch)}"
                     if self.stepper.current.kind == "epoch"
                     else "")
            self.refresh_step()
            return
        session = self.session
        if session is None:
            if self._loading:
                return
            try:
                self.begin(self.settings_scenario(), then="step")
            except NnsimError as error:
                self.say(str(error), "error")
            return
        if self.busy:
            self._step_after_pause = True
            session.request_pause()
            self.say("pausing, then taking one mini-batch…")
        elif session.is_over:
            self.say(f"the run is over ({session.state}): c starts a new one, r with a new seed")
        else:
            self.start_worker(session.step)

    def action_back(self) -> None:
        if self.stepper.at_start:
            self.say("this is before training: nothing earlier")
            return
        self.stepper.back()
        step = self.stepper.current
        self.say(f"looking inside after {epoch_name(step.data.epoch)} (n moves on; c goes back to the latest)"
                 if step.kind == "epoch" else "before training")
        self.refresh_step()

    def action_pause(self) -> None:
        session = self.session
        if self._loading:
            self._pause_on_start = not self._pause_on_start
            self.say("the run will start paused" if self._pause_on_start else "the run will start at once")
        elif self.busy:
            session.request_pause()
            self.set_state("pausing")
        elif session is None or session.is_over:
            self.say("nothing is training (c starts)")
        else:
            self.action_continue()

    def action_stop(self) -> None:
        session = self.session
        if session is None or session.is_over:
            self.say("nothing is training")
            return
        session.request_stop()
        if session.state == STOPPED:  # it was not running: stopped at once
            self.run_stopped(RunStopped(STOPPED, "stopped", session.progress()))

    def action_restart(self) -> None:
        """Restart with a new seed (the seed + 1): same data, same settings."""
        session = self.session
        try:
            scenario = self.settings_scenario()
        except NnsimError as error:
            self.say(str(error), "error")
            return
        if scenario.controls.can_edit("train.seed"):
            seed = scenario.train.seed + 1
            changes = {"train.seed": seed}
            if scenario.controls.can_edit("network.seed"):
                changes["network.seed"] = seed
            try:
                scenario = with_changes(scenario, changes)
            except NnsimError as error:
                self.say(str(error), "error")
                return
            message = f"restarted with seed {seed}"
        else:
            seed = scenario.train.seed
            message = f"restarted with seed {seed} again: this lesson locks its seed, so the run repeats"
        if session is not None:
            session.request_stop()
        self.query_one("#set-seed", Input).value = str(seed)
        self.say(message)
        if session is not None and self.session_scenario is not None:
            plan = replan(session.plan, self.session_scenario, scenario)
            if plan is not None:
                self.new_session(scenario, TrainingSession(plan, scenario, self.clock, self.throttle))
                return
        self.begin(scenario)

    def action_toggle_breakpoint(self) -> None:
        session = self.session
        if session is None or session.is_over:
            self.say("a breakpoint pauses a run after an epoch: start one first (c)")
            return
        epoch = min(session.epoch, session.plan.epochs - 1)
        on = session.toggle_breakpoint(epoch)
        self.say(f"training will pause after epoch {epoch}" if on else f"no pause after epoch {epoch}")
        self._refresh_counter()

    def action_home(self) -> None:
        # The run pauses rather than stops: it is kept, to look at or resume on coming back.
        self.park_run()
        if self.session is not None and self.busy:
            self.session.request_pause()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        self.park_run()
        if self.session is not None and self.busy:
            self.session.request_pause()


class TrainingApp(NnsimApp):
    """The app opened on a :class:`TrainScreen` of ``scenario`` (home underneath, so
    ``q`` leads there); ``options`` go to the screen (``data_dir``, ``save_path``,
    ``clock`` …)."""

    def __init__(self, scenario: Scenario, cursor_blink: bool = True, present: bool = False, **options) -> None:
        super().__init__(scenario, cursor_blink=cursor_blink, present=present)
        self.train_options = options

    def lesson_screen(self, scenario, start: int = 0, steps=None):
        if scenario.kind != "train":
            return super().lesson_screen(scenario, start, steps)
        return TrainScreen(scenario, **self.train_options), ""

