"""The nnsim app: ``nnsim`` (no command), ``nnsim open LESSON``, ``nnsim serve``.

:func:`run` checks the lesson before anything is drawn (a bad file or step is one
``nnsim: error:`` line, not a broken screen), then runs :class:`NnsimApp`. The
app starts on the home screen and, given a lesson, pushes its screen on top, so
``q`` always leads back to the list of lessons.

Startup matters (``nnsim`` is the front door): lesson screens and their widgets
are imported when a lesson opens (see :mod:`nnsim.tui.screens`).
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Iterable, Optional, Sequence

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from nnsim.errors import NnsimError
from nnsim.tui.host import OUT_OF_MEMORY, Host, LocalHost, out_of_memory
from nnsim.tui.style.presenter import CSS_PATH as PRESENTER_CSS
from nnsim.tui.style.presenter import Presenter
from nnsim.tui.screens import KIND_NAMES, screen_class

LIGHT_THEME = "textual-light"
DARK_THEME = "textual-dark"


class NnsimApp(App[int]):
    """The terminal app: a home screen of lessons, one screen per lesson kind.

    Args:
        scenario: a lesson to open at once (a :class:`~nnsim.lessons.Scenario`), or None.
        start: the step to open it at, from 0.
        steps: the lesson's steps, if :func:`run` already built them.
        present: start in presenter mode (``p`` toggles it).
        cursor_blink: False keeps text cursors steady (snapshot tests).
        settle_gc: once the first screen is drawn, call :func:`settle_garbage_collector`
            (:func:`run` does; tests that start many apps in one process do not).
        host: where the app runs (:mod:`nnsim.tui.host`): a LocalHost in the terminal,
            a ServedHost under ``nnsim serve``; files and "Open a file" go through it.
    """

    CSS_PATH = [Path(__file__).with_name("app.tcss"), PRESENTER_CSS]
    TITLE = "nnsim"
    BINDINGS = [
        Binding("t", "toggle_dark", "Light/dark", show=False, tooltip="Switch between the light and dark theme"),
        Binding("p", "toggle_presenter", "Present", show=False,
                tooltip="Presenter mode: high contrast, side panels folded"),
        Binding("j", "toggle_follow", "Follow", show=False,
                tooltip="nnsim serve --follow: leave the teacher to explore, or rejoin"),
    ]

    def __init__(self, scenario=None, start: int = 0, steps: Optional[Sequence] = None, present: bool = False,
                 cursor_blink: bool = True, settle_gc: bool = False, host: Optional[Host] = None) -> None:
        super().__init__()
        self.host = host if host is not None else LocalHost()
        self.follow = None
        """A :class:`nnsim.tui.follow.Follow` under ``nnsim serve --follow``, else None."""
        self.settle_gc = settle_gc
        self.initial_scenario = scenario
        self.initial_start = start
        self.initial_steps = steps
        self.present = present
        self.cursor_blink = cursor_blink
        self.presenter = Presenter(self)
        self.theme = DARK_THEME

    def on_mount(self) -> None:
        from nnsim.tui.screens.home.screen import HomeScreen

        self.presenter.install(self.present)
        screen, message = None, ""
        if self.initial_scenario is not None:
            screen, message = self.lesson_screen(self.initial_scenario, self.initial_start, self.initial_steps)
        self.push_screen(HomeScreen(message))
        if screen is not None:
            self.push_screen(screen)
        if self.settle_gc:
            self.call_after_refresh(settle_garbage_collector)
        if self.follow is not None:
            self.follow.start()

    def lesson_screen(self, scenario, start: int = 0, steps: Optional[Sequence] = None) -> tuple[Optional[Screen], str]:
        """The screen for ``scenario``'s kind, or None and why not (a kind whose screen is
        still to come, or steps the lessons layer refused)."""
        cls = screen_class(scenario.kind)
        if cls is None:
            what = KIND_NAMES.get(scenario.kind, f"a screen for {scenario.kind} lessons")
            return None, (f"{what[0].upper()}{what[1:]} is coming in a later version; "
                          f"play this lesson now with: nnsim run {scenario.name}")
        try:
            return cls(scenario, steps=steps, start=start), ""
        except NnsimError as error:
            return None, str(error)

    def open_lesson(self, scenario, start: int = 0, steps: Optional[Sequence] = None) -> str:
        """Push the screen for ``scenario``; returns "" on success, else why it did not open."""
        screen, message = self.lesson_screen(scenario, start, steps)
        if screen is not None:
            self.push_screen(screen)
        return message

    def _handle_exception(self, error: Exception) -> None:
        super()._handle_exception(error)
        if self.host.served and out_of_memory(error):
            self._return_code = OUT_OF_MEMORY  # the server tells the tab, in words, why it ended

    def action_toggle_dark(self) -> None:
        """Light ↔ dark (the command palette's "Theme" offers every theme)."""
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def action_toggle_presenter(self) -> None:
        self.presenter.toggle()

    def action_toggle_follow(self) -> None:
        if self.follow is not None:
            self.follow.toggle()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Light or dark theme", "Switch between the light and dark theme (t)",
                            self.action_toggle_dark)
        yield SystemCommand("Presenter mode", "High contrast, side panels folded, for a projector (p)",
                            self.action_toggle_presenter)
        palette_commands = getattr(screen, "palette_commands", None)
        if palette_commands is not None:
            yield from palette_commands()


def settle_garbage_collector() -> None:
    """Keep the garbage collector's pauses out of key presses.

    What exists once the first screen is drawn (Textual, the lesson, its steps)
    lives as long as the app, so it is moved where the collector no longer scans
    it, and young objects are collected less often (a step allocates thousands
    of strips and segments). Measured in ``benchmarks/bench_backprop_step.py``:
    it takes most collection pauses out of the slow tail of a debugger step.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def start_point(lesson: Optional[str], step: Optional[int], host: Optional[Host] = None):
    """(scenario, start from 0, steps or None) for ``lesson`` (a scenario file or a bundled
    lesson's name; through ``host`` when given, so a served session opens names only) at
    ``step`` (counted from 1, as the step counter shows).

    Raises NnsimError when the lesson cannot be read or the step is not in it.
    """
    scenario = steps = None
    start = 0
    if lesson is not None:
        from nnsim.lessons import load_scenario

        if not isinstance(lesson, (str, Path)):
            scenario = lesson  # already loaded (nnsim open --network)
        else:
            scenario = host.open_lesson(str(lesson)) if host is not None else load_scenario(lesson)
        cls = screen_class(scenario.kind)
        if step is not None:
            if step < 1:
                raise NnsimError(f"{scenario.label}: step {step}: steps are counted from 1")
            if cls is not None:
                steps = cls.lesson_steps(scenario)
                if step > len(steps):
                    raise NnsimError(f"{scenario.label}: step {step}: the lesson has {len(steps)} steps")
            start = step - 1
    elif step is not None:
        raise NnsimError("a step needs a lesson to open (e.g. nnsim open xor --step 5)")
    return scenario, start, steps


def run(lesson: Optional[str] = None, step: Optional[int] = None, present: bool = False,
        host: Optional[Host] = None) -> int:
    """Run the app; with ``lesson``, open it at ``step`` (see :func:`start_point`).
    Returns the exit status.

    Raises NnsimError, before the app starts, when the lesson cannot be read or the
    step is not in it.
    """
    scenario, start, steps = start_point(lesson, step, host)
    app = NnsimApp(scenario, start=start, steps=steps, present=present, settle_gc=True, host=host)
    app.run()
    return int(app.return_code or 0)
