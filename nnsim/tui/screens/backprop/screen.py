"""The backpropagation debugger (kind ``backprop``): one pass, layer by layer, forward and back in time.

The lesson's steps are the core's trace (:func:`~nnsim.core.trace.trace_backprop`)
as lesson steps; this screen draws the current one:

- the network as columns of neurons shaded by activation (δ in the backward
  half), the current layer highlighted and an arrow for the pass's direction;
- the step's arrays (z, a, σ′(z), δ, ∂C/∂b, ∂C/∂w, the weights before and
  after) with their shapes: numbers when small, heat maps when large;
- the step's equation for the selected neuron with its numbers put in
  (:func:`~nnsim.lessons.trace_view.step_equation`);
- for 784 inputs, the digit as a 28×28 image, or (``w``) a hidden neuron's 784
  incoming weights or their gradient as one.

``n``/``b``/``c``/``r`` move through time as in every lesson; past the last
step, ``n`` computes the next pass from the weights the last update left
(:func:`~nnsim.lessons.kinds.backprop.next_pass`), so stepping back crosses
successive updates. ``1``/``2``/``3`` stop ``c`` on NaN or infinity, on
saturation σ′(z) < ε and on vanishing |δ| < ε (the lessons layer's
conditions). ``g`` checks the selected neuron's gradient against finite
differences (the core's ``gradient_check``), ``x`` exports the passes as JSON
lines and a Markdown handout.

Other screens open the debugger on a live network with :func:`open_trace`
(a core ``Trace``) or :func:`open_network` (a network and a mini-batch).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from nnsim.core.network import Network
from nnsim.core.trace import Trace, sup, trace_backprop
from nnsim.errors import NnsimError
from nnsim.lessons import LessonStep, Scenario
from nnsim.lessons.kinds.backprop import (
    can_continue, examples, lesson_traces, live_scenario, network_before, next_pass, trace_lesson_steps,
)
from nnsim.lessons.scenario import Condition, with_changes
from nnsim.lessons.trace_export import export_paths, handout, traces_jsonl
from nnsim.lessons.trace_view import INPUT_GRADIENT_NOTE, Selection, step_dimensions, step_equation
from nnsim.tui.frame.lesson import LessonScreen, Parameter
from nnsim.tui.widgets.digit import SIDE
from nnsim.tui.widgets.digit_image import DigitImage
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.style.format import fmt
from nnsim.tui.screens.backprop.drawing import DIGIT_PANEL_WIDTH, PIXELS, BackpropDrawing, Focus
from nnsim.tui.screens.backprop.arrays_view import ArraysView
from nnsim.tui.screens.backprop.network_view import MAX_SHARE, NetworkView

# The debugger computes at most this many passes (the lesson files' own limit on updates).
MAX_PASSES = 50
# Condition breakpoints the keys 1, 2, 3 switch on, with the ε they use unless the lesson sets one.
CONDITION_KEYS = {"nan": None, "saturation": 1e-3, "vanishing": 1e-5}
IMAGES = ("input", "weights", "gradient", "input_gradient")
ARRAYS_MIN_WIDTH = 30  # the arrays panel's width where the room allows (backprop.tcss: at least 24)
ARRAYS_CSS_MIN = 24  # backprop.tcss: #bp-arrays' min-width
# Below this width the 28×28 panel, the network at its share and the arrays do not fit side by
# side (80 columns): the network is held to what its outputs need, so the arrays keep their minimum.
THREE_PANELS = 88
DIGIT_IN_VIEW = (110, 28)  # from this terminal size the network view has the room to draw the digit


class BackpropScreen(BackpropDrawing, LessonScreen):
    """The backprop debugger; see the module's docstring."""

    CSS_PATH = LessonScreen.CSS_PATH + [Path(__file__).with_name("backprop.tcss")]

    # Nothing takes the focus on its own: the arrays panel (Tab focuses it) would put its keys
    # first in the footer, before the debugger's.
    AUTO_FOCUS = ""  # "" disables it (None would inherit the app's "*")

    BINDINGS = [
        Binding("pagedown", "arrays(1)", "Arrays ↓", show=False, key_display="pgdn",
                tooltip="Scroll the arrays panel down (what the step computes is shown first)"),
        Binding("pageup", "arrays(-1)", "Arrays ↑", show=False, key_display="pgup",
                tooltip="Scroll the arrays panel up"),
        Binding("up", "neuron(-1)", "Neuron ↑", show=False, tooltip="Select the neuron above in this layer"),
        Binding("down", "neuron(1)", "Neuron ↓", show=False, tooltip="Select the neuron below in this layer"),
        Binding("left_square_bracket", "source(-1)", "Input ←", show=False, key_display="[",
                tooltip="Select the previous incoming weight (neuron k of the layer before)"),
        Binding("right_square_bracket", "source(1)", "Input →", show=False, key_display="]",
                tooltip="Select the next incoming weight (neuron k of the layer before)"),
        Binding("left_curly_bracket", "source(-28)", "Input ↑ row", show=False, key_display="{",
                tooltip="Move the selected incoming weight up a row of the 28×28 image"),
        Binding("right_curly_bracket", "source(28)", "Input ↓ row", show=False, key_display="}",
                tooltip="Move the selected incoming weight down a row of the 28×28 image"),
        Binding("m", "example", "Example", show=False, tooltip="Show the next example of the mini-batch"),
        Binding("w", "image", "Image", show=False,
                tooltip="28×28 image: the input, the neuron's incoming weights, their gradient, ∂C/∂x"),
        Binding("g", "gradient_check", "Grad check", show=False,
                tooltip="Check the selected neuron's gradient against finite differences"),
        Binding("x", "export", "Export", show=False,
                tooltip="Export the passes as JSON lines and a Markdown handout"),
        Binding("1", "condition('nan')", "Stop on NaN", show=False,
                tooltip="Stop c on NaN or infinity anywhere (on/off)"),
        Binding("2", "condition('saturation')", "Stop on σ′ < ε", show=False,
                tooltip="Stop c where some σ′(z) < ε, a saturated neuron (on/off)"),
        Binding("3", "condition('vanishing')", "Stop on |δ| < ε", show=False,
                tooltip="Stop c where some |δ| < ε, a vanishing error (on/off)"),
    ]

    def __init__(self, scenario: Scenario, steps: Optional[Sequence[LessonStep]] = None, start: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(scenario, steps=steps, start=start, **kwargs)
        self.neurons: dict[int, int] = {}
        """The selected neuron j of each layer (by the book's layer number)."""
        self.sources: dict[int, int] = {}
        """The selected incoming weight's k for each layer."""
        self.example = 0
        """The mini-batch column shown."""
        self.image = "input"
        """What the 28×28 panel shows: one of :data:`IMAGES`."""
        self.export_dir: Optional[Path] = None
        """Where ``x`` writes (None: the current directory)."""
        self.last_export = None
        """The :class:`~nnsim.lessons.trace_export.ExportPaths` of the last export."""
        self._keys_line: Optional[Content] = None

    # -- layout --------------------------------------------------------------------------

    def compose_lesson(self) -> ComposeResult:
        with Vertical(id="lesson-body"):
            with Horizontal(id="bp-top"):
                digit = DigitImage(id="bp-digit", classes="panel side-panel")
                digit.border_title = "input"
                yield digit
                network = NetworkView(id="bp-network", classes="panel")
                network.border_title = "network"
                yield network
                arrays = ArraysView(id="bp-arrays", classes="panel")
                arrays.border_title = "arrays"
                yield arrays
            yield EquationPanel(id="bp-equation", classes="panel")
            yield Static("", id="bp-keys")

    def on_mount(self) -> None:
        # Textual runs LessonScreen.on_mount after this one (handlers run down the MRO).
        self.place_image_panel()
        self.call_after_refresh(self.say, "n steps, b steps back; ↑/↓ choose a neuron, [ ] one of its weights; "
                                          "? for help")

    # -- the lesson's passes ------------------------------------------------------------------

    @property
    def trace(self) -> Trace:
        """The pass the current step belongs to."""
        return self.step.context

    @property
    def sizes(self) -> list[int]:
        return list(self.stepper.steps[0].context.sizes)

    @property
    def traces(self) -> list[Trace]:
        return lesson_traces(self.stepper.steps)

    def extend(self) -> bool:
        """Compute one more pass after the last; False (and why, in the status line) if none can follow."""
        traces = self.traces
        if not can_continue(traces[-1]):
            self.say("this pass ends at the gradient (no η, no update), so no pass follows it", "warning")
            return False
        if len(traces) >= MAX_PASSES:
            self.say(f"the debugger keeps at most {MAX_PASSES} passes (r restarts)", "warning")
            return False
        try:
            self.stepper.extend(next_pass(self.stepper.steps, self.scenario))
        except NnsimError as error:  # e.g. the passes' memory budget: say so and stay
            self.say(str(error), "warning")
            return False
        return True

    def action_step(self) -> None:
        if self.stepper.at_end:
            if not self.extend():
                return
            super().action_step()
            self.say(f"pass {len(self.traces)}: computed from the weights the last update left")
            return
        super().action_step()

    def action_continue(self) -> None:
        if self.stepper.at_end and not self.extend():
            return
        super().action_continue()

    # -- selection ----------------------------------------------------------------------

    def focus_for(self, step: LessonStep) -> Focus:
        """The selection as it applies to ``step`` (clamped to its layer's sizes)."""
        data = step.data
        layer = data.layer
        n, n_prev, m = step_dimensions(data)
        n_prev = n_prev or (self.sizes[layer - 2] if layer >= 2 else 0)
        neuron = min(self.neurons.get(layer, 0), n - 1)
        source = min(self.source_of(layer, self.example), max(n_prev, 1) - 1)
        return Focus(layer, neuron, source, min(self.example, m - 1))

    def action_neuron(self, delta: int) -> None:
        focus = self.focus_for(self.step)
        n = self.sizes[focus.layer - 1]
        self.neurons[focus.layer] = (focus.neuron + delta) % n
        self.say(f"neuron {self.neurons[focus.layer]} of layer {focus.layer}")
        self._select_for_edit(f"b{focus.layer}_{self.neurons[focus.layer]}")
        self.show_step(self.step)

    def _select_for_edit(self, name: str) -> None:
        """Point ``e`` at the parameter the selection names, when the lesson lets it be edited."""
        names = [p.name for p in self.parameters()]
        if name in names:
            self.selected = names.index(name)

    def action_select(self, delta: int) -> None:
        self.action_neuron(delta)

    def action_source(self, delta: int) -> None:
        focus = self.focus_for(self.step)
        layer = max(focus.layer, 2)
        n_prev = self.sizes[layer - 2]
        self.sources[layer] = (self.source_of(layer, self.example) + delta) % n_prev
        k = self.sources[layer]
        self._select_for_edit(f"w{layer}_{min(self.neurons.get(layer, 0), self.sizes[layer - 1] - 1)}_{k}")
        self.say(f"weight w{sup(layer)} from neuron {k} of layer {layer - 1}" if n_prev != PIXELS
                 else f"weight w{sup(layer)} from pixel {k} (row {k // SIDE}, column {k % SIDE})")
        self.show_step(self.step)

    def action_example(self) -> None:
        m = self.trace.m
        if m == 1:
            self.say("this pass has a single example")
            return
        self.example = (min(self.example, m - 1) + 1) % m
        self.say(f"example {self.example + 1} of {m}")
        self.show_step(self.step)

    def action_image(self) -> None:
        if self.sizes[0] != PIXELS:
            self.say("the 28×28 image is for networks with 784 inputs", "warning")
            return
        self.image = IMAGES[(IMAGES.index(self.image) + 1) % len(IMAGES)]
        self.place_image_panel()
        self.show_step(self.step)
        title = self.query_one('#bp-digit', DigitImage).border_title
        self.say(INPUT_GRADIENT_NOTE if self.image == "input_gradient" else f"image: {title}")

    def place_image_panel(self) -> None:
        """The network view draws the input digit itself where it has the height; the 28×28
        panel beside it opens for a neuron's weights and their gradient (and keeps the digit
        on a smaller terminal)."""
        size = self.app.size
        short = size.height < DIGIT_IN_VIEW[1] or size.width < DIGIT_IN_VIEW[0]
        shown = self.sizes[0] == PIXELS and (self.image != "input" or short)
        self.query_one("#bp-digit").display = shown
        # On a narrow screen the network gives up columns so the arrays panel keeps its minimum
        # (beside the 28×28 panel the network keeps its share: its ten outputs need it).
        room = size.width - ARRAYS_MIN_WIDTH - 4
        reserved = DIGIT_PANEL_WIDTH if shown else max(0, math.ceil(size.width - room / MAX_SHARE))
        if shown and size.width < THREE_PANELS:
            # The network's content room (4: its border and padding, which the width it is
            # offered already leaves out): room = int((width - 4 - reserved) * MAX_SHARE).
            room = size.width - DIGIT_PANEL_WIDTH - ARRAYS_CSS_MIN - 4
            reserved = max(reserved, math.floor(size.width - 4 - room / MAX_SHARE))
        self.query_one("#bp-network", NetworkView).reserved = reserved

    def on_resize(self) -> None:
        if self.is_mounted:
            self.place_image_panel()

    def action_condition(self, kind: str) -> None:
        conditions = self.stepper.conditions
        if any(c.kind == kind for c in conditions):
            self.stepper.conditions = [c for c in conditions if c.kind != kind]
            on = False
        else:
            conditions.append(Condition(kind, epsilon=self._epsilon(kind)))
            on = True
        described = next((c.describe() for c in self.stepper.conditions if c.kind == kind),
                         Condition(kind, epsilon=self._epsilon(kind)).describe())
        self.say(f"c {'stops' if on else 'no longer stops'} on {described}")
        self.draw_keys()

    def _epsilon(self, kind: str) -> Optional[float]:
        """The lesson's ε for a condition if it sets one, else the debugger's default."""
        for c in self.scenario.conditions:
            if c.kind == kind and c.epsilon is not None:
                return c.epsilon
        return CONDITION_KEYS[kind]

    # -- drawing ------------------------------------------------------------------------------

    def show_step(self, step: LessonStep) -> None:
        focus = self.focus_for(step)
        data, trace = step.data, step.context
        self.query_one("#bp-arrays", ArraysView).reserve_for(trace)  # one width per quantity over the pass
        self.draw_network(step, focus)
        self.draw_arrays(step, focus)
        equation = step_equation(data, Selection(focus.neuron, focus.source, focus.example), trace.eta)
        self.query_one("#bp-equation", EquationPanel).show(
            equation.formula, equation.lines, equation.values, title=equation.title)
        if self.sizes[0] == PIXELS:
            self.draw_image(step, focus)
        self.draw_keys()

    def action_arrays(self, direction: int) -> None:
        self.query_one("#bp-arrays", ArraysView).page(direction)

    def source_of(self, layer: int, example: int = 0) -> int:
        """The selected k for ``layer``'s weights. Into a 784-pixel layer it starts at the
        brightest pixel of the example (pixel 0 is blank in every MNIST digit)."""
        if layer not in self.sources and layer == 2 and self.sizes[0] == PIXELS:
            x, _ = examples(self.trace)
            return int(np.argmax(x[:, min(example, x.shape[1] - 1)]))
        return self.sources.get(layer, 0)

    def draw_keys(self) -> None:
        on = {c.kind for c in self.stepper.conditions}
        chips = []
        for key, kind in (("1", "nan"), ("2", "saturation"), ("3", "vanishing")):
            described = next((c.describe() for c in self.stepper.conditions if c.kind == kind),
                             Condition(kind, epsilon=self._epsilon(kind)).describe())
            state = ("●", "bold $text-warning") if kind in on else ("○", "$text-muted")
            chips += [(key, "bold $text-accent"), state, (_short(described), ""), " "]
        keys = [("↑↓", "bold $text-accent"), " neuron  ", ("[ ]", "bold $text-accent"), " weight  "]
        if self.trace.m > 1:
            keys += [("m", "bold $text-accent"), " example  "]
        if self.sizes[0] == PIXELS:
            keys += [("w", "bold $text-accent"), " image  "]
        keys += [("g", "bold $text-accent"), " check  ", ("x", "bold $text-accent"), " export  │ c stops on "]
        line = Content.assemble(*keys, *chips).rstrip()
        if line != self._keys_line:  # an update lays the screen out again: only when it changed
            self._keys_line = line
            self.query_one("#bp-keys", Static).update(line)

    # -- gradient check and export --------------------------------------------------------------

    def check_parameters(self) -> tuple[int, list[tuple[str, int, tuple[int, int]]]]:
        """The layer and parameters ``g`` checks: the selected neuron's bias and incoming weights."""
        focus = self.focus_for(self.step)
        layer = max(focus.layer, 2)
        j = self.neurons.get(layer, 0) if focus.layer < 2 else focus.neuron
        j = min(j, self.sizes[layer - 1] - 1)
        params = [("b", layer, (j, 0))] + [("w", layer, (j, k)) for k in range(self.sizes[layer - 2])]
        return layer, params

    def action_gradient_check(self) -> None:
        from nnsim.tui.screens.backprop.gradient_check import GradientCheckDialog

        trace = self.trace
        layer, params = self.check_parameters()
        x, y = examples(trace)
        j = params[0][2][0]
        pass_number = self.traces.index(trace) + 1
        what = f"neuron {j} of layer {layer} (its bias and {len(params) - 1} incoming weights), pass {pass_number}"
        self.app.push_screen(GradientCheckDialog(network_before(trace), x, y, params, what))

    def action_export(self) -> None:
        focus = self.focus_for(self.step)
        paths = export_paths(self.export_dir or Path("."), self.scenario.name)
        passes = f"{len(self.traces)} pass{'es' if len(self.traces) != 1 else ''}"
        files = {paths.jsonl.name: traces_jsonl(self.traces),
                 paths.markdown.name: handout(self.traces, self.scenario.title, self.scenario.description,
                                              Selection(focus.neuron, focus.source, focus.example))}
        try:  # the host writes the files (terminal) or sends them to the browser (nnsim serve)
            message = self.app.host.save_files(self.app, files, passes, folder=self.export_dir)
        except NnsimError as error:
            self.say(str(error), "error")
            return
        self.last_export = paths
        self.say(message, "success")
        self.notify(message, title="Export", timeout=8)  # wraps: the status line may cut a long folder

    # -- editing ----------------------------------------------------------------------------------

    def parameters(self) -> list[Parameter]:
        """η, the example (one inline example of up to 10 inputs) and the selected neuron's
        bias and incoming weights (explicit weights of up to 10 inputs)."""
        spec, net = self.scenario.backprop, self.scenario.network
        if spec is None or net is None:
            return []
        can = self.scenario.controls.can_edit
        params = []
        if spec.eta is not None:
            params.append(Parameter("eta", spec.eta, "backprop.eta", None, can("backprop.eta")))
        if spec.x is not None and len(spec.x) == 1 and len(spec.x[0]) <= 10:
            params += [Parameter(f"x{k}", v, "backprop.x", k, can("backprop.x")) for k, v in enumerate(spec.x[0])]
            params += [Parameter(f"y{k}", v, "backprop.y", k, can("backprop.y")) for k, v in enumerate(spec.y[0])]
        focus = self.focus_for(self.step)
        layer = max(focus.layer, 2)
        if net.weights is not None and len(net.weights[layer - 2][0]) <= 10:
            j = min(self.neurons.get(layer, 0), len(net.biases[layer - 2]) - 1)
            params.append(Parameter(f"b{layer}_{j}", net.biases[layer - 2][j], "network.biases", None,
                                    can("network.biases")))
            params += [Parameter(f"w{layer}_{j}_{k}", v, "network.weights", k, can("network.weights"))
                       for k, v in enumerate(net.weights[layer - 2][j])]
        return params

    def apply_parameters(self, values: dict[str, float]) -> None:
        params = self.parameters()
        changed = [p for p in params if p.name in values and values[p.name] != p.value]
        if not changed:
            self.say("nothing changed")
            return
        spec, net = self.scenario.backprop, self.scenario.network
        keys = {p.key for p in changed}
        edits: dict[str, Any] = {}
        if "backprop.eta" in keys:
            edits["backprop.eta"] = values["eta"]
        for key, name in (("backprop.x", "x"), ("backprop.y", "y")):
            if key in keys:
                row = list((spec.x if name == "x" else spec.y)[0])
                edits[key] = [values.get(f"{name}{k}", v) for k, v in enumerate(row)]
        bias = next((p for p in params if p.key == "network.biases"), None)
        if bias is not None and keys & {"network.weights", "network.biases"}:
            layer, j = (int(part) for part in bias.name[1:].split("_"))
            weights = [[list(row) for row in w] for w in net.weights]
            biases = [list(b) for b in net.biases]
            biases[layer - 2][j] = values.get(bias.name, bias.value)
            weights[layer - 2][j] = [values.get(f"w{layer}_{j}_{k}", v) for k, v in enumerate(weights[layer - 2][j])]
            if "network.weights" in keys:
                edits["network.weights"] = weights
            if "network.biases" in keys:
                edits["network.biases"] = biases
        self.set_scenario(with_changes(self.scenario, edits))
        shown = ", ".join(f"{p.name} = {fmt(values[p.name])}" for p in changed)
        self.say(f"{shown}: the pass is recomputed", "success")

    def own_bindings(self) -> list[Binding]:
        # ↑/↓ select a neuron here, not a parameter: the base class's meaning of those keys
        # is left out of the help and the command palette.
        mine = {key.strip() for b in BackpropScreen.BINDINGS for key in b.key.split(",")}
        return [b for b in super().own_bindings()
                if b in BackpropScreen.BINDINGS or not {k.strip() for k in b.key.split(",")} & mine]

    def help_text(self) -> str:
        return (
            "One backpropagation pass as data: forward through each layer (z, a = σ(z)), the cost, the output "
            "error (BP1), the error sent back (BP2), the gradients (BP3, BP4) and the update. n and b move "
            "through it; after the last step n computes the next pass from the updated weights, and b goes "
            "back across passes. ↑/↓ select a neuron of the current layer and [ ] one of its incoming weights "
            "({ } a row of pixels); the equation panel writes that neuron's arithmetic out. m shows the next "
            "example of a mini-batch. With 784 inputs, w switches the image between the digit, the selected "
            "hidden neuron's incoming weights, their gradient and ∂C/∂x = (w²)ᵀδ², the gradient of the cost with "
            "respect to each input pixel (which pixels, darker or lighter, would move the answer). 1, 2 and 3 make c stop on NaN or infinity, "
            "on a saturated neuron (σ′(z) < ε) or a vanishing error (|δ| < ε). g checks the selected neuron's "
            "gradient against finite differences; x writes the passes as JSON lines and a Markdown handout to "
            "the current folder.")


def _short(condition: str) -> str:
    """A condition as the keys line writes it: "σ′(z) < 0.001" → "σ′<0.001"."""
    return condition.replace("NaN or infinity", "NaN/inf").replace("(z)", "").replace(" < ", "<")


# -- opening the debugger from other screens ---------------------------------------------------

def open_trace(app: App, trace: Trace, *, title: str = "One backprop pass of the network",
               description: str = "", name: str = "backprop-trace",
               conditions: Sequence[Condition] = (Condition("nan"),), start: int = 0) -> BackpropScreen:
    """Push the debugger on ``trace`` (e.g. a training run's mini-batch) and return its screen.

    The debugger owns copies of what it computes: further passes start from the
    trace's own "after" weights, never from the live network. ``conditions`` are the
    breakpoints ``c`` stops on (NaN or infinity by default); ``name`` names the export
    files.
    """
    steps = trace_lesson_steps(trace, 1, 0, None, titled_by_pass=False)
    screen = BackpropScreen(live_scenario(title, description, name, conditions), steps=steps, start=start)
    app.push_screen(screen)
    return screen


def open_network(app: App, network: Network, x, y, eta: Optional[float] = None, **kwargs: Any) -> BackpropScreen:
    """Push the debugger on one pass of ``network`` over inputs ``x`` (n_in, m) with targets
    ``y`` (n_out, m) (one example may be given as vectors); with ``eta`` the pass ends with the
    update. The network is not changed. Keyword arguments as for :func:`open_trace`."""
    with np.errstate(all="ignore"):  # an overflowing η is for the nan breakpoint to show, not an error
        trace = trace_backprop(network, x, y, eta=eta)
    return open_trace(app, trace, **kwargs)
