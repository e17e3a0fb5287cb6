"""The decision plane in the gate lab: a perceptron's map beside it, a circuit's maps in a dialog.

A perceptron with two inputs gets one map (its 0/1 regions and the line w·x + b = 0),
redrawn on every edit of w or b. A circuit gets the maps that show why it needs more
than one layer: its own outputs over (x1, x2), which no single line separates for XOR;
each first-layer gate's map; and each output gate's map over the hidden wires it reads,
where the points it actually sees are separable.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ItemGrid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from nnsim.core.circuit import Circuit
from nnsim.core.perceptron import Perceptron
from nnsim.lessons.diagrams import gate_points, plane_gates, truth_points
from nnsim.tui.screens.gates.circuit import gate_type
from nnsim.tui.style.shading import MUTED
from nnsim.tui.widgets.decision_plane import DecisionPlane, PlaneMap


# Under this many columns the footer's hint for the command palette gives way, so that the
# lesson's keys and the plane's v keep their labels (ctrl+p still opens it; ? lists it).
FOOTER_WIDE = 90


def fit_footer(screen) -> None:
    """Show the footer's "^p palette" only where the lesson's keys, v among them, still fit."""
    for footer in screen.query(Footer):
        wide = screen.app.size.width >= FOOTER_WIDE
        if footer.show_command_palette != wide:
            footer.show_command_palette = wide
            footer.refresh(recompose=True)  # the footer reads it only when it composes


def perceptron_map(perceptron: Perceptron, title: str = "") -> PlaneMap:
    w = perceptron.weights
    return PlaneMap(title or "decision plane: output 1 where ░", (w[0], w[1]), perceptron.bias,
                    points=truth_points(w, perceptron.bias))


def circuit_maps(circuit: Circuit) -> list[PlaneMap]:
    """The circuit's output(s) over its two inputs, then the maps of :func:`plane_gates`."""
    maps = []
    if len(circuit.inputs) == 2:
        for k, out in enumerate(circuit.outputs):
            points = [((x[0], x[1]), float(y[k])) for x, y in circuit.truth_table()]
            maps.append(PlaneMap(f"{out}: the circuit over ({', '.join(circuit.inputs)})", None, 0.0,
                                 points=points, axes=tuple(circuit.inputs)))
    gates = {g.name: g for g in circuit.gates}
    for name in plane_gates(circuit):
        gate = gates[name]
        w = gate.perceptron.weights
        maps.append(PlaneMap(f"{name} = {gate_type(gate)}({', '.join(gate.inputs)})"[:40], (w[0], w[1]),
                             gate.perceptron.bias, points=gate_points(circuit, name), axes=gate.inputs))
    return maps


class PlaneDialog(ModalScreen[None]):
    """A circuit's decision planes, as many side by side as fit; Escape or v closes."""

    DEFAULT_CSS = """
    PlaneDialog { align: center middle; background: $background 60%; }
    #plane-box { width: 96%; height: 96%; border: round $accent; background: $surface; padding: 0 1; }
    #plane-grid { height: auto; }
    #plane-grid > DecisionPlane { height: 18; min-width: 30; }
    """

    BINDINGS = [Binding("escape,v", "close", "Close")]

    def __init__(self, maps: list[PlaneMap], title: str) -> None:
        super().__init__()
        self.maps = maps
        self.plane_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="plane-box") as box:
            box.border_title = self.plane_title
            yield Static(Content.styled(
                "● output 1, ○ output 0 · ░ where the gate outputs 1 · • its line w·x + b = 0 · "
                "↑/↓ scroll · Escape closes", MUTED))
            with VerticalScroll():
                with ItemGrid(id="plane-grid", min_column_width=30):
                    for m in self.maps:
                        plane = DecisionPlane()
                        plane.maps = [m]
                        yield plane

    def action_close(self) -> None:
        self.dismiss(None)
