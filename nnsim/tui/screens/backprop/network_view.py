"""NetworkView: a feedforward network as columns of neurons, shaded by activation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from nnsim.tui.style.canvas import Canvas
from nnsim.tui.style.format import fmt, fmt_fixed
from nnsim.tui.style.palette import CLEAR, ERROR, MUTED, LineCache, Palette, Shade, intensity, signed
from nnsim.tui.style.shading import TEXT_SHADE_MAX

# A layer with more neurons than this is summarised (784 pixels), not drawn neuron by neuron.
SUMMARY_ABOVE = 64
BARS = " ▁▂▃▄▅▆▇█"
VALUE_WIDTH = 7
GAP = 5  # between layers: room for an arrow "──▶" or "◀──"
NARROW_GAP = 3
SUMMARY_WIDTH = 12
MIN_WIDTH = 20
MAX_SHARE = 0.5
TEXT: Shade = ("foreground", 100)
ACCENT: Shade = ("accent", 100)


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


class NetworkView(LineCache, Widget):
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
        self.reserved = 0
        """Columns beside the view that other panels keep (with ``width: auto`` the view
        takes at most MAX_SHARE of what is left)."""

    def show(self, columns: Sequence[LayerColumn], current: Optional[int] = None, direction: str = "",
             selected: Optional[tuple[int, int]] = None) -> None:
        """Draw ``columns``; ``current`` is the highlighted column's index, ``direction``
        "forward" or "backward" (the arrow into or out of it), ``selected`` a
        (column, neuron) pair."""
        self.columns = list(columns)
        self.current = current
        self.direction = direction
        self.selected = selected
        self.invalidate_lines()
        self.refresh()

    # -- layout -------------------------------------------------------------------------

    def _plan(self, width: int, rows: int) -> tuple[list[tuple[str, int, int]], int]:
        """For each column (mode, sub-columns, width), mode "numbers", "bars" or "summary";
        and the gap between columns. Fits ``width`` where it can: narrower gaps first, then
        the widest layers give up their numbers for bars."""
        plans = []
        for col in self.columns:
            if col.size > SUMMARY_ABOVE:
                plans.append(("summary", 1, SUMMARY_WIDTH))
                continue
            subs = math.ceil(col.size / rows)
            cell = 1 + len(str(col.size - 1)) + 2 + VALUE_WIDTH + 1
            plans.append(("numbers", subs, subs * cell))
        gaps = len(plans) - 1
        gap = GAP if sum(p[2] for p in plans) + GAP * gaps <= width else NARROW_GAP
        total = sum(p[2] for p in plans) + gap * gaps
        for i in sorted(range(len(plans)), key=lambda i: -plans[i][2]):
            if total <= width:
                break
            mode, subs, w = plans[i]
            if mode == "numbers":
                col = self.columns[i]
                cols = math.ceil(col.size / rows)
                bars = max(len(col.title), cols * 2 + 1, len(str(col.size - 1)) + 8)
                if bars < w:
                    plans[i] = ("bars", cols, bars)
                    total -= w - bars
        return plans, gap

    def natural_width(self, rows: int) -> int:
        """The width that shows every layer with its numbers (summaries aside)."""
        plans, gap = self._plan(10_000, max(1, rows))
        return sum(p[2] for p in plans) + gap * (len(plans) - 1)

    def get_content_width(self, container, viewport) -> int:
        # Asked for only with ``width: auto``: as wide as the layout that fits MAX_SHARE of
        # the room (numbers where they fit, bars where not), so the panels beside it keep theirs.
        rows = max(1, container.height - 3 - 2)
        plans, gap = self._plan(int((container.width - self.reserved) * MAX_SHARE), rows)
        return max(MIN_WIDTH, sum(p[2] for p in plans) + gap * (len(plans) - 1))

    def build_lines(self, palette: Palette) -> list[Strip]:
        return self._draw(palette).strips()

    def on_resize(self) -> None:
        self.invalidate_lines()  # the layout depends on the size

    def _draw(self, palette: Palette) -> "_Grid":
        width = max(self.size.width, MIN_WIDTH)
        height = max(self.size.height, 6)
        grid = _Grid(width, height)
        if not self.columns:
            return grid
        rows = max(1, height - 3)  # title, symbol, …, one line for a note under bars
        plans, gap = self._plan(width, rows)
        x = 0
        lefts = []
        for i, (col, (mode, subs, w)) in enumerate(zip(self.columns, plans)):
            lefts.append(x)
            self._head(grid, palette, i, col, x, w)
            if mode == "summary":
                self._summary(grid, palette, col, x)
            elif mode == "bars":
                self._bars(grid, palette, i, col, x, rows)
            else:
                self._numbers(grid, palette, i, col, x, rows, subs, w // subs)
            x += w + gap
        self._arrow(grid, palette, plans, lefts, rows, gap)
        return grid

    def _head(self, grid: "_Grid", palette: Palette, i: int, col: LayerColumn, x: int, w: int) -> None:
        current = i == self.current
        title = f" {col.title} " if current else col.title
        style = palette.style(("background", 100), ACCENT, bold=True) if current else palette.style(TEXT, bold=True)
        grid.write(0, x, title[: w], style)
        symbol = col.symbol + ("" if col.numbers is not None else "  ·")
        grid.write(1, x, symbol[: w], palette.style(ACCENT if current else MUTED))

    def _is_selected(self, i: int, j: int) -> bool:
        return self.selected == (i, j)

    def _numbers(self, grid: "_Grid", palette: Palette, i: int, col: LayerColumn, x: int, rows: int, subs: int,
                 cell: int) -> None:
        values = col.numbers
        scale = _scale(values) if col.show_deltas and values is not None else 0.0
        digits = len(str(col.size - 1))
        for j in range(col.size):
            r, s = 2 + j % rows, j // rows
            left = x + s * cell
            selected = self._is_selected(i, j)
            grid.write(r, left, "▶" if selected else " ", palette.style(ACCENT, bold=True))
            grid.write(r, left + 1, str(j).rjust(digits), palette.style(TEXT, bold=True) if selected
                       else palette.style(MUTED))
            a = None if col.activations is None else float(col.activations[j])
            grid.write(r, left + 2 + digits, _bar(a), palette.style(_bar_shade(a), bold=a is not None and not math.isfinite(a)))
            if values is None:
                grid.write(r, left + 3 + digits, "·".center(VALUE_WIDTH), palette.style(MUTED))
                continue
            v = float(values[j])
            text = fmt_fixed(v, VALUE_WIDTH, 3)
            if not math.isfinite(v):
                style = palette.style(ERROR, bold=True)
            else:
                bg = signed(v, scale, floor=4, strongest=TEXT_SHADE_MAX) if col.show_deltas else _activation_bg(v)
                style = (palette.style(bg if bg != CLEAR else ("background", 100), TEXT, bold=True) if selected
                         else palette.style(TEXT, None if bg == CLEAR else bg))
            grid.write(r, left + 3 + digits, text, style)

    def _bars(self, grid: "_Grid", palette: Palette, i: int, col: LayerColumn, x: int, rows: int) -> None:
        """A grid of shaded cells, one per neuron, column by column: activations as ink,
        δ blue/red by sign."""
        values = col.numbers
        scale = _scale(values) if col.show_deltas and values is not None else 0.0
        for j in range(col.size):
            r, c = 2 + j % rows, x + 2 * (j // rows)
            if values is None:
                grid.write(r, c, "··", palette.style(MUTED))
                continue
            v = float(values[j])
            shade = signed(v, scale) if col.show_deltas else intensity(v, name="primary")
            if shade == CLEAR:
                shade = ("primary", 6) if not col.show_deltas else CLEAR
            if self._is_selected(i, j):
                grid.write(r, c, "▐▌", palette.style(shade, ACCENT))
            else:
                grid.write(r, c, "██", palette.style(shade))
        if self.selected is not None and self.selected[0] == i and values is not None:
            j = self.selected[1]
            grid.write(2 + min(rows, col.size), x, f"{j}: {fmt(float(values[j]), 3)}", palette.style(ACCENT, bold=True))

    def _summary(self, grid: "_Grid", palette: Palette, col: LayerColumn, x: int) -> None:
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
            grid.write(2 + k, x, text, palette.style(TEXT, bold=k == 0))

    def _arrow(self, grid: "_Grid", palette: Palette, plans, lefts: list[int], rows: int, gap: int) -> None:
        """──▶ into the current layer going forward, ◀── out of it going backward."""
        i = self.current
        if i is None or self.direction not in ("forward", "backward"):
            return
        between = i - 1 if self.direction == "forward" else i
        if not 0 <= between < len(self.columns) - 1:
            return
        x = lefts[between] + plans[between][2]
        r = 2 + min(rows, max(min(c.size, SUMMARY_ABOVE) for c in self.columns)) // 2
        text = ("──▶" if self.direction == "forward" else "◀──")[: gap]
        grid.write(min(r, grid.height - 1), x + max(0, (gap - len(text)) // 2), text, palette.style(ACCENT, bold=True))

    @property
    def text(self) -> str:
        """The view as plain text (as laid out at the current size)."""
        return "\n".join(line.rstrip() for line in self._draw(Palette(self)).plain())


class _Grid(Canvas):
    """A :class:`Canvas` of Style objects, drawn as the line API's strips."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(width, height, blank_style=None)

    def strips(self) -> list[Strip]:
        out = []
        for chars, styles in zip(self.chars, self.styles):
            segments, start = [], 0
            for end in range(1, self.width + 1):
                if end == self.width or styles[end] is not styles[start]:
                    segments.append(Segment("".join(chars[start:end]), styles[start]))
                    start = end
            out.append(Strip(segments, self.width))
        return out

    def plain(self) -> list[str]:
        return ["".join(chars) for chars in self.chars]


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


def _bar_shade(a: Optional[float]) -> Shade:
    if a is not None and not math.isfinite(a):
        return ERROR
    return ("primary", 100)


def _activation_bg(a: float) -> Shade:
    """An activation in [0, 1] as the strength of the background behind its number."""
    return ("primary", max(4, round(TEXT_SHADE_MAX * min(1.0, max(0.0, a)))))
