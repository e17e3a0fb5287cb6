"""LessonScreen: the debugger every lesson screen shares.

A lesson is a list of steps computed up front by the lessons layer
(:func:`nnsim.lessons.build_steps`); this screen is a cursor over them (a
:class:`nnsim.lessons.Stepper`). It owns what every lesson has in common:

- the debugger's keys, as :class:`~textual.binding.Binding` objects shown in the
  footer and (through :meth:`palette_commands`) in the command palette:
  ``n``/→ step, ``b``/← back, ``c`` continue to the next breakpoint or
  condition or the end, ``r`` restart, ``space`` toggle a breakpoint on this
  step, ``e`` edit the selected parameter, ``?`` help, ``q``/Escape home,
  ``ctrl+q`` quit; ↑/↓ select a parameter;
- the title bar with the step counter ("step 3 / 12"), the status line and the
  narration panel;
- editing: :meth:`parameters` lists the numbers a learner may change (locked
  ones included, so the screen can say they are locked); the edit dialog
  returns new values, which become a new scenario through
  :func:`~nnsim.lessons.scenario.with_changes` (validated
  like the file), whose steps are rebuilt by the lessons layer.

A subclass supplies the lesson's own view::

    class BackpropScreen(LessonScreen):
        CSS_PATH = LessonScreen.CSS_PATH + [Path(__file__).with_name("backprop.tcss")]

        def compose_lesson(self):          # the widgets between title bar and status line
            with Vertical(id="lesson-body"):   # lesson.tcss gives #lesson-body the free height
                yield TensorView("z", id="z", classes="panel")

        def show_step(self, step):         # draw the current LessonStep (step.data, step.values)
            self.query_one("#z", TensorView).show(step.data.arrays["z"])

and registers it in :data:`nnsim.tui.screens.SCREENS`. It may override:

- :meth:`lesson_steps` (a classmethod): how the steps are built (default
  ``build_steps``). Steps that arrive later (epochs) go in with
  ``self.stepper.extend(steps)`` followed by :meth:`refresh_step`.
- :meth:`parameters` and :meth:`apply_parameters`: what ``e`` edits (the default
  ``apply_parameters`` handles numbers and lists of numbers of the scenario's
  tables); :meth:`show_selection`: redraw after ↑/↓.
- :meth:`help_text`: the screen's own paragraph in the ``?`` dialog.
- :meth:`scenario_changed`: after an edit replaced the scenario and its steps.

Helpers for subclasses: :meth:`say` (the status line), :meth:`check_lesson` (the
lesson's expectations against the current steps), :attr:`step`,
:attr:`selected_parameter`. Screen-specific keys are ``BINDINGS`` on the subclass
(best with ``show=False`` and a ``tooltip``: the footer is full at 80 columns;
the help dialog and the command palette list them with their tooltips). Presenter
mode hides nothing (see :mod:`nnsim.tui.style.presenter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Iterable, Optional, Sequence

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from nnsim.errors import NnsimError
from nnsim.sanitize import sanitize
from nnsim.lessons import LessonStep, Scenario, Stepper, breakpoint_indices, build_steps, check_expectations
from nnsim.lessons.scenario import with_changes
from nnsim.tui.style.format import fmt
from nnsim.tui.frame.narration import NarrationPanel
from nnsim.tui.frame.status import StatusLine
from nnsim.tui.frame.step_counter import StepCounter
from nnsim.tui.style.presenter import ROOMY_ROWS, SHORT_CLASS


@dataclass(frozen=True)
class Parameter:
    """One number of the lesson that the edit dialog shows.

    Attributes:
        name: how the screen labels it: "w1", "b", "x2".
        value: its current value (from the scenario).
        key: the scenario's control key it belongs to, e.g. "perceptron.weights".
        index: for a list parameter (weights, x), which element; None for a number.
        editable: False when the lesson's [controls] lock it.
    """

    name: str
    value: float
    key: str
    index: Optional[int] = None
    editable: bool = True


class LessonScreen(Screen):
    """Base class of every lesson screen (see the module's docstring)."""

    CSS_PATH: ClassVar[list] = [Path(__file__).with_name("lesson.tcss")]
    """Subclasses extend this list with their own .tcss file."""

    BINDINGS: ClassVar[list] = [
        # Footer keys are short so that all of them fit 80 columns; the arrows are in the
        # help dialog and the command palette.
        Binding("n,right", "step", "Step", key_display="n", tooltip="Go to the next step"),
        Binding("b,left", "back", "Back", key_display="b", tooltip="Go back one step"),
        Binding("c", "continue", "Continue", tooltip="Run to the next breakpoint, condition or the end"),
        Binding("r", "restart", "Restart", tooltip="Go back to the first step"),
        Binding("space", "toggle_breakpoint", "Break", key_display="spc",
                tooltip="Set or clear a breakpoint on this step"),
        Binding("e", "edit", "Edit", tooltip="Edit the selected parameter (where the lesson allows)"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="This lesson's help and keys"),
        Binding("q,escape", "home", "Home", key_display="q", tooltip="Back to the list of lessons"),
        Binding("ctrl+q", "app.quit", "Quit", key_display="^q", tooltip="Quit nnsim"),
        Binding("up", "select(-1)", "Previous parameter", show=False, tooltip="Select the previous parameter"),
        Binding("down", "select(1)", "Next parameter", show=False, tooltip="Select the next parameter"),
    ]

    def __init__(self, scenario: Scenario, steps: Optional[Sequence[LessonStep]] = None, start: int = 0,
                 *, name: Optional[str] = None, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        """
        Args:
            scenario: the lesson.
            steps: its steps if already built (``nnsim open --step`` builds them to check
                the step number); built with :meth:`lesson_steps` otherwise.
            start: the step to open at, from 0.
        """
        super().__init__(name=name, id=id, classes=classes)
        self.scenario = scenario
        steps = list(steps) if steps is not None else self.lesson_steps(scenario)
        self.stepper = Stepper(steps, breakpoint_indices(scenario, steps), scenario.conditions)
        self.stepper.goto(start)
        self.selected = 0
        """Index into :meth:`parameters` of the parameter ↑/↓ selected."""

    # -- what subclasses provide ---------------------------------------------------------

    @classmethod
    def lesson_steps(cls, scenario: Scenario) -> list[LessonStep]:
        """The lesson's steps (from the lessons layer). May raise NnsimError."""
        return build_steps(scenario)

    def compose_lesson(self) -> ComposeResult:
        """The lesson's own widgets, between the title bar and the narration."""
        yield from ()

    def show_step(self, step: LessonStep) -> None:
        """Draw ``step`` (the stepper's current step) in the lesson's widgets."""

    def parameters(self) -> list[Parameter]:
        """The numbers the edit dialog offers, locked ones included (default: none)."""
        return []

    def apply_parameters(self, values: dict[str, float]) -> None:
        """Apply edited values (by :attr:`Parameter.name`): a new scenario from
        ``with_changes``, validated like the file, then rebuilt steps.

        A list parameter (``index`` set) must list all its elements in
        :meth:`parameters`, so the whole list can be sent. Only keys with a changed
        value are sent, so a locked key is never touched.
        """
        params = self.parameters()
        changed = [p for p in params if p.name in values and values[p.name] != p.value]
        if not changed:
            self.say("nothing changed")
            return
        edits: dict[str, Any] = {}
        for key in dict.fromkeys(p.key for p in changed):
            group = [p for p in params if p.key == key]
            if group[0].index is None:
                edits[key] = values[group[0].name]
            else:
                edits[key] = [values.get(p.name, p.value) for p in sorted(group, key=lambda p: p.index)]
        self.set_scenario(with_changes(self.scenario, edits))
        shown = ", ".join(f"{p.name} = {fmt(values[p.name])}" for p in changed)
        self.say(f"{shown}: recomputed", "success")

    def help_text(self) -> str:
        """Extra help for this screen's own keys and view (shown by ``?``)."""
        return ""

    def scenario_changed(self) -> None:
        """Called after an edit replaced the scenario and its steps."""

    # -- the frame ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="lesson-bar"):
            yield Static(sanitize(self.scenario.title, single_line=True), id="lesson-title", markup=False)
            yield StepCounter(id="step-counter")
        yield from self.compose_lesson()
        yield StatusLine(id="status")
        yield NarrationPanel(id="narration")
        yield Footer(compact=True)

    def on_resize(self, event) -> None:
        # Presenter mode's larger step counter and roomier narration only where rows are spare.
        self.set_class(event.size.height < ROOMY_ROWS, SHORT_CLASS)

    def on_mount(self) -> None:
        self.set_class(self.app.size.height < ROOMY_ROWS, SHORT_CLASS)
        self.refresh_step()
        params = self.parameters()
        if any(p.editable for p in params):
            self.say("↑/↓ choose a parameter, e edits it; ? for help")
        else:
            self.say("? for help and keys")

    @property
    def step(self) -> LessonStep:
        """The current step."""
        return self.stepper.current

    @property
    def selected_parameter(self) -> Optional[Parameter]:
        params = self.parameters()
        return params[self.selected % len(params)] if params else None

    def refresh_step(self) -> None:
        """Redraw everything for the stepper's current step."""
        step = self.stepper.current
        self.query_one(StepCounter).show(self.stepper.label, self.stepper.position in self.stepper.breakpoints)
        self.query_one(NarrationPanel).show(step.title, step.narration)
        self.show_step(step)

    def say(self, message: str, severity: str = "information") -> None:
        """Write one line in the status line (why the debugger stopped, what an edit did)."""
        self.query_one(StatusLine).say(message, severity)

    @property
    def status(self) -> str:
        """The status line's text."""
        return self.query_one(StatusLine).message

    def set_scenario(self, scenario: Scenario) -> None:
        """Replace the lesson (after an edit): rebuild its steps, keep the position and
        the learner's breakpoints. Raises NnsimError if the steps cannot be built."""
        steps = self.lesson_steps(scenario)
        old = self.stepper
        self.scenario = scenario
        self.stepper = Stepper(steps, {i for i in old.breakpoints if i < len(steps)}, scenario.conditions)
        self.stepper.goto(old.position)
        self.scenario_changed()
        self.refresh_step()

    def check_lesson(self) -> tuple[list, Optional[str]]:
        """The lesson's expectations checked against its current steps: (results, error)."""
        try:
            return check_expectations(self.scenario, steps=self.stepper.steps), None
        except NnsimError as error:
            return [], str(error)

    # -- the debugger's actions ------------------------------------------------------------

    def action_step(self) -> None:
        if self.stepper.at_end:
            self.say("this is the last step (r restarts)")
            return
        self.stepper.next()
        self.say("")
        self.refresh_step()

    def action_back(self) -> None:
        if self.stepper.at_start:
            self.say("this is the first step")
            return
        self.stepper.back()
        self.say("")
        self.refresh_step()

    def action_continue(self) -> None:
        if self.stepper.at_end:
            self.say("this is the last step (r restarts)")
            return
        self.stepper.continue_()
        reason = self.stepper.stop_reason or ""
        self.say(f"stopped: {reason}", "success" if reason == "end of the lesson" else "warning")
        self.refresh_step()

    def action_restart(self) -> None:
        self.stepper.restart()
        self.say("back at the first step")
        self.refresh_step()

    def action_toggle_breakpoint(self) -> None:
        on = self.stepper.toggle_breakpoint()
        where = f"step {self.stepper.position + 1}"
        self.say(f"breakpoint set on {where}" if on else f"breakpoint cleared on {where}")
        self.refresh_step()

    def action_select(self, delta: int) -> None:
        params = self.parameters()
        if not params:
            return
        self.selected = (self.selected + delta) % len(params)
        p = params[self.selected]
        self.say(f"{p.name} selected" + ("; e edits it" if p.editable else " (locked in this lesson)"))
        self.show_selection()

    def show_selection(self) -> None:
        """Redraw after ↑/↓ changed the selected parameter (default: redraw the step)."""
        self.show_step(self.stepper.current)

    def action_edit(self) -> None:
        params = self.parameters()
        if not params:
            self.say("this lesson has no numbers to edit", "warning")
            return
        if not any(p.editable for p in params):
            self.say("this lesson's numbers are locked (its [controls] say so)", "warning")
            return
        selected = params[self.selected % len(params)]
        if not selected.editable:
            self.say(f"{selected.name} is locked in this lesson; the others can be edited", "warning")
        from nnsim.tui.frame.dialogs import EditDialog

        self.app.push_screen(EditDialog(params, selected.name, self.scenario.title), self._edited)

    def _edited(self, values: Optional[dict[str, float]]) -> None:
        if values is None:
            self.say("edit cancelled")
            return
        try:
            self.apply_parameters(values)
        except NnsimError as error:
            self.say(str(error), "error")

    def action_help(self) -> None:
        from nnsim.tui.frame.dialogs import HelpDialog

        self.app.push_screen(HelpDialog(self.scenario, self.key_help(), self.help_text(), self.stepper))

    def action_home(self) -> None:
        self.app.pop_screen()

    # -- keys, for the palette and the help dialog ----------------------------------------

    def own_bindings(self) -> list[Binding]:
        """This screen's bindings, the shared ones first (as declared, keys not split)."""
        out = []
        for cls in reversed(type(self).__mro__):
            if issubclass(cls, LessonScreen):
                out.extend(b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding))
        return out

    def keys_of(self, binding: Binding) -> str:
        """Every key of a binding as the app displays it: "n / →"."""
        return " / ".join(self.app.get_key_display(binding.with_key(k.strip())) for k in binding.key.split(","))

    def key_help(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every binding of this screen, shared ones first."""
        rows: dict[str, tuple[str, str]] = {}
        app_keys = [b for b in self.app.BINDINGS if isinstance(b, Binding) and b.tooltip]
        for binding in self.own_bindings() + app_keys:
            keys, what = rows.get(binding.action, ("", binding.tooltip or binding.description))
            keys = f"{keys} / {self.keys_of(binding)}" if keys else self.keys_of(binding)
            rows[binding.action] = (keys, what)
        rows["command_palette"] = (self.keys_of(Binding(self.app.COMMAND_PALETTE_BINDING, "")),
                                   "The command palette: every key's command, and every theme")
        return list(rows.values())

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Command palette entries for this screen's keys (the app adds them)."""
        seen = set()
        for binding in self.own_bindings():
            if binding.action in seen or binding.action.startswith("app."):
                continue
            seen.add(binding.action)
            yield SystemCommand(binding.description, f"{binding.tooltip or binding.description} — keys: "
                                f"{self.keys_of(binding)}", partial(self.run_action, binding.action))
