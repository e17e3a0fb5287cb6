"""Modal dialogs of the lesson screens: editing parameters, and a lesson's help."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from nnsim.lessons import Scenario, Stepper
from nnsim.sanitize import sanitize
from nnsim.tui.style.format import fmt
from nnsim.tui.style.shading import MUTED

CSS = Path(__file__).with_name("dialogs.tcss")


class EditDialog(ModalScreen[Optional[dict]]):
    """One input per parameter; locked ones are shown but disabled.

    Enter applies (dismisses with ``{name: value}`` for every editable parameter),
    Escape cancels (dismisses with None). A value that is not a finite number keeps
    the dialog open with the reason underneath.
    """

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, parameters: Sequence, selected: str, title: str = "") -> None:
        super().__init__()
        self.parameters = list(parameters)
        self.selected_name = selected
        self.lesson_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-box") as box:
            box.border_title = "Edit the lesson's numbers"
            with Grid(id="edit-grid"):
                for p in self.parameters:
                    yield Label(p.name, classes="edit-name")
                    yield Input(fmt(p.value, 12), id=f"edit-{p.name}", disabled=not p.editable,
                                compact=True, select_on_focus=True,
                                valid_empty=False)
                    yield Label("" if p.editable else "locked", classes="edit-note")
            yield Static("", id="edit-error")
            yield Static(Content.styled("Enter applies · Tab next · Escape cancels", MUTED))

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False
        editable = [p for p in self.parameters if p.editable]
        target = next((p for p in editable if p.name == self.selected_name), editable[0])
        self.query_one(f"#edit-{target.name}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        values = {}
        for p in self.parameters:
            if not p.editable:
                continue
            text = self.query_one(f"#edit-{p.name}", Input).value.strip().replace("−", "-")
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                self.query_one("#edit-error", Static).update(
                    Content.styled(f"{p.name}: expected a number, got {text!r}", "$text-error"))
                self.query_one(f"#edit-{p.name}", Input).focus()
                return
            values[p.name] = value
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpDialog(ModalScreen[None]):
    """The lesson's description, the keys, what can be edited, breakpoints and expectations."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", key_display="Esc")]

    def __init__(self, scenario: Scenario, keys: Sequence[tuple[str, str]], extra: str = "",
                 stepper: Optional[Stepper] = None) -> None:
        super().__init__()
        self.scenario = scenario
        self.keys = list(keys)
        self.extra = extra
        self.stepper = stepper

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = Content(f"Help: {sanitize(self.scenario.title, single_line=True)}")
            box.border_subtitle = "Escape closes"
            yield Static(self.body(), id="help-text")

    def body(self) -> Content:
        s = self.scenario
        parts: list[Content] = [Content(" ".join(s.description.split())), Content("")]
        parts.append(Content.styled("Keys", "bold $text-accent"))
        width = max(len(k) for k, _ in self.keys) if self.keys else 0
        for keys, what in self.keys:
            parts.append(Content.styled(f"  {keys.ljust(width)}  ", "bold") + Content(what))
        if self.extra:
            parts += [Content(""), Content(self.extra)]
        parts += [Content(""), Content.styled("What you can change", "bold $text-accent")]
        editable = sorted(s.controls.editable)
        parts.append(Content("  " + (", ".join(editable) if editable else "nothing: this lesson's numbers are locked")))
        if self.stepper is not None:
            marks = sorted(self.stepper.breakpoints)
            parts += [Content(""), Content.styled("Breakpoints", "bold $text-accent")]
            text = ", ".join(f"step {i + 1}" for i in marks) or "none (space sets one on the current step)"
            parts.append(Content(f"  {text}"))
            for condition in self.stepper.conditions:
                parts.append(Content(f"  stop when {condition.describe()}"))
        if s.expects:
            parts += [Content(""), Content.styled("Expectations", "bold $text-accent")]
            parts += [Content(f"  {e.description or e.type}") for e in s.expects]
        parts += [Content(""), Content.styled(f"Lesson file: {s.label}", MUTED)]
        return Content("\n").join(parts)

    def action_close(self) -> None:
        self.dismiss(None)
