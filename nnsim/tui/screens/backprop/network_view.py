"""NetworkView: a feedforward network as columns of neurons joined by their weights."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from nnsim.core.activations import most_active
from nnsim.lessons.diagrams import Edges, Flow
from nnsim.tui.screens.backprop.columns import (  # noqa: F401 (LayerColumn, layer_texts: this view's API)
    DIGIT_SIDE, GAP, SUB_GAP, SUMMARY_ABOVE, VALUE_WIDTH, WIDE_GAP, LayerColumn, Layout, activation_bg, bar,
    bar_shade, head_line, layer_texts, layout_columns, marks_answer, output_texts, plan_columns, strength,
    z_column,
)
from nnsim.tui.screens.backprop.columns import scale as scale_of_layer
from nnsim.tui.screens.backprop.digit_layer import digit_cells, mark_pixels
from nnsim.tui.screens.backprop.edges import LEGEND, arrowhead, draw_edge, label_at, scale_of
from nnsim.tui.style.canvas import StripCanvas, StripRows
from nnsim.tui.style.format import fmt
from nnsim.tui.style.palette import CLEAR, ERROR, MUTED, LineCache, Palette, Shade, intensity, signed
from nnsim.tui.style.shading import TEXT_SHADE_MAX

MIN_WIDTH = 20
MAX_SHARE = 0.65
TEXT: Shade = ("foreground", 100)
ACCENT: Shade = ("accent", 100)
MARK = "◀"  # beside the most active output: the answer the network gives


class NetworkView(LineCache, Widget):
    """Columns of neurons, one per layer, joined by their weights, the way the book draws a network.

    Each neuron is a row: its index, a bar as high as its activation, its z once the
    pass has computed it and its number (the activation, or δ in the backward half
    of a pass). Layers the pass has not reached show "·". Neurons spread over the
    height the view has, and the gaps between layers take the width.

    Edges (:mod:`nnsim.lessons.diagrams`): every one for layers of up to ten neurons,
    else each neuron's top-k by |w| (k in the legend). Sign and size are encoded as
    :mod:`~nnsim.tui.screens.backprop.edges` says. The step's ``flow`` lights the edges
    it uses, by what they carry (w forward, w·δ in BP2, ∂C/∂w, Δw), with an arrowhead
    on the receiving side; the selected neuron's edges are drawn on top, bold, with
    their numbers where there is room.

    A layer that does not fit the height wraps into sub-columns of bars; a layer of
    784 pixels is the 28×28 digit in half-blocks when there is room, else a summary.
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
        self.edges: list[Edges] = []
        self.flow: Optional[Flow] = None
        self._gap = GAP
        self._rows = StripRows()
        self._palette: Optional[Palette] = None
        self._digit_rows: tuple = (None, None, ())  # (values, (lines, x, width), rows drawn)
        self._anchor_cache: dict = {}
        self._text_cache: dict = {}
        self.input_beside = False
        """The input is drawn beside the view (the 28×28 panel): its column may give way."""
        self.reserved = 0
        """Columns beside the view that other panels keep (with ``width: auto`` the view
        takes at most MAX_SHARE of what is left)."""

    def show(self, columns: Sequence[LayerColumn], current: Optional[int] = None, direction: str = "",
             selected: Optional[tuple[int, int]] = None, edges: Sequence[Edges] = (),
             flow: Optional[Flow] = None) -> None:
        """Draw ``columns`` joined by ``edges``; ``current`` is the highlighted column's index,
        ``direction`` "forward" or "backward", ``selected`` a (column, neuron) pair and
        ``flow`` what the step's edges carry."""
        self.columns = list(columns)
        self.current = current
        self.direction = direction
        self.selected = selected
        self.edges = list(edges)
        self.flow = flow
        self._redraw()

    # -- drawing only what changed ---------------------------------------------------------

    def _redraw(self) -> None:
        """Draw now and refresh the rows that changed (a step lights some edges and
        numbers; the digit and most edges stay as they were)."""
        if not self.is_mounted or self._strips is None or self._theme != self.app.theme or not self.size:
            self.invalidate_lines()
            self.refresh()
            return
        changed = self._rows.update(self._draw(self._palette_now()), self.rich_style)
        self._strips = self._rows.strips
        width = self.size.width
        start = None
        for y in changed + [None]:  # contiguous runs of changed rows, one region each
            if start is not None and (y is None or y != end + 1):
                self.refresh(Region(0, start, width, end - start + 1))
                start = None
            if y is not None:
                if start is None:
                    start = y
                end = y

    def _palette_now(self) -> Palette:
        if self._palette is None:
            self._palette = Palette(self)
        return self._palette

    def invalidate_lines(self) -> None:
        super().invalidate_lines()
        self._palette = None  # a new theme or background: colours resolved again

    def lines(self) -> list[Strip]:
        if self._strips is None or self._theme != self.app.theme:
            self._theme = self.app.theme
            self._palette = None
            self._rows.update(self._draw(self._palette_now()), self.rich_style)
            self._strips = self._rows.strips
        return self._strips

    # -- layout -------------------------------------------------------------------------

    def _plan(self, width: int, rows: int, gap_wanted: int = GAP) -> tuple[list[tuple[str, int, int]], int]:
        return plan_columns(self.columns, width, rows, gap_wanted, self.input_beside)

    def answer(self, i: int) -> Optional[int]:
        """The most active neuron of column ``i`` when it is an output layer read as a
        classifier (the core's ``most_active``), once the pass has computed it."""
        col = self.columns[i]
        if not marks_answer(self.columns, i) or col.activations is None:
            return None
        a = np.asarray(col.activations, dtype=np.float64)
        return None if not np.isfinite(a).all() else int(most_active(a.reshape(-1, 1))[0])

    def natural_width(self, rows: int) -> int:
        """The width that shows every layer with its numbers, z and roomy gaps."""
        plans, gap = self._plan(10_000, max(1, rows), WIDE_GAP)
        return sum(p[2] for p in plans) + gap * (len(plans) - 1)

    def get_content_width(self, container, viewport) -> int:
        # Asked for only with ``width: auto``: as wide as the layout that fits MAX_SHARE of
        # the room, so the panels beside it keep theirs.
        rows = max(1, container.height - 4 - 2)
        room = int((container.width - self.reserved) * MAX_SHARE)
        natural = self.natural_width(rows)
        if natural > room and self.columns:
            # A single column drawn (80 columns: the outputs alone) has no gaps to spread
            # over the room: the view is as wide as it, and the arrays beside it get the rest.
            shown = [p for p in self._layout(room, container.height - 2)[0] if p[0] != "none"]
            if len(shown) == 1:
                return max(MIN_WIDTH, min(room, shown[0][2]))
        return max(MIN_WIDTH, min(room, natural))

    def build_lines(self, palette: Palette) -> list[Strip]:
        return self._draw(palette).strips()

    def on_resize(self) -> None:
        # The layout depends on the size; without a refresh Textual keeps the lines drawn at
        # the old size (at 80×24 the view's height follows the step's equation).
        self.invalidate_lines()
        self.refresh()

    def _draw(self, palette: Palette) -> "_Grid":
        width = max(self.size.width, MIN_WIDTH)
        height = max(self.size.height, 6)
        if not self.columns:
            return _Grid(width, height)
        plans, gap, rows, legend, inline = self._layout(width, height)
        grid = _Grid(width, height + inline)
        self._gap = gap
        x = 0
        anchors: list[list[tuple[int, int, int]]] = []  # per column, per neuron: (row, left, right)
        lefts = []
        for col, (mode, subs, w) in zip(self.columns, plans):
            lefts.append(x)
            anchors.append(self._anchors(col, mode, subs, w, x, rows))
            if mode != "none":
                x += w + gap
        self._edges(grid, palette, anchors, gap, plans)
        for i, (col, (mode, subs, w)) in enumerate(zip(self.columns, plans)):
            if mode == "none":
                continue
            x = lefts[i]
            self._head(grid, palette, i, col, x, w, mode, inline)
            if mode == "summary":
                self._summary(grid, palette, col, x)
            elif mode == "digit":
                self._digit(grid, palette, col, x)
            elif mode == "bars":
                self._bars(grid, palette, i, col, x, rows)
            elif mode.startswith("outputs"):
                self._outputs(grid, palette, i, col, anchors[i])
            else:
                self._numbers(grid, palette, i, col, anchors[i], mode == "numbers+z")
        if legend:
            self._legend(grid, palette, grid.height - 1)
        if inline:  # the heads' second line is empty: the neurons move up to the first
            del grid.chars[1], grid.styles[1]
            grid.height -= 1
        return grid

    def _layout(self, width: int, height: int) -> Layout:
        return layout_columns(self.columns, width, height, self.input_beside)

    def _anchors(self, col: LayerColumn, mode: str, subs: int, w: int, x: int, rows: int) -> list[tuple[int, int, int]]:
        """Where each neuron sits: its row and the cells an edge leaves from and arrives at."""
        key = (col.size, mode, subs, w, x, rows, self._gap)
        found = self._anchor_cache.get(key)
        if found is None:
            if len(self._anchor_cache) > 64:
                self._anchor_cache.clear()
            found = self._anchor_cache[key] = self._place(col, mode, subs, w, x, rows)
        return found

    def _place(self, col: LayerColumn, mode: str, subs: int, w: int, x: int, rows: int) -> list[tuple[int, int, int]]:
        if mode == "none":
            return []
        if mode == "summary":
            mid = 2 + min(rows, 4) // 2
            return [(mid, x, x + w - 1)] * col.size
        if mode == "digit":
            lines = min(rows, DIGIT_SIDE // 2)
            return [(2 + min(lines - 1, (p // DIGIT_SIDE) * lines // DIGIT_SIDE), x + p % DIGIT_SIDE, x + w - 1)
                    for p in range(col.size)]
        if mode == "bars":
            return [(2 + j % rows, x + 2 * (j // rows), x + 2 * (j // rows) + 1) for j in range(col.size)]
        if subs == 1:
            # Spread over the height, but not so far apart that the edges become cliffs.
            spacing = min(rows / col.size, max(2.0, self._gap / 2))
            top = 2 + (rows - spacing * col.size) / 2
            return [(int(top + (j + 0.5) * spacing), x, x + w - 1) for j in range(col.size)]
        gap = SUB_GAP if mode.startswith("numbers") or mode == "outputs" else 0
        cell = (w - (subs - 1) * gap) // subs
        per = math.ceil(col.size / subs)  # sub-columns of even length: 10 outputs in 9 rows are 5 + 5
        return [(2 + j % per, x + (j // per) * (cell + gap), x + (j // per) * (cell + gap) + cell - 1)
                for j in range(col.size)]

    @staticmethod
    def _behind(anchors, mode: str) -> tuple[dict[int, int], dict[int, int]]:
        """A layer of numbers wrapped into sub-columns: where edges into a later sub-column
        may start (past the sub-columns before it) and where edges out of an earlier one
        may start (past the last), so that no edge runs over a neuron's numbers.
        (neuron → first column) for incoming and outgoing edges."""
        if not (mode.startswith("numbers") or mode.startswith("outputs")) or len({a[1] for a in anchors}) < 2:
            return {}, {}
        ends = sorted({a[2] for a in anchors})
        into = {j: ends[ends.index(a[2]) - 1] + 3 for j, a in enumerate(anchors) if a[2] != ends[0]}
        out = {j: ends[-1] + 3 for j, a in enumerate(anchors) if a[2] != ends[-1]}
        return into, out

    def _edges(self, grid: "_Grid", palette: Palette, anchors, gap: int, plans) -> None:
        flow = self.flow
        sel_col, sel_j = self.selected if self.selected is not None else (None, None)
        for edges in self.edges:
            i = edges.into - 1  # the column the edges enter
            if not 1 <= i < len(anchors) or not anchors[i] or not anchors[i - 1]:
                continue
            lit = flow is not None and flow.into == edges.into
            values = flow.values[edges.rows, edges.cols] if lit else edges.weights
            scale = scale_of(values)
            src, dst = anchors[i - 1], anchors[i]
            clip_in, clip_out = self._behind(dst, plans[i][0])[0], self._behind(src, plans[i - 1][0])[1]
            mine = [n for n in range(len(edges)) if (i == sel_col and edges.rows[n] == sel_j)
                    or (i - 1 == sel_col and edges.cols[n] == sel_j)]
            mine_set = set(mine)
            order = sorted((n for n in range(len(edges)) if n not in mine_set),
                           key=lambda n: strength(values[n]))
            for n in order + mine:
                k, j = int(edges.cols[n]), int(edges.rows[n])
                (r0, _, x0), (r1, x1, _) = src[k], dst[j]
                start = max(x0 + 2, clip_in.get(j, 0), clip_out.get(k, 0))  # out from behind other numbers
                draw_edge(grid, palette, start, r0, x1 - 2, r1, float(values[n]), scale, lit, bold=n in mine_set)
            if lit:
                head = arrowhead(flow.backward)
                style = palette.style(ACCENT, bold=True)
                for n in range(len(edges)):
                    k, j = int(edges.cols[n]), int(edges.rows[n])
                    if flow.backward:
                        r, _, right = src[k]
                        grid.write(r, right + 1, head, style)
                    else:
                        r, left, _ = dst[j]
                        grid.write(r, left - 1, head, style)
            if gap >= 9 and mine:
                self._labels(grid, palette, edges, mine, values, src, dst, i == sel_col)

    def _labels(self, grid: "_Grid", palette: Palette, edges: Edges, mine: list[int], values, src, dst,
                incoming: bool) -> None:
        """The selected neuron's numbers on its edges: a third of the way from the end
        where they fan out, so they do not sit on one another."""
        for n in mine:
            k, j = int(edges.cols[n]), int(edges.rows[n])
            (r0, _, x0), (r1, x1, _) = src[k], dst[j]
            text = fmt(float(values[n]), 2)
            t = 0.3 if incoming else 0.7
            c, r = label_at(x0 + 2, r0, x1 - 2, r1, t, len(text))
            grid.write(r, c, text, palette.style(TEXT, ("background", 100), bold=True))

    def _legend(self, grid: "_Grid", palette: Palette, row: int) -> None:
        parts = [LEGEND]
        top = [e.k for e in self.edges if e.k is not None]
        if top:
            parts.append(f"top-{max(top)} |w| into each neuron"
                         + (", their pixels coloured" if any(e.into == 2 and e.k for e in self.edges)
                            and self.columns and self.columns[0].size == DIGIT_SIDE ** 2 else ""))
        if self.flow is not None:
            parts.append(f"lit: {self.flow.symbol}" + (" ◂" if self.flow.backward else " ▸"))
        if any(self.answer(i) is not None for i in range(len(self.columns))):
            parts.append(f"{MARK} most active")
        grid.write(row, 0, "  ".join(parts)[: grid.width], palette.style(MUTED))

    def _head(self, grid: "_Grid", palette: Palette, i: int, col: LayerColumn, x: int, w: int, mode: str,
              inline: bool = False) -> None:
        current = i == self.current
        title = f" {col.title} " if current else col.title
        style = palette.style(("background", 100), ACCENT, bold=True) if current else palette.style(TEXT, bold=True)
        grid.write(0, x, title[: w], style)
        symbol = col.symbol + ("" if col.numbers is not None else "  ·")
        if inline:  # after the title, on its line (the view is short of rows)
            at = len(head_line(col)) - len(symbol)
            grid.write(0, x + at, symbol[: max(0, w - at)], palette.style(ACCENT if current else MUTED))
            return
        if mode == "numbers+z":
            digits = len(str(col.size - 1))
            shade = palette.style(ACCENT if current else MUTED)
            grid.write(1, x + 3 + digits, f"z{col.symbol[1:2]}".center(VALUE_WIDTH), shade)
            grid.write(1, x + 4 + digits + VALUE_WIDTH, symbol.split(" ")[0].center(VALUE_WIDTH), shade)
            return
        grid.write(1, x, symbol[: w], palette.style(ACCENT if current else MUTED))

    def _is_selected(self, i: int, j: int) -> bool:
        return self.selected == (i, j)

    def _numbers(self, grid: "_Grid", palette: Palette, i: int, col: LayerColumn, anchors, with_z: bool) -> None:
        values = col.numbers
        scale = scale_of_layer(values) if col.show_deltas and values is not None else 0.0
        texts = self._texts(values, layer_texts)
        z_texts = self._texts(col.zs, z_column) if with_z else None
        answer = self.answer(i)
        digits = len(str(col.size - 1))
        for j in range(col.size):
            r, left, _ = anchors[j]
            selected = self._is_selected(i, j)
            grid.write(r, left, "▶" if selected else " ", palette.style(ACCENT, bold=True))
            grid.write(r, left + 1, str(j).rjust(digits), palette.style(TEXT, bold=True) if selected
                       else palette.style(MUTED))
            a = None if col.activations is None else float(col.activations[j])
            grid.write(r, left + 1 + digits, " ", palette.style(TEXT))
            grid.write(r, left + 2 + digits, bar(a), palette.style(bar_shade(a), bold=a is not None and not math.isfinite(a)))
            at = left + 3 + digits
            if with_z:
                z = None if col.zs is None else float(col.zs[j])
                grid.write(r, at, "·".center(VALUE_WIDTH) if z is None else z_texts[j],
                           palette.style(MUTED if z is None else TEXT))
                grid.write(r, at + VALUE_WIDTH, " ", palette.style(TEXT))
                at += VALUE_WIDTH + 1
            if values is None:
                grid.write(r, at, "·".center(VALUE_WIDTH), palette.style(MUTED))
                continue
            v = float(values[j])
            text = texts[j]
            if not math.isfinite(v):
                style = palette.style(ERROR, bold=True)
            else:
                bg = signed(v, scale, floor=4, strongest=TEXT_SHADE_MAX) if col.show_deltas else activation_bg(v)
                style = (palette.style(bg if bg != CLEAR else ("background", 100), TEXT, bold=True) if selected
                         else palette.style(TEXT, None if bg == CLEAR else bg))
            grid.write(r, at, text, style)
            if j == answer:
                grid.write(r, at + len(text), MARK, palette.style(ACCENT, bold=True))

    def _outputs(self, grid: "_Grid", palette: Palette, i: int, col: LayerColumn, anchors) -> None:
        """A layer wrapped into sub-columns, every value kept: ▶ index value per neuron
        (its shade the activation, or δ), the output layer's most active marked ◀ (the
        digit the network reads)."""
        values = col.numbers
        scale_ = scale_of_layer(values) if col.show_deltas and values is not None else 0.0
        texts = self._texts(values, output_texts)
        digits = len(str(col.size - 1))
        answer = self.answer(i)
        for j in range(col.size):
            r, left, _ = anchors[j]
            selected = self._is_selected(i, j)
            grid.write(r, left, "▶" if selected else " ", palette.style(ACCENT, bold=True))
            grid.write(r, left + 1, str(j).rjust(digits), palette.style(TEXT, bold=True) if selected or j == answer
                       else palette.style(MUTED))
            at = left + 2 + digits
            if values is None:
                grid.write(r, at, "·".center(len(texts[j]) if texts else 5), palette.style(MUTED))
                continue
            v = float(values[j])
            if not math.isfinite(v):
                style = palette.style(ERROR, bold=True)
            else:
                bg = signed(v, scale_, floor=4, strongest=TEXT_SHADE_MAX) if col.show_deltas else activation_bg(v)
                style = palette.style(TEXT, None if bg == CLEAR else bg, bold=selected)
            grid.write(r, at, texts[j], style)
            if j == answer:
                grid.write(r, at + len(texts[j]), MARK, palette.style(ACCENT, bold=True))

    def _texts(self, values, write) -> list[str]:
        """A layer's numbers as written, remembered: a pass shows the same a, z and δ at
        many steps, and formatting a column is a good part of a step's drawing."""
        if values is None:
            return []
        v = np.asarray(values, dtype=np.float64)
        key = (write, v.tobytes())
        found = self._text_cache.get(key)
        if found is None:
            if len(self._text_cache) > 256:
                self._text_cache.clear()
            found = self._text_cache[key] = write(v)
        return found

    def _digit(self, grid: "_Grid", palette: Palette, col: LayerColumn, x: int) -> None:
        """The 784 inputs as the 28×28 digit, two pixel rows per line (▀: top in front)."""
        values = col.activations
        if values is None:
            return
        lines = min(max(1, self.size.height - 3), DIGIT_SIDE // 2)
        width = min(DIGIT_SIDE, grid.width - x)
        where = (lines, x, width, id(palette))
        seen, at, drawn = self._digit_rows
        if at != where or seen is None or not np.array_equal(seen, values, equal_nan=True):
            drawn = digit_cells(palette, np.asarray(values, dtype=np.float64), lines, width)
            self._digit_rows = (np.array(values, dtype=np.float64), where, drawn)
        for r, styles in enumerate(drawn):
            row = 2 + r
            if row >= grid.height:
                break
            grid.chars[row][x:x + width] = ["▀"] * width
            grid.styles[row][x:x + width] = styles
        chosen = self.selected[1] if self.selected is not None and self.selected[0] == 1 else None
        mark_pixels(grid, palette, self._digit_rows[0], next((e for e in self.edges if e.into == 2), None),
                    chosen, x, lines, width)

    def _bars(self, grid: "_Grid", palette: Palette, i: int, col: LayerColumn, x: int, rows: int) -> None:
        """A grid of shaded cells, one per neuron, column by column: activations as ink,
        δ blue/red by sign."""
        values = col.numbers
        scale = scale_of_layer(values) if col.show_deltas and values is not None else 0.0
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

    @property
    def text(self) -> str:
        """The view as plain text (as laid out at the current size)."""
        return "\n".join(line.rstrip() for line in self._draw(Palette(self)).plain())


_Grid = StripCanvas
