"""CircuitDiagram: a circuit of perceptrons drawn as layers of gates, with wire values."""

from __future__ import annotations

from typing import Mapping, Optional

from textual.content import Content
from textual.widget import Widget

from nnsim.core.circuit import Circuit, Gate
from nnsim.core.perceptron import AND, NAND, NOT, OR
from nnsim.tui.style.canvas import Canvas
from nnsim.tui.style.format import fmt
from nnsim.tui.style.shading import MUTED

_GATE_TYPES = ((NAND, "NAND"), (AND, "AND"), (OR, "OR"), (NOT, "NOT"))
CURRENT_STYLE = "bold $accent"
PENDING_STYLE = MUTED
VALUE_STYLE = "bold $text-accent"


def gate_type(gate: Gate) -> str:
    """"NAND" for the chapter's NAND perceptron (and AND, OR, NOT); otherwise its numbers."""
    for perceptron, name in _GATE_TYPES:
        if gate.perceptron == perceptron:
            return name
    weights = ", ".join(fmt(w) for w in gate.perceptron.weights)
    return f"w=({weights}) b={fmt(gate.perceptron.bias)}" if weights else f"b={fmt(gate.perceptron.bias)}"


class CircuitDiagram(Widget):
    """Columns: the circuit's inputs, each layer of gates (as ``Circuit.layers()``
    groups them), then the outputs. Each gate is a two-line box::

        ╭─ n1 NAND ─────╮
        ╰ x1=1 x2=1 ▶ 0 ╯

    with the values on its input wires and, once it has fired, its output. Gates
    not reached yet are dimmed and show "·"; the current gate is highlighted.
    ``wires`` holds every wire value known so far (from the lesson's step).
    """

    DEFAULT_CSS = """
    CircuitDiagram {
        height: auto;
        width: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.circuit: Optional[Circuit] = None
        self.wires: dict[str, int] = {}
        self.current: Optional[str] = None

    def show(self, circuit: Circuit, wires: Mapping[str, int], current: Optional[str] = None) -> None:
        """Draw ``circuit`` with the wire values known so far; highlight gate ``current``."""
        self.circuit = circuit
        self.wires = dict(wires)
        self.current = current
        self.clear_cached_dimensions()  # the size may change with the content
        self.refresh(layout=True)

    @property
    def text(self) -> str:
        return self.render().plain

    def _value(self, wire: str) -> str:
        return fmt(self.wires[wire]) if wire in self.wires else "·"

    def render(self) -> Content:
        if self.circuit is None:
            return Content("")
        circuit = self.circuit
        layers = circuit.layers()
        columns: list[tuple[str, list]] = [("inputs", list(circuit.inputs))]
        columns += [(f"layer {k}", layer) for k, layer in enumerate(layers, 1)]
        columns.append(("outputs", list(circuit.outputs)))

        def inputs_line(gate: Gate) -> str:
            return " ".join(f"{w}={self._value(w)}" for w in gate.inputs) or "no inputs"

        widths = []
        for title, items in columns:
            if title in ("inputs", "outputs"):
                widths.append(max([len(title)] + [len(f"{w} = {self._value(w)}") for w in items]))
            else:
                widths.append(max([len(title)] + [max(len(inputs_line(g)) + len(self._out(g)) + 5,
                                                      len(f"{g.name} {gate_type(g)}") + 6) for g in items]))
        height = 1 + max(len(items) * (1 if title in ("inputs", "outputs") else 2) for title, items in columns)
        gap = 2
        canvas = Canvas(sum(widths) + gap * (len(columns) - 1), height)
        x = 0
        for (title, items), width in zip(columns, widths):
            canvas.write(0, x, title, f"bold {MUTED}")
            if title in ("inputs", "outputs"):
                for k, wire in enumerate(items):
                    label = f"{wire} = {self._value(wire)}"
                    canvas.write(1 + k, x, label)
                    canvas.style(1 + k, x + len(wire) + 3, len(label) - len(wire) - 3, VALUE_STYLE)
            else:
                for k, gate in enumerate(items):
                    self._gate(canvas, 1 + 2 * k, x, width, gate, inputs_line(gate))
            x += width + gap
        return canvas.render()

    def _out(self, gate: Gate) -> str:
        return f"▶ {self._value(gate.name)}"

    def _gate(self, canvas: Canvas, row: int, column: int, width: int, gate: Gate, line: str) -> None:
        fired = gate.name in self.wires
        style = CURRENT_STYLE if gate.name == self.current else "" if fired else PENDING_STYLE
        canvas.box(row, column, width, 2, style, title=f"{gate.name} {gate_type(gate)}")
        canvas.write(row + 1, column + 1, f" {line} ", "" if fired or gate.name == self.current else PENDING_STYLE)
        out = self._out(gate)
        at = column + width - 2 - len(out)
        canvas.write(row + 1, at - 1, f" {out} ", style)
        if fired:
            canvas.style(row + 1, at + 2, len(out) - 2, VALUE_STYLE)
