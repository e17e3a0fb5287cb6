"""A character grid with a style per cell: the drawing surface of the diagrams."""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip


class Canvas:
    """Write text at (row, column); read the result back as one Content.

    Diagrams (a perceptron, a circuit of gates) compute their layout, write into
    a canvas, and render it. Cells written later win.
    """

    def __init__(self, width: int, height: int, blank_style="") -> None:
        """``blank_style`` fills unwritten cells; a style is a markup string here, and may
        be anything the subclass renders (the network view's line API uses Style objects)."""
        self.width = width
        self.height = height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[blank_style] * width for _ in range(height)]

    def write(self, row: int, column: int, text: str, style="") -> None:
        if not 0 <= row < self.height:
            return
        for k, ch in enumerate(text):
            c = column + k
            if 0 <= c < self.width:
                self.chars[row][c] = ch
                self.styles[row][c] = style

    def style(self, row: int, column: int, length: int, style: str) -> None:
        """Restyle cells already written (e.g. highlight a selected value)."""
        if 0 <= row < self.height:
            for c in range(max(0, column), min(self.width, column + length)):
                self.styles[row][c] = style

    def box(self, row: int, column: int, width: int, height: int, style: str = "", title: str = "",
            title_style: str = "") -> None:
        """A rounded box; ``title`` sits in the top border."""
        self.write(row, column, "╭" + "─" * (width - 2) + "╮", style)
        if height < 2:
            return
        for r in range(row + 1, row + height - 1):
            self.write(r, column, "│", style)
            self.write(r, column + width - 1, "│", style)
        self.write(row + height - 1, column, "╰" + "─" * (width - 2) + "╯", style)
        if title:
            self.write(row, column + 2, f" {title} "[: max(0, width - 4)], title_style or style)

    def render(self) -> Content:
        lines = []
        for chars, styles in zip(self.chars, self.styles):
            parts: list[tuple[str, str]] = []
            for ch, st in zip(chars, styles):
                if parts and parts[-1][1] == st:
                    parts[-1] = (parts[-1][0] + ch, st)
                else:
                    parts.append((ch, st))
            lines.append(Content.assemble(*parts).rstrip())
        return Content("\n").join(lines)


class StripCanvas(Canvas):
    """A :class:`Canvas` of Style objects, drawn as the line API's strips."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(width, height, blank_style=None)

    def strips(self) -> list[Strip]:
        out = []
        for chars, styles in zip(self.chars, self.styles):
            segments, start = [], 0
            for end in range(1, self.width + 1):
                if end == self.width or styles[end] is not styles[start]:
                    segments.append(Segment("".join(chars[start:end]), styles[start]))
                    start = end
            out.append(Strip(segments, self.width))
        return out

    def plain(self) -> list[str]:
        return ["".join(chars) for chars in self.chars]


class StripRows:
    """A widget's lines kept between draws, row by row, so a redraw hands Textual only the
    rows that changed (``Widget.refresh(region)`` of those rows re-renders them alone; a
    whole-widget refresh would re-render every line).

    The widget's own style (``base``: its colours under every cell) is merged into each
    distinct cell style once, instead of applying it to every strip of every draw.
    """

    def __init__(self) -> None:
        self.strips: list[Strip] = []
        self._keys: list = []
        self._merged: dict = {}
        self._base = None

    def update(self, grid: StripCanvas, base) -> list[int]:
        """Take ``grid``'s rows as the lines; returns the indices of the rows that changed."""
        if base != self._base:  # equal styles: a widget hands a new one after each refresh
            self._base, self._merged, self._keys = base, {}, []
        merged = self._merged
        changed = []
        strips, keys = list(self.strips), list(self._keys)
        height, width = grid.height, grid.width
        if len(strips) != height or len(keys) != height:  # a new size or a new base: every row
            strips, keys = [None] * height, [None] * height
        for r in range(height):
            chars, styles = grid.chars[r], grid.styles[r]
            old = keys[r]
            # Lists compare in C, by identity first: the palette hands out one Style per shade.
            if old is not None and old[0] == chars and old[1] == styles:
                continue
            key = (chars, styles)
            text = "".join(chars)
            segments, start = [], 0
            for end in range(1, width + 1):
                if end == width or styles[end] is not styles[start]:
                    style = styles[start]
                    full = merged.get(id(style))
                    if full is None:
                        full = merged[id(style)] = (base + style if style is not None else base, style)
                    segments.append(Segment(text[start:end], full[0]))
                    start = end
            strips[r], keys[r] = Strip(segments, width), key
            changed.append(r)
        self.strips, self._keys = strips, keys
        return changed
