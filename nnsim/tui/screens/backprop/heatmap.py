"""HeatMap: a weight matrix (or any 2-D array) as shaded half-blocks, with its name and shape.

:class:`HeatGrid` draws the lines (used on its own by the backprop debugger's
arrays panel); :class:`HeatMap` is the widget around one.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Optional, Sequence

import numpy as np
from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from nnsim.lessons.text import MINUS
from nnsim.tui.style.format import fmt
from nnsim.tui.style.palette import CLEAR, ERROR, MUTED, LineCache, Palette, Shade, signed, strip

LEGEND_BLOCKS = 4
ACCENT: Shade = ("accent", 100)


def block_starts(n: int, parts: int) -> np.ndarray:
    """Where each of ``parts`` nearly equal blocks of ``n`` entries starts (parts ≤ n)."""
    return (np.arange(parts) * n) // parts


def pool_signed(a: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Shrink ``a`` to rows × cols blocks, each shown by its entry of largest magnitude
    (sign kept), so a single strong weight is not averaged away. NaN in a block stays NaN."""
    a = np.asarray(a, dtype=np.float64)
    r, c = block_starts(a.shape[0], rows), block_starts(a.shape[1], cols)
    with np.errstate(invalid="ignore"):
        # Columns first, along contiguous memory: reducing across a row-major 30×784 matrix's
        # columns is several times slower (a step draws up to three of these).
        t = np.ascontiguousarray(a.T)
        high = np.maximum.reduceat(np.maximum.reduceat(t, c, axis=0), r, axis=1).T
        low = np.minimum.reduceat(np.minimum.reduceat(t, c, axis=0), r, axis=1).T
        return np.where(np.abs(low) > np.abs(high), low, high)


def as_matrix(array) -> np.ndarray:
    """Any array as 2-D: a number is 1×1, a vector a column (the book's shape for z, a, δ)."""
    a = np.asarray(array, dtype=np.float64)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    return a.reshape(a.shape[0], -1)


NONFINITE = 1000


def signed_codes(values, scale: float) -> list[int]:
    """:func:`~nnsim.tui.style.palette.signed` for a row of values at once, as codes: the
    percent, negative for the error colour, 0 for none, :data:`NONFINITE` for NaN/inf."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    if scale <= 0:
        pct = np.zeros(v.shape, dtype=np.int64)
    else:
        with np.errstate(invalid="ignore"):
            pct = np.maximum(6, np.rint(100 * np.minimum(1.0, np.abs(np.where(finite, v, 0.0)) / scale))).astype(np.int64)
        pct = np.where(v > 0, pct, np.where(v < 0, -pct, 0))
    return np.where(finite, pct, NONFINITE).tolist()


def code_shade(code: Optional[int]) -> Optional[Shade]:
    if code is None:
        return None
    if code == NONFINITE:
        return ERROR
    if code == 0:
        return CLEAR
    return ("primary", code) if code > 0 else ("error", -code)


class HeatGrid:
    """The lines of a heat map: the name and shape, a ▼ over the marked column, two rows
    of cells per line (▶ beside the marked row), a note when the array is shown in
    blocks, and the colour scale. Blue positive, red negative, stronger for larger
    magnitudes; NaN and infinity in the error colour.

    Args:
        name: the array's name as the book writes it, e.g. "w²" or "∂C/∂w²".
        array: the values (a vector becomes a column).
        max_width: at most this many columns of cells; more are shown in blocks.
        max_height: at most this many lines of cells (two rows each).
        mark: (row, column) of the entry to point at.
        scale: the magnitude drawn at full strength (default: the largest finite one).
        note: said after the shape.
    """

    def __init__(self, name: str, array, *, max_width: int = 48, max_height: int = 12,
                 mark: Optional[Sequence[int]] = None, scale: Optional[float] = None, note: str = "") -> None:
        self.name = name
        self.array = as_matrix(array)
        self.max_width = max(1, max_width)
        self.max_height = max(1, max_height)
        self.mark = tuple(mark) if mark is not None else None
        self.scale = scale
        self.note = note

    def grid(self) -> tuple[np.ndarray, int, int]:
        """The cells drawn and the block size (rows, columns) each stands for."""
        a = self.array
        rows = min(a.shape[0], 2 * self.max_height)
        cols = min(a.shape[1], self.max_width)
        if (rows, cols) == a.shape:
            return a, 1, 1
        return pool_signed(a, rows, cols), math.ceil(a.shape[0] / rows), math.ceil(a.shape[1] / cols)

    @property
    def colour_scale(self) -> float:
        if self.scale is not None:
            return float(self.scale)
        finite = self.array[np.isfinite(self.array)]
        return float(np.max(np.abs(finite))) if finite.size else 0.0

    @cached_property
    def spec(self) -> list[tuple[str, list]]:
        """The lines as (kind, parts), shared by the drawing, the size and the text."""
        a = self.array
        shape = f"  {a.shape[0]}×{a.shape[1]}" + (f"  {self.note}" if self.note else "")
        lines: list[tuple[str, list]] = [("head", [self.name, shape])]
        cells, block_rows, block_cols = self.grid()
        mark_row = None
        if self.mark is not None:
            mark_row = int(np.searchsorted(block_starts(a.shape[0], cells.shape[0]), self.mark[0], "right") - 1)
            mark_col = int(np.searchsorted(block_starts(a.shape[1], cells.shape[1]), self.mark[1], "right") - 1)
            lines.append(("column", [mark_col]))
        for r in range(0, cells.shape[0], 2):
            lower = cells[r + 1] if r + 1 < cells.shape[0] else None
            lines.append(("cells", [mark_row in (r, r + 1), cells[r], lower]))
        if block_rows > 1 or block_cols > 1:
            lines.append(("note", [f" a cell: max |v| of {block_rows}×{block_cols}"]))
        bad = int(a.size - np.count_nonzero(np.isfinite(a)))
        lines.append(("legend", [self.colour_scale, bad]))
        return lines

    @staticmethod
    def _legend_text(scale: float, bad: int) -> tuple[str, str, str]:
        return f" {MINUS}{fmt(scale, 3)} ", f" +{fmt(scale, 3)}", f"  {bad} NaN/inf" if bad else ""

    @property
    def width(self) -> int:
        widths = []
        for kind, parts in self.spec:
            if kind == "head":
                widths.append(len(parts[0]) + len(parts[1]))
            elif kind == "cells":
                widths.append(1 + len(parts[1]))
            elif kind == "note":
                widths.append(len(parts[0]))
            elif kind == "legend":
                low, high, bad = self._legend_text(*parts)
                widths.append(len(low) + 2 * LEGEND_BLOCKS + 1 + len(high) + len(bad))
        return max(widths)

    @property
    def height(self) -> int:
        return len(self.spec)

    def strips(self, palette: Palette) -> list[Strip]:
        scale = self.colour_scale
        out = []
        styles: dict = {}
        for kind, parts in self.spec:
            if kind == "head":
                out.append(strip([palette.text(parts[0], bold=True), palette.text(parts[1], MUTED)]))
            elif kind == "column":
                out.append(strip([Segment(" " * (parts[0] + 1)), palette.text("▼", ACCENT, bold=True)]))
            elif kind == "cells":
                marked, upper, lower = parts
                segments = [palette.text("▶", ACCENT, bold=True) if marked else Segment(" ")]
                tops = signed_codes(upper, scale)
                bottoms = signed_codes(lower, scale) if lower is not None else [None] * len(tops)
                run, count = None, 0
                for key in zip(tops, bottoms):  # runs of one shade pair, one segment each
                    if key != run:
                        if count:
                            segments.append(Segment("▀" * count, styles[run]))
                        run, count = key, 0
                        if key not in styles:
                            styles[key] = palette.style(code_shade(key[0]), code_shade(key[1]))
                    count += 1
                if count:
                    segments.append(Segment("▀" * count, styles[run]))
                out.append(strip(segments))
            elif kind == "note":
                out.append(strip([palette.text(parts[0], MUTED)]))
            else:
                low, high, bad = self._legend_text(*parts)
                steps = np.linspace(-scale, scale, 2 * LEGEND_BLOCKS + 1)
                segments = [palette.text(low, MUTED)]
                segments += [Segment("█", palette.style(signed(float(v), scale))) for v in steps]
                segments.append(palette.text(high, MUTED))
                if bad:
                    segments.append(palette.text(bad, ERROR, bold=True))
                out.append(strip(segments))
        return out

    @property
    def text(self) -> str:
        """What the heat map says in words: name, shape, blocks and scale."""
        out = []
        for kind, parts in self.spec:
            if kind in ("head", "note"):
                out.append("".join(parts))
            elif kind == "legend":
                low, high, bad = self._legend_text(*parts)
                out.append(f"{low}{'█' * (2 * LEGEND_BLOCKS + 1)}{high}{bad}")
        return "\n".join(out)


class HeatMap(LineCache, Widget):
    """A 2-D array as a heat map (see :class:`HeatGrid`), sized to its content:
    ``max_width`` columns and ``max_height`` lines of cells at most."""

    DEFAULT_CSS = """
    HeatMap {
        width: auto;
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, name: str = "", array=None, *, max_width: int = 48, max_height: int = 12,
                 id: Optional[str] = None, classes: Optional[str] = None) -> None:
        """
        Args:
            name: the array's name as the book writes it, e.g. "w²" or "∂C/∂w²".
            array: the values (a vector is drawn as a column); None shows the name only.
            max_width: at most this many columns of cells.
            max_height: at most this many lines of cells (two rows each).
        """
        super().__init__(id=id, classes=classes)
        self.array_name = name
        self.max_width = max_width
        self.max_height = max_height
        self._grid: Optional[HeatGrid] = None
        if array is not None:
            self._grid = HeatGrid(name, array, max_width=max_width, max_height=max_height)

    @property
    def array(self) -> Optional[np.ndarray]:
        """The values shown (before any pooling), as a 2-D array."""
        return None if self._grid is None else self._grid.array

    @property
    def mark(self) -> Optional[tuple[int, int]]:
        return None if self._grid is None else self._grid.mark

    def show(self, array, name: Optional[str] = None, *, mark: Optional[Sequence[int]] = None,
             scale: Optional[float] = None, note: str = "") -> None:
        """Show new values; ``scale`` fixes full strength (default: the largest magnitude)."""
        old = (self._grid.width, self._grid.height) if self._grid is not None else None
        if name is not None:
            self.array_name = name
        self._grid = None if array is None else HeatGrid(
            self.array_name, array, max_width=self.max_width, max_height=self.max_height, mark=mark,
            scale=scale, note=note)
        self.invalidate_lines()
        new = (self._grid.width, self._grid.height) if self._grid is not None else None
        if new != old:  # a new layout only when the size changes
            self.clear_cached_dimensions()
            self.refresh(layout=True)
        else:
            self.refresh()

    def get_content_width(self, container, viewport) -> int:
        return len(self.array_name) if self._grid is None else self._grid.width

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 if self._grid is None else self._grid.height

    def build_lines(self, palette: Palette) -> list[Strip]:
        if self._grid is None:
            return [strip([palette.text(self.array_name, bold=True)])]
        return self._grid.strips(palette)

    @property
    def text(self) -> str:
        return self.array_name if self._grid is None else self._grid.text
