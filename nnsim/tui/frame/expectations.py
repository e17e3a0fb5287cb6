"""ExpectationList: a lesson's ``[[expect]]`` entries, each passed or failed."""

from __future__ import annotations

from typing import Optional, Sequence

from textual.content import Content
from textual.widget import Widget

from nnsim.tui.style.shading import MUTED


class ExpectationList(Widget):
    """One line per :class:`~nnsim.lessons.ExpectResult`: ✓ or ✗, the description,
    and the detail (the numbers found, or by how much it missed); "… <description> —
    at step N" for one about a step the learner has not reached yet (pending: the
    title's summary counts them), short so that a line fits 80 columns."""

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
        self.needs: list[int] = []
        self.position: Optional[int] = None

    def show(self, results: Sequence, error: Optional[str] = None, needs: Sequence[int] = (),
             position: Optional[int] = None) -> None:
        """Show checked expectations (or ``error``, when checking itself failed).

        ``needs[i]`` is the step result i is about (:func:`nnsim.lessons.expect.needed_step`):
        before the learner reaches it at ``position`` the result is "pending", not given away.
        """
        self.results = list(results)
        self.error = error
        self.needs = list(needs)
        self.position = position
        self.clear_cached_dimensions()  # the size may change with the content
        self.refresh(layout=True)

    def at(self, position: int) -> None:
        """The learner is now at step ``position``: pending results follow."""
        if position != self.position:
            before = [self.is_pending(i) for i in range(len(self.results))]
            self.position = position
            if [self.is_pending(i) for i in range(len(self.results))] != before:  # else the same lines
                self.refresh(layout=True)

    def is_pending(self, i: int) -> bool:
        return self.position is not None and i < len(self.needs) and self.needs[i] > self.position

    @property
    def passed(self) -> int:
        return sum(1 for i, r in enumerate(self.results) if r.passed and not self.is_pending(i))

    @property
    def pending(self) -> int:
        return sum(1 for i in range(len(self.results)) if self.is_pending(i))

    def summary(self) -> str:
        """"2 of 3 hold", "1 of 3 hold, 2 pending", for a border title or a status line."""
        if self.error:
            return "cannot check"
        if not self.results:
            return "none"
        waiting = f", {self.pending} pending" if self.pending else ""
        return f"{self.passed} of {len(self.results)} hold{waiting}"

    def render(self) -> Content:
        if self.error:
            return Content.styled(self.error, "$error")
        if not self.results:
            return Content.styled("This lesson states no expectations.", MUTED)
        lines = []
        for i, r in enumerate(self.results):
            if self.is_pending(i):
                lines.append(Content.styled("… ", MUTED) + Content(r.description)
                             + Content.styled(f" — at step {self.needs[i] + 1}", MUTED))
                continue
            mark = Content.styled("✓ ", "bold $success") if r.passed else Content.styled("✗ ", "bold $error")
            lines.append(mark + Content(r.description) + Content.styled(f" — {r.detail}", MUTED))
        return Content("\n").join(lines)
