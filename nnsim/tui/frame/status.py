"""StatusLine: one line of feedback from the debugger (why it stopped, what an edit did)."""

from __future__ import annotations

from typing import Optional

from textual.content import Content
from textual.widget import Widget

from nnsim.sanitize import sanitize
from nnsim.tui.style.shading import MUTED

_STYLES = {"information": MUTED, "success": "$text-success", "warning": "$text-warning",
           "error": "bold $text-error"}


class StatusLine(Widget):
    """A single line that says what just happened: "stopped: breakpoint at step 3",
    "w1 is locked in this lesson", "truth table updated". Kept on screen (unlike a
    toast) so a learner can read it at their pace, and tests can assert on it."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.message = ""
        self.severity = "information"

    def say(self, message: str, severity: str = "information") -> None:
        """Show ``message``; severity is information, success, warning or error."""
        self.message = sanitize(message, single_line=True)  # may quote file names, mirror replies
        self.severity = severity
        self.refresh()

    def render(self) -> Content:
        return Content.styled(self.message, _STYLES.get(self.severity, ""))
