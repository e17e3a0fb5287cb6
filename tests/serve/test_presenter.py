"""Presenter mode in the real app (Pilot), and how ``--present`` reaches it from each command."""

from __future__ import annotations

import shlex
import sys

from textual.color import Color

from nnsim.cli import main
from nnsim.lessons.scenario import load_scenario
from nnsim.tui.app import NnsimApp
from nnsim.tui.style.presenter import PRESENTER_CLASS, PRESENTER_THEME
from nnsim.tui.frame.step_counter import StepCounter
from tests.tui.conftest import SIZE, open_from_home


def counter_rows(counter: StepCounter) -> list[str]:
    return [strip.text for strip in counter.render_lines(counter.content_region.reset_offset)]


def assert_presenting(app: NnsimApp) -> None:
    assert app.theme == PRESENTER_THEME.name
    theme = app.current_theme
    assert Color.parse(theme.background) == Color(0, 0, 0) and Color.parse(theme.foreground) == Color(255, 255, 255)
    assert app.has_class(PRESENTER_CLASS) and app.screen.has_class(PRESENTER_CLASS)


async def test_present_starts_every_screen_in_presenter_mode():
    app = NnsimApp(present=True, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert_presenting(app)  # the home screen
        lab = await open_from_home(pilot, "nand")  # a screen pushed later gets the class too
        await pilot.pause()
        assert_presenting(app)
        # Presenter mode never hides what normal mode shows: the expectations stay.
        expectations = lab.query_one("#expectations")
        assert expectations.display and expectations.region.area > 0
        narration = lab.query_one(".narration")
        assert narration.styles.border.top[0] == "heavy"
        # The step counter: three rows, "step 1 / 4" with the numbers in three-row digits.
        counter = lab.query_one(StepCounter)
        assert counter.region.height == 3
        rows = counter_rows(counter)
        assert len(rows) == 3 and "step" in rows[2] and "/" in rows[2]
        assert "1 / 4" not in "".join(rows)  # not drawn as plain text: the digits are glyphs
        assert counter.text.strip() == "step 1 / 4"


async def test_p_keeps_every_panel_and_restores_the_theme_it_replaced():
    app = NnsimApp(cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "nand")
        app.theme = "textual-light"  # what the teacher had chosen before presenting
        await pilot.pause()
        expectations = lab.query_one("#expectations")
        equation = lab.query_one("#equation")
        counter = lab.query_one(StepCounter)
        assert expectations.display and expectations.region.width > 0
        assert counter.region.height == 1 and counter_rows(counter)[0].strip() == "step 1 / 4"
        equation_before = equation.region

        await pilot.press("p")
        await pilot.pause()
        assert_presenting(app)
        assert expectations.display and expectations.region.area > 0  # nothing folded away
        assert counter.region.height == 3
        # The lesson's main view stays whole on screen, and the narration is shown in full.
        screen_region = lab.region
        for name in ("#diagram", "#truth-table", "#equation", "#narration"):
            widget = lab.query_one(name)
            assert widget.region.area > 0 and screen_region.contains_region(widget.region), name
        narration = lab.query_one("#narration")
        assert narration.max_scroll_y == 0

        # Stepping while presenting: the big counter follows.
        await pilot.press("n")
        await pilot.pause()
        assert counter.text.strip() == "step 2 / 4" and len(counter_rows(counter)) == 3

        await pilot.press("p")
        await pilot.pause()
        assert app.theme == "textual-light"
        assert not app.has_class(PRESENTER_CLASS) and not lab.has_class(PRESENTER_CLASS)
        assert expectations.display and expectations.region.width > 0
        assert equation.region == equation_before
        assert counter.region.height == 1 and counter_rows(counter)[0].strip() == "step 2 / 4"


async def test_the_home_screen_toggles_too():
    app = NnsimApp(cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        assert_presenting(app)
        await pilot.press("p")
        assert app.theme == "textual-dark" and not app.screen.has_class(PRESENTER_CLASS)


def test_open_present_hands_present_and_step_to_the_app(monkeypatch):
    import nnsim.tui.app as app

    calls = []
    monkeypatch.setattr(app, "run", lambda **kw: calls.append(kw) or 0)
    assert main(["open", "nand", "--step", "3", "--present"]) == 0
    assert calls == [{"lesson": str(load_scenario("nand").path), "step": 3, "present": True}]


def test_serve_present_starts_every_session_presenting_on_the_lesson(monkeypatch):
    """``nnsim serve LESSON --step N --present`` → the command each tab runs → the app it starts."""
    import nnsim.tui.app as app
    from nnsim.serve import session
    from nnsim.serve.server import ClassroomServer, session_command
    from nnsim.tui.host import ServedHost

    starts = []
    monkeypatch.setattr(ClassroomServer, "run", lambda self: starts.append(self.start) or 0)
    assert main(["serve", "nand", "--step", "3", "--present", "--max-sessions", "5"]) == 0
    (start,) = starts
    argv = shlex.split(session_command(start.lesson, start.step, start.present))
    assert argv == ["exec", sys.executable, "-m", "nnsim.serve.session",
                    "--lesson", "nand", "--step", "3", "--present"]

    apps = []
    monkeypatch.setattr(app.NnsimApp, "run", lambda self: apps.append(self))
    assert session.main(argv[4:]) == 0
    (started,) = apps
    assert (started.initial_scenario.name, started.initial_start, started.present) == ("nand", 2, True)
    assert isinstance(started.host, ServedHost)
