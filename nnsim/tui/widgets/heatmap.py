"""HeatMap: a weight matrix (or any 2-D array) as shaded half-blocks, with its name and shape."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from textual.content import Content
from textual.widget import Widget

from nnsim.tui.widgets.format import fmt
from nnsim.tui.widgets.shading import signed_colour

LEGEND_BLOCKS = 4


def block_starts(n: int, parts: int) -> np.ndarray:
    """Where each of ``parts`` nearly equal blocks of ``n`` entries starts (parts ≤ n)."""
    return (np.arange(parts) * n) // parts


def pool_signed(a: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Shrink ``a`` to rows × cols blocks, each shown by its entry of largest magnitude
    (sign kept), so a single strong weight is not averaged away. NaN in a block stays NaN."""
    a = np.asarray(a, dtype=np.float64)
    r, c = block_starts(a.shape[0], rows), block_starts(a.shape[1], cols)
    with np.errstate(invalid="ignore"):
        high = np.maximum.reduceat(np.maximum.reduceat(a, r, axis=0), c, axis=1)
        low = np.minimum.reduceat(np.minimum.reduceat(a, r, axis=0), c, axis=1)
        return np.where(np.abs(low) > np.abs(high), low, high)


class HeatMap(Widget):
    """A 2-D array as a heat map: blue positive, red negative, stronger for larger
    magnitudes, two rows per character cell (half-blocks). Above it the name and
    shape, below it the colour scale.

    An array larger than ``max_width`` columns or ``2 × max_height`` rows is shown
    in blocks, each drawn with its entry of largest magnitude, and says so. A
    ``mark`` (row, column) points at one entry with ▶ beside its row and ▼ above
    its column (e.g. the selected neuron's weights).
    """

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
        self.note = ""
        self.mark: Optional[tuple[int, int]] = None
        self.scale: Optional[float] = None
        self._array: Optional[np.ndarray] = None
        if array is not None:
            self._array = self._as_matrix(array)

    @property
    def array(self) -> Optional[np.ndarray]:
        """The values shown (before any pooling), as a 2-D array."""
        return self._array

    def show(self, array, name: Optional[str] = None, *, mark: Optional[Sequence[int]] = None,
             scale: Optional[float] = None, note: str = "") -> None:
        """Show new values; ``scale`` fixes full strength (default: the largest magnitude)."""
        self._array = None if array is None else self._as_matrix(array)
        if name is not None:
            self.array_name = name
        self.mark = tuple(mark) if mark is not None else None
        self.scale = scale
        self.note = note
        self.clear_cached_dimensions()
        self.refresh(layout=True)

    @staticmethod
    def _as_matrix(array) -> np.ndarray:
        a = np.asarray(array, dtype=np.float64)
        if a.ndim == 0:
            return a.reshape(1, 1)
        if a.ndim == 1:
            return a.reshape(-1, 1)
        return a.reshape(a.shape[0], -1)

    def grid(self) -> tuple[np.ndarray, int, int]:
        """The cells drawn and the block size (rows, columns) each stands for."""
        a = self._array
        rows = min(a.shape[0], 2 * self.max_height)
        cols = min(a.shape[1], self.max_width)
        if (rows, cols) == a.shape:
            return a, 1, 1
        return pool_signed(a, rows, cols), math.ceil(a.shape[0] / rows), math.ceil(a.shape[1] / cols)

    def render(self) -> Content:
        head = Content.styled(self.array_name, "bold")
        if self._array is None:
            return head
        a = self._array
        shape = f"  {a.shape[0]}×{a.shape[1]}" + (f"  {self.note}" if self.note else "")
        lines = [head + Content.styled(shape, "$text-muted")]
        cells, block_rows, block_cols = self.grid()
        finite = a[np.isfinite(a)]
        scale = self.scale if self.scale is not None else (float(np.max(np.abs(finite))) if finite.size else 0.0)
        mark_row = mark_col = None
        if self.mark is not None:
            mark_row = int(np.searchsorted(block_starts(a.shape[0], cells.shape[0]), self.mark[0], "right") - 1)
            mark_col = int(np.searchsorted(block_starts(a.shape[1], cells.shape[1]), self.mark[1], "right") - 1)
            lines.append(Content(" " * (mark_col + 1)) + Content.styled("▼", "bold $text-accent"))
        for r in range(0, cells.shape[0], 2):
            marker = Content.styled("▶", "bold $text-accent") if mark_row in (r, r + 1) else Content(" ")
            parts = []
            for c in range(cells.shape[1]):
                top = signed_colour(cells[r, c], scale)
                if r + 1 < cells.shape[0]:
                    parts.append(("▀", f"{top} on {signed_colour(cells[r + 1, c], scale)}"))
                else:
                    parts.append(("▀", top))
            lines.append(marker + Content.assemble(*parts))
        if block_rows > 1 or block_cols > 1:
            lines.append(Content.styled(f" a cell: largest |value| of {block_rows}×{block_cols}", "$text-muted"))
        lines.append(self._legend(scale, a.size - finite.size))
        return Content("\n").join(lines)

    def _legend(self, scale: float, bad: int) -> Content:
        steps = np.linspace(-scale, scale, 2 * LEGEND_BLOCKS + 1)
        legend = Content.assemble((f" -{fmt(scale, 3)} ", "$text-muted"),
                                  *[("█", signed_colour(float(v), scale)) for v in steps],
                                  (f" +{fmt(scale, 3)}", "$text-muted"))
        if bad:
            legend += Content.styled(f"  {bad} NaN/inf", "bold $text-error")
        return legend

    @property
    def text(self) -> str:
        """What the heat map says in words: name, shape, pooling and scale."""
        return "\n".join(line for line in self.render().plain.splitlines() if line.strip("▀▶▼ "))
