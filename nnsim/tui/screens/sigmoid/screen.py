"""The sigmoid lab (kind ``sigmoid``): a sigmoid neuron against a step neuron.

Two plots over z: σ(c·z) (with the step function faint behind it) and step(z),
the neuron's z marked on both. ``s`` scales every weight and the bias by the
next c (1, 2, 5, 10, 100 unless the lesson lists others): the sigmoid's curve
and its output close in on the step's. ``+``/``-`` nudge the selected weight or
the bias by Δ (``d`` changes Δ, ``0`` drops the nudge): the actual change of the
sigmoid's output beside eq. 5's linear estimate σ′(z)·x_j·Δw_j, and whether the
perceptron with the same weights flips or stays.

Stepping shows the lesson's own steps (σ at sample points, the scale factors,
the nudges); the keys explore from there. Every number comes from the lessons
layer (:func:`~nnsim.lessons.scale_neuron`, :func:`~nnsim.lessons.nudge_neuron`,
the steps' core records) or from the core's ``sigmoid`` and ``step`` for the
curves.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from nnsim.lessons import LessonStep, NudgeResult, ScaledNeuron, SigmoidSample, nudge_neuron, scale_neuron
from nnsim.lessons.kinds.sigmoid import curves, scale_sentence, scale_values
from nnsim.tui.frame.lesson import LessonScreen, Parameter
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.frame.narration import NarrationPanel
from nnsim.tui.screens.gates.plane import fit_footer
from nnsim.tui.style.format import fmt, fmt_signed
from nnsim.lessons.diagrams import truth_points
from nnsim.tui.widgets.decision_plane import DecisionPlane, PlaneMap
from nnsim.tui.widgets.plot import Marker, Series, TextPlot
from nnsim.tui.style.shading import MUTED

DEFAULT_SCALES = (1.0, 2.0, 5.0, 10.0, 100.0)
PLANE_WIDE = 110  # from this width the plane opens beside the plots
NUDGE_SIZES = (0.01, 0.1, 0.5, 2.0)
CURVE_POINTS = 241
Z_RANGE = 6.0

SIGMA_STYLE = "$primary"
STEP_STYLE = "$success"
FAINT_STYLE = MUTED
NOW_STYLE = "$accent"
AFTER_STYLE = "$secondary"


class SigmoidScreen(LessonScreen):
    """The sigmoid lab; see the module's docstring."""

    CSS_PATH = LessonScreen.CSS_PATH + [Path(__file__).with_name("sigmoid.tcss")]

    BINDINGS = [
        Binding("s", "scale", "Scale c", show=False, tooltip="Scale all weights and the bias by the next c"),
        Binding("plus,equals_sign", "nudge(1)", "Nudge +Δ", show=False, key_display="+",
                tooltip="Nudge the selected weight or bias up by Δ"),
        Binding("minus", "nudge(-1)", "Nudge −Δ", show=False, key_display="-",
                tooltip="Nudge the selected weight or bias down by Δ"),
        Binding("d", "nudge_size", "Δ size", show=False, tooltip="Change the nudge size Δ"),
        Binding("0", "clear_nudge", "No nudge", show=False, tooltip="Drop the nudge"),
        Binding("v", "plane", "Plane", tooltip="Show or hide σ(w·x + b) over the (x1, x2) plane"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.c = 1.0
        """The scale factor shown: weights and bias times c."""
        self.nudge_param: Optional[str] = None
        self.nudge_total = 0.0
        """The nudge shown: ``nudge_param`` changed by ``nudge_total`` (None: no nudge)."""
        self.nudge_size = NUDGE_SIZES[1]
        self.sample: Optional[SigmoidSample] = None
        """A sample step's σ(z) at one z (then the plots mark that z, not the neuron's)."""
        self.scaled: ScaledNeuron = scale_neuron(self.scenario.sigmoid, 1.0)
        self.nudged: Optional[NudgeResult] = None

    # -- layout ---------------------------------------------------------------------------

    def compose_lesson(self) -> ComposeResult:
        with Vertical(id="lesson-body"):
            with Horizontal(id="plots"):
                sigma_plot = TextPlot(id="sigma-plot", classes="panel")
                sigma_plot.border_title = "sigmoid neuron"
                yield sigma_plot
                step_plot = TextPlot(id="step-plot", classes="panel")
                step_plot.border_title = "step neuron"
                yield step_plot
                plane = DecisionPlane(id="sig-plane", classes="panel")
                plane.border_title = "σ(w·x + b) over the plane"
                yield plane
            neuron = EquationPanel(id="neuron", classes="panel")
            neuron.border_title = "the neuron"
            yield neuron
            nudge = Static("", id="nudge", classes="panel", markup=False)
            nudge.border_title = "nudge"
            yield nudge
            yield Static("", id="sig-keys")

    # -- the lesson's steps set the lab's state; the keys change it --------------------------

    @property
    def scales(self) -> tuple[float, ...]:
        return self.scenario.sigmoid.scales or DEFAULT_SCALES

    def show_step(self, step: LessonStep) -> None:
        data = step.data
        self.sample = None
        self.nudged = None
        self.nudge_param, self.nudge_total = None, 0.0
        if isinstance(data, SigmoidSample):
            self.sample = data
            self.scaled = scale_neuron(self.scenario.sigmoid, 1.0)
        elif isinstance(data, ScaledNeuron):
            self.scaled = data
        elif isinstance(data, NudgeResult):
            self.scaled = scale_neuron(self.scenario.sigmoid, 1.0)
            self.nudged = data
            self.nudge_param, self.nudge_total = data.param, data.delta
            # Select the nudged parameter, so + and - carry on from the lesson's nudge.
            names = [p.name for p in self.parameters()]
            if data.param in names:
                self.selected = names.index(data.param)
        self.c = self.scaled.c
        self.draw()

    def action_scale(self) -> None:
        scales = self.scales
        later = [c for c in scales if c > self.c]
        self.c = later[0] if later else scales[0]
        self.sample = None
        self.scaled = scale_neuron(self.scenario.sigmoid, self.c)
        self.renudge()
        self.say(f"weights and bias × {fmt(self.c)}: c·z = {fmt(self.scaled.z)}, σ(c·z) = {fmt(self.scaled.sigma)}, "
                 f"step(c·z) = {fmt(self.scaled.step)}")
        # The narration speaks of the neuron now shown, not of the step's (the one sentence table).
        self.query_one(NarrationPanel).show(f"{self.step.title} · × {fmt(self.c)}",
                                            scale_sentence(self.scenario.sigmoid, self.scaled))
        self.draw()

    def nudgeable(self) -> Optional[str]:
        """The selected parameter if it can be nudged (a weight or the bias), else None."""
        p = self.selected_parameter
        return p.name if p is not None and p.key in ("neuron.weights", "neuron.bias") else None

    def action_nudge(self, direction: int) -> None:
        param = self.nudgeable()
        if param is None:
            self.say("+ and - nudge a weight or the bias: choose one with ↑/↓", "warning")
            return
        if param != self.nudge_param:
            self.nudge_param, self.nudge_total = param, 0.0
        self.nudge_total = round(self.nudge_total + direction * self.nudge_size, 12)
        self.sample = None
        if self.nudge_total == 0:
            self.action_clear_nudge()
            return
        self.renudge()
        self.draw()

    def action_nudge_size(self) -> None:
        later = [d for d in NUDGE_SIZES if d > self.nudge_size]
        self.nudge_size = later[0] if later else NUDGE_SIZES[0]
        self.say(f"+ and - now nudge by {fmt(self.nudge_size)}")
        self.draw()

    def action_clear_nudge(self) -> None:
        self.nudge_param, self.nudge_total, self.nudged = None, 0.0, None
        self.say("no nudge")
        self.draw()

    def renudge(self) -> None:
        """Recompute the nudge shown (through the lessons layer) for the neuron at the current c."""
        if self.nudge_param is None:
            self.nudged = None
            return
        spec = dataclasses.replace(self.scenario.sigmoid, weights=self.scaled.weights, bias=self.scaled.bias)
        self.nudged = nudge_neuron(spec, self.nudge_param, self.nudge_total)

    def show_selection(self) -> None:
        # Only the keys line names the selection: the lab's scale and nudge stay as they are.
        self.draw_keys()

    # -- editing ----------------------------------------------------------------------------

    def parameters(self) -> list[Parameter]:
        spec = self.scenario.sigmoid
        can = self.scenario.controls.can_edit
        params = [Parameter(f"w{j}", w, "neuron.weights", j - 1, can("neuron.weights"))
                  for j, w in enumerate(spec.weights, 1)]
        params.append(Parameter("b", spec.bias, "neuron.bias", None, can("neuron.bias")))
        params += [Parameter(f"x{j}", x, "neuron.x", j - 1, can("neuron.x")) for j, x in enumerate(spec.x, 1)]
        return params

    def help_text(self) -> str:
        return ("s scales every weight and the bias by the next c: σ(c·z) closes in on the step function. "
                "↑/↓ choose a weight or the bias; + and - nudge it by Δ (d changes Δ, 0 drops the nudge): "
                "the sigmoid's actual change of output stands beside eq. 5's linear estimate, and the "
                "perceptron with the same weights flips or stays. e edits the neuron's weights, bias and "
                "inputs where the lesson allows.")

    # -- drawing ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.plane_open = self.two_inputs() and self.app.size.width >= PLANE_WIDE
        self.query_one("#sig-plane").display = self.plane_open
        fit_footer(self)

    def on_resize(self) -> None:  # LessonScreen's runs too
        fit_footer(self)

    def two_inputs(self) -> bool:
        return len(self.scaled.weights) == 2

    def action_plane(self) -> None:
        if not self.two_inputs():
            self.say("the decision plane is for neurons with two inputs", "warning")
            return
        self.plane_open = not self.plane_open
        self.query_one("#sig-plane").display = self.plane_open
        self.draw_plane()

    def draw_plane(self) -> None:
        """σ(c·(w·x + b)) shaded over (x1, x2): s sharpens the ramp into the perceptron's step."""
        if not self.two_inputs() or not getattr(self, "plane_open", False):
            return
        n = self.scaled
        w = (n.weights[0], n.weights[1])
        title = "σ(w·x + b)" if n.c == 1 else f"σ(w·x + b), weights and bias × {fmt(n.c)}"
        self.query_one("#sig-plane", DecisionPlane).show(
            [PlaneMap(title, w, n.bias, kind="sigmoid", points=truth_points(w, n.bias, "sigmoid"))])

    def draw(self) -> None:
        self.draw_plane()
        self.draw_plots()
        self.draw_neuron()
        self.draw_nudge()
        self.draw_keys()

    def marked_z(self) -> float:
        """Where the plots mark the neuron: its z before scaling (the x axis is that z)."""
        if self.sample is not None:
            return self.sample.z
        return scale_neuron(self.scenario.sigmoid, 1.0).z

    def draw_plots(self) -> None:
        z0 = self.marked_z()
        reach = max(Z_RANGE, abs(z0) * 1.15)
        if self.nudged is not None and self.c:
            # Plot position only: the nudged z on this axis (the axis is z before scaling).
            reach = max(reach, abs(self.nudged.z_after / self.c) * 1.15)
        c = self.c
        sampled = curves(c, reach, CURVE_POINTS)
        zs, sigma_curve, step_curve = sampled.z, sampled.sigma, sampled.step
        if self.sample is not None:
            sigma_y, step_y = self.sample.sigma, self.sample.step
        else:
            sigma_y, step_y = self.scaled.sigma, self.scaled.step
        now = f"z = {fmt(z0, 4)}"
        sigma_markers = [Marker(z0, sigma_y, now, NOW_STYLE)]
        step_markers = [Marker(z0, step_y, now, NOW_STYLE)]
        if self.nudged is not None:
            after = self.nudged.z_after / c
            sigma_markers.append(Marker(after, self.nudged.output_after, "nudged", AFTER_STYLE))
            step_markers.append(Marker(after, float(self.nudged.perceptron_after), "nudged", AFTER_STYLE))
        label = "σ(z)" if c == 1 else f"σ({fmt(c)}·z)"
        axis = "z" if c == 1 else "z (before ×c)"
        self.query_one("#sigma-plot", TextPlot).plot(
            [Series(zs, step_curve, "", FAINT_STYLE), Series(zs, sigma_curve, label, SIGMA_STYLE)],
            sigma_markers, x_range=(-reach, reach), y_range=(0.0, 1.0), x_label=axis)
        gap = self.sample_gap() if self.sample is not None else self.scaled.gap
        self.query_one("#sigma-plot").border_title = f"sigmoid: {label} = {fmt(sigma_y)}"
        self.query_one("#step-plot", TextPlot).plot(
            [Series(zs, step_curve, "step(z)", STEP_STYLE)], step_markers,
            x_range=(-reach, reach), y_range=(0.0, 1.0), x_label=axis)
        self.query_one("#step-plot").border_title = f"step: step(z) = {fmt(step_y)}, gap {fmt(gap, 3)}"

    def sample_gap(self) -> float:
        return self.step.values["gap"]

    def draw_neuron(self) -> None:
        panel = self.query_one("#neuron", EquationPanel)
        if self.sample is not None:
            s = self.sample
            values = dict(z=s.z, sigma=s.sigma, sigma_prime=s.sigma_prime, step=s.step,
                          perceptron=float(s.perceptron), gap=self.step.values["gap"])
            panel.show("σ(z) = 1 / (1 + e⁻ᶻ)",
                       ["σ({z}) = {sigma}   σ′({z}) = {sigma_prime}",
                        "step({z}) = {step}   perceptron: {perceptron}   |σ − step| = {gap}"],
                       values, title=f"σ and step at z = {fmt(s.z)}")
            return
        spec = self.scenario.sigmoid
        n = self.scaled
        values = {f"w{j}": w for j, w in enumerate(n.weights, 1)}
        values.update({f"x{j}": x for j, x in enumerate(spec.x, 1)})
        values.update(scale_values(spec, n), b=n.bias)
        terms = " + ".join([f"{{w{j}:p}}·{{x{j}}}" for j in range(1, len(n.weights) + 1)] + ["{b:p}"])
        if n.c == 1:
            # Two lines like the scaled and sample forms, so the layout does not jump.
            panel.show(f"z = w·x + b = {terms} = {{z}}", ["σ′(z) = {sigma_prime}"], values, title="the neuron")
            return
        # Scaled: c·z is not the neuron's z; both are named, as the narration names them.
        panel.show(f"c·z = {terms} = {{cz}}", ["z = {z}   σ′(c·z) = {sigma_prime}"], values,
                   title=f"the neuron, weights and bias × {fmt(n.c)}")

    def draw_nudge(self) -> None:
        panel = self.query_one("#nudge", Static)
        r = self.nudged
        if r is None:
            panel.border_title = "nudge"
            panel.update(Content.styled(
                f"No nudge: ↑/↓ choose a weight or the bias, + or - change it by Δ = {fmt(self.nudge_size)}",
                MUTED))
            return
        symbol = "Δb" if r.param == "b" else f"Δ{r.param}"
        partial = "σ′(z)" if r.param == "b" else f"σ′(z)·x{r.param[1:]}"
        flip = (Content.styled(f"flips {r.perceptron_before} → {r.perceptron_after}", "bold $text-warning")
                if r.flipped else Content(f"stays at {r.perceptron_before}"))
        # z before and after in the title: the narration names them, and the panel's lines are full.
        # (Scaled, the nudge acts on the scaled neuron: its z is c·z, named so as in the neuron panel.)
        z = "z" if self.c == 1 else "c·z"
        panel.border_title = f"nudge {symbol} = {fmt_signed(r.delta)}: {z} {fmt(r.z_before)} → {fmt(r.z_after)}"
        accent = "bold $text-accent"
        panel.update(Content("\n").join([
            Content.assemble("sigmoid output ", (fmt(r.output_before), accent), " → ", (fmt(r.output_after), accent),
                             ": actual Δoutput = ", (fmt_signed(r.actual), accent)),
            Content.assemble(f"eq. 5: Δoutput ≈ {partial}·{symbol} = ", (fmt(r.partial), accent), "·",
                             (fmt(r.delta) if r.delta > 0 else f"({fmt(r.delta)})", accent), " = ", (fmt_signed(r.estimate), accent),
                             ", off by ", (fmt(r.error, 3), accent)),
            Content.assemble("perceptron with the same weights and bias: ", flip),
        ]))

    def draw_keys(self) -> None:
        chips = []
        for c in self.scales:
            text = f" {fmt(c)} "
            chips.append((text, "bold reverse") if c == self.c else (text, ""))
        selected = self.nudgeable() or "—"
        self.query_one("#sig-keys", Static).update(Content.assemble(
            ("s", "bold $text-accent"), " c:", *chips, "  ",
            ("↑↓", "bold $text-accent"), f" {selected}  ",
            ("+/-", "bold $text-accent"), f" nudge by {fmt(self.nudge_size)}  ",
            ("d", "bold $text-accent"), " Δ size  ", ("0", "bold $text-accent"), " no nudge"))
