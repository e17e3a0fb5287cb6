"""SVG snapshot of the training screen after a short run on the offline sample, fixed seed.

The session's clock is a fake that advances 1 ms at every reading, so the figures
that depend on time (examples per second, elapsed) are the same on every machine.
Review a new picture after an intended change with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import itertools

from nnsim.lessons.kinds.train import train_scenario
from nnsim.tui.screens.train.screen import TrainingApp


def fake_clock():
    ticks = itertools.count()
    return lambda: next(ticks) * 0.001


async def finish(pilot) -> None:
    await pilot.press("c")
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_training_screen_after_three_epochs_on_the_sample(snap_compare, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = TrainingApp(train_scenario(dataset="sample", epochs=3, seed=0), cursor_blink=False, clock=fake_clock())
    assert snap_compare(app, run_before=finish, terminal_size=(120, 36))


def test_training_screen_classes_panel_80x24(snap_compare, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = TrainingApp(train_scenario(dataset="sample", epochs=2, seed=0), cursor_blink=False, clock=fake_clock())

    async def finish_then_classes(pilot) -> None:
        await finish(pilot)
        await pilot.press("2")

    assert snap_compare(app, run_before=finish_then_classes, terminal_size=(80, 24))
