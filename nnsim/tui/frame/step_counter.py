"""StepCounter: "step 3 / 12", and whether the step has a breakpoint."""

from __future__ import annotations

from typing import Optional

from rich.console import RenderableType
from textual.content import Content
from textual.widget import Widget

from nnsim.tui.style.presenter import PRESENTER_CLASS, SHORT_CLASS, large_step_label


class StepCounter(Widget):
    """The debugger's position: ``step 3 / 12``, with ● when a breakpoint is set on
    this step. Carries the ``step-counter`` class (large in presenter mode)."""

    DEFAULT_CSS = """
    StepCounter {
        width: auto;
        height: 1;
        padding: 0 1;
        text-style: bold;
        color: $text-accent;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=f"step-counter {classes or ''}".strip())
        self.label = ""
        self.breakpoint = False

    def show(self, label: str, breakpoint: bool = False) -> None:
        width = self._content().cell_length
        self.label = label
        self.breakpoint = breakpoint
        if self._content().cell_length != width:  # a new layout only when the width changed
            self.clear_cached_dimensions()
            self.refresh(layout=True)
        else:
            self.refresh()

    @property
    def text(self) -> str:
        return self._content().plain

    def render(self) -> Content | RenderableType:
        if self.is_mounted and self.screen.has_class(PRESENTER_CLASS) and not self.screen.has_class(SHORT_CLASS):
            return large_step_label(self.label, self.breakpoint)  # presenter mode: three-row digits
        return self._content()

    def _content(self) -> Content:
        mark = Content.styled(" ●", "bold $error") if self.breakpoint else Content("  ")
        return Content(self.label) + mark
