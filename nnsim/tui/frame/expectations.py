"""ExpectationList: a lesson's ``[[expect]]`` entries, each passed or failed."""

from __future__ import annotations

from typing import Optional, Sequence

from textual.content import Content
from textual.widget import Widget

from nnsim.tui.style.shading import MUTED


class ExpectationList(Widget):
    """One line per :class:`~nnsim.lessons.ExpectResult`: ✓ or ✗, the description,
    and the detail (the numbers found, or by how much it missed)."""

    DEFAULT_CSS = """
    ExpectationList {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.results: list = []
        self.error: Optional[str] = None

    def show(self, results: Sequence, error: Optional[str] = None) -> None:
        """Show checked expectations (or ``error``, when checking itself failed)."""
        self.results = list(results)
        self.error = error
        self.clear_cached_dimensions()  # the size may change with the content
        self.refresh(layout=True)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    def summary(self) -> str:
        """"2 of 3 hold", for a border title or a status line."""
        if self.error:
            return "cannot check"
        if not self.results:
            return "none"
        return f"{self.passed} of {len(self.results)} hold"

    def render(self) -> Content:
        if self.error:
            return Content.styled(self.error, "$error")
        if not self.results:
            return Content.styled("This lesson states no expectations.", MUTED)
        lines = []
        for r in self.results:
            mark = Content.styled("✓ ", "bold $success") if r.passed else Content.styled("✗ ", "bold $error")
            lines.append(mark + Content(r.description) + Content.styled(f" — {r.detail}", MUTED))
        return Content("\n").join(lines)
