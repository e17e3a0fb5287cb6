"""PerceptronDiagram: inputs, weights, bias and output of one neuron, with numbers."""

from __future__ import annotations

from typing import Optional, Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from nnsim.tui.style.canvas import Canvas
from nnsim.tui.style.format import fmt

VALUE_STYLE = "bold $text-accent"
SELECTED_STYLE = "bold reverse"


class PerceptronDiagram(Widget):
    """One neuron drawn as in the book's figures::

        x1 = 1 ─── w1 = -2 ──╮
                             │  ╭────────╮
                             ├─▶│ b = 3  │──▶ output = 0
                             │  │ z = -1 │
        x2 = 1 ─── w2 = -2 ──╯  ╰────────╯

    Inputs not known yet (before the first step) show "·". ``selected`` names the
    parameter a learner has chosen to edit ("w1", …, "b"); it is drawn reversed.
    The same drawing serves the sigmoid neuron (``output_label="σ(z)"``).
    """

    DEFAULT_CSS = """
    PerceptronDiagram {
        height: auto;
        width: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.inputs: Sequence[Optional[float]] = ()
        self.weights: Sequence[float] = ()
        self.bias: float = 0.0
        self.z: Optional[float] = None
        self.output: Optional[float] = None
        self.output_label = "output"
        self.selected: Optional[str] = None
        self._extent: Optional[tuple[int, int]] = None

    def show(self, weights: Sequence[float], bias: float, inputs: Optional[Sequence[Optional[float]]] = None,
             z: Optional[float] = None, output: Optional[float] = None, output_label: str = "output",
             selected: Optional[str] = None) -> None:
        """Draw the neuron with these numbers (all from the core or the lesson)."""
        self.weights = tuple(weights)
        self.bias = bias
        self.inputs = tuple(inputs) if inputs is not None else (None,) * len(self.weights)
        self.z = z
        self.output = output
        self.output_label = output_label
        self.selected = selected
        # A new layout (the whole screen's) only when the drawing's size changes: most
        # steps change a number in place.
        lines = self.render().plain.split("\n")
        extent = (max(cell_len(line) for line in lines), len(lines))
        if extent != self._extent:
            self._extent = extent
            self.clear_cached_dimensions()
            self.refresh(layout=True)
        else:
            self.refresh()

    @property
    def text(self) -> str:
        return self.render().plain

    def render(self) -> Content:
        n = len(self.weights)
        x_labels = [f"x{j} = {'·' if x is None else fmt(x)}" for j, x in enumerate(self.inputs, 1)]
        w_labels = [f"w{j} = {fmt(w)}" for j, w in enumerate(self.weights, 1)]
        box_lines = [f"b = {fmt(self.bias)}", f"z = {'·' if self.z is None else fmt(self.z)}"]
        box_w = max(len(t) for t in box_lines) + 4
        spacing = 2 if n <= 3 else 1
        span = (n - 1) * spacing + 1 if n else 1
        middle = max((span - 1) // 2, 1)  # the row the arrow enters the box on
        # Inputs centred on the arrow's row (a single input goes straight in).
        in_rows = [middle - (span - 1) // 2 + k * spacing for k in range(n)]
        span = in_rows[-1] + 1 if n else 1
        height = max(span, middle + 3)
        x_w = max((len(t) for t in x_labels), default=0)
        w_w = max((len(t) for t in w_labels), default=0)
        join = x_w + 5 + w_w + 4 if n else 0  # the column where the input lines meet
        box_col = join + 3
        out_col = box_col + box_w
        out_text = f"──▶ {self.output_label} = {'·' if self.output is None else fmt(self.output)}"
        canvas = Canvas(out_col + len(out_text), height)

        for j, row in enumerate(in_rows):
            x_at = x_w - len(x_labels[j])
            canvas.write(row, x_at, x_labels[j])
            canvas.write(row, x_w, " ─── ")
            canvas.write(row, x_w + 5, w_labels[j])
            canvas.write(row, x_w + 5 + len(w_labels[j]), " " + "─" * (join - x_w - 6 - len(w_labels[j])))
            self._value(canvas, row, x_at, x_labels[j], f"x{j + 1}")
            self._value(canvas, row, x_w + 5, w_labels[j], f"w{j + 1}")
        if n:
            first, last = in_rows[0], in_rows[-1]
            for r in range(min(first, middle), max(last, middle) + 1):
                if r in in_rows:
                    up, down = r > min(first, middle), r < max(last, middle)
                    ch = "┼" if up and down and r == middle else "┤" if up and down else \
                        "╮" if down else "╯" if up else "─"
                    if r == middle and not (up or down):
                        ch = "─"
                    elif r == middle and up and not down:
                        ch = "┴"
                    elif r == middle and down and not up:
                        ch = "┬"
                else:
                    ch = "├" if r == middle else "│"
                canvas.write(r, join, ch)
            canvas.write(middle, join + 1, "─▶")
        top = middle - 1
        canvas.box(top, box_col, box_w, 4)
        for k, text in enumerate(box_lines):
            canvas.write(top + 1 + k, box_col + 2, text)
        self._value(canvas, top + 1, box_col + 2, box_lines[0], "b")
        self._value(canvas, top + 2, box_col + 2, box_lines[1], "z")
        canvas.write(middle, out_col, out_text)
        value_at = out_col + out_text.index("=") + 2
        canvas.style(middle, value_at, len(out_text) - out_text.index("=") - 2, VALUE_STYLE)
        return canvas.render()

    def _value(self, canvas: Canvas, row: int, column: int, label: str, name: str) -> None:
        """Style the number after "= " in a label; reversed when it is the selected parameter."""
        at = label.index("=") + 2
        canvas.style(row, column + at, len(label) - at, VALUE_STYLE)
        if name == self.selected:
            canvas.style(row, column, len(label), SELECTED_STYLE)
