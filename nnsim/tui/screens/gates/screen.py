"""The gate lab: a perceptron (kind ``perceptron``) or a circuit of them (kind ``circuit``).

Perceptron: the neuron drawn with its inputs, weights, bias and output; w·x + b
written out with the current row's numbers; the truth table filled row by row.
Editing a weight or the bias (where the lesson's [controls] allow) rebuilds the
lesson through the lessons layer, so the table and the expectations are
recomputed by the core at once.

Circuit: the gates in layers, stepped gate by gate with the value on every
wire; the current gate's sum written out; the circuit's truth table filled as
each input row's last gate fires. A circuit given gate by gate in its file can
have the current gate's weights and bias edited.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical

from nnsim.lessons import LessonStep
from nnsim.lessons.expect import needed_step
from nnsim.lessons.scenario import lists_gates, with_gate
from nnsim.tui.frame.lesson import LessonScreen, Parameter
from nnsim.tui.screens.gates.circuit import CircuitDiagram, gate_type
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.frame.expectations import ExpectationList
from nnsim.tui.style.format import bits
from nnsim.tui.screens.gates.perceptron import PerceptronDiagram
from nnsim.tui.screens.gates.plane import PlaneDialog, circuit_maps, fit_footer, perceptron_map
from nnsim.tui.widgets.decision_plane import DecisionPlane
from nnsim.tui.screens.gates.truth_table import TruthTable

WIDE = 110  # from this width the decision plane sits beside the perceptron
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def weighted_sum_lines(n: int, value_names: list[str], weight_names: list[str]) -> tuple[str, str]:
    """The symbols and the template of w·x + b for ``n`` inputs, e.g.
    ("z = w·x + b = w₁x₁ + w₂x₂ + b", "  = {w1:p}·{x1} + {w2:p}·{x2} + {b:p}")."""
    symbols = " + ".join([f"w{str(j).translate(_SUBSCRIPTS)}x{str(j).translate(_SUBSCRIPTS)}"
                          for j in range(1, n + 1)] + ["b"])
    numbers = " + ".join([f"{{{w}:p}}·{{{x}}}" for w, x in zip(weight_names, value_names)] + ["{b:p}"])
    return f"z = w·x + b = {symbols}", f"  = {numbers}"


def gate_title(gate) -> str:
    """"n1 = NAND(x1, x2)" for the chapter's gates, "g(x1, x2): w=(1, 1) b=-1" for others."""
    kind, wires = gate_type(gate), ", ".join(gate.inputs)
    return f"{gate.name} = {kind}({wires})" if kind.isalpha() else f"{gate.name}({wires}): {kind}"


class GateLab(LessonScreen):
    """What the perceptron and circuit screens share: the side panel with the truth
    table and the expectations, and clicking a table row to jump to its step."""

    CSS_PATH = LessonScreen.CSS_PATH + [Path(__file__).with_name("gates.tcss")]

    def truth_table(self) -> TruthTable:
        table = TruthTable(id="truth-table", classes="panel")
        table.border_title = "truth table"
        return table

    def expectation_list(self) -> ExpectationList:
        # Presenter mode keeps it: it never hides what normal mode shows.
        expectations = ExpectationList(id="expectations", classes="panel side-panel")
        expectations.border_title = "expectations"
        return expectations

    def on_mount(self) -> None:
        # Textual calls LessonScreen.on_mount itself after this one (handlers run down the
        # MRO): calling it here too drew the first step twice.
        self.show_expectations()
        fit_footer(self)

    def on_resize(self) -> None:  # LessonScreen's runs too
        fit_footer(self)

    def scenario_changed(self) -> None:
        self.show_expectations()

    def show_expectations(self) -> None:
        """Check the lesson's expectations (the lessons layer, on the core's numbers) and show them."""
        results, error = self.check_lesson()
        panel = self.query_one(ExpectationList)
        steps = self.stepper.steps
        needs = [needed_step(self.scenario, steps, r.expect) if r.expect is not None else len(steps) - 1
                 for r in results]
        panel.show(results, error, needs, self.stepper.position)
        panel.border_title = f"expectations: {panel.summary()}"

    def refresh_step(self) -> None:
        super().refresh_step()
        # Results wait for the steps they are about: stepping on may turn "pending" into ✓.
        panel = self.query_one(ExpectationList)
        panel.at(self.stepper.position)
        panel.border_title = f"expectations: {panel.summary()}"

    def row_steps(self) -> list[tuple[tuple, int]]:
        """(input row, index of that row's last step) in the order the lesson visits them."""
        rows: list[tuple[tuple, int]] = []
        previous = None
        for step in self.stepper.steps:
            # A circuit's gate steps for one input row share that row's CircuitRun.
            if previous is not None and step.kind == "gate" and step.context is previous.context:
                rows[-1] = (step.row, step.index)
            else:
                rows.append((step.row, step.index))
            previous = step
        return rows

    def on_truth_table_row_clicked(self, event: TruthTable.RowClicked) -> None:
        rows = self.row_steps()
        if event.row < len(rows):
            self.stepper.goto(rows[event.row][1])
            self.say(f"jumped to input {bits(rows[event.row][0]) or '(none)'}")
            self.refresh_step()


class PerceptronScreen(GateLab):
    """A single perceptron: one step per input row."""

    BINDINGS = [Binding("v", "plane", "Plane", tooltip="Show or hide the decision plane of (x1, x2)")]

    def compose_lesson(self) -> ComposeResult:
        with Vertical(id="lesson-body"):
            with Horizontal(id="gate-top"):
                diagram = PerceptronDiagram(id="diagram", classes="panel")
                diagram.border_title = "perceptron"
                yield diagram
                yield self.truth_table()
                plane = DecisionPlane(id="plane", classes="panel")
                plane.border_title = "decision plane"
                yield plane
            equation = EquationPanel(id="equation", classes="panel")
            equation.border_title = "weighted sum"
            yield equation
            yield self.expectation_list()

    def on_mount(self) -> None:
        # Beside the drawing where the screen is wide enough; else v swaps the two.
        # (Textual runs GateLab's and LessonScreen's on_mount too, down the MRO.)
        self.plane_open = self.scenario.perceptron.n_inputs == 2 and self.app.size.width >= WIDE
        self.place_plane()

    def place_plane(self) -> None:
        wide = self.app.size.width >= WIDE
        self.query_one("#plane").display = self.plane_open
        self.query_one(PerceptronDiagram).display = wide or not self.plane_open

    def action_plane(self) -> None:
        if self.scenario.perceptron.n_inputs != 2:
            self.say("the decision plane is for perceptrons with two inputs", "warning")
            return
        self.plane_open = not self.plane_open
        self.place_plane()
        self.say("decision plane: ░ where the output is 1, • the line w·x + b = 0 (e edits w and b)"
                 if self.plane_open else "decision plane closed (v opens it)")

    def parameters(self) -> list[Parameter]:
        p = self.scenario.perceptron
        can_w = self.scenario.controls.can_edit("perceptron.weights")
        params = [Parameter(f"w{j}", w, "perceptron.weights", j - 1, can_w) for j, w in enumerate(p.weights, 1)]
        params.append(Parameter("b", p.bias, "perceptron.bias", None,
                                self.scenario.controls.can_edit("perceptron.bias")))
        return params

    def help_text(self) -> str:
        return ("The truth table fills in as you step through the inputs; the highlighted row is the "
                "current one (click a row to jump to it). ↑/↓ choose a weight or the bias, e edits it: "
                "the table and the expectations are recomputed at once.")

    def show_step(self, step: LessonStep) -> None:
        row = step.data  # the core's TruthRow
        perceptron = step.context
        selected = self.selected_parameter
        self.query_one(PerceptronDiagram).show(perceptron.weights, perceptron.bias, row.inputs, row.z,
                                               row.output, selected=selected.name if selected else None)
        n = perceptron.n_inputs
        if n == 2:
            self.query_one("#plane", DecisionPlane).show([perceptron_map(perceptron)])
        symbols, numbers = weighted_sum_lines(n, [f"x{j}" for j in range(1, n + 1)],
                                              [f"w{j}" for j in range(1, n + 1)])
        # The comparison is read off the core's output (1 exactly when z > 0), not recomputed.
        verdict = "> 0, so the output is {output}" if row.output == 1 else "≤ 0, so the output is {output}"
        self.query_one(EquationPanel).show(symbols, [numbers, "  = {z} " + verdict], step.values,
                                           title=f"weighted sum, input {bits(row.inputs) or '(none)'}")
        steps = self.stepper.steps
        self.query_one(TruthTable).set_rows(
            [f"x{j}" for j in range(1, n + 1)], ["z", "output"],
            [(s.data.inputs, (s.data.z, s.data.output)) for s in steps],
            filled=self.stepper.position + 1, current=self.stepper.position)


class CircuitScreen(GateLab):
    """A circuit: one step per gate per input row."""

    BINDINGS = [
        Binding("v", "plane", "Planes", tooltip="The decision planes of the circuit's gates"),
        Binding("shift+left", "scroll_circuit(-8, 0)", "Scroll ←", show=False, tooltip="Scroll the circuit left"),
        Binding("shift+right", "scroll_circuit(8, 0)", "Scroll →", show=False, tooltip="Scroll the circuit right"),
        Binding("shift+up", "scroll_circuit(0, -2)", "Scroll ↑", show=False, tooltip="Scroll the circuit up"),
        Binding("shift+down", "scroll_circuit(0, 2)", "Scroll ↓", show=False, tooltip="Scroll the circuit down"),
    ]

    def action_plane(self) -> None:
        maps = circuit_maps(self.scenario.circuit)
        if not maps:
            self.say("no gate of this circuit has two inputs to draw a plane for", "warning")
            return
        self.app.push_screen(PlaneDialog(maps, f"decision planes: {self.scenario.title}"))

    def scroll_hint(self) -> None:
        """Say on the panel's border when the circuit is bigger than the panel."""
        scroll = self.query_one("#circuit-scroll", ScrollableContainer)
        diagram = self.query_one(CircuitDiagram).outer_size
        room = scroll.scrollable_content_region.size
        hint = "shift+arrows scroll" if diagram.width > room.width or diagram.height > room.height else ""
        if (scroll.border_subtitle or "") != hint:
            scroll.border_subtitle = hint
        # Under 30 rows the panel has no frame to say it on: a circuit that scrolls gets its top
        # border back (one row) with the keys in its title.
        title = f"circuit · {hint}" if hint and self.has_class("-short") else "circuit"
        if scroll.border_title != title:
            scroll.border_title = title
        scroll.set_class(bool(hint), "-scrolls")

    def action_scroll_circuit(self, dx: int, dy: int) -> None:
        scroll = self.query_one("#circuit-scroll", ScrollableContainer)
        # force: the panel hides its scrollbars (they would cost a row at 80×24) but still scrolls.
        scroll.scroll_relative(x=dx, y=dy, animate=False, force=True)

    def compose_lesson(self) -> ComposeResult:
        with Vertical(id="lesson-body"):
            with ScrollableContainer(id="circuit-scroll", can_focus=False, classes="panel") as scroll:
                scroll.border_title = "circuit"
                yield CircuitDiagram(id="diagram")
            with Horizontal(id="gate-middle"):
                with Vertical(id="gate-left"):
                    equation = EquationPanel(id="equation", classes="panel")
                    equation.border_title = "gate"
                    yield equation
                    yield self.expectation_list()
                yield self.truth_table()

    def editable_gates(self) -> bool:
        """Gates can be edited when the file lists them (not a builtin) and [controls] allow it."""
        return lists_gates(self.scenario)

    def parameters(self) -> list[Parameter]:
        gate = self.step.data.gate
        editable = self.editable_gates()
        params = [Parameter(f"w{j}", w, "circuit.gate", j - 1, editable)
                  for j, w in enumerate(gate.perceptron.weights, 1)]
        params.append(Parameter("b", gate.perceptron.bias, "circuit.gate", None, editable))
        return params

    def apply_parameters(self, values: dict[str, float]) -> None:
        """The current gate gets explicit weights and bias in place of its gate name."""
        gate = self.step.data.gate
        params = self.parameters()
        if all(values.get(p.name, p.value) == p.value for p in params):
            self.say("nothing changed")
            return
        weights = [values.get(p.name, p.value) for p in params if p.index is not None]
        self.set_scenario(with_gate(self.scenario, gate.name, weights, values.get("b", gate.perceptron.bias)))
        new_gate = self.step.data.gate
        self.say(f"gate {gate.name} is now {gate_type(new_gate)}: recomputed", "success")

    def help_text(self) -> str:
        return ("Each step fires one gate: wires run from every input and gate output to the gates that read "
                "them, dim until their value is known; the gate being evaluated and its input wires are "
                "highlighted. Shift+arrows scroll a circuit too big for the panel. "
                "The truth table gets a row when an input's last gate has fired. "
                "e edits the current gate's weights and bias, where the lesson lists its gates.")

    def show_step(self, step: LessonStep) -> None:
        gate_step = step.data  # the core's GateStep
        circuit = self.scenario.circuit
        self.query_one(CircuitDiagram).show(circuit, step.wires, gate_step.gate.name)
        self.call_after_refresh(self.scroll_hint)
        gate = gate_step.gate
        n = len(gate.inputs)
        values = dict(step.values)
        values.update({f"w{j}": w for j, w in enumerate(gate.perceptron.weights, 1)}, b=gate.perceptron.bias)
        symbols, numbers = weighted_sum_lines(n, [f"in{j}" for j in range(1, n + 1)],
                                              [f"w{j}" for j in range(1, n + 1)])
        verdict = "> 0 → {output}" if gate_step.output == 1 else "≤ 0 → {output}"
        self.query_one(EquationPanel).show(
            symbols, [numbers, "  = {z} " + verdict], values,
            title=f"layer {gate_step.layer}: {gate_title(gate)}")
        rows = self.row_steps()
        position = self.stepper.position
        current = next(k for k, (_, last) in enumerate(rows) if position <= last)
        filled = sum(1 for _, last in rows if last <= position)
        table_rows = [(row, self.stepper.steps[last].context.outputs) for row, last in rows]
        self.query_one(TruthTable).set_rows(list(circuit.inputs), list(circuit.outputs), table_rows,
                                            filled=filled, current=current)
