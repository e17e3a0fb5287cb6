"""The home screen: the bundled lessons by section, descriptions, opening lessons and files."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from nnsim.lessons import SECTIONS, bundled_scenarios
from nnsim.tui.screens import SCREENS
from nnsim.tui.screens.gates.screen import CircuitScreen, PerceptronScreen
from nnsim.tui.screens.home.screen import HomeScreen
from nnsim.tui.screens.sigmoid.screen import SigmoidScreen
from tests.tui.conftest import SIZE, open_from_home, write_lesson


async def test_home_lists_every_bundled_lesson_under_its_section(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        lessons = app.screen.query_one("#lessons", OptionList)
        ids = [lessons.get_option_at_index(i).id for i in range(lessons.option_count)]
        expected = []
        section = None
        for s in bundled_scenarios():
            if s.section_id != section:
                section = s.section_id
                expected.append(f"section:{section}")
            expected.append(s.name)
        assert ids == expected
        # Sections appear in the chapter's order, as headings that cannot be opened.
        headings = [i.split(":", 1)[1] for i in ids if i.startswith("section:")]
        assert headings == [k for k in SECTIONS if k in headings]
        assert all(lessons.get_option(f"section:{h}").disabled for h in headings)


async def test_highlighting_a_lesson_shows_its_description(app):
    xor = next(s for s in bundled_scenarios() if s.name == "xor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lessons = app.screen.query_one("#lessons", OptionList)
        lessons.highlighted = lessons.get_option_index("xor")
        await pilot.pause()
        info = app.screen.query_one("#info-text", Static).render().plain
        assert xor.title in info
        assert " ".join(xor.description.split()) in " ".join(info.split())
        assert "Enter opens it" in info


async def test_enter_opens_each_lab_and_q_comes_back(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for name, screen_type in (("nand", PerceptronScreen), ("half-adder", CircuitScreen),
                                  ("sigmoid-vs-step", SigmoidScreen)):
            screen = await open_from_home(pilot, name)
            assert isinstance(screen, screen_type)
            assert screen.scenario.name == name
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)


async def test_kinds_without_a_screen_say_they_are_coming(app, monkeypatch):
    monkeypatch.delitem(SCREENS, "backprop", raising=False)  # as before the debugger landed
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        screen = await open_from_home(pilot, "backprop-by-hand")
        assert screen is home
        assert "coming in a later version" in home.message
        assert "nnsim run backprop-by-hand" in home.message


async def test_open_a_file_by_path(app, tmp_path):
    path = write_lesson(tmp_path, """
title = "My OR"
description = "OR with other numbers."
kind = "perceptron"

[perceptron]
weights = [1, 1]
bias = -0.5
""")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#path", Input)
        await pilot.press(*str(path), "enter")
        await pilot.pause()
        assert isinstance(app.screen, PerceptronScreen)
        assert app.screen.scenario.title == "My OR"


async def test_a_bad_file_is_one_line_on_the_home_screen(app, tmp_path):
    path = write_lesson(tmp_path, 'title = "x"\ndescription = "y"\nkind = "perceptron"\n[perceptron]\nweights = "abc"\nbias = 1\n')
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        home.query_one("#path", Input).value = str(path)
        await pilot.press("slash", "enter")
        await pilot.pause()
        assert app.screen is home
        assert home.message.startswith(f"{path}: [perceptron].weights: expected")
        home.query_one("#path", Input).value = "nadn"
        await pilot.press("enter")
        await pilot.pause()
        assert "did you mean 'nand'" in home.message
