"""Helpers for driving the real app with Textual's Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from nnsim.tui.app import NnsimApp

SIZE = (100, 32)


@pytest.fixture
def app() -> NnsimApp:
    return NnsimApp(cursor_blink=False)


async def open_from_home(pilot, name: str):
    """Highlight a lesson on the home screen, press Enter, return the screen that opened."""
    lessons = pilot.app.screen.query_one("#lessons", OptionList)
    lessons.focus()
    lessons.highlighted = lessons.get_option_index(name)
    await pilot.press("enter")
    await pilot.pause()
    return pilot.app.screen


def write_lesson(tmp_path, text: str, name: str = "lesson.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
