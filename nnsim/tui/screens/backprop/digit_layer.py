"""The network view's input layer as the 28×28 digit: its cells in half-blocks, and the pixels
the drawn top-k edges read marked in it."""

from __future__ import annotations

from typing import Optional

import numpy as np

from nnsim.lessons.diagrams import Edges
from nnsim.tui.screens.backprop.columns import DIGIT_SIDE
from nnsim.tui.style.palette import Palette, Shade

ACCENT: Shade = ("accent", 100)


def _ink(values: np.ndarray) -> np.ndarray:
    """Each pixel's shade in tenths: 11 × 11 styles at most, resolved once by the palette."""
    v = np.asarray(values, dtype=np.float64).reshape(DIGIT_SIDE, DIGIT_SIDE)
    return np.rint(np.clip(np.nan_to_num(v, nan=0.0), 0.0, 1.0) * 10).astype(int)


def _grey(ink: np.ndarray, row: int, c: int) -> Shade:
    return ("foreground", max(3, 10 * int(ink[row, c])))


def _rows(r: int, lines: int) -> tuple[int, int]:
    """The pixel rows line ``r`` of ``lines`` shows: the top one in front (▀), the bottom behind."""
    return (2 * r * DIGIT_SIDE) // (2 * lines), ((2 * r + 1) * DIGIT_SIDE) // (2 * lines)


def digit_cells(palette: Palette, values: np.ndarray, lines: int, width: int) -> list[list]:
    """Each line's cell styles, two pixel rows per line (fewer lines sample the rows)."""
    ink = _ink(values)
    style = palette.style
    out = []
    for r in range(lines):
        top, bottom = _rows(r, lines)
        out.append([style(_grey(ink, top, c), _grey(ink, bottom, c)) for c in range(width)])
    return out


def mark_pixels(grid, palette: Palette, values: Optional[np.ndarray], edges: Optional[Edges],
                chosen: Optional[int], x: int, lines: int, width: int) -> None:
    """The pixels the drawn edges read, coloured in the digit by their weight's sign (the
    selected hidden neuron ``chosen``'s in the accent colour): which pixels feed which neuron."""
    if edges is None or values is None:
        return
    ink = _ink(values)
    order = sorted(range(len(edges)), key=lambda n: int(edges.rows[n]) == chosen)  # the selection on top
    marks: dict[tuple[int, int], dict[int, Shade]] = {}
    for n in order:
        p, j, w = int(edges.cols[n]), int(edges.rows[n]), float(edges.weights[n])
        row, c = divmod(p, DIGIT_SIDE)
        r = min(lines - 1, row * lines // DIGIT_SIDE)
        if c >= width or 2 + r >= grid.height:
            continue
        half = 1 if _rows(r, lines)[1] == row else 0
        marks.setdefault((r, c), {})[half] = ACCENT if j == chosen else ("primary" if w >= 0 else "error", 85)
    for (r, c), halves in marks.items():
        top, bottom = _rows(r, lines)
        grid.styles[2 + r][x + c] = palette.style(halves.get(0, _grey(ink, top, c)), halves.get(1, _grey(ink, bottom, c)))
