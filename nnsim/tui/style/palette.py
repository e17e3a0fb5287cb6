"""Palette: the theme's colours blended over a widget's background, as ready-made styles.

Image-like widgets (a 28×28 digit, a heat map, the network's columns) draw
hundreds of cells in as many shades. Written as Content with style strings
("$primary 40% on $error 12%") every cell's style is resolved again on every
render; a Palette resolves each (colour, strength) once per theme and
background, and the widgets hand Textual ready :class:`~textual.strip.Strip`
lines (the line API), which keeps a debugger step well under 50 ms.

A shade is ``(name, percent)``: a theme colour ("primary", "error",
"foreground", "accent") at that strength over the background, the same blend
as the style string ``"$primary 40%"``.
"""

from __future__ import annotations

import math
from typing import Iterable, Optional

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

Shade = tuple[str, int]
NAMES = ("primary", "error", "foreground", "background", "accent", "success", "warning")
CLEAR: Shade = ("foreground", 0)
ERROR: Shade = ("error", 100)
MUTED: Shade = ("foreground", 60)


def signed(value: float, scale: float, floor: int = 6, strongest: int = 100) -> Shade:
    """Blue for positive, red for negative, stronger for larger |value| up to ``scale``
    (at ``strongest`` percent); the error colour at full strength for NaN and infinity."""
    if not math.isfinite(value):
        return ERROR
    if scale <= 0 or value == 0:
        return CLEAR
    pct = max(floor, round(strongest * min(1.0, abs(value) / scale)))
    return ("primary", pct) if value > 0 else ("error", pct)


def intensity(value: float, lo: float = 0.0, hi: float = 1.0, name: str = "foreground") -> Shade:
    """Ink for a value in [lo, hi] (a pixel, an activation): none at lo, full at hi."""
    if not math.isfinite(value):
        return ERROR
    t = 0.0 if hi <= lo else min(1.0, max(0.0, (value - lo) / (hi - lo)))
    return (name, round(100 * t))


class Palette:
    """Colours and styles for one widget's current theme and background."""

    def __init__(self, widget: Widget) -> None:
        self.background = widget.background_colors[1]
        variables = widget.app.theme_variables
        self.named = {name: Color.parse(variables[name]) for name in NAMES if name in variables}
        self._colours: dict[Shade, object] = {}
        self._styles: dict[tuple, Style] = {}

    def colour(self, shade: Shade):
        found = self._colours.get(shade)
        if found is None:
            name, pct = shade
            found = self.background.blend(self.named[name], pct / 100).rich_color
            self._colours[shade] = found
        return found

    def style(self, fg: Optional[Shade] = None, bg: Optional[Shade] = None, bold: bool = False) -> Style:
        key = (fg, bg, bold)
        found = self._styles.get(key)
        if found is None:
            found = Style(color=self.colour(fg) if fg else None, bgcolor=self.colour(bg) if bg else None,
                          bold=bold or None)
            self._styles[key] = found
        return found

    def text(self, text: str, shade: Shade = ("foreground", 100), bold: bool = False) -> Segment:
        return Segment(text, self.style(shade, None, bold))


def strip(segments: Iterable[Segment]) -> Strip:
    """A line from segments, runs of one style joined."""
    merged: list[Segment] = []
    texts: list[str] = []
    style = None
    for seg in segments:
        if texts and seg.style is not style:
            merged.append(Segment("".join(texts), style))
            texts = []
        texts.append(seg.text)
        style = seg.style
    if texts:
        merged.append(Segment("".join(texts), style))
    return Strip(merged)


class LineCache:
    """Mixin for a widget drawn with the line API: its lines are built once (with a
    :class:`Palette`) and reused until :meth:`invalidate_lines`, a style update (a theme
    or CSS change) or a new theme. Put it before ``Widget`` in the bases."""

    _strips: Optional[list[Strip]] = None
    _theme: Optional[str] = None

    def invalidate_lines(self) -> None:
        self._strips = None

    def notify_style_update(self) -> None:
        self._strips = None
        super().notify_style_update()

    def build_lines(self, palette: Palette) -> list[Strip]:
        raise NotImplementedError

    def lines(self) -> list[Strip]:
        """The widget's lines, built if needed, on the widget's own colours and background."""
        if self._strips is None or self._theme != self.app.theme:
            self._theme = self.app.theme
            base = self.rich_style  # under every cell: cells without a background get the widget's
            self._strips = [line.apply_style(base) for line in self.build_lines(Palette(self))]
        return self._strips

    def render_line(self, y: int) -> Strip:
        lines = self.lines()
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, self.rich_style)
