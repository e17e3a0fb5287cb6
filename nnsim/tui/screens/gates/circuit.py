"""CircuitDiagram: a circuit of perceptrons drawn as layers of gates, with wire values."""

from __future__ import annotations

from typing import Mapping, Optional

from textual.content import Content
from textual.widget import Widget

from nnsim.core.circuit import Circuit, Gate
from nnsim.core.perceptron import AND, NAND, NOT, OR
from nnsim.lessons.diagrams import CircuitLayout, circuit_layout
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


# A gate given by its numbers, when they don't fit: its box says so, the gate panel shows them.
SHORT_TYPE = "w·x+b"
# How hard a drawing squeezes to fit its panel: (numbers in gate boxes, spare column per gap).
_FITS = ((True, True), (True, False), (False, True), (False, False))


def box_type(gate: Gate, numbers: bool = True) -> str:
    """The type written in a gate's box: :func:`gate_type`, or SHORT_TYPE for a gate given
    by numbers when ``numbers`` is False."""
    kind = gate_type(gate)
    return kind if numbers or any(kind == name for _, name in _GATE_TYPES) else SHORT_TYPE


def fit_circuit(circuit: Circuit, layout: CircuitLayout, width: Optional[int]) -> int:
    """The least squeeze (an index of _FITS) whose drawing is at most ``width`` columns wide;
    the tightest when none fits (the panel then scrolls). A drawing's width doesn't depend
    on the wire values, so one measure holds for every step."""
    if width is None:
        return 0
    for squeeze in range(len(_FITS)):
        if draw_circuit(circuit, layout, {}, None, squeeze).width <= width:
            return squeeze
    return len(_FITS) - 1


class CircuitDiagram(Widget):
    """The circuit as the book draws it: its inputs on the left, each layer of gates
    (:func:`~nnsim.lessons.diagrams.circuit_layout`, from ``Circuit.layers()`` alone) in a
    column, and a wire from every input and gate output to each gate that reads it::

        x1 = 1 ━━━┳━━1┤ n1 NAND ├━━ 0

    A wire is dim and thin until its value is computed, then heavy with its value where
    it enters a gate; the gate being evaluated and its input wires are highlighted.
    Wires that skip a layer run along their own row under the gates. ``wires`` holds
    every wire value known so far (from the lesson's step).
    """

    DEFAULT_CSS = """
    CircuitDiagram {
        height: auto;
        width: auto;
        padding: 0 1;
        text-wrap: nowrap;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.circuit: Optional[Circuit] = None
        self.wires: dict[str, int] = {}
        self.current: Optional[str] = None
        self._layout_for: Optional[Circuit] = None
        self._layout: Optional[CircuitLayout] = None
        self._budget: Optional[int] = None  # the panel's width for the drawing, from the layout
        self._squeeze: Optional[tuple] = None  # (circuit, budget, squeeze) last measured

    def show(self, circuit: Circuit, wires: Mapping[str, int], current: Optional[str] = None) -> None:
        """Draw ``circuit`` with the wire values known so far; highlight gate ``current``."""
        changed = circuit is not self.circuit
        self.circuit = circuit
        self.wires = dict(wires)
        self.current = current
        if changed:
            self.clear_cached_dimensions()
        self.refresh(layout=changed)

    def get_content_width(self, container, viewport) -> int:
        """The drawing's width, squeezed (:func:`fit_circuit`) to fit the panel's ``container``
        width where it can; wider than the panel, it scrolls and never wraps."""
        self._budget = container.width or None
        return max((len(line) for line in self.render().plain.splitlines()), default=0)

    def squeeze(self) -> int:
        if self.circuit is None:
            return 0
        last = self._squeeze
        if last is None or last[0] is not self.circuit or last[1] != self._budget:
            self._squeeze = (self.circuit, self._budget, fit_circuit(self.circuit, self.layout(), self._budget))
        return self._squeeze[2]

    @property
    def text(self) -> str:
        return self.render().plain

    def _value(self, wire: str) -> str:
        return fmt(self.wires[wire]) if wire in self.wires else "·"

    def layout(self) -> CircuitLayout:
        if self._layout_for is not self.circuit:
            self._layout_for = self.circuit
            self._layout = circuit_layout(self.circuit)
        return self._layout

    def render(self) -> Content:
        if self.circuit is None:
            return Content("")
        canvas = draw_circuit(self.circuit, self.layout(), self.wires, self.current, self.squeeze())
        while canvas.height > 1 and all(ch == " " for ch in canvas.chars[-1]):
            canvas.chars.pop()
            canvas.styles.pop()
            canvas.height -= 1
        return canvas.render()


def draw_circuit(circuit: Circuit, layout: CircuitLayout, wires: Mapping[str, int],
                 current: Optional[str], squeeze: int = 0) -> Canvas:
    """The circuit on a canvas (see :class:`CircuitDiagram`), squeezed as _FITS[squeeze] says."""
    numbers, spare = _FITS[squeeze]
    gates = {g.name: g for g in circuit.gates}
    place = layout.place()
    last = len(layout.columns) - 1

    def label(name: str) -> str:
        if name in circuit.inputs:
            return f"{name} = {fmt(wires[name]) if name in wires else '·'}"
        return f" {name} {box_type(gates[name], numbers)} "

    def height(name: str) -> int:
        return 1 if name in circuit.inputs else max(2, len(gates[name].inputs))

    long = [w for w in layout.wires if place[w.source][0] < place[w.target][0] - 1]
    # One vertical trunk per source in each gap: the wires it feeds there branch off it.
    channels: dict[int, list[str]] = {c: [] for c in range(len(layout.columns))}

    def use(c: int, source: str) -> None:
        if source not in channels[c]:
            channels[c].append(source)

    for wire in layout.wires:
        if wire in long:
            use(place[wire.source][0] + 1, wire.source)
        use(place[wire.target][0], wire.source)
    widths = [max(len(label(n)) for n in names) + (0 if c == 0 else 2) for c, names in enumerate(layout.columns)]
    gaps = [0] + [2 * len(channels[c]) + (3 if spare else 2) for c in range(1, len(layout.columns))]
    tall = max(sum(height(n) for n in names) + len(names) - 1 for names in layout.columns)
    lefts, x = [], 0
    for c, w in enumerate(widths):
        x += gaps[c]
        lefts.append(x)
        x += w

    tops: dict[str, int] = {}
    occupied: dict[int, set] = {c: set() for c in range(len(layout.columns))}
    for c, names in enumerate(layout.columns):
        used = sum(height(n) for n in names) + len(names) - 1
        row = 1 + (tall - used) // 2
        for name in names:
            tops[name] = row
            occupied[c].update(range(row - (0 if name in circuit.inputs else 0), row + height(name) + 1))
            row += height(name) + 1

    def out_point(name: str) -> tuple[int, int]:
        c = place[name][0]
        return lefts[c] + widths[c], tops[name]

    def in_point(wire) -> tuple[int, int]:
        c = place[wire.target][0]
        return lefts[c] - 1, tops[wire.target] + wire.slot

    def channel_x(c: int, source: str) -> int:
        return lefts[c] - gaps[c] + 1 + 2 * channels[c].index(source)

    # A wire that skips layers runs along a row free in every column it crosses.
    extra = 0
    rows_of: dict[tuple[str, int], int] = {}
    for wire in long:
        cs, ct = place[wire.source][0], place[wire.target][0]
        if (wire.source, ct) in rows_of:
            continue
        y0, y1 = out_point(wire.source)[1], in_point(wire)[1]
        free = [r for r in range(1, 1 + tall) if all(r not in occupied[c] for c in range(cs + 1, ct))]
        if free:
            r = min(free, key=lambda r: (abs(r - y0) + abs(r - y1), r))
        else:
            extra += 1
            r = tall + extra
        rows_of[(wire.source, ct)] = r
        for c in range(cs + 1, ct):
            occupied[c].add(r)
    canvas = Canvas(x + max((len(f"──▶ {o} = 0") for o in circuit.outputs), default=0), 2 + tall + extra)
    for c in range(len(layout.columns)):
        canvas.write(0, lefts[c], "inputs" if c == 0 else f"layer {c}", f"bold {MUTED}")

    net = _Wires()
    for wire in layout.wires:
        if wire.target == current:
            style, heavy = CURRENT_STYLE, True
        else:
            style, heavy = ("", True) if wire.source in wires else (PENDING_STYLE, False)
        ct = place[wire.target][0]
        ch = channel_x(ct, wire.source)
        x1, y1 = in_point(wire)
        x0, y0 = out_point(wire.source)
        if wire in long:
            r = rows_of[(wire.source, ct)]
            down = channel_x(place[wire.source][0] + 1, wire.source)
            points = [(x0, y0), (down, y0), (down, r), (ch, r), (ch, y1), (x1, y1)]
        else:
            points = [(x0, y0), (ch, y0), (ch, y1), (x1, y1)]
        net.path(points, style, heavy)
    net.draw(canvas)
    for wire in layout.wires:
        if wire.source in wires:
            x1, y1 = in_point(wire)
            canvas.write(y1, x1 - 1, fmt(wires[wire.source]),
                         CURRENT_STYLE if wire.target == current else VALUE_STYLE)
    for c, names in enumerate(layout.columns):
        for name in names:
            if name in circuit.inputs:
                text = label(name)
                canvas.write(tops[name], lefts[c], text)
                canvas.style(tops[name], lefts[c] + len(name) + 3, len(text) - len(name) - 3, VALUE_STYLE)
            else:
                _gate_box(canvas, gates[name], tops[name], lefts[c], widths[c], height(name), wires, current,
                          numbers)
    for name in circuit.outputs:
        x0, y0 = out_point(name)
        fired = name in wires
        text = f"{name} = {fmt(wires[name]) if fired else '·'}"
        if place[name][0] == last:
            canvas.write(y0, x0, "━━▶ " if fired else "──▶ ", "" if fired else PENDING_STYLE)
            canvas.write(y0, x0 + 4, text, VALUE_STYLE if fired else PENDING_STYLE)
        else:  # an output read before the last layer: named under its gate
            c = place[name][0]
            canvas.write(tops[name] + height(name), lefts[c] + 1, f"▲ {text}"[: widths[c] - 1],
                         VALUE_STYLE if fired else PENDING_STYLE)
    return canvas


def _gate_box(canvas: Canvas, gate: Gate, top: int, left: int, width: int, height: int,
              wires: Mapping[str, int], current: Optional[str], numbers: bool = True) -> None:
    """A gate as rows between ┤ ports (one per input) and its ├ output on the first row;
    the second row shows its z once it has fired."""
    fired = gate.name in wires
    style = CURRENT_STYLE if gate.name == current else "" if fired else PENDING_STYLE
    inner = width - 2
    for r in range(height):
        canvas.write(top + r, left, ("┤" if r < len(gate.inputs) else "│") + " " * inner
                     + ("├" if r == 0 else "│"), style)
    canvas.write(top, left + 1, f"{gate.name} {box_type(gate, numbers)}".center(inner)[:inner], style or "bold")
    if fired:
        canvas.write(top + 1, left + 1, f"{gate.name} = {fmt(wires[gate.name])}".center(inner)[:inner], VALUE_STYLE)
    canvas.style(top + height - 1, left + 1, inner, style + " underline" if style else "underline")


_N, _E, _S, _W = 1, 2, 4, 8
_CHARS_LIGHT = {_E | _W: "─", _E: "─", _W: "─", _N | _S: "│", _N: "│", _S: "│", _S | _E: "┌", _S | _W: "┐",
                _N | _E: "└", _N | _W: "┘", _N | _S | _E: "├", _N | _S | _W: "┤", _E | _W | _S: "┬",
                _E | _W | _N: "┴", 15: "┼"}
_CHARS_HEAVY = {_E | _W: "━", _E: "━", _W: "━", _N | _S: "┃", _N: "┃", _S: "┃", _S | _E: "┏", _S | _W: "┓",
                _N | _E: "┗", _N | _W: "┛", _N | _S | _E: "┣", _N | _S | _W: "┫", _E | _W | _S: "┳",
                _E | _W | _N: "┻", 15: "╋"}


class _Wires:
    """Wires as the directions each cell connects to, drawn as box characters at the end
    (corners and junctions come out right however the paths overlap)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list] = {}

    def _add(self, row: int, column: int, bits: int, style: str, heavy: bool) -> None:
        cell = self.cells.setdefault((row, column), [0, "", False, 0])
        cell[0] |= bits
        rank = 2 if style == CURRENT_STYLE else 1 if heavy else 0
        if rank >= cell[3]:
            cell[1], cell[2], cell[3] = style, heavy or cell[2], rank

    def path(self, points: list[tuple[int, int]], style: str, heavy: bool) -> None:
        for (xa, ya), (xb, yb) in zip(points, points[1:]):
            if ya == yb and xa != xb:
                lo, hi = min(xa, xb), max(xa, xb)
                for c in range(lo, hi + 1):
                    self._add(ya, c, (_W if c > lo else 0) | (_E if c < hi else 0), style, heavy)
            elif xa == xb and ya != yb:
                lo, hi = min(ya, yb), max(ya, yb)
                for r in range(lo, hi + 1):
                    self._add(r, xa, (_N if r > lo else 0) | (_S if r < hi else 0), style, heavy)

    def draw(self, canvas: Canvas) -> None:
        for (row, column), (bits, style, heavy, _) in self.cells.items():
            chars = _CHARS_HEAVY if heavy else _CHARS_LIGHT
            canvas.write(row, column, chars.get(bits, "┼"), style)
