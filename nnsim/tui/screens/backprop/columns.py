"""The network view's layer columns: what one holds, how wide each is drawn, the texts of its cells.

:func:`plan_columns` decides, for the room a view has, how every layer is drawn
(:class:`~nnsim.tui.screens.backprop.network_view.NetworkView` places it). What gives way
when the room is short, in order: z, the wide gaps, the digit (a summary instead), the
hidden layers' numbers (bars instead); then, so that the output layer keeps every value
(what the network answers), the input column when the digit is drawn beside the view,
and hidden layers from the left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from nnsim.lessons.text import column, fit, minus
from nnsim.tui.style.format import fmt_fixed
from nnsim.tui.style.palette import ERROR, Shade
from nnsim.tui.style.shading import TEXT_SHADE_MAX

# A layer with more neurons than this is summarised (784 pixels), not drawn neuron by neuron.
SUMMARY_ABOVE = 64
BARS = " ▁▂▃▄▅▆▇█"
VALUE_WIDTH = 7
OUTPUT_VALUE_WIDTH = 5  # an output's value in a wrapped output column: 0.97, 3e−05, −0.01
GAP = 5
WIDE_GAP = 16  # between layers when there is room: edges and their numbers
NARROW_GAP = 3
SUB_GAP = 6  # between the sub-columns of a wrapped layer of numbers: the edges into the later ones
DIGIT_SIDE = 28
DIGIT_MIN_ROWS = 6  # the digit squeezed to fewer lines than its 14 (pixel rows sampled)
SUMMARY_WIDTH = 12
MARK_ABOVE = 2  # an output layer of more neurons is read as a classifier: its most active is marked

Plan = tuple[str, int, int]  # (mode, sub-columns, width)
Layout = tuple[list[Plan], int, int, bool, bool]  # plans, gap, rows, legend drawn, heads on one line


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
        zs: each neuron's weighted input z (n,), or None before the pass computes it.
    """

    title: str
    size: int
    activations: Optional[np.ndarray] = None
    deltas: Optional[np.ndarray] = None
    symbol: str = ""
    show_deltas: bool = False
    zs: Optional[np.ndarray] = None

    @property
    def numbers(self) -> Optional[np.ndarray]:
        return self.deltas if self.show_deltas else self.activations


def marks_answer(columns: Sequence[LayerColumn], i: int) -> bool:
    """Whether column ``i`` is an output layer whose most active neuron is marked (◀)."""
    return i == len(columns) - 1 and i > 0 and columns[i].size > MARK_ABOVE


def cell_width(col: LayerColumn, with_z: bool, marked: bool = False) -> int:
    """One neuron's row: ▶, its index, its bar, [z,] its number[, ◀ for the answer]."""
    return 1 + len(str(col.size - 1)) + 2 + VALUE_WIDTH + (VALUE_WIDTH + 1 if with_z else 0) + int(marked)


def output_cell(col: LayerColumn) -> int:
    """One output in a wrapped output column: ▶, index, a space, its value, ◀."""
    return 1 + len(str(col.size - 1)) + 1 + OUTPUT_VALUE_WIDTH + 1


def plan_columns(columns: Sequence[LayerColumn], width: int, rows: int, gap_wanted: int = GAP,
                 input_beside: bool = False) -> tuple[list[Plan], int]:
    """For each column (mode, sub-columns, width), mode "numbers", "numbers+z", "bars",
    "outputs" (a layer wrapped into sub-columns of compact cells), "digit", "summary" or "none"
    (not drawn); and the gap between the columns drawn. See the module's docstring for
    what gives way first."""
    plans: list[Plan] = []
    last = len(columns) - 1
    for i, col in enumerate(columns):
        if col.size > SUMMARY_ABOVE:
            digit = col.size == DIGIT_SIDE * DIGIT_SIDE and rows >= DIGIT_MIN_ROWS
            plans.append(("digit", 1, DIGIT_SIDE) if digit else ("summary", 1, SUMMARY_WIDTH))
            continue
        subs = math.ceil(col.size / rows)
        if i > 0 and subs > 1:  # wrapped: compact cells, every value kept, room for edges between
            cell = output_cell(col) - (0 if marks_answer(columns, i) else 1)
            plans.append(("outputs", subs, subs * cell + (subs - 1) * SUB_GAP))
            continue
        with_z = i > 0 and subs == 1
        plans.append(("numbers+z" if with_z else "numbers", subs,
                      subs * cell_width(col, with_z, marks_answer(columns, i)) + (subs - 1) * SUB_GAP))

    def total() -> int:
        shown = [p for p in plans if p[0] != "none"]
        return sum(p[2] for p in shown) + NARROW_GAP * max(0, len(shown) - 1)

    if total() > width:
        for i, (mode, subs, w) in enumerate(plans):
            if mode == "numbers+z":
                plans[i] = ("numbers", subs, subs * cell_width(columns[i], False, marks_answer(columns, i))
                            + (subs - 1) * SUB_GAP)
    if total() > width:
        for i, (mode, subs, w) in enumerate(plans):
            if mode == "digit":
                plans[i] = ("summary", 1, SUMMARY_WIDTH)
    for i in sorted(range(len(plans)), key=lambda i: -plans[i][2]):
        if total() <= width:
            break
        mode, subs, w = plans[i]
        if (mode.startswith("numbers") or mode == "outputs") and i != last:
            col = columns[i]
            cols = math.ceil(col.size / rows)
            bars = max(len(col.title), cols * 2 + 1, len(str(col.size - 1)) + 8)
            if bars < w:
                plans[i] = ("bars", cols, bars)
    if total() > width and input_beside and len(plans) > 1:
        plans[0] = ("none", 0, 0)  # the digit beside the view is the input layer
    for i in range(1, last):
        if total() <= width:
            break
        plans[i] = ("none", 0, 0)
    for i, (mode, subs, w) in enumerate(plans):  # last: wrapped cells close up (no edges between them)
        if total() > width and mode == "outputs":
            plans[i] = ("outputs-tight", subs, w - (subs - 1) * SUB_GAP)
    shown = sum(1 for p in plans if p[0] != "none")
    used = sum(p[2] for p in plans)
    gap = max(NARROW_GAP, min(gap_wanted, (width - used) // max(1, shown - 1))) if shown > 1 else 0
    return plans, gap


def layout_columns(columns: Sequence[LayerColumn], width: int, height: int,
               input_beside: bool = False) -> Layout:
    """How the layers are drawn in ``width`` × ``height``: (plans, gap, the neurons' rows,
    whether the legend's line is drawn, whether each head is one line)."""
    legend, inline = True, False
    rows = max(1, height - 3)  # title, symbol, …, the legend
    plans, gap = plan_columns(columns, width, rows, WIDE_GAP, input_beside)
    if any(p[0] == "none" for p in plans):  # short of room: the legend's line goes to the layers
        roomier = plan_columns(columns, width, rows + 1, WIDE_GAP, input_beside)
        if _score(roomier, width) > _score((plans, gap), width):
            legend, rows, (plans, gap) = False, rows + 1, roomier
    if any(p[0] == "bars" for p in plans) and rows > 1:  # a line under the bars for the selected number
        rows -= 1
        plans, gap = plan_columns(columns, width, rows, WIDE_GAP, input_beside)
    # A wrapped output layer short of rows (80×24): a head on one line ("layer 3  a³"), and
    # if need be the legend's line, give its values rows, so that they wrap into fewer,
    # narrower sub-columns and every value fits the width.
    if any(p[0].startswith("outputs") for p in plans) and _heads_fit_one_line(columns, plans):
        best, chosen = (plans, gap), None
        for extra, keep in ((1, legend), (1 + legend, False)):
            taller = plan_columns(columns, width, rows + extra, WIDE_GAP, input_beside)
            if _fit(taller, width) > _fit(best, width):
                best, chosen = taller, (rows + extra, keep)
        if chosen is not None:
            (plans, gap), (rows, legend), inline = best, chosen, True
    return plans, gap, rows, legend, inline


def _heads_fit_one_line(columns, plans) -> bool:
    return all(p[0] == "none" or (p[0] != "numbers+z" and len(head_line(col)) <= p[2])
               for col, p in zip(columns, plans))


def head_line(col: LayerColumn) -> str:
    """A column's head as one line, as wide as it is when highlighted: " layer 3  a³"."""
    return f" {col.title}  " + col.symbol + ("" if col.numbers is not None else "  ·")


def _fit(planned, width: int) -> tuple[bool, int, int]:
    """A plan's score, then the narrower the better (a wrapped layer in fewer sub-columns)."""
    plans, _ = planned
    return (*_score(planned, width), -sum(p[2] for p in plans if p[0] != "none"))


def _score(planned, width: int) -> tuple[bool, int]:
    """How well a plan shows the network: every column drawn inside the width first, then
    how many layers are drawn."""
    plans, gap = planned
    shown = [p for p in plans if p[0] != "none"]
    return sum(p[2] for p in shown) + gap * (len(shown) - 1) <= width, len(shown)


# -- the texts and shades of the cells ---------------------------------------------------

def scale(values) -> float:
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0


def bar(a: Optional[float]) -> str:
    if a is None:
        return " "
    if not math.isfinite(a):
        return "!"
    return BARS[max(1, min(8, round(a * 8)))]


def bar_shade(a: Optional[float]) -> Shade:
    if a is not None and not math.isfinite(a):
        return ERROR
    return ("primary", 100)


def activation_bg(a: float) -> Shade:
    """An activation in [0, 1] as the strength of the background behind its number."""
    return ("primary", max(4, round(TEXT_SHADE_MAX * min(1.0, max(0.0, a)))))


def strength(value: float) -> float:
    v = abs(float(value))
    return v if math.isfinite(v) else math.inf


def z_column(values) -> list[str]:
    return [fmt_fixed(float(v), VALUE_WIDTH, 3) for v in values]


def output_texts(values) -> list[str]:
    """The outputs of a wrapped output column, each in :data:`OUTPUT_VALUE_WIDTH` cells
    (a tiny δ such as −3e−05, one cell too wide, is written to two decimals: −0.00)."""
    out = []
    for v in values:
        text = fit(float(v), OUTPUT_VALUE_WIDTH, 2)
        if len(text) > OUTPUT_VALUE_WIDTH and abs(float(v)) < 0.005:
            text = minus(f"{float(v):.2f}")
        out.append(text.rjust(OUTPUT_VALUE_WIDTH))
    return out


def layer_texts(values) -> list[str]:
    """A layer's numbers written as one column (nnsim.lessons.text.column: one format,
    signs and points aligned), a space kept between the bar and the number."""
    if values is None:
        return []
    for significant in (3, 2, 1):  # as many digits as fit the cell, the same for the whole layer
        cells = column([float(v) for v in values], significant=significant)
        if cells and max(len(c) for c in cells) <= VALUE_WIDTH - 1:
            return [" " + c.rjust(VALUE_WIDTH - 1) for c in cells]
    return [" " + fmt_fixed(float(v), VALUE_WIDTH - 1, 3) for v in values]
