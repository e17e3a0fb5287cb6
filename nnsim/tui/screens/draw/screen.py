"""Draw a digit (``nnsim draw``, "Draw a digit" on the home screen, ``g`` on the training screen).

On the left the sheet (:class:`~nnsim.tui.screens.draw.canvas.DrawingCanvas`):
draw with the mouse (right button or shift erases) or the keyboard (arrows move
the cursor, shift+arrows draw as they move, space paints, x erases, c clears).
On the right what the network sees, the sheet made into an MNIST digit
(:func:`~nnsim.lessons.drawing.preprocess`), and what it says: the ten output
activations as bars, the digit it reads and its margin over the runner-up,
updated as you draw (at most every :data:`THROTTLE` seconds, so drawing stays smooth).

Debug this digit: a digit key says what you meant; ``d`` opens the backprop
debugger on this one example, ``s`` takes one gradient step on it (η = 3, the
book's) and shows how the outputs moved, ``u`` returns to the network you started
from. ``l`` loads another saved network, ``w`` saves the current one, ``t``
trains one now when there is none.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from nnsim.core.network import Network
from nnsim.errors import NnsimError
from nnsim.lessons.drawing import Reading, gradient_step, one_hot, preprocess, read_digit
from nnsim.lessons.networks import (
    Found, ReaderProgress, ReaderTrained, find_network, reader_plan, remember_trained, train_reader,
)
from nnsim.tui.screens.draw.canvas import DrawingCanvas
from nnsim.tui.screens.draw.files import LoadNetworkDialog, save_network_file
from nnsim.tui.screens.draw.views import InputView, OutputBars
from nnsim.tui.style.shading import MUTED

THROTTLE = 0.05  # seconds between readings while drawing
ETA = 3.0  # the book's learning rate for the [784, 30, 10] network
NARROW = 100  # below this many columns the input view shrinks to a thumbnail
HELP = Content.assemble(
    ("mouse", "bold"), (": drag paints, right button or shift+drag erases\n", MUTED),
    ("keys", "bold"), (": arrows, shift+arrows draw, space, x erase, c clear\n", MUTED),
    ("0–9", "bold"), (" true label · d its backprop pass · s gradient step", MUTED))


class DrawScreen(Screen):
    """See the module's docstring. ``found``: the network to start with (None: the screen
    looks for one by :func:`~nnsim.lessons.networks.find_network`'s order, and offers to
    train one if there is none)."""

    CSS_PATH = "draw.tcss"
    AUTO_FOCUS = "#draw-canvas"

    BINDINGS = [
        Binding("up", "move(-1, 0)", "↑", show=False), Binding("down", "move(1, 0)", "↓", show=False),
        Binding("left", "move(0, -1)", "←", show=False), Binding("right", "move(0, 1)", "→", show=False),
        Binding("shift+up", "move(-1, 0, 'paint')", "draw ↑", show=False),
        Binding("shift+down", "move(1, 0, 'paint')", "draw ↓", show=False),
        Binding("shift+left", "move(0, -1, 'paint')", "draw ←", show=False),
        Binding("shift+right", "move(0, 1, 'paint')", "draw →", show=False),
        Binding("space", "pen('paint')", "Paint", key_display="space", tooltip="Paint at the cursor"),
        Binding("x", "pen('erase')", "Erase", tooltip="Erase at the cursor"),
        Binding("c,backspace", "clear", "Clear", key_display="c", tooltip="Clear the sheet"),
        *[Binding(str(k), f"label({k})", f"label {k}", show=False) for k in range(10)],
        Binding("d", "debug", "Debug", tooltip="Open this digit's backprop pass in the debugger (choose its label first)"),
        Binding("s", "gradient_step", "Step", tooltip="Take one gradient step on this digit and its label"),
        Binding("u", "undo", "Undo", tooltip="Return to the network you started from"),
        Binding("l", "load", "Load", tooltip="Load a saved network"),
        Binding("w", "save", "Save", tooltip="Save the current network"),
        Binding("t", "train", "Train one", tooltip="Train a network for reading drawings now"),
        Binding("q,escape", "back", "Back"),
    ]

    def __init__(self, found: Optional[Found] = None, data_dir=None, search: bool = True) -> None:
        super().__init__()
        self.data_dir = data_dir
        self._search = found is None and search
        self.network: Optional[Network] = found.network if found else None
        """The network reading the drawing (after a gradient step, the stepped one)."""
        self.saved: Optional[Network] = found.network.copy() if found else None
        """The network the learner started from: ``u`` returns to it."""
        self.source = found.source if found else ""
        self.label: Optional[int] = None
        """The true label the learner chose (a digit key)."""
        self.reading: Optional[Reading] = None
        self.before: Optional[np.ndarray] = None
        """The outputs just before the last gradient step (shown next to the new ones)."""
        self.steps_taken = 0
        self.message = ""
        self._pending = False
        self.training = False
        self._shown: dict[str, Content] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="draw-title")
        with Horizontal(id="draw-body"):
            with Vertical(id="draw-left"):
                with Vertical(id="draw-sheet") as sheet:
                    sheet.border_title = "draw a digit"
                    yield DrawingCanvas(id="draw-canvas")
                yield Static(HELP, id="draw-help")
            with Vertical(id="draw-side"):
                seen = InputView(id="draw-input")
                yield Static("what it sees", id="draw-input-title")
                yield seen
                yield OutputBars(id="draw-bars")
                yield Static("", id="draw-reading")
        yield ProgressBar(id="draw-progress", show_eta=False)
        yield Static("", id="draw-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#draw-progress").display = False
        if self._search:
            try:
                found = find_network()
            except NnsimError as error:
                found = None
                self.say(str(error), "error")
            if found is not None:
                self.use_network(found.network, found.source)
        if self.network is None:
            plan = reader_plan(self.data_dir)
            where = "MNIST (cached)" if plan.dataset == "mnist" else "the offline sample (MNIST is not cached)"
            self.say(f"no trained network yet: t trains one now on {where}, l loads a saved one", "warning")
        else:
            self.say("draw with the mouse (right button erases) or arrows + space; a digit key sets the label")
        self.show_title()
        self.read_now()

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        self.set_class(narrow, "-narrow")
        self.query_one("#draw-input", InputView).set_compact(narrow)
        bars = self.query_one("#draw-bars", OutputBars)
        bars.compact = narrow
        bars.refresh(layout=True)
        self.read_now()

    # -- the network -----------------------------------------------------------------------

    def use_network(self, network: Network, source: str) -> None:
        self.network, self.saved, self.source = network, network.copy(), source
        self.before, self.steps_taken = None, 0
        self.show_title()
        self.read_now()

    def show_title(self) -> None:
        if self.network is None:
            text = Content.assemble(("Draw a digit", "bold"), ("  no network yet", MUTED))
        else:
            stepped = f" + {self.steps_taken} gradient step{'s' if self.steps_taken != 1 else ''}" \
                if self.steps_taken else ""
            label = "" if self.label is None else f"  true label {self.label}"
            text = Content.assemble(("Draw a digit", "bold"), (label, "$text-warning"),
                                    (f"  network {self.network.sizes}, {self.source}{stepped}", MUTED))
        self._update("#draw-title", text)

    # -- reading ---------------------------------------------------------------------------

    @property
    def canvas(self) -> DrawingCanvas:
        return self.query_one("#draw-canvas", DrawingCanvas)

    def input_column(self) -> np.ndarray:
        """The network's input for the sheet: (784, 1)."""
        return preprocess(self.canvas.drawing.ink).reshape(-1, 1)

    def on_drawing_canvas_changed(self, event: DrawingCanvas.Changed) -> None:
        self.before = None
        if not self._pending:
            self._pending = True
            self.set_timer(THROTTLE, self.read_now)

    def read_now(self) -> None:
        self._pending = False
        x = self.input_column()
        self.query_one("#draw-input", InputView).show(x)
        bars = self.query_one("#draw-bars", OutputBars)
        if self.network is None or self.canvas.drawing.empty:
            self.reading = None
            bars.show(None if self.network is None else self.network.feedforward(x), self.label)
            self._update("#draw-reading", Content.styled("draw a digit" if self.network else "", MUTED))
            return
        self.reading = r = read_digit(self.network, x)
        bars.show(r.outputs, self.label, self.before)
        self._update("#draw-reading", Content.assemble((f"reads {r.digit}", "bold"),
                                                       (f"\nmargin {r.margin:.2f} over {r.runner_up}", MUTED)))

    def _update(self, selector: str, content) -> None:
        """Update a Static only when its text changes: an update lays the screen out again,
        which costs more than a reading (and readings follow every mouse move)."""
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            self.query_one(selector, Static).update(content)

    def say(self, message: str, severity: str = "information") -> None:
        self.message = message
        style = {"error": "bold $text-error", "warning": "$text-warning", "success": "$text-success"}.get(
            severity, MUTED)
        self._update("#draw-status", Content.styled(message, style))

    # -- keys --------------------------------------------------------------------------------

    def action_move(self, d_row: int, d_column: int, tool: Optional[str] = None) -> None:
        self.canvas.move_cursor(d_row, d_column, tool)

    def action_pen(self, tool: str) -> None:
        self.canvas.at_cursor(tool)

    def action_clear(self) -> None:
        self.canvas.clear()
        self.say("cleared")

    def action_label(self, k: int) -> None:
        self.label = k
        self.show_title()
        self.say(f"true label {k}: d opens this digit's backprop pass, s takes a gradient step toward {k}")
        self.read_now()

    def _ready(self) -> bool:
        if self.network is None:
            self.say("no network yet: t trains one, l loads one", "warning")
            return False
        if self.canvas.drawing.empty:
            self.say("draw a digit first", "warning")
            return False
        if self.label is None:
            self.say("press the digit you meant (0–9) first: backpropagation needs the true label", "warning")
            return False
        return True

    def action_debug(self) -> None:
        if not self._ready():
            return
        open_drawn_digit(self.app, self.network, self.input_column(), self.label)

    def action_gradient_step(self) -> None:
        if not self._ready():
            return
        x = self.input_column()
        before = read_digit(self.network, x)
        self.network = gradient_step(self.network, x, self.label, ETA)
        self.steps_taken += 1
        self.before = before.outputs
        self.show_title()
        self.read_now()
        after = self.reading
        self.say(f"one gradient step (η = {ETA:g}) toward {self.label}: output {self.label} went from "
                 f"{before.outputs[self.label]:.2f} to {after.outputs[self.label]:.2f}; u undoes", "success")

    def action_undo(self) -> None:
        if self.saved is None or self.steps_taken == 0:
            self.say("nothing to undo: this is the network you started from")
            return
        self.network, self.before, self.steps_taken = self.saved.copy(), None, 0
        self.show_title()
        self.read_now()
        self.say("back to the network you started from", "success")

    def action_load(self) -> None:
        def loaded(network: Optional[Network]) -> None:
            if network is not None:
                self.use_network(network, f"loaded from {dialog.loaded_from}")
                self.say(f"loaded {dialog.loaded_from}", "success")

        dialog = LoadNetworkDialog()
        self.app.push_screen(dialog, loaded)

    def action_save(self) -> None:
        if self.network is None:
            self.say("no network to save yet", "warning")
            return
        name = f"nnsim-{'-'.join(str(n) for n in self.network.sizes)}-drawn.npz"
        try:
            self.say(save_network_file(self.app, self.network, name), "success")
        except (OSError, NnsimError) as error:
            self.say(f"cannot save {name}: {error}", "error")

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- training one now ------------------------------------------------------------------------

    def action_train(self) -> None:
        if self.training:
            self.say("training already")
            return
        self.training = True
        plan = reader_plan(self.data_dir)
        bar = self.query_one("#draw-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.say(f"training [784, 30, 10] on {'MNIST' if plan.dataset == 'mnist' else 'the offline sample'}, "
                 f"{plan.epochs} epochs…")

        def work() -> None:
            for event in train_reader(plan, self.data_dir):
                if isinstance(event, ReaderProgress):
                    self.app.call_from_thread(bar.update, total=event.total, progress=event.done)
                elif isinstance(event, ReaderTrained):
                    self.app.call_from_thread(self.trained, event)

        self.run_worker(work, thread=True, name="train-reader", exit_on_error=False)

    def trained(self, event: ReaderTrained) -> None:
        self.training = False
        self.query_one("#draw-progress", ProgressBar).display = False
        remember_trained(event.network, "for drawing")
        self.use_network(event.network, "trained just now")
        self.say(event.note, "success" if event.accuracy >= 0.9 else "warning")

    def on_worker_state_changed(self, event) -> None:
        from textual.worker import WorkerState

        if event.worker.name == "train-reader" and event.state == WorkerState.ERROR:
            self.training = False
            self.query_one("#draw-progress", ProgressBar).display = False
            self.say(str(event.worker.error), "error")


# -- the debugger on a drawn digit ---------------------------------------------------------

def drawn_digit_scenario(label: int):
    """The debugger's lesson for a drawn digit: a live scenario whose layer-2 gradient step
    also explains ∂C/∂x."""
    from nnsim.lessons.kinds.backprop import live_scenario
    from nnsim.lessons.scenario import Condition, Narration
    from nnsim.lessons.trace_view import INPUT_GRADIENT_NOTE, PHASE_SENTENCES

    scenario = live_scenario(
        f"Your drawn {label}: one backprop pass", f"The digit you drew, preprocessed as MNIST's were, and the "
        f"label you gave it ({label}): the forward pass to the network's answer, the error against y = e{label}, "
        f"and the gradient of every weight and bias, then one update with eta = {ETA:g}. Press w for "
        f"the image of the gradient with respect to the input pixels.", f"drawn-{label}", (Condition("nan"),))
    text = f"{PHASE_SENTENCES['gradient']} Press w for ∂C/∂x: {INPUT_GRADIENT_NOTE}"
    return dataclasses.replace(scenario, narration=(Narration("gradient, layer 2", text),))


def open_drawn_digit(app, network: Network, x: np.ndarray, label: int):
    """Push the backprop debugger on one pass of ``network`` over the drawn input ``x`` with
    the target for ``label``, ending with the update (η = :data:`ETA`); returns the screen."""
    from nnsim.core.trace import trace_backprop
    from nnsim.lessons.kinds.backprop import trace_lesson_steps
    from nnsim.tui.screens.backprop.screen import BackpropScreen

    y = one_hot(label, network.sizes[-1])
    with np.errstate(all="ignore"):
        trace = trace_backprop(network, np.asarray(x, dtype=float).reshape(-1, 1), y, eta=ETA)
    scenario = drawn_digit_scenario(label)
    steps = trace_lesson_steps(trace, 1, 0, scenario, titled_by_pass=False)
    screen = BackpropScreen(scenario, steps=steps)
    app.push_screen(screen)
    return screen


def draw_screen(network_path: Optional[str] = None, network: Optional[Network] = None, source: str = "",
                **kwargs: Any) -> DrawScreen:
    """The screen for ``nnsim draw [--network FILE]``, the training screen's key and the home screen."""
    if network is not None:
        return DrawScreen(Found(network, source), **kwargs)
    if network_path is not None:
        return DrawScreen(find_network(network_path), **kwargs)
    return DrawScreen(**kwargs)
