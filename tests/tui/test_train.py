"""The training screen as a real Textual app (Pilot): training in a thread worker on the
offline sample, its events on screen, pause and resume, one mini-batch into the
debugger, divergence, saving, restarting, the look inside, and getting the data.

Every number asserted is recomputed here from the core (``train``, ``class_report``)
or read from the session the screen drives.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import numpy as np
import pytest
from textual import events
from textual.widgets import Button, Input, Log

import nnsim.tui.screens.train.loading as train_loading
from nnsim.cli import main
from nnsim.core import EpochDone, Network, load_network, train
from nnsim.core.metrics import class_report
from nnsim.data import sources
from nnsim.lessons import load_scenario
from nnsim.lessons.kinds.train import load_plan, train_scenario
from nnsim.lessons.session import FINISHED, PAUSED
from nnsim.tui.app import NnsimApp
from nnsim.tui.screens.train.download import DownloadDialog
from nnsim.tui.screens.train.screen import TrainingApp, TrainScreen
from nnsim.tui.screens.train.accuracy_chart import AccuracyChart
from nnsim.tui.screens.train.confusion_matrix import ConfusionMatrix
from nnsim.tui.screens.train.digit_gallery import DigitCard, DigitGallery
from tests.data.conftest import Mirror, published, write_dataset

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    """No test sees the user's cache or a preset mirror; models are saved in tmp_path."""
    monkeypatch.setenv("NNSIM_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NNSIM_MNIST_MIRROR", raising=False)
    monkeypatch.chdir(tmp_path)


def sample_app(epochs=2, eta=3.0, seed=0, dataset="sample", **options) -> TrainingApp:
    return TrainingApp(train_scenario(dataset=dataset, epochs=epochs, eta=eta, seed=seed), cursor_blink=False,
                       **options)


def core_run(epochs=2, eta=3.0, seed=0, stop_after=None):
    """The same run straight from the core: its EpochDone events and the trained network
    (after ``stop_after`` mini-batches, if given)."""
    plan = load_plan(train_scenario(dataset="sample", epochs=epochs, eta=eta, seed=seed))
    net = Network([784, 30, 10], seed=seed)
    events, batches = [], 0
    for e in train(net, plan.training, epochs, 10, eta, test=plan.test, seed=seed):
        if isinstance(e, EpochDone):
            events.append(e)
        elif stop_after is not None:
            batches += 1
            if batches == stop_after:
                break
    return events, net, plan


async def settle(pilot) -> None:
    """Wait for the workers (a run may start another, e.g. a step after a pause) and their messages."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_a_run_shows_the_cores_epochs_in_the_log_the_chart_and_the_panels():
    app = sample_app(epochs=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        await pilot.press("c")
        await settle(pilot)
        events, net, plan = core_run(epochs=2)
        assert screen.session.state == FINISHED
        # The log holds the seed's lines, then the percentage.
        assert screen.log_lines == [f"{e.log_line()}  {e.accuracy:.2%}  {e.cost_text()}" for e in events]
        assert list(screen.query_one("#epoch-log", Log).lines) == screen.log_lines
        chart = screen.query_one(AccuracyChart)
        assert [(e.epoch, e.correct, e.total) for e in chart.epochs] == [(e.epoch, e.correct, e.total)
                                                                          for e in events]
        assert chart.summary.startswith(f"{events[-1].log_line()}  {events[-1].accuracy:.2%}")
        assert chart.book is None  # the sample is not the book's data
        assert screen.status == f"finished 2 epochs: {events[-1].log_line()} ({events[-1].accuracy:.2%}); w saves " \
                                "the network, r restarts with a new seed"
        # Looking inside after the last epoch: the confusion matrix of the trained network.
        report = class_report(net, plan.test.x, plan.test.labels, limit=60)
        shown = screen.query_one(ConfusionMatrix)
        np.testing.assert_array_equal(shown.report.confusion, report.confusion)
        text = shown.render().plain
        assert f"{report.correct} / 500 correct ({report.accuracy:.2%})" in text
        assert f"{report.per_class[0]:7.2%}" in text.splitlines()[3]
        mistakes = screen.query_one("#mistakes-gallery", DigitGallery)
        assert mistakes.items == []  # drawn when its panel comes on show
        await pilot.press("3")
        first = report.mistakes[0]
        assert [item.key for item in mistakes.items] == [m.index for m in report.mistakes[:30]]
        assert mistakes.items[0].caption == f"{first.label} read as {first.answer} · {first.confidence:.2f}"
        np.testing.assert_array_equal(mistakes.items[0].pixels, plan.test.x[first.index])
        assert str(mistakes.note.content).startswith(f"after epoch 1: {report.wrong} of 500 test examples "
                                                     f"misclassified; the 30 the network was surest of")
        await pilot.press("4")
        features = screen.query_one("#features-gallery", DigitGallery)
        assert len(features.items) == 30 and features.items[4].caption == "hidden neuron 4: w"
        np.testing.assert_array_equal(features.items[4].pixels, net.weights[0][4])
        await pilot.press("v")
        initial = Network([784, 30, 10], seed=0).weights[0]
        np.testing.assert_allclose(features.items[4].pixels, net.weights[0][4] - initial[4])
        assert features.items[4].caption == "hidden neuron 4: Δw"
        assert screen.query_one("#progress-text").content.startswith("all 2 epochs done · 3,000 examples")
        assert screen.stepper.current.title == "epoch 1"


async def test_back_shows_an_earlier_epoch_inside_and_n_comes_forward_again():
    app = sample_app(epochs=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("c")
        await settle(pilot)
        first = screen.session.results[0]
        await pilot.press("b")
        assert screen.stepper.current is first.step
        np.testing.assert_array_equal(screen.query_one(ConfusionMatrix).report.confusion, first.report.confusion)
        assert "Epoch 0 of 0–1" in screen.query_one("#step-counter").text  # the book's numbering
        await pilot.press("n")
        assert screen.stepper.current is screen.session.results[1].step


async def key(pilot, name: str) -> None:
    """Send a key without Pilot's wait for an idle CPU (the training thread keeps it busy)."""
    pilot.app.post_message(events.Key(name, name if len(name) == 1 else None))
    await asyncio.sleep(0.02)


async def until(condition, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_pause_and_resume_end_where_an_uninterrupted_run_does():
    app = sample_app(epochs=15)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("n")  # one mini-batch: the data is loaded and the run paused
        await settle(pilot)
        session = screen.session
        await key(pilot, "c")
        await until(lambda: session.examples_done > 10)
        await key(pilot, "s")
        await until(lambda: not screen.busy)
        assert session.state == PAUSED and screen.status == "paused (s or c resumes, n takes one mini-batch)"
        assert 10 < session.examples_done < 15 * 1500
        assert screen.query_one("#run-state").content == "paused"
        # Paused between two mini-batches: the network is the core's after as many.
        events, net, plan = core_run(epochs=15, stop_after=session.examples_done // 10)
        for ours, theirs in zip(session.network.weights, net.weights):
            np.testing.assert_array_equal(ours, theirs)
        await key(pilot, "s")  # resume
        await until(lambda: not screen.busy)
        await settle(pilot)
        assert session.state == FINISHED
    events, net, _ = core_run(epochs=15)
    assert [r.event.correct for r in session.results] == [e.correct for e in events]
    np.testing.assert_array_equal(session.network.weights[1], net.weights[1])


async def test_step_takes_one_mini_batch_and_d_opens_its_trace_in_the_debugger():
    from nnsim.tui.screens.backprop.screen import BackpropScreen

    app = sample_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("n")
        await settle(pilot)
        step = screen.last_step
        assert step is not None
        assert step.event.epoch == 0 and step.event.index == 0
        assert screen.session.state == PAUSED and screen.session.examples_done == 10
        assert screen.status.startswith(f"took mini-batch 1 of 150 in epoch 0: cost {step.event.cost:.4g}")
        await pilot.press("n")
        await settle(pilot)
        assert screen.last_step.event.index == 1 and screen.session.examples_done == 20
        await pilot.press("d")
        await pilot.pause()
        debugger = app.screen
        assert isinstance(debugger, BackpropScreen)
        assert debugger.scenario.title == "Training: mini-batch 2 of 150, epoch 0"
        assert [s.data for s in debugger.stepper.steps] == list(screen.last_step.trace.steps)
        await pilot.press("q")
        assert app.screen is screen


async def test_a_misclassified_digit_opens_its_pass_through_that_epochs_network():
    from nnsim.tui.screens.backprop.screen import BackpropScreen

    app = sample_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("3")
        assert screen.query_one("#views").active == "mistakes"
        assert isinstance(app.focused, DigitCard)
        await pilot.press("right", "enter")
        await pilot.pause()
        mistake = screen.session.results[0].report.mistakes[1]
        debugger = app.screen
        assert isinstance(debugger, BackpropScreen)
        assert debugger.scenario.title.startswith(f"Test digit {mistake.index} after epoch 0: ")
        trace = debugger.stepper.steps[0].context
        np.testing.assert_array_equal(trace.steps[0].arrays["x"][:, 0], screen.session.plan.test.x[mistake.index])
        output = [s for s in trace.steps if s.phase == "forward"][-1].arrays["a"]
        assert int(np.argmax(output)) == mistake.answer


async def test_eta_100_is_shown_near_chance_not_as_a_crash():
    app = sample_app(epochs=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("e")
        assert app.focused.id == "set-sizes"
        screen.query_one("#set-eta", Input).value = "100"
        await pilot.press("enter")  # Enter in the form starts the run
        await settle(pilot)
        assert screen.session.plan.eta == 100.0 and screen.session.state == FINISHED
        assert all(line.endswith("near chance (10%)") for line in screen.log_lines)
        assert "no better than guessing (chance is 10%)" in screen.status
        chart = screen.query_one(AccuracyChart)
        assert chart.chance == pytest.approx(0.1)


async def test_an_overflowing_run_ends_with_the_cores_diverged_event(monkeypatch):
    scenario = train_scenario(dataset="sample", epochs=2)

    def overflowing(scenario, data_dir=None):
        plan = load_plan(scenario)
        plan.eta = 1e40  # beyond any lesson's limit: float32 overflows to NaN at once
        return plan

    monkeypatch.setattr(train_loading, "load_plan", overflowing)
    app = TrainingApp(scenario, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("c")
        await settle(pilot)
        assert screen.session.state == "diverged"
        message = screen.log_lines[-1]
        assert message.startswith("training diverged: NaN or infinity at epoch 0")
        assert screen.status.startswith(message) and "r restarts" in screen.status
        assert screen.stepper.current.kind == "diverged"
        assert screen.query_one("#run-state").content == "diverged"
        await pilot.press("n")
        assert "the run is over (diverged)" in screen.status


async def test_save_writes_the_network_and_restart_draws_a_new_seed(tmp_path):
    app = sample_app(epochs=1, save_path=tmp_path / "model.npz")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("c")
        await settle(pilot)  # --save given: saved when the run ends
        saved = load_network(tmp_path / "model.npz")
        np.testing.assert_array_equal(saved.weights[0], screen.session.network.weights[0])
        assert "saved the network (after 1 epoch)" in screen.status
        await pilot.press("r")
        await settle(pilot)
        assert screen.query_one("#set-seed", Input).value == "1"
        assert screen.session.plan.seed == 1 and screen.session.state == FINISHED
        events, _, _ = core_run(epochs=1, seed=1)
        assert screen.session.results[0].event.correct == events[0].correct


async def test_a_breakpoint_pauses_after_the_epoch_in_progress():
    app = sample_app(epochs=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("space")
        assert screen.status == "training will pause after epoch 0"
        assert "●" in screen.query_one("#step-counter").text
        await pilot.press("c")
        await settle(pilot)
        assert screen.session.state == PAUSED and len(screen.session.results) == 1
        assert screen.status == "paused: breakpoint after epoch 0 (c continues)"


async def test_a_lesson_without_its_data_offers_the_offline_sample():
    app = NnsimApp(load_scenario("chapter-run"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DownloadDialog)
        await pilot.click("#sample")
        await until(lambda: screen.session is not None and screen.session.is_over and not screen.busy)
        # The lesson's quick variant: the sample, for 20 epochs (its condition, accuracy ≥ 95%, never holds).
        assert screen.scenario.is_quick and screen.session.plan.settings["dataset"] == "sample"
        assert screen.session.plan.epochs == 20 and screen.query_one("#set-epochs", Input).value == "20"
        assert screen.session.state == FINISHED and len(screen.log_lines) == 20
        assert screen.stepper.current.narration == screen.session.results[-1].event.log_line()


async def test_offline_the_download_fails_with_the_data_layers_reason_and_offers_the_sample():
    mirror = Mirror()  # a real HTTP server on 127.0.0.1 that has no files: 404 for everything
    try:
        app = TrainingApp(train_scenario(dataset="mnist", epochs=1), cursor_blink=False, mirror=mirror.url + "/m/")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            await pilot.pause()
            dialog = app.screen
            await pilot.click("#download")
            await settle(pilot)
            assert dialog.error.startswith("MNIST")
            assert "404" in dialog.error
            assert str(dialog.query_one("#download", Button).label) == "Try again"
            assert app.focused.id == "sample"
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert screen.session.plan.settings["dataset"] == "sample" and screen.session.state == FINISHED
    finally:
        mirror.close()


async def test_the_download_fills_the_cache_then_trains_on_it(tmp_path, monkeypatch):
    generated = write_dataset(tmp_path / "generated", n_train=120, n_test=40)
    files = generated.files()
    src = replace(sources.MNIST, mirrors=(), pickle=replace(sources.MNIST.pickle, size=None), pickle_urls=(),
                  **{key: published(generated.folder / name) for key, name in (
                      ("train_images", "train-images-idx3-ubyte.gz"), ("train_labels", "train-labels-idx1-ubyte.gz"),
                      ("test_images", "t10k-images-idx3-ubyte.gz"), ("test_labels", "t10k-labels-idx1-ubyte.gz"))})
    monkeypatch.setitem(sources.SOURCES, "mnist", src)
    mirror = Mirror()
    try:
        base = mirror.serve("mnist", files)
        scenario = train_scenario(dataset="mnist", epochs=1, validation_size=20)
        app = TrainingApp(scenario, cursor_blink=False, mirror=base)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            await pilot.pause()
            await pilot.click("#download")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, TrainScreen)
            assert screen.session.state == FINISHED
            assert len(screen.session.plan.training) == 100 and len(screen.session.plan.test) == 40
            assert screen.log_lines[0].startswith("Epoch 0: ") and screen.log_lines[0].split()[4] == "40"
    finally:
        mirror.close()


async def test_settings_are_checked_by_the_lessons_layer():
    app = sample_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#set-sizes", Input).value = "784,30,9"
        await pilot.press("c")
        assert screen.session is None
        assert screen.status.startswith("nnsim train: [network].sizes: expected 784 inputs and 10 outputs")
        screen.query_one("#set-sizes", Input).value = "784,x"
        await pilot.press("c")
        assert screen.status == "sizes: expected whole numbers separated by commas, got '784,x'"


def test_nnsim_train_checks_its_settings_before_the_app_starts(capsys):
    assert main(["train", "--dataset", "sample", "--eta", "2e6"]) == 2
    err = capsys.readouterr().err
    assert err == ("nnsim: error: nnsim train: [train].eta: expected a number above 0 and at most 1e+06, "
                   "got 2000000.0\n")


async def test_with_the_books_settings_on_local_mnist_files_the_books_run_is_drawn_beside(tmp_path):
    # A school's own copy of MNIST (--data-dir): here generated files of MNIST's shape with
    # its 10,000 test images, so the settings are the book's and its curve applies.
    write_dataset(tmp_path / "mnist", n_train=300, n_test=10000)
    scenario = train_scenario(dataset="mnist", epochs=2, validation_size=0)
    app = TrainingApp(scenario, cursor_blink=False, data_dir=tmp_path / "mnist")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("c")
        await settle(pilot)
        session = screen.session
        assert session.matches_book and session.state == FINISHED
        first, second = (r.event for r in session.results)
        assert screen.log_lines == [
            "the book's run, for comparison: Epoch 0: 9033 / 10000 … Epoch 29: 9495 / 10000",
            f"{first.log_line()}  {first.accuracy:.2%}  {first.cost_text()}  (book: 9033)",
            f"{second.log_line()}  {second.accuracy:.2%}  {second.cost_text()}  (book: 9241)",
        ]
        chart = screen.query_one(AccuracyChart)
        assert chart.book is not None and len(chart.book) == 30 and chart.book[0] == 0.9033
        assert chart.summary.endswith("book 92.41%")


async def test_help_says_what_the_debugger_keys_do_while_training():
    from nnsim.tui.frame.dialogs import HelpDialog

    app = sample_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        rows = dict((what, keys) for keys, what in screen.key_help())
        assert rows["One mini-batch of training (pausing first), or the next finished epoch when looking back"] \
            == "n / →"
        assert rows["Pause when the epoch in progress ends"] == "space"
        assert not any("parameter" in what for what in rows)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpDialog)


def test_clock_text_gives_tenths_below_ten_seconds_then_minutes_and_hours():
    from nnsim.tui.screens.train.screen import clock_text

    assert [clock_text(t) for t in (0.46, 9.9, 42, 61.6, 3723)] == ["0.5 s", "9.9 s", "0:42", "1:02", "1:02:03"]
    assert clock_text(None) == clock_text(float("inf")) == "–"
