"""TensorView: a named vector or matrix, every value printed and shaded."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from textual.content import Content
from textual.widget import Widget

from nnsim.tui.widgets.format import fmt_fixed
from nnsim.tui.widgets.shading import MUTED, signed_colour, signed_shade


class TensorView(Widget):
    """Shows one array from the core: a title with its shape, then its values.

    Small arrays show every number on a shaded background (blue positive, red
    negative, stronger for larger magnitudes relative to the array's largest).
    Arrays with more than ``max_rows`` rows or ``max_columns`` columns are drawn
    as a heat map of coloured blocks (two characters per entry, no numbers): a
    long column folds into rows, a wide matrix shows its first rows and columns
    (and says so); the minimum, maximum and mean follow. Use :class:`~nnsim.tui.widgets.digit.DigitView` for a 784-vector.

    A column vector (n, 1), the book's shape for z, a, δ and ∇b, is drawn as a
    column. ``highlight`` marks one entry (e.g. the neuron an equation panel
    writes out).
    """

    DEFAULT_CSS = """
    TensorView {
        height: auto;
        width: auto;
        padding: 0 1;
    }
    """

    def __init__(self, name: str = "", array=None, *, decimals: int = 3, cell_width: int = 7,
                 max_rows: int = 16, max_columns: int = 8, id: Optional[str] = None,
                 classes: Optional[str] = None) -> None:
        """
        Args:
            name: the array's name as the book writes it, e.g. "z²" or "∇w³".
            array: the values (anything numpy can read); None shows the name only.
            decimals: decimals per printed value.
            cell_width: characters per printed value.
            max_rows: more rows than this switch to the heat map.
            max_columns: more columns than this switch to the heat map.
        """
        super().__init__(id=id, classes=classes)
        self.array_name = name
        self.decimals = decimals
        self.cell_width = cell_width
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.note = ""
        self.highlight: Optional[tuple[int, int]] = None
        self._array: Optional[np.ndarray] = None
        if array is not None:
            self._array = self._as_matrix(array)

    @property
    def array(self) -> Optional[np.ndarray]:
        """The values shown, as a 2-D array (a vector becomes a column)."""
        return self._array

    def show(self, array, name: Optional[str] = None, note: str = "",
             highlight: Optional[Sequence[int]] = None) -> None:
        """Show new values (and optionally a new name, a note after the shape, and a
        highlighted entry (row, column))."""
        self._array = None if array is None else self._as_matrix(array)
        if name is not None:
            self.array_name = name
        self.note = note
        self.highlight = tuple(highlight) if highlight is not None else None
        self.clear_cached_dimensions()  # the size may change with the content
        self.refresh(layout=True)

    @staticmethod
    def _as_matrix(array) -> np.ndarray:
        a = np.asarray(array, dtype=np.float64)
        if a.ndim == 0:
            return a.reshape(1, 1)
        if a.ndim == 1:
            return a.reshape(-1, 1)
        return a.reshape(a.shape[0], -1)

    def shape_text(self) -> str:
        if self._array is None:
            return ""
        rows, cols = self._array.shape
        return f"{rows}×{cols}"

    def render(self) -> Content:
        head = Content.styled(self.array_name, "bold")
        if self._array is None:
            return head
        shape = f"  ({self.shape_text()})" + (f"  {self.note}" if self.note else "")
        lines = [head + Content.styled(shape, MUTED)]
        a = self._array
        if a.shape[0] <= self.max_rows and a.shape[1] <= self.max_columns:
            lines.extend(self._number_lines(a))
        else:
            lines.extend(self._heat_lines(a))
        return Content("\n").join(lines)

    def _number_lines(self, a: np.ndarray) -> list[Content]:
        finite = a[np.isfinite(a)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
        lines = []
        for i in range(a.shape[0]):
            cells = []
            for j in range(a.shape[1]):
                text = fmt_fixed(a[i, j], self.cell_width, self.decimals)
                style = signed_shade(a[i, j], scale)
                if self.highlight == (i, j):
                    style = (style + " bold reverse").strip()
                cells.append(Content.styled(f" {text} ", style))
            lines.append(Content("").join(cells))
        return lines

    def _heat_lines(self, a: np.ndarray) -> list[Content]:
        finite = a[np.isfinite(a)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
        flat = a.reshape(-1) if a.shape[1] == 1 else None
        width = max(1, min(self.max_columns * 4, 40))
        lines = []
        if flat is not None:
            # A long column folds into rows of ``width`` entries.
            rows = [flat[k:k + width] for k in range(0, flat.size, width)]
        else:
            rows = [a[i, :width] for i in range(a.shape[0])]
        shown_rows = rows[: self.max_rows * 2]
        for row in shown_rows:
            lines.append(Content.assemble(*[("██", signed_colour(v, scale)) for v in row]))
        if flat is None and (a.shape[1] > width or len(rows) > len(shown_rows)):
            lines.append(Content.styled(f"showing rows 1–{len(shown_rows)} and columns 1–{min(width, a.shape[1])}",
                                        MUTED))
        if finite.size:
            lines.append(Content.styled(
                f"min {finite.min():.3g}  max {finite.max():.3g}  mean {finite.mean():.3g}", MUTED))
        return lines
