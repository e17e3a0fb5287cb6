"""SVG snapshots of the draw screen (pytest-textual-snapshot), a 7 drawn from the keyboard, at
80×24 (the thumbnail of the input) and 120×40. Review changes with ``--snapshot-update``."""

from __future__ import annotations

import pytest

from nnsim.lessons.networks import Found, ReaderPlan, train_reader
from nnsim.tui.screens.draw.app import DrawApp


@pytest.fixture(scope="module")
def reader():
    return list(train_reader(ReaderPlan("sample", 10), seed=0, save=False))[-1].network


async def draw_a_seven(pilot) -> None:
    await pilot.pause()
    # From the cursor's start (14, 14): up to (6, 8), across to (6, 19), then down-left to (22, 12).
    await pilot.press(*["up"] * 8, *["left"] * 6, "space", *["shift+right"] * 11)
    for _ in range(8):
        await pilot.press("shift+down", "shift+down", "shift+left")
    await pilot.press("7")
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_draw_screen_with_a_seven(snap_compare, reader, size):
    app = DrawApp(Found(reader, "the offline sample, 10 epochs"), cursor_blink=False)
    assert snap_compare(app, run_before=draw_a_seven, terminal_size=size)
