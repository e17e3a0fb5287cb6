"""Steering a run in the training screen (Pilot): its pace, one epoch per key press, η while
training (the event and the chart's marker), kept runs overlaid, a run found again after a
round trip to the home screen, and the download dialog's answer remembered."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Static

from nnsim.core import EtaChanged
from nnsim.lessons.session import FINISHED, PAUSED
from nnsim.tui.screens.train.accuracy_chart import AccuracyChart
from nnsim.tui.screens.train.download import DownloadDialog
from nnsim.tui.screens.train.preferences import config_dir, remember_dataset_choice, remembered_dataset_choice
from nnsim.tui.screens.train.screen import TrainScreen
from nnsim.tui.widgets.plot import TextPlot

SIZE = (120, 36)


# The training screen tests' own helpers: no user cache or mirror, a run on the sample, settling.
from tests.tui.test_train import empty_cache, sample_app, settle  # noqa: E402,F401  (empty_cache is autouse)


def pace_line(screen) -> str:
    return str(screen.query_one("#pace-line", Static).content)


async def test_pace_keys_slow_a_run_down_to_slow_motion_and_back():
    app = sample_app(epochs=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert "+ faster, - slower" in pace_line(screen)
        for _ in range(5):
            await pilot.press("minus")
        assert screen.pace == 10.0 and "10 mini-batches/s" in screen.status
        await pilot.press("c")
        await asyncio.sleep(0.45)
        await pilot.press("s")
        await settle(pilot)
        session = screen.session
        assert session.state == PAUSED and session.pace == 10.0
        assert 1 <= session.batch <= 20  # 10 a second (and a busy machine), not 150 in a blink at full speed
        line = pace_line(screen)
        assert f"mini-batch {session.batch:,} / 150" in line and "recent costs" in line
        assert any(bar in line for bar in "▁▂▃▄▅▆▇█")
        for _ in range(6):
            await pilot.press("plus")
        assert screen.pace is None and session.pace is None
        await pilot.press("N")  # one epoch, at full speed
        await settle(pilot)
        assert len(session.results) == 1 and session.state == PAUSED
        await pilot.press("N")
        await settle(pilot)
        assert session.state == FINISHED and len(session.results) == 2


async def test_eta_changed_while_training_is_an_event_in_the_stream_and_a_marker_on_the_chart():
    app = sample_app(epochs=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        for _ in range(4):
            await pilot.press("minus")  # 30 mini-batches a second: time to type
        await pilot.press("c")
        await asyncio.sleep(0.2)
        await pilot.press("e")
        eta = screen.query_one("#set-eta", Input)
        assert app.focused is eta and not eta.disabled
        assert screen.query_one("#set-sizes", Input).disabled  # the other settings stay locked, and say why
        assert "fixed during a run" in str(screen.query_one("#set-sizes", Input).tooltip)
        eta.value = "0.5"
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(5):
            await pilot.press("plus")
        await settle(pilot)
        session = screen.session
        assert session.state == FINISHED
        [change] = session.eta_changes
        assert isinstance(change, EtaChanged) and change.eta == 0.5 and change.epoch == 0 and change.index > 0
        assert any(line.startswith("η → 0.5 from mini-batch") for line in screen.log_lines)
        chart = screen.query_one("#chart", AccuracyChart)
        assert chart.eta_changes == [change]
        marker = [m for m in chart.query_one("#accuracy-plot", TextPlot).markers if m.label == "η 0.5"]
        assert marker and marker[0].x == pytest.approx(max(0.0, -1 + change.index / 150))
        # The log lines label both costs.
        assert " train cost " in screen.log_lines[-1] and " · test cost " in screen.log_lines[-1]
        # Replaying the recorded change gives the same run, number for number.
        replay = session.replay()
        replay.run(lambda r: None)
        assert [r.event.correct for r in replay.results] == [r.event.correct for r in session.results]


async def test_kept_runs_are_overlaid_with_a_legend_one_by_one():
    app = sample_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("c")
        await settle(pilot)
        first = screen.session
        await pilot.press("o")
        assert "no other run" in screen.status
        await pilot.press("r")  # a new run with seed 1; the first one is kept
        await settle(pilot)
        assert screen.session is not first and screen.session.state == FINISHED
        await pilot.press("o")
        chart = screen.query_one("#chart", AccuracyChart)
        [(label, epochs)] = chart.overlays
        assert label == "[784,30,10] · η 3 · seed 0"
        assert [e.correct for e in epochs] == [r.event.correct for r in first.results]
        plot = chart.query_one("#accuracy-plot", TextPlot)
        assert [s.label for s in plot.series if s.label in (label, "this run")] == [label, "this run"]
        assert label in str(plot.legend())
        await pilot.press("r")
        await settle(pilot)
        assert chart.overlays[0][0].endswith("seed 0")  # the choice holds across runs
        await pilot.press("o")  # now two others: the next, then both, then none, then the first again
        assert chart.overlays[0][0].endswith("seed 1")
        await pilot.press("o")
        assert [label for label, _ in chart.overlays] == ["[784,30,10] · η 3 · seed 0", "[784,30,10] · η 3 · seed 1"]
        await pilot.press("o")
        assert chart.overlays == []
        await pilot.press("o")
        assert chart.overlays[0][0].endswith("seed 0")


async def test_a_run_survives_a_round_trip_to_the_home_screen():
    app = sample_app(epochs=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("N")
        await settle(pilot)
        session, lines = screen.session, list(screen.log_lines)
        assert session.state == PAUSED and len(session.results) == 1
        scenario = screen.scenario
        await pilot.press("q")
        await settle(pilot)
        assert not isinstance(app.screen, TrainScreen)
        assert app.open_lesson(scenario) == ""
        await settle(pilot)
        again = app.screen
        assert isinstance(again, TrainScreen) and again is not screen
        assert again.session is session and session.state == PAUSED
        assert [r.event for r in again.shown] == [r.event for r in session.results]
        assert again.log_lines == lines
        assert "back to the run you left" in again.status
        await pilot.press("c")  # and it goes on where it was
        await settle(pilot)
        assert session.state == FINISHED and len(session.results) == 3


async def test_the_download_dialogs_answer_is_remembered_in_the_config_folder(tmp_path, monkeypatch):
    said = []
    say = TrainScreen.say
    monkeypatch.setattr(TrainScreen, "say", lambda self, message, severity="information": (
        said.append(message), say(self, message, severity)))
    assert "config" in str(config_dir()) and not (config_dir() / "preferences.json").exists()
    app = sample_app(epochs=1, dataset="mnist")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, DownloadDialog)
        app.screen.dismiss("sample")
        await settle(pilot)
        assert remembered_dataset_choice("mnist") == "sample"
        assert (config_dir() / "preferences.json").is_file()
    app = sample_app(epochs=1, dataset="mnist")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrainScreen)  # no dialog this time
        assert screen.session.plan.settings["dataset"] == "sample" and screen.session.state == FINISHED
        assert any("training on the offline sample, as you chose before" in m for m in said)
    assert remember_dataset_choice("mnist", "download") and remembered_dataset_choice("mnist") == "download"


async def test_epochs_are_drawn_while_the_run_goes_on(monkeypatch):
    """Epochs slower than the redraw throttle are drawn as they finish, not all at the end
    (a Textual timer of 0 s fails once any time has passed; the screen draws at once then)."""
    from nnsim.tui.screens.train import reports

    monkeypatch.setattr(reports, "EPOCH_REDRAW", 0.0)  # every epoch is "slower than the throttle"
    app = sample_app(epochs=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        for _ in range(3):
            await pilot.press("minus")  # 100 mini-batches a second: 1.5 s an epoch
        await pilot.press("c")
        for _ in range(400):
            await asyncio.sleep(0.01)
            if screen.session is not None and screen.session.results:
                break
        await pilot.pause(0.1)
        assert screen.busy and screen.session.state == "running"
        assert [r.event.epoch for r in screen.shown] == [0]  # drawn while epoch 1 trains
        assert screen.log_lines[-1].startswith("Epoch 0: ")
        assert screen.query_one("#chart", AccuracyChart).epochs
        screen.session.request_stop()
        await settle(pilot)


async def test_a_served_session_keeps_its_dataset_choice_to_itself():
    """Under nnsim serve the config folder is the server's, shared by every client: the
    choice is kept by the session's host, and nothing is written."""
    from nnsim.tui.host import ServedHost

    app = sample_app(epochs=1, dataset="mnist")
    app.host = ServedHost()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrainScreen)  # no download dialog: the cache is the teacher's
        assert screen.session.plan.settings["dataset"] == "sample" and screen.session.state == FINISHED
        assert app.host.preferences == {"dataset_choice": {"mnist": "sample"}}
    assert not (config_dir() / "preferences.json").exists() and remembered_dataset_choice("mnist") is None
    assert ServedHost().preferences == {}  # another client starts afresh
    # Asked again in the same session, the answer is the session's own.
    remember_dataset_choice("fashion-mnist", "download", app.host.preferences)
    assert remembered_dataset_choice("fashion-mnist", app.host.preferences) == "download"
    assert remembered_dataset_choice("fashion-mnist") is None and not (config_dir() / "preferences.json").exists()
