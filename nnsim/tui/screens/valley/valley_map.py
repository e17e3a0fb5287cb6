"""ValleyMap: the cost C(v1, v2) as a shaded map, the ball's path and the ball.

Sparser, fainter cells are lower; the bands are contour levels (equal steps of √C between
the map's lowest and highest cell, so that the valley's floor shows its shape).
The path so far is drawn with ·, the ball before this step's move with ○ and after it
with ●; a ✕ marks the minimum. The numbers come from the lessons layer
(:func:`~nnsim.lessons.kinds.gradient_descent.cost_map`); this widget only shades them.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from textual.content import Content
from textual.widget import Widget

from nnsim.core.descent import DescentStep
from nnsim.lessons.kinds.gradient_descent import cost_map, map_window
from nnsim.lessons.scenario import Scenario
from nnsim.tui.style.format import fmt
from nnsim.tui.style.shading import MUTED

BANDS = 10
BAND_GLYPHS = " ░▒▓"  # lowest to highest, two or three bands each; the colour tells every band apart
BALL_STYLE = "bold $accent"
PATH_STYLE = "bold $warning"
MINIMUM_STYLE = "bold $success"


class ValleyMap(Widget):
    """See the module's docstring. :meth:`show` takes the lesson and the moves up to now."""

    DEFAULT_CSS = """
    ValleyMap {
        height: 1fr;
        width: 1fr;
        min-height: 6;
        min-width: 20;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.scenario: Optional[Scenario] = None
        self.moves: list[DescentStep] = []
        self.all_moves: list[DescentStep] = []

    def show(self, scenario: Scenario, moves: Sequence[DescentStep], all_moves: Sequence[DescentStep]) -> None:
        """Draw ``moves`` (the steps so far) on a window fitted to ``all_moves`` (the whole
        run, so the map keeps still while stepping)."""
        self.scenario, self.moves, self.all_moves = scenario, list(moves), list(all_moves)
        self.refresh()

    def render(self) -> Content:
        if self.scenario is None:
            return Content("")
        width, height = self.content_size
        label_width = 8
        cols, rows = max(4, width - label_width - 1), max(2, height - 1)
        # A terminal cell is about twice as tall as it is wide.
        (a1, b1), (a2, b2) = map_window(self.scenario, self.all_moves, aspect=cols / (2 * rows))
        grid = np.asarray(cost_map(self.scenario, (a1, b1), (a2, b2), cols, rows), dtype=np.float64)
        finite = grid[np.isfinite(grid)]
        lo, hi = (math.sqrt(max(float(finite.min()), 0.0)), math.sqrt(max(float(finite.max()), 0.0))) \
            if finite.size else (0.0, 1.0)
        span = hi - lo or 1.0
        cells: list[list[tuple[str, str]]] = []
        for r in range(rows):
            line = []
            for c in range(cols):
                value = grid[r, c]
                if not math.isfinite(value):
                    line.append(("!", "$error"))
                    continue
                band = min(BANDS - 1, int((math.sqrt(max(value, 0.0)) - lo) / span * BANDS))
                shade = max(1, round(8 + 70 * band / (BANDS - 1)))
                line.append((BAND_GLYPHS[band * len(BAND_GLYPHS) // BANDS], f"$primary {shade}% on $primary {shade // 2 + 1}%"))
            cells.append(line)

        def cell(v: tuple[float, float]) -> Optional[tuple[int, int]]:
            if not all(math.isfinite(x) for x in v):
                return None
            c = int((v[0] - a1) / (b1 - a1) * cols)
            r = int((b2 - v[1]) / (b2 - a2) * rows)
            return (r, c) if 0 <= r < rows and 0 <= c < cols else None

        def mark(v, glyph, style):
            at = cell(v)
            if at is not None:
                cells[at[0]][at[1]] = (glyph, style)

        for s in self.moves[:-1]:
            mark(s.v, "·", PATH_STYLE)
        mark(self.scenario.cost.minimum, "✕", MINIMUM_STYLE)
        if self.moves:
            now = self.moves[-1]
            mark(now.v, "○", BALL_STYLE)
            mark(now.v_next, "●", BALL_STYLE)
        lines = []
        for r, line in enumerate(cells):
            label = fmt(b2 - (r + 0.5) * (b2 - a2) / rows, 3) if r in (0, rows // 2, rows - 1) else ""
            lines.append(Content.assemble((f"{label:>{label_width}} ", MUTED), *line))
        axis = f"v1: {fmt(a1, 3)} … {fmt(b1, 3)}   (rows: v2)"
        lines.append(Content.styled(" " * (label_width + 1) + axis, MUTED))
        return Content("\n").join(lines)
