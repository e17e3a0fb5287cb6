"""Edges of the network view drawn as straight lines of box characters.

The encoding reads in colour, in the light and presenter themes and on a monochrome
terminal alike:

- sign: colour (the theme's primary for w > 0, its error colour for w < 0) *and* the
  line itself, solid for positive, dashed for negative;
- size of |w| (or of what the step carries): weak edges dim, strong ones heavy and bold.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional

from nnsim.tui.style.palette import Palette, Shade

# [negative][heavy] → (horizontal, falling ╲, rising ╱, vertical)
CHARS = {
    (False, False): ("─", "╲", "╱", "│"),
    (False, True): ("━", "╲", "╱", "┃"),
    (True, False): ("╌", "⋱", "⋰", "╎"),
    (True, True): ("╍", "⋱", "⋰", "╏"),
}
LEGEND = "─ w>0  ╌ w<0  ━ strong"


def level(value: float, scale: float) -> int:
    """0 weak, 1 middling, 2 strong: |value| against the largest |value| of its layer."""
    if not math.isfinite(value):
        return 2
    if scale <= 0:
        return 0
    t = abs(value) / scale
    return 0 if t < 1 / 3 else 1 if t < 2 / 3 else 2


def edge_shade(value: float, lvl: int, lit: bool) -> Shade:
    if not math.isfinite(value):
        return ("warning", 100)
    name = "primary" if value >= 0 else "error"
    return (name, (50, 80, 100)[lvl] if lit else (22, 34, 48)[lvl])


@lru_cache(maxsize=4096)  # the same few hundred lines are drawn at every step
def line_cells(x0: int, y0: int, x1: int, y1: int) -> tuple[tuple[int, int, int], ...]:
    """The cells of a straight line from (x0, y0) to (x1, y1), x0 < x1, each with a
    direction index into :data:`CHARS` (0 horizontal, 1 falling, 2 rising, 3 vertical):
    one cell per column for a shallow line, one per row for a steep one."""
    if x1 <= x0:
        return ()
    diagonal = 1 if y1 > y0 else 2
    if abs(y1 - y0) <= x1 - x0:
        rows = [round(y0 + (y1 - y0) * (c - x0) / (x1 - x0)) for c in range(x0, x1 + 1)]
        return tuple((x0 + i, r, 0 if i + 1 >= len(rows) or rows[i + 1] == r else diagonal)
                     for i, r in enumerate(rows))
    step = 1 if y1 > y0 else -1
    span = list(range(y0, y1 + step, step))
    cols = [round(x0 + (x1 - x0) * (r - y0) / (y1 - y0)) for r in span]
    return tuple((c, r, 3 if i + 1 < len(cols) and cols[i + 1] == c else diagonal)
                 for i, (c, r) in enumerate(zip(cols, span)))


def draw_edge(grid, palette: Palette, x0: int, y0: int, x1: int, y1: int, value: float, scale: float,
              lit: bool, bold: bool = False) -> None:
    lvl = level(value, scale)
    negative = math.isfinite(value) and value < 0
    chars = CHARS[(negative, lvl == 2)]
    style = palette.style(edge_shade(value, lvl, lit), bold=bold or (lit and lvl == 2))
    width, height = grid.width, grid.height
    for c, r, d in line_cells(x0, y0, x1, y1):
        if 0 <= r < height and 0 <= c < width:
            grid.chars[r][c] = chars[d]
            grid.styles[r][c] = style


def label_at(x0: int, y0: int, x1: int, y1: int, t: float, width: int) -> tuple[int, int]:
    """Where a label of ``width`` sits on a line, a fraction ``t`` of the way along it."""
    c = round(x0 + (x1 - x0) * t - width / 2)
    r = round(y0 + (y1 - y0) * (c + width / 2 - x0) / max(1, x1 - x0))
    return max(x0, min(c, x1 - width + 1)), r


def scale_of(values) -> float:
    finite = [abs(float(v)) for v in values if math.isfinite(float(v))]
    return max(finite) if finite else 0.0


def arrowhead(backward: bool) -> str:
    return "◂" if backward else "▸"


def shown_label(value: Optional[float], fmt) -> str:
    return "" if value is None else fmt(value)
