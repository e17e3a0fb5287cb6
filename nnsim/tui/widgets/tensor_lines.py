"""TensorLines: the TensorView's numbers drawn with Textual's line API, for busy screens."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from rich.segment import Segment
from textual.strip import Strip

from nnsim.tui.widgets.format import fmt_fixed
from nnsim.tui.widgets.palette import CLEAR, ERROR, MUTED, LineCache, Palette, Shade, signed, strip
from nnsim.tui.widgets.shading import TEXT_SHADE_MAX
from nnsim.tui.widgets.tensor import TensorView

TEXT: Shade = ("foreground", 100)


class TensorLines(LineCache, TensorView):
    """A :class:`~nnsim.tui.widgets.tensor.TensorView` (same arguments, same look) whose
    numbers are handed to Textual as ready lines, each cell's shade resolved once per
    theme, and which is not redrawn when shown the same values again.

    The backprop debugger shows up to a dozen arrays per step, each up to 30 rows;
    drawn this way a step stays well under 50 ms. Arrays too large for numbers fall
    back to the TensorView's own heat map.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._texts: Optional[list[list[str]]] = None

    def show(self, array, name: Optional[str] = None, note: str = "",
             highlight: Optional[Sequence[int]] = None) -> None:
        a = None if array is None else self._as_matrix(array)
        mark = tuple(highlight) if highlight is not None else None
        if (a is not None and self._array is not None and a.shape == self._array.shape
                and np.array_equal(a, self._array, equal_nan=True)
                and (name is None or name == self.array_name) and (note, mark) == (self.note, self.highlight)):
            return
        old_size = self._size_key()
        self._array = a
        if name is not None:
            self.array_name = name
        self.note, self.highlight = note, mark
        self._texts = None
        self.invalidate_lines()
        # A new layout only when the size changes (the same shape and labels keep it).
        if self._size_key() != old_size:
            self.clear_cached_dimensions()
            self.refresh(layout=True)
        else:
            self.refresh()

    def _size_key(self) -> tuple:
        if self._array is None:
            return (self.array_name,)
        widths = [len(t) for row in self._cell_texts() for t in row] if self._numbers else []
        return self.array_name, self.note, self._array.shape, max(widths, default=0), min(widths, default=0)

    @property
    def _numbers(self) -> bool:
        a = self._array
        return a is not None and a.shape[0] <= self.max_rows and a.shape[1] <= self.max_columns

    def _head(self) -> tuple[str, str]:
        return self.array_name, f"  ({self.shape_text()})" + (f"  {self.note}" if self.note else "")

    def _cell_texts(self) -> list[list[str]]:
        if self._texts is None:
            self._texts = [[f" {fmt_fixed(v, self.cell_width, self.decimals)} " for v in row] for row in self._array]
        return self._texts

    def get_content_width(self, container, viewport) -> int:
        if not self._numbers:
            return super().get_content_width(container, viewport)
        name, shape = self._head()
        return max(len(name) + len(shape), max(sum(len(t) for t in row) for row in self._cell_texts()))

    def get_content_height(self, container, viewport, width: int) -> int:
        if not self._numbers:
            return super().get_content_height(container, viewport, width)
        return 1 + self._array.shape[0]

    def render_line(self, y: int) -> Strip:
        if not self._numbers:
            return TensorView.render_line(self, y)  # the heat map, drawn by the TensorView
        return super().render_line(y)

    def build_lines(self, palette: Palette) -> list[Strip]:
        name, shape = self._head()
        lines = [strip([palette.text(name, TEXT, bold=True), palette.text(shape, MUTED)])]
        a = self._array
        finite = a[np.isfinite(a)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
        for i, texts in enumerate(self._cell_texts()):
            segments = []
            for j, text in enumerate(texts):
                v = float(a[i, j])
                if not math.isfinite(v):
                    style = palette.style(ERROR, None, bold=True)
                else:
                    bg = signed(v, scale, floor=4, strongest=TEXT_SHADE_MAX)
                    if self.highlight == (i, j):  # reversed, as the TensorView's "bold reverse"
                        style = palette.style(bg if bg != CLEAR else ("background", 100), TEXT, bold=True)
                    else:
                        style = palette.style(TEXT, None if bg == CLEAR else bg)
                segments.append(Segment(text, style))
            lines.append(strip(segments))
        return lines
