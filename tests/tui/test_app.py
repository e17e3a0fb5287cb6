"""The app shell: starting at a lesson and step, errors before the first frame, themes,
presenter mode, help, the command palette and quitting."""

from __future__ import annotations

import pytest
from textual.app import App

from nnsim import cli
from nnsim.errors import NnsimError
from nnsim.lessons import load_scenario
from nnsim.tui import app as app_module
from nnsim.tui.app import NnsimApp, run
from nnsim.tui.screens import SCREENS, screen_class
from nnsim.tui.frame.dialogs import HelpDialog
from nnsim.tui.screens.gates.screen import CircuitScreen
from nnsim.tui.screens.home.screen import HomeScreen
from nnsim.tui.frame.lesson import LessonScreen
from tests.tui.conftest import SIZE


def test_every_registered_screen_is_a_lesson_screen():
    for kind in SCREENS:
        assert issubclass(screen_class(kind), LessonScreen)
    assert screen_class("no-such-kind") is None


async def test_opening_a_lesson_at_a_step_keeps_home_underneath():
    xor = load_scenario("xor")
    app = NnsimApp(xor, start=6, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CircuitScreen)
        assert app.screen.query_one("#step-counter").text.strip() == "step 7 / 16"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_lesson_kind_without_a_screen_opens_home_with_a_notice(monkeypatch):
    monkeypatch.delitem(SCREENS, "train", raising=False)  # as before the training screen landed
    app = NnsimApp(load_scenario("chapter-run"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.message.startswith("The training screen is coming in a later version")


@pytest.mark.parametrize("lesson, step, message", [
    ("nand", 5, "scenarios/nand.toml: step 5: the lesson has 4 steps"),
    ("nand", 0, "scenarios/nand.toml: step 0: steps are counted from 1"),
    ("nadn", None, "nadn: no such scenario file or bundled lesson; did you mean 'nand'?"),
    (None, 3, "a step needs a lesson to open"),
])
def test_run_refuses_bad_lessons_and_steps_before_starting(monkeypatch, lesson, step, message):
    monkeypatch.setattr(App, "run", lambda self, **kw: pytest.fail("the app must not start"))
    with pytest.raises(NnsimError, match="^" + message.replace("?", r"\?").replace("[", r"\[")):
        run(lesson=lesson, step=step)


def test_nnsim_open_with_a_bad_step_is_one_line_and_exit_2(capsys):
    assert cli.main(["open", "xor", "--step", "17"]) == 2
    err = capsys.readouterr().err
    assert err == "nnsim: error: scenarios/xor.toml: step 17: the lesson has 16 steps\n"


def test_nnsim_with_no_command_runs_the_app(monkeypatch):
    calls = []
    monkeypatch.setattr(app_module, "run", lambda **kw: calls.append(kw) or 0)
    assert cli.main([]) == 0
    assert calls == [{}]


def test_run_passes_the_lesson_step_and_presenter_mode_to_the_app(monkeypatch):
    seen = {}

    def fake_run(self, **kwargs):
        seen.update(scenario=self.initial_scenario, start=self.initial_start, present=self.present,
                    steps=len(self.initial_steps))
        return 0

    monkeypatch.setattr(App, "run", fake_run)
    assert run(lesson="half-adder", step=20, present=True) == 0
    assert seen["scenario"].name == "half-adder" and seen["start"] == 19
    assert seen["present"] is True and seen["steps"] == 20


async def test_t_switches_light_and_dark(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light" and not app.current_theme.dark
        await pilot.press("t")
        assert app.theme == "textual-dark"


async def test_p_switches_presenter_mode_on_every_screen(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        assert app.has_class("-presenter") and app.screen.has_class("-presenter")
        app.open_lesson(load_scenario("nand"))
        await pilot.pause()
        lab = app.screen
        assert lab.has_class("-presenter")
        assert lab.query_one("#expectations").display  # presenter mode hides nothing normal mode shows
        await pilot.press("p")
        assert not lab.has_class("-presenter") and lab.query_one("#expectations").display


async def test_help_lists_the_keys_and_what_can_be_changed(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_lesson(load_scenario("nand"))
        await pilot.pause()
        lab = app.screen
        await pilot.press("question_mark")
        dialog = app.screen
        assert isinstance(dialog, HelpDialog)
        text = dialog.body().plain
        for keys, what in (("n / →", "Go to the next step"), ("b / ←", "Go back one step"),
                           ("space", "breakpoint"), ("q / esc", "Back to the list of lessons"),
                           ("^q", "Quit nnsim"), ("↑", "Select the previous parameter")):
            assert keys in text and what in text
        assert "perceptron.bias, perceptron.weights" in text
        await pilot.press("escape")
        assert app.screen is lab


async def test_the_command_palette_offers_the_debugger_keys(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_lesson(load_scenario("nand"))
        await pilot.pause()
        lab = app.screen
        commands = {c.title: c for c in app.get_system_commands(lab)}
        for title in ("Step", "Back", "Continue", "Restart", "Break", "Edit", "Help", "Home",
                      "Light or dark theme", "Presenter mode", "Theme", "Quit"):
            assert title in commands
        assert "keys: n / →" in commands["Step"].help
        # Choosing one runs the action on the lesson screen.
        await commands["Step"].callback()
        assert lab.stepper.position == 1


async def test_ctrl_q_quits_from_a_lesson(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_lesson(load_scenario("nand"))
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("name, widgets", [
    ("nand", ["#diagram", "#truth-table", "#equation", "#expectations"]),
    ("xor", ["#diagram", "#truth-table", "#equation", "#expectations"]),
    ("half-adder", ["#diagram", "#truth-table", "#equation", "#expectations"]),
    ("input-perceptron", ["#diagram", "#truth-table", "#equation", "#expectations"]),
    ("sigmoid-vs-step", ["#sigma-plot", "#step-plot", "#neuron", "#nudge", "#sig-keys"]),
    ("small-changes", ["#sigma-plot", "#step-plot", "#neuron", "#nudge", "#sig-keys"]),
])
async def test_every_lab_fits_80x24(name, widgets):
    """Readable at 80×24: each panel of the lesson is on screen whole, at every step."""
    app = NnsimApp(load_scenario(name), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        for _ in range(len(lab.stepper)):
            for selector in widgets + ["#step-counter", "#narration", "#status", "Footer"]:
                widget = lab.query_one(selector)
                region = widget.region
                assert region.area > 0, f"{selector} is not shown at {lab.step.title!r}"
                assert lab.region.contains_region(region), f"{selector} is cut off at {lab.step.title!r}"
            await pilot.press("n")
            await pilot.pause()


async def test_a_lesson_opened_directly_reads_the_lesson_list_only_when_home_is_shown():
    app = NnsimApp(load_scenario("nand"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen_stack[-2]
        assert isinstance(home, HomeScreen) and home.scenarios == {}
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is home and "nand" in home.scenarios
