"""NarrationPanel: the lesson's text for the current step."""

from __future__ import annotations

from typing import Optional

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from nnsim.sanitize import sanitize


FITS_ANYWHERE = 3
"""A narration of at most this many lines fits the panel on every screen (80×24 included)."""


class NarrationPanel(VerticalScroll, can_focus=False):
    """The scenario's narration for the step, under the step's title (on the border).

    Carries the ``narration`` class, which presenter mode makes roomier. A text longer
    than the panel makes it focusable (Tab) with pgdn/pgup in the footer, and its
    bottom border says so; the mouse wheel scrolls it too.
    """

    BINDINGS = [Binding("pagedown", "page_down", "↓", key_display="pgdn", tooltip="Read on in the narration"),
                Binding("pageup", "page_up", "↑", key_display="pgup", tooltip="Back up in the narration")]

    DEFAULT_CSS = """
    NarrationPanel {
        height: auto;
        max-height: 7;
        border: round $secondary;
        border-title-color: $text-secondary;
        padding: 0 1;
    }
    NarrationPanel > Static {
        width: 1fr;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=f"narration {classes or ''}".strip())
        self._text = Static("", markup=False)

    def compose(self):
        yield self._text

    @property
    def text(self) -> str:
        return str(self._text.content)

    def show(self, title: str, text: str) -> None:
        """Show a step's title and narration; whitespace in the file's text is tidied."""
        title, text = sanitize(title, single_line=True), sanitize(text)  # lesson files are outside text
        self.border_title = Content(title)  # plain text: a title may hold [brackets]
        # TOML multi-line strings wrap at the author's line width; let the panel wrap instead.
        paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
        # A new layout (the whole screen's) only when the text's height changes, past any
        # min-height a screen gives it.
        body, width = self._text, self._text.size.width
        before = body.visual.get_height(body.styles, width) if width else 0
        body.update("\n\n".join(paragraphs), layout=False)
        after = body.visual.get_height(body.styles, width) if width else 0
        floor = body.styles.min_height.cells if body.styles.min_height is not None else None
        if not width or (after != before and max(after, before) > (floor or 0)):
            body.refresh(layout=True)
        self.scroll_home(animate=False)
        if width and after <= FITS_ANYWHERE:
            self._set_more(False)  # no need to wait for the layout (a step's key press stays one refresh)
        else:
            self.call_after_refresh(self._follow_length)

    def _follow_length(self) -> None:
        self._set_more(self.max_scroll_y > 0)

    def _set_more(self, more: bool) -> None:
        # Focusable only while there is more to read: otherwise Tab would stop on it for nothing.
        self.can_focus = more
        hint = "more: Tab, then pgdn" if more and not self.has_focus else ""
        if str(self.border_subtitle or "") != hint:  # a new subtitle repaints the panel: only on a change
            self.border_subtitle = hint
        if not more and self.has_focus:
            self.screen.set_focus(None)

    def on_focus(self) -> None:
        self.border_subtitle = ""

    def on_blur(self) -> None:
        self.call_after_refresh(self._follow_length)
