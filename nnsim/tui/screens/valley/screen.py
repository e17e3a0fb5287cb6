"""The valley (kind ``gradient-descent``): the ball rolling down a cost C(v1, v2).

Left, the cost as a shaded map with the ball's path (:class:`ValleyMap`); right,
this step's numbers: v, ∇C, the move Δv = −η∇C (eq. 10), the linear estimate
ΔC ≈ ∇C·Δv (eq. 7) beside the actual ΔC, and, when the lesson samples
directions of the same length, the best of them against −η∇C. Stepping moves
the ball forward and back like every lesson; ``e`` edits η, the start and the
cost's parameters where the lesson allows. Every number comes from the step's
values (:mod:`nnsim.lessons.kinds.gradient_descent`).
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from nnsim.lessons import LessonStep
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.frame.lesson import LessonScreen, Parameter
from nnsim.tui.style.presenter import SHORT_CLASS
from nnsim.tui.screens.valley.valley_map import ValleyMap


class ValleyScreen(LessonScreen):
    """See the module's docstring."""

    CSS_PATH = LessonScreen.CSS_PATH + [Path(__file__).with_name("valley.tcss")]

    def compose_lesson(self) -> ComposeResult:
        with Horizontal(id="lesson-body"):
            valley = ValleyMap(id="valley", classes="panel")
            valley.border_title = self.scenario.cost.formula
            yield valley
            with Vertical(id="descent-numbers"):
                move = EquationPanel(id="move", classes="panel")
                move.border_title = "the move"
                yield move
                change = EquationPanel(id="change", classes="panel")
                change.border_title = "the change of C"
                yield change
                if self.scenario.descent.directions:
                    others = EquationPanel(id="directions", classes="panel")
                    others.border_title = "other directions"
                    yield others

    def show_step(self, step: LessonStep) -> None:
        moves = [s.data for s in self.stepper.steps]
        self.query_one(ValleyMap).show(self.scenario, moves[:step.index + 1], moves)
        v = step.values
        self._numbers(
            "#move", "Δv = −η∇C", ["v = ({v1}, {v2})   C = {C}", "∇C = ({grad1}, {grad2})   ‖∇C‖ = {grad_norm}",
                                   "η = {eta}   Δv = ({dv1}, {dv2})", "v → ({v1_next}, {v2_next})"],
            v, f"{step.title}: the move")
        self._numbers(
            "#change", "ΔC ≈ ∇C·Δv", ["estimate ∇C·Δv = {dC_estimate}", "actual ΔC = {dC}   C → {C_next}",
                                      "off by {estimate_error} ({relative_estimate_error} of the estimate)"],
            v, "the change of C" + ("" if v["dC"] < 0 else ": it went UP"))
        if self.scenario.descent.directions and "best_dC" in v:
            self._numbers(
                "#directions", "steps of the same length ‖Δv‖", [
                    "{directions} directions sampled; best at {best_angle}°: ΔC = {best_dC}",
                    "−η∇C: ΔC = {dC}, lower by {gradient_advantage}",
                    "∇C·Δv: −η∇C's is lower by {linear_advantage} (Cauchy–Schwarz)"],
                v, "other directions")

    def on_resize(self) -> None:
        # Crossing 30 rows moves the formulas into the titles or back (LessonScreen sets the class).
        if self.is_mounted:
            self.call_after_refresh(lambda: self.show_step(self.step))

    def _numbers(self, panel: str, formula: str, lines: list[str], values, title: str) -> None:
        # Under 30 rows (80×24) the formula goes into the title: its row goes to the numbers.
        if self.has_class(SHORT_CLASS):
            formula, title = "", f"{title} · {formula}"
        self.query_one(panel, EquationPanel).show(formula, lines, values, title=title)

    def parameters(self) -> list[Parameter]:
        cost, d = self.scenario.cost, self.scenario.descent
        can = self.scenario.controls.can_edit
        params = [Parameter("η", d.eta, "descent.eta", None, can("descent.eta")),
                  Parameter("v1 start", d.start[0], "descent.start", 0, can("descent.start")),
                  Parameter("v2 start", d.start[1], "descent.start", 1, can("descent.start")),
                  Parameter("a", cost.a, "cost.a", None, can("cost.a"))]
        if cost.form != "bowl":
            params.append(Parameter("b", cost.b, "cost.b", None, can("cost.b")))
        return params

    def help_text(self) -> str:
        return ("The map shades the cost: fainter is lower, ✕ is the minimum. Each step moves the ball "
                "(○ before, ● after, · the path so far) by Δv = −η∇C; the panels show ∇C, the linear "
                "estimate ∇C·Δv beside the actual ΔC and, if the lesson samples them, the best of the "
                "other directions of the same length. e edits η, the start and the cost's parameters.")
