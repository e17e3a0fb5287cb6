"""DrawingCanvas: a 28×28 sheet to draw a digit on, with the mouse or the keyboard.

Each pixel is two columns wide and half a row high (half-blocks: the upper
pixel of a cell is "▀" in its colour, the lower one the cell's background),
so the sheet is 56×14 cells and easy to aim at. Pixel (r, c) sits in cell
(2c or 2c + 1, r // 2). A mouse event names a cell; terminals that report the
pointer to the pixel (and browsers under ``nnsim serve``) say which half of it,
others give the upper pixel, and a drag fills the pixels between two events.

The ink lives in a :class:`~nnsim.lessons.drawing.Drawing` (the soft pen, the
eraser); this widget only maps input to pixels and draws the sheet and the
keyboard cursor. After each change it posts :class:`DrawingCanvas.Changed`.
"""

from __future__ import annotations

from typing import Optional

from rich.segment import Segment
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from nnsim.lessons.drawing import SIDE, Drawing, line
from nnsim.tui.style.palette import LineCache, Palette, intensity, strip

COLUMNS_PER_PIXEL = 2
CURSOR = ("accent", 100)
CURSOR_ON_INK = ("warning", 100)


class DrawingCanvas(LineCache, Widget, can_focus=True):
    """The sheet; see the module's docstring. Left button paints; the right button, or the
    left with shift or ctrl held, erases."""

    DEFAULT_CSS = """
    DrawingCanvas {
        width: 56;
        height: 14;
    }
    """

    class Changed(Message):
        """The ink changed (a dab, an erase, a clear)."""

        def __init__(self, canvas: "DrawingCanvas") -> None:
            super().__init__()
            self.canvas = canvas

        @property
        def control(self) -> "DrawingCanvas":
            return self.canvas

    def __init__(self, drawing: Optional[Drawing] = None, *, id: Optional[str] = None,
                 classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.drawing = drawing if drawing is not None else Drawing()
        self.cursor = (SIDE // 2, SIDE // 2)
        """The keyboard cursor's pixel (row, column)."""
        self.show_cursor = True
        self._dragging: Optional[str] = None  # "paint" or "erase" while a button is held
        self._last: Optional[tuple[int, int]] = None

    # -- drawing ------------------------------------------------------------------------

    def apply(self, tool: str, pixels) -> None:
        """Paint (``tool="paint"``) or erase at each (row, column) of ``pixels``, then redraw."""
        act = self.drawing.dab if tool == "paint" else self.drawing.erase
        for r, c in pixels:
            act(r, c)
        self.changed()

    def changed(self) -> None:
        self.invalidate_lines()
        self.refresh()
        self.post_message(self.Changed(self))

    def clear(self) -> None:
        self.drawing.clear()
        self.changed()

    def move_cursor(self, d_row: int, d_column: int, tool: Optional[str] = None) -> None:
        """Move the keyboard cursor one pixel; with ``tool``, paint or erase where it lands."""
        r, c = self.cursor
        self.cursor = (min(max(r + d_row, 0), SIDE - 1), min(max(c + d_column, 0), SIDE - 1))
        if tool is not None:
            self.apply(tool, [self.cursor])
        else:
            self.invalidate_lines()
            self.refresh()

    def at_cursor(self, tool: str) -> None:
        self.apply(tool, [self.cursor])

    # -- the mouse -----------------------------------------------------------------------

    def pixel_at(self, event: events.MouseEvent) -> Optional[tuple[int, int]]:
        """The pixel under the pointer, or None outside the sheet."""
        offset = event.get_content_offset_capture(self)
        x, y = offset.x, offset.y
        if not (0 <= x < SIDE * COLUMNS_PER_PIXEL and 0 <= y < SIDE // 2):
            return None
        fraction = event.pointer_y - int(event.pointer_y)
        return 2 * y + (1 if fraction >= 0.5 else 0), x // COLUMNS_PER_PIXEL

    @staticmethod
    def _tool(event: events.MouseEvent) -> str:
        return "erase" if event.button == 3 or event.shift or event.ctrl else "paint"

    def on_mouse_down(self, event: events.MouseDown) -> None:
        pixel = self.pixel_at(event)
        if pixel is None:
            return
        event.stop()
        self.focus()
        self._dragging, self._last = self._tool(event), pixel
        self.capture_mouse()
        self.cursor = pixel
        self.apply(self._dragging, [pixel])

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging is None:
            return
        pixel = self.pixel_at(event)
        if pixel is None:
            return
        last = self._last or pixel
        self._last = self.cursor = pixel
        self.apply(self._dragging, line(*last, *pixel))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging is None:
            return
        self._dragging = self._last = None
        self.release_mouse()

    # -- the line API --------------------------------------------------------------------

    def build_lines(self, palette: Palette) -> list[Strip]:
        ink = self.drawing.ink
        cursor = self.cursor if self.show_cursor and self.has_focus else None
        lines = []
        for r in range(0, SIDE, 2):
            segments = []
            for c in range(SIDE):
                top, bottom = intensity(float(ink[r, c])), intensity(float(ink[r + 1, c]))
                if cursor == (r, c):
                    top = CURSOR_ON_INK if ink[r, c] > 0.5 else CURSOR
                elif cursor == (r + 1, c):
                    bottom = CURSOR_ON_INK if ink[r + 1, c] > 0.5 else CURSOR
                segments.append(Segment("▀" * COLUMNS_PER_PIXEL, palette.style(top, bottom)))
            lines.append(strip(segments))
        return lines

    def on_focus(self) -> None:
        self.invalidate_lines()
        self.refresh()

    def on_blur(self) -> None:
        self.invalidate_lines()
        self.refresh()
