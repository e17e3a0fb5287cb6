"""NetworkView: a feedforward network as columns of neurons, shaded by activation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from textual.content import Content
from textual.widget import Widget

from nnsim.tui.widgets.canvas import Canvas
from nnsim.tui.widgets.format import fmt, fmt_fixed
from nnsim.tui.widgets.shading import TEXT_SHADE_MAX, signed_shade

# A layer with more neurons than this is summarised (784 pixels), not drawn neuron by neuron.
SUMMARY_ABOVE = 64
BARS = " ▁▂▃▄▅▆▇█"
VALUE_WIDTH = 7
GAP = 5  # between layers: room for an arrow "─▶" or "◀─"


@dataclass(frozen=True)
class LayerColumn:
    """One layer as the view draws it.

    Attributes:
        title: the column's head, e.g. "layer 2".
        size: how many neurons.
        activations: each neuron's activation (n,), or None while the pass has not
            reached the layer; the bar and the shade show it.
        deltas: each neuron's error δ (n,), or None before backprop reaches the layer.
        symbol: what the printed numbers are, e.g. "a²" or "δ²".
        show_deltas: print δ instead of a (the backward half of a pass).
    """

    title: str
    size: int
    activations: Optional[np.ndarray] = None
    deltas: Optional[np.ndarray] = None
    symbol: str = ""
    show_deltas: bool = False

    @property
    def numbers(self) -> Optional[np.ndarray]:
        return self.deltas if self.show_deltas else self.activations


class NetworkView(Widget):
    """Columns of neurons, one per layer, the way the book draws a network.

    Each neuron is a row: its index, a bar and background as high as its
    activation, and its number (the activation, or δ in the backward half of a
    pass). Layers the pass has not reached show "·". The current layer's head
    is highlighted and an arrow between columns shows which way the pass is
    going; the selected neuron is marked ▶.

    A layer that does not fit the height wraps into more sub-columns; if the
    numbers then do not fit the width, it is drawn as a grid of bars only (the
    selected neuron's number is written under it). A layer of more than
    ``SUMMARY_ABOVE`` neurons (784 pixels) is summarised: its size and the
    range of its values.
    """

    DEFAULT_CSS = """
    NetworkView {
        width: 1fr;
        height: 1fr;
        min-height: 6;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: list[LayerColumn] = []
        self.current: Optional[int] = None
        self.direction = ""
        self.selected: Optional[tuple[int, int]] = None

    def show(self, columns: Sequence[LayerColumn], current: Optional[int] = None, direction: str = "",
             selected: Optional[tuple[int, int]] = None) -> None:
        """Draw ``columns``; ``current`` is the highlighted column's index, ``direction``
        "forward" or "backward" (the arrow into or out of it), ``selected`` a
        (column, neuron) pair."""
        self.columns = list(columns)
        self.current = current
        self.direction = direction
        self.selected = selected
        self.refresh()

    # -- layout -------------------------------------------------------------------------

    def _plan(self, width: int, rows: int) -> list[tuple[str, int, int]]:
        """For each column: (mode, sub-columns, width) with mode "numbers", "bars" or "summary"."""
        plans = []
        for col in self.columns:
            if col.size > SUMMARY_ABOVE:
                plans.append(("summary", 1, 16))
                continue
            subs = math.ceil(col.size / rows)
            cell = 1 + len(str(col.size - 1)) + 2 + VALUE_WIDTH + 1
            plans.append(("numbers", subs, subs * cell))
        total = sum(p[2] for p in plans) + GAP * (len(plans) - 1)
        # Too wide: the widest layers give up their numbers first.
        for i in sorted(range(len(plans)), key=lambda i: -plans[i][2]):
            if total <= width:
                break
            mode, subs, w = plans[i]
            if mode == "numbers" and subs > 1:
                cols = math.ceil(self.columns[i].size / rows)
                bars_width = max(len(self.columns[i].title), cols * 2 + 1)
                plans[i] = ("bars", cols, bars_width)
                total -= w - bars_width
        return plans

    def render(self) -> Content:
        if not self.columns:
            return Content("")
        width = max(self.size.width, 20)
        height = max(self.size.height, 6)
        rows = max(1, height - 3)  # title, symbol, …, one line for a note under bars
        plans = self._plan(width, rows)
        canvas = Canvas(max(width, sum(p[2] for p in plans) + GAP * (len(plans) - 1)), height)
        x = 0
        lefts = []
        for i, (col, (mode, subs, w)) in enumerate(zip(self.columns, plans)):
            lefts.append(x)
            self._head(canvas, i, col, x, w)
            if mode == "summary":
                self._summary(canvas, col, x)
            elif mode == "bars":
                self._bars(canvas, i, col, x, rows)
            else:
                self._numbers(canvas, i, col, x, rows, subs, w // subs)
            x += w + GAP
        self._arrow(canvas, plans, lefts, rows)
        return canvas.render()

    def _head(self, canvas: Canvas, i: int, col: LayerColumn, x: int, w: int) -> None:
        current = i == self.current
        title = f" {col.title} " if current else col.title
        canvas.write(0, x, title[: w], "bold reverse $text-accent" if current else "bold")
        symbol = col.symbol + ("" if col.numbers is not None else "  ·")
        canvas.write(1, x, symbol[: w], "$text-accent" if current else "$text-muted")

    def _is_selected(self, i: int, j: int) -> bool:
        return self.selected == (i, j)

    def _numbers(self, canvas: Canvas, i: int, col: LayerColumn, x: int, rows: int, subs: int, cell: int) -> None:
        values = col.numbers
        scale = _scale(values) if col.show_deltas and values is not None else 0.0
        digits = len(str(col.size - 1))
        for j in range(col.size):
            r, s = 2 + j % rows, j // rows
            left = x + s * cell
            selected = self._is_selected(i, j)
            canvas.write(r, left, "▶" if selected else " ", "bold $text-accent")
            canvas.write(r, left + 1, str(j).rjust(digits), "bold" if selected else "$text-muted")
            a = None if col.activations is None else float(col.activations[j])
            canvas.write(r, left + 2 + digits, _bar(a), _bar_style(a))
            if values is None:
                canvas.write(r, left + 3 + digits, "·".center(VALUE_WIDTH), "$text-muted")
                continue
            v = float(values[j])
            style = signed_shade(v, scale) if col.show_deltas else _activation_shade(v)
            if selected:
                style = (style + " bold reverse").strip()
            canvas.write(r, left + 3 + digits, fmt_fixed(v, VALUE_WIDTH, 3), style)

    def _bars(self, canvas: Canvas, i: int, col: LayerColumn, x: int, rows: int) -> None:
        for j in range(col.size):
            r, c = 2 + j % rows, x + 2 * (j // rows)
            a = None if col.activations is None else float(col.activations[j])
            style = _bar_style(a)
            if self._is_selected(i, j):
                style += " reverse"
            canvas.write(r, c, _bar(a) * 2, style)
        if self.selected is not None and self.selected[0] == i and col.numbers is not None:
            j = self.selected[1]
            canvas.write(2 + min(rows, col.size), x, f"{j}: {fmt(float(col.numbers[j]), 3)}", "bold $text-accent")

    def _summary(self, canvas: Canvas, col: LayerColumn, x: int) -> None:
        values = col.numbers
        lines = [f"{col.size} inputs"]
        if values is not None:
            v = np.asarray(values, dtype=np.float64)
            finite = v[np.isfinite(v)]
            if finite.size:
                lines += [f"min  {fmt(finite.min(), 3)}", f"max  {fmt(finite.max(), 3)}",
                          f"mean {fmt(finite.mean(), 3)}"]
            lines.append(f"{np.count_nonzero(v)} not 0")
        for k, text in enumerate(lines):
            canvas.write(2 + k, x, text, "" if k else "bold")

    def _arrow(self, canvas: Canvas, plans, lefts: list[int], rows: int) -> None:
        """─▶ into the current layer going forward, ◀─ out of it going backward."""
        i = self.current
        if i is None or self.direction not in ("forward", "backward"):
            return
        gap = i - 1 if self.direction == "forward" else i
        if not 0 <= gap < len(self.columns) - 1:
            return
        x = lefts[gap] + plans[gap][2] + 1
        r = 2 + min(rows, max(c.size for c in self.columns), SUMMARY_ABOVE) // 2
        text = "──▶" if self.direction == "forward" else "◀──"
        canvas.write(min(r, canvas.height - 1), x, text, "bold $text-accent")

    @property
    def text(self) -> str:
        return self.render().plain


def _scale(values) -> float:
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0


def _bar(a: Optional[float]) -> str:
    if a is None:
        return " "
    if not math.isfinite(a):
        return "!"
    return BARS[max(1, min(8, round(a * 8)))]


def _bar_style(a: Optional[float]) -> str:
    if a is not None and not math.isfinite(a):
        return "bold $error"
    return "$primary"


def _activation_shade(a: float) -> str:
    """An activation in [0, 1] as the strength of the background behind its number."""
    if not math.isfinite(a):
        return "bold $error"
    return f"on $primary {max(4, round(TEXT_SHADE_MAX * min(1.0, max(0.0, a))))}%"
