"""ArraysView: a backprop step's arrays, every number or a heat map, in one widget.

The debugger shows a dozen arrays per step (z, a, σ′(z), δ, ∂C/∂b, ∂C/∂w, the
weights before and after), each with its shape. Drawn as one widget of a fixed
size with the line API, a step changes text, not the screen's layout, so a key
press redraws this panel alone (``benchmarks/bench_backprop_step.py``).
"""

from __future__ import annotations

import bisect
import math
import textwrap
from dataclasses import dataclass
from functools import cached_property
from typing import Optional, Sequence

import numpy as np
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.strip import Strip
from textual.widget import Widget

from nnsim.lessons.text import matrix
from nnsim.lessons.trace_view import array_label
from nnsim.tui.screens.backprop.heatmap import HeatGrid, as_matrix
from nnsim.tui.style.palette import CLEAR, ERROR, MUTED, LineCache, Palette, Shade, signed, strip
from nnsim.tui.style.shading import TEXT_SHADE_MAX

TEXT: Shade = ("foreground", 100)
# Arrays up to this size print every number; larger ones are heat maps.
NUMBER_ROWS = 32
NUMBER_COLUMNS = 6
HEAT_LINES = 8
GAP = 2  # between arrays side by side


def _hint(long: str, short: str, width: int) -> str:
    """The "⋯ more" line, short in a narrow panel so that the key it names stays in view."""
    return long if len(long) <= width else short


def quantity(label: str) -> str:
    """The quantity an array's label names: "w³ after" and "w³ before" are w³."""
    return label.removesuffix(" before").removesuffix(" after")


class NumberTable:
    """The lines of an array printed in full, as the shared TensorView prints it: the
    name and shape, then each value in a cell shaded by sign and size (blue positive,
    red negative, relative to the array's largest magnitude), one entry reversed."""

    def __init__(self, name: str, array, *, highlight: Optional[Sequence[int]] = None, note: str = "",
                 result: bool = False, cell: int = 0) -> None:
        self.name = name
        self.cell = cell
        """The width every number keeps (the widest of this quantity over the pass): 0, its own."""
        self.result = result
        self.array = as_matrix(array)
        self.highlight = tuple(highlight) if highlight is not None else None
        self.note = note
        self.window: Optional[tuple[int, int]] = None
        """The columns shown (start, stop) when not all fit the panel; None: all."""

    @cached_property
    def cells(self) -> list[list[str]]:
        # The array formatted as a whole (nnsim.lessons.text.matrix): one format and one width
        # for every entry, so decimal points and signs line up, as in ``nnsim run`` and the handout.
        start, stop = self.window or (0, self.array.shape[1])
        return [[f" {text.rjust(self.cell)} " for text in row[start:stop]] for row in matrix(self.array)]

    def fit(self, width: int) -> "NumberTable":
        """This table, or (wider than ``width``) the columns that fit around the highlighted
        one: a mini-batch's examples, the others one m away (the head says which are shown)."""
        cols = self.array.shape[1]
        if self.width <= width or cols == 1:
            return self
        cell = len(self.cells[0][0]) if self.cells and self.cells[0] else 1
        count = max(1, min(cols, width // cell))
        column = self.highlight[1] if self.highlight is not None else 0
        start = min((column // count) * count, cols - count)
        table = NumberTable(self.name, self.array, highlight=self.highlight, result=self.result, cell=self.cell,
                            note=f"columns {start}–{start + count - 1} (m)" if count > 1 else f"column {start} (m)")
        table.window = (start, start + count)
        return table

    @property
    def head(self) -> tuple[str, str]:
        rows, cols = self.array.shape
        return self.name, f"  ({rows}×{cols})" + (f"  {self.note}" if self.note else "")

    @cached_property
    def width(self) -> int:
        name, shape = self.head
        return max(len(name) + len(shape), max(sum(len(t) for t in row) for row in self.cells))

    @property
    def height(self) -> int:
        return 1 + self.array.shape[0]

    def strips(self, palette: Palette) -> list[Strip]:
        name, shape = self.head
        lines = [strip([palette.text(name, TEXT, bold=True), palette.text(shape, MUTED)])]
        a = self.array
        finite = a[np.isfinite(a)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
        for i, texts in enumerate(self.cells):
            segments = []
            first = self.window[0] if self.window else 0
            for j, text in enumerate(texts, first):
                v = float(a[i, j])
                if not math.isfinite(v):
                    style = palette.style(ERROR, None, bold=True)
                else:
                    bg = signed(v, scale, floor=4, strongest=TEXT_SHADE_MAX)
                    if self.highlight == (i, j):  # reversed, as TensorView's "bold reverse"
                        style = palette.style(bg if bg != CLEAR else ("background", 100), TEXT, bold=True)
                    else:
                        style = palette.style(TEXT, None if bg == CLEAR else bg)
                segments.append(Segment(text, style))
            lines.append(strip(segments))
        return lines


@dataclass(frozen=True)
class ArrayItem:
    """One array to show: its label as the book writes it, the values, the entry
    (row, column) that belongs to the selected neuron."""

    label: str
    array: np.ndarray
    highlight: Optional[tuple[int, int]] = None
    result: bool = False
    """What the step computes: the panel scrolls so that it is in view."""


class ArraysView(LineCache, Widget):
    """A step's arrays: heat maps first, then column vectors side by side (in order,
    while they fit), then the rest one under another in order; arrays up to 32 × 6 print every number, larger
    ones are heat maps (:class:`~nnsim.tui.screens.backprop.heatmap.HeatGrid`).

    Taller than the panel, it shows the part holding what the step computes (its
    result arrays), else the selected entry, with "⋯" lines saying how much is above
    and below; pgup/pgdn (from the screen, or j/k when the panel has the focus) and the
    mouse wheel scroll.
    """

    can_focus = True
    # Short, so that with the panel focused (Tab) the footer still has room for the debugger's keys.
    BINDINGS = [Binding("pagedown,j", "page(1)", "↓", key_display="pgdn", tooltip="Scroll the arrays down"),
                Binding("pageup,k", "page(-1)", "↑", key_display="pgup", tooltip="Scroll the arrays up")]

    DEFAULT_CSS = """
    ArraysView {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[ArrayItem] = []
        self.notes: list[str] = []
        self.top = 0
        """The first line shown."""
        self._focus_line: Optional[int] = None
        self._palette: Optional[Palette] = None
        self._blocks_laid: list = []
        self._starts: list = [0]
        self._drawn: dict[int, list[Strip]] = {}
        self._kept: dict = {}
        """Blocks and their drawn lines from earlier steps, by what they show: a pass
        shows the same arrays at many steps, and a 30×784 heat map costs a step's budget."""
        self._base = None
        self.cells: dict[str, int] = {}
        """The width of every number of a quantity (by :func:`quantity`) over the pass shown."""
        self._cells_of = None

    def _keep(self, key, arrays: tuple, make):
        """``make()``, or what it made before for the same ``key`` and the very same arrays."""
        found = self._kept.get(key)
        if found is not None and len(found[0]) == len(arrays) and all(a is b for a, b in zip(found[0], arrays)):
            return found[1]
        if len(self._kept) > 128:
            self._kept.clear()
        made = make()
        self._kept[key] = (arrays, made)
        return made

    def notify_style_update(self) -> None:
        self._kept.clear()  # the lines carry the old colours
        self._palette = None
        super().notify_style_update()

    def reserve_for(self, trace) -> None:
        """Keep each quantity's numbers as wide as its widest over ``trace``'s steps (w³
        before, w³ after and the forward pass's w³ alike), so stepping through a pass
        moves no column."""
        if trace is self._cells_of:
            return
        cells: dict[str, int] = {}
        for step in trace.steps:
            for name, array in step.arrays.items():
                a = as_matrix(array)
                if a.ndim == 2 and a.shape[0] <= NUMBER_ROWS and a.shape[1] <= NUMBER_COLUMNS and a.size:
                    key = quantity(array_label(name, step.layer))
                    cells[key] = max(cells.get(key, 0), max(len(t) for row in matrix(a) for t in row))
        self.cells, self._cells_of = cells, trace
        self.invalidate_lines()

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays shown, by label."""
        return {item.label: as_matrix(item.array) for item in self.items}

    def show(self, items: Sequence[ArrayItem], notes: Sequence[str] = ()) -> None:
        """Show ``items`` (and lines of ``notes`` under them), keeping the first
        highlighted entry in view."""
        self.items, self.notes = list(items), list(notes)
        self._focus_line = None
        self.invalidate_lines()
        self.refresh()

    def on_resize(self) -> None:
        self.invalidate_lines()

    # -- layout ---------------------------------------------------------------------------

    def _blocks(self, width: int) -> tuple[list, list, list]:
        """(heat maps, side-by-side tables, stacked tables) for a panel ``width`` wide."""
        heats, row, stacked = [], [], []
        used = 0
        # What the step computes first, when in the usual order it would not fit the panel.
        items = sorted(self.items, key=lambda i: not i.result) if self._results_first else self.items
        for item in items:
            a = as_matrix(item.array)
            if a.shape[0] <= NUMBER_ROWS and a.shape[1] <= NUMBER_COLUMNS:
                cell = self.cells.get(quantity(item.label), 0)
                table = self._keep(("table", item.label, item.highlight, item.result, cell, width), (item.array,),
                                   lambda: NumberTable(item.label, a, highlight=item.highlight, result=item.result,
                                                       cell=cell).fit(width))
                if a.shape[1] == 1 and used + table.width <= width:
                    row.append(table)
                    used += table.width + GAP
                else:
                    stacked.append(table)
            else:
                lines = max(2, min(HEAT_LINES, self.size.height // 3))
                heat = self._keep(("heat", item.label, item.highlight, width, lines), (item.array,),
                                  lambda: HeatGrid(item.label, a, max_width=max(8, width - 1), max_height=lines,
                                                   mark=item.highlight))
                heat.result = item.result
                heats.append(heat)
        return heats, row, stacked

    _results_first = False

    def _layout(self) -> None:
        """Where each block starts; the blocks' lines are drawn only when shown. The result
        arrays go first when, in the usual order, they would not all be in view at once."""
        self._results_first = False
        self._lay_out()
        span = self._result_span
        if span is not None and span[1] - span[0] + 1 > self.size.height - 2 and self.total_lines > self.size.height:
            self._results_first = True
            self._lay_out()

    def _lay_out(self) -> None:
        width = max(self.size.width, 10)
        heats, row, stacked = self._blocks(width)
        blocks: list[tuple[str, object, int]] = []  # (kind, block, height)
        results: list[tuple[int, int]] = []  # (first line, last line) of each block holding a result
        for heat in heats:  # first: a weight matrix's picture is the point of a big layer's step
            if getattr(heat, "result", False):
                results.append((sum(h for _, _, h in blocks), sum(h for _, _, h in blocks) + heat.height - 1))
            blocks.append(("block", heat, heat.height))
        top = sum(h for _, _, h in blocks)
        focus = None
        if row:
            blocks.append(("row", row, max(table.height for table in row)))
            marked = next((t for t in row if t.highlight is not None), None)
            if marked is not None:
                focus = top + 1 + marked.highlight[0]
            if any(t.result for t in row):
                results.append((top, top + max(t.height for t in row if t.result) - 1))
            top += blocks[-1][2]
        for block in stacked:
            if focus is None and isinstance(block, NumberTable) and block.highlight is not None:
                focus = top + 1 + block.highlight[0]
            if block.result:
                results.append((top, top + block.height - 1))
            blocks.append(("block", block, block.height))
            top += block.height
        self._result_span = (min(s for s, _ in results), max(e for _, e in results)) if results else None
        for note in self.notes:  # wrapped to the panel, so a narrow one still says it all
            blocks += [("note", line, 1) for line in textwrap.wrap(note, width) or [""]]
        self._blocks_laid = blocks
        self._starts = list(np.cumsum([0] + [h for _, _, h in blocks]))
        self._drawn: dict[int, list[Strip]] = {}
        self._focus_line = focus

    @property
    def total_lines(self) -> int:
        return int(self._starts[-1])

    def _draw_block(self, k: int) -> list[Strip]:
        kind, block, height = self._blocks_laid[k]
        parts = tuple(block) if kind == "row" else (block,)
        return self._keep(("drawn", kind, height, self._palette, self._base), parts,
                          lambda: self._draw_lines(kind, block, height))

    def _draw_lines(self, kind: str, block, height: int) -> list[Strip]:
        palette = self._palette
        base = self._base
        if kind == "row":
            drawn = [table.strips(palette) for table in block]
            lines = []
            for y in range(height):
                segments: list[Segment] = []  # one strip per line (a strip is not cheap to make)
                for table, strips in zip(block, drawn):
                    used = 0
                    if y < len(strips):
                        segments += strips[y]
                        used = strips[y].cell_length
                    if table.width > used:
                        segments.append(Segment(" " * (table.width - used)))
                    segments.append(Segment(" " * GAP))
                lines.append(Strip(Segment.apply_style(segments, base)))
            return lines
        elif kind == "note":
            lines = [strip([palette.text(block, MUTED)])]
        else:
            lines = block.strips(palette)
        return [line.apply_style(base) for line in lines]

    def _line(self, i: int) -> Strip:
        k = bisect.bisect_right(self._starts, i) - 1
        if k not in self._drawn:
            self._drawn[k] = self._draw_block(k)
        lines = self._drawn[k]
        j = i - int(self._starts[k])
        return lines[j] if j < len(lines) else Strip.blank(self.size.width, self.rich_style)

    def render_line(self, y: int) -> Strip:
        if self._strips is None or self._theme != self.app.theme:
            if self._theme != self.app.theme or self._palette is None:
                self._kept.clear()
                self._palette = Palette(self)
            self._theme = self.app.theme
            self._base = self.rich_style
            self._layout()
            self._strips = []  # laid out; blocks are drawn as they come into view
            self._scroll_to_focus()
        height, top, total = self.size.height, self.top, self.total_lines
        base = self._base
        if top > 0 and y == 0:
            return strip([self._palette.text(_hint(f"⋯ {top} more lines above", f"⋯ {top} more (pgup)",
                                                   self.size.width), MUTED)]).apply_style(base)
        if top + height < total and y == height - 1:
            below = total - top - height + 1
            return strip([self._palette.text(_hint(f"⋯ {below} more lines below (pgdn)", f"⋯ {below} more (pgdn)",
                                                   self.size.width), MUTED)]).apply_style(base)
        i = top + y
        return self._line(i) if i < total else Strip.blank(self.size.width, base)

    def _scroll_to_focus(self) -> None:
        """Keep what the step computes in view (its result arrays, whole when they fit),
        else the highlighted entry's line (a few lines of context above it)."""
        height, total = self.size.height, self.total_lines
        if total <= height:
            self.top = 0
            return
        span = getattr(self, "_result_span", None)
        if span is not None:
            # Lines 0 and height − 1 may carry the "⋯ more" notes: the span goes between them.
            first, last = span
            low, high = last - height + 2, first - 1
            self.top = max(0, min(max(self.top, low), high) if low <= high else first - 1)
            self.top = max(0, min(self.top, total - height))
            return
        focus = self._focus_line
        if focus is not None and not self.top < focus < self.top + height - 1:
            self.top = focus - 3
        self.top = max(0, min(self.top, total - height))

    # -- the mouse wheel ------------------------------------------------------------------

    def _scroll(self, delta: int) -> None:
        if self._strips is None:  # not laid out since the last change (a resize): lay out first
            self.render_line(0)
        total = self.total_lines
        top = max(0, min(self.top + delta, max(0, total - self.size.height)))
        if top != self.top:
            self.top = top
            self.refresh()

    def page(self, direction: int) -> None:
        """Scroll by a panel's height less two lines (pgup/pgdn, from the screen or when focused)."""
        self._scroll(direction * max(1, self.size.height - 2))

    def action_page(self, direction: int) -> None:
        self.page(direction)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-3)

    @property
    def text(self) -> str:
        """Every line as plain text (not only the part in view)."""
        if self._strips is None:
            self.render_line(0)
        return "\n".join(self._line(i).text.rstrip() for i in range(self.total_lines))
