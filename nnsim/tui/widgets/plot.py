"""TextPlot: curves drawn with braille dots, with axes, and markers at chosen points."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

from textual.content import Content
from textual.widget import Widget

from nnsim.tui.style.format import fmt
from nnsim.tui.style.shading import MUTED

# A braille character is a 2×4 grid of dots; bit for the dot at (column, row).
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_BRAILLE = 0x2800


@dataclass(frozen=True)
class Series:
    """One curve: points (x, y) joined by lines, in ``style`` (a colour such as "$primary")."""

    x: Sequence[float]
    y: Sequence[float]
    label: str = ""
    style: str = "$primary"


@dataclass(frozen=True)
class Marker:
    """A point to mark: a dotted vertical line at ``x`` and a ● at (x, y) when y is given."""

    x: float
    y: Optional[float] = None
    label: str = ""
    style: str = "$accent"


class TextPlot(Widget):
    """A line plot that fills the widget: y axis labels on the left, x axis below, and
    a legend (the series' and markers' labels) on the bottom border, or on a line of
    its own when the widget has no border. Curves are drawn at braille resolution
    (2×4 dots a cell).

    Call :meth:`plot` with the series (numbers from the core) and markers. Ranges
    default to the data's; pass ``x_range``/``y_range`` to fix them.
    """

    DEFAULT_CSS = """
    TextPlot {
        height: 1fr;
        min-height: 6;
        width: 1fr;
        min-width: 20;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.series: list[Series] = []
        self.markers: list[Marker] = []
        self.x_range: Optional[tuple[float, float]] = None
        self.y_range: Optional[tuple[float, float]] = None
        self.x_label = ""

    def plot(self, series: Sequence[Series], markers: Sequence[Marker] = (),
             x_range: Optional[tuple[float, float]] = None, y_range: Optional[tuple[float, float]] = None,
             x_label: str = "") -> None:
        self.series = list(series)
        self.markers = list(markers)
        self.x_range = x_range
        self.y_range = y_range
        self.x_label = x_label
        if self.styles.border_bottom[0]:
            self.border_subtitle = self.legend()
        self.refresh()

    def legend(self) -> Content:
        """The labels of the series and markers, each in its colour."""
        parts = [Content.styled(f"⣿ {s.label}", s.style) for s in self.series if s.label]
        parts += [Content.styled(f"● {m.label}", m.style) for m in self.markers if m.label]
        return Content("  ").join(parts)

    def _ranges(self) -> tuple[float, float, float, float]:
        xs = [float(v) for s in self.series for v in s.x if math.isfinite(v)]
        ys = [float(v) for s in self.series for v in s.y if math.isfinite(v)]
        x0, x1 = self.x_range or ((min(xs), max(xs)) if xs else (0.0, 1.0))
        y0, y1 = self.y_range or ((min(ys), max(ys)) if ys else (0.0, 1.0))
        if x1 <= x0:
            x1 = x0 + 1.0
        if y1 <= y0:
            y1 = y0 + 1.0
        return x0, x1, y0, y1

    def render(self) -> Content:
        width, height = self.content_size
        y_labels_width = 5
        cols = max(4, width - y_labels_width - 1)
        legend_inside = not self.styles.border_bottom[0]
        rows = max(2, height - 1 - legend_inside)  # the x axis below, perhaps a legend line on top
        x0, x1, y0, y1 = self._ranges()
        dots_w, dots_h = cols * 2, rows * 4
        cells = [[0] * cols for _ in range(rows)]
        styles: list[list[str]] = [[""] * cols for _ in range(rows)]

        def to_dot(x: float, y: float) -> tuple[int, int]:
            dx = round((x - x0) / (x1 - x0) * (dots_w - 1))
            dy = round((y1 - y) / (y1 - y0) * (dots_h - 1))
            return dx, dy

        def put(dx: int, dy: int, style: str) -> None:
            if 0 <= dx < dots_w and 0 <= dy < dots_h:
                c, r = dx // 2, dy // 4
                cells[r][c] |= _DOT[dx % 2][dy % 4]
                styles[r][c] = style

        for s in self.series:
            points = [to_dot(x, y) for x, y in zip(s.x, s.y) if math.isfinite(x) and math.isfinite(y)]
            for (ax, ay), (bx, by) in zip(points, points[1:] or points):
                n = max(abs(bx - ax), abs(by - ay), 1)
                for k in range(n + 1):
                    put(round(ax + (bx - ax) * k / n), round(ay + (by - ay) * k / n), s.style)

        glyphs: list[list[tuple[str, str]]] = [
            [(chr(_BRAILLE + cells[r][c]) if cells[r][c] else " ", styles[r][c]) for c in range(cols)]
            for r in range(rows)]
        for m in self.markers:
            if not (math.isfinite(m.x) and x0 <= m.x <= x1):
                continue
            dx, _ = to_dot(m.x, y0)
            c = dx // 2
            for r in range(rows):
                if glyphs[r][c][0] == " ":
                    glyphs[r][c] = ("┊", m.style)
            if m.y is not None and math.isfinite(m.y):
                _, dy = to_dot(m.x, min(max(m.y, y0), y1))
                glyphs[dy // 4][c] = ("●", f"bold {m.style}")

        lines = [Content(" " * (y_labels_width + 1)) + self.legend()] if legend_inside else []
        label_rows = {0: y1, rows - 1: y0}
        if rows >= 5:
            label_rows[(rows - 1) // 2] = (y0 + y1) / 2
        for r in range(rows):
            label = fmt(label_rows[r], 3).rjust(y_labels_width)[:y_labels_width] if r in label_rows else " " * y_labels_width
            axis = "┤" if r in label_rows else "│"
            line = Content.styled(label + axis, MUTED)
            line += Content.assemble(*[(ch, st) for ch, st in glyphs[r]])
            lines.append(line)
        left, right, middle = fmt(x0, 3), fmt(x1, 3), fmt((x0 + x1) / 2, 3)
        axis = [" "] * cols
        for text, at in ((left, 0), (middle, (cols - len(middle)) // 2), (right, cols - len(right))):
            for k, ch in enumerate(text):
                if 0 <= at + k < cols:
                    axis[at + k] = ch
        under = "".join(axis)
        if self.x_label:
            label = f" {self.x_label} "
            start = max(len(left) + 1, (cols // 2 + len(middle) // 2) + 2)
            if start + len(label) < cols - len(right):
                under = under[:start] + label + under[start + len(label):]
        lines.append(Content.styled(" " * y_labels_width + "└" + under[: cols], MUTED))
        return Content("\n").join(lines[:height])
