"""DecisionPlane: what a two-input neuron does to its input space, as maps of the (x1, x2) plane.

Each map covers [−0.5, 1.5]² (:func:`~nnsim.lessons.diagrams.plane_grid` samples the
neuron at every cell's centre, through the core's perceptron or sigmoid):

- a perceptron's 1 region shaded ``░`` in the primary colour, its 0 region blank;
- a sigmoid neuron's σ(w·x + b) as shades ``░▒▓█`` from 0 to 1;
- the line w·x + b = 0 as ``•`` (where it crosses a cell);
- the four binary inputs (or, for a gate deep in a circuit, the points it actually
  sees) as ``●`` (output 1, or σ ≥ 0.5) and ``○``, listed with their outputs below.

Characters carry every distinction, so the map reads on a monochrome terminal; the
colours follow the theme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from textual.strip import Strip
from textual.widget import Widget

from nnsim.lessons.diagrams import PLANE_HI, PLANE_LO, boundary_cells, plane_grid
from nnsim.tui.style.canvas import StripCanvas as _Grid
from nnsim.tui.style.format import fmt
from nnsim.tui.style.palette import LineCache, Palette

MIN_COLS, MIN_ROWS = 24, 12
MAX_COLS, MAX_ROWS = 48, 24
SHADES = " ░▒▓█"
AXIS = 3  # the x2 tick labels on the left


@dataclass(frozen=True)
class PlaneMap:
    """One map: a neuron with ``weights`` (2) and ``bias``; ``points`` are ((x1, x2), output)
    pairs to mark (the truth table's inputs by default, given by the caller)."""

    title: str
    weights: Optional[tuple[float, float]]
    bias: float
    kind: str = "perceptron"
    points: Sequence[tuple[tuple[float, float], float]] = field(default_factory=tuple)
    axes: tuple[str, str] = ("x1", "x2")


class DecisionPlane(LineCache, Widget):
    """Maps side by side, each at least 24×12 cells (more when the widget has room)."""

    DEFAULT_CSS = """
    DecisionPlane {
        width: 1fr;
        height: 1fr;
        min-height: 16;
        min-width: 30;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.maps: list[PlaneMap] = []

    def show(self, maps: Sequence[PlaneMap]) -> None:
        """Draw ``maps``; unchanged maps (a step that edits nothing) are not drawn again."""
        if list(maps) == self.maps:
            return
        self.maps = list(maps)
        self.invalidate_lines()
        self.refresh()

    def on_resize(self) -> None:
        self.invalidate_lines()

    def cells(self) -> tuple[int, int]:
        """The map size in cells for the widget's size: wide cells twice as many as tall,
        so the plane looks square."""
        n = max(1, len(self.maps))
        width = max(self.size.width, MIN_COLS + AXIS)
        height = max(self.size.height, MIN_ROWS + 4)
        rows = max(MIN_ROWS, min(MAX_ROWS, height - 4, (width // n - AXIS - 2) // 2))
        return 2 * rows, rows

    def build_lines(self, palette: Palette) -> list[Strip]:
        return self._draw(palette).strips()

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self._draw(Palette(self)).plain())

    def _draw(self, palette: Palette) -> _Grid:
        cols, rows = self.cells()
        width = max(self.size.width, len(self.maps) * (cols + AXIS + 2))
        grid = _Grid(width, max(self.size.height, rows + 4))
        for m, plane in enumerate(self.maps):
            self._map(grid, palette, plane, m * (cols + AXIS + 2), cols, rows)
        return grid

    def _map(self, grid: _Grid, palette: Palette, plane: PlaneMap, x: int, cols: int, rows: int) -> None:
        text = palette.style(("foreground", 100), bold=True)
        muted = palette.style(("foreground", 60))
        room = max(cols + AXIS, self.size.width - x) if len(self.maps) == 1 else cols + AXIS
        grid.write(0, x, plane.title[:room], text)
        left = x + AXIS
        if plane.weights is not None:
            g = plane_grid(plane.weights, plane.bias, plane.kind, cols, rows)
            line = boundary_cells(plane.weights, plane.bias, g)
            for r in range(rows):
                for c in range(cols):
                    v = float(g.values[r, c])
                    if plane.kind == "perceptron":
                        ch, shade = ("░", ("primary", 60)) if v >= 1 else (" ", ("foreground", 0))
                    else:
                        k = min(len(SHADES) - 1, int(v * len(SHADES)))
                        ch, shade = SHADES[k], ("primary", max(8, round(100 * v)))
                    if line[r, c]:
                        ch, shade = "•", ("accent", 100)
                    grid.write(1 + r, left + c, ch, palette.style(shade))
        else:
            for r in range(rows):
                grid.write(1 + r, left, "·" * cols, palette.style(("foreground", 15)))
        # Ticks at 0 and 1 on both axes.
        span = PLANE_HI - PLANE_LO
        for value in (0, 1):
            r = 1 + int((PLANE_HI - value) / span * rows)
            c = left + int((value - PLANE_LO) / span * cols)
            grid.write(min(r, rows), x, f"{value}".rjust(AXIS - 1), muted)
            grid.write(1 + rows, min(c, left + cols - 1), f"{value}", muted)
        grid.write(1 + rows, x, plane.axes[1][: AXIS - 1], muted)
        grid.write(1 + rows, left + cols - len(plane.axes[0]), plane.axes[0], muted)
        labels = []
        for (a, b), out in plane.points:
            r = 1 + min(rows - 1, int((PLANE_HI - b) / span * rows))
            c = left + min(cols - 1, int((a - PLANE_LO) / span * cols))
            high = out >= 0.5
            grid.write(r, c, "●" if high else "○", palette.style(("warning" if high else "foreground", 100), bold=True))
            labels.append(f"{fmt(a)}{fmt(b)}→{fmt(out, 2)}")
        grid.write(2 + rows, x, " ".join(labels)[:room], muted)
        if plane.weights is not None:
            w1, w2 = plane.weights
            grid.write(3 + rows, x, f"• {fmt(w1, 3)}·{plane.axes[0]} + {fmt(w2, 3)}·{plane.axes[1]} + {fmt(plane.bias, 3)} = 0"
                       [:room], muted)
