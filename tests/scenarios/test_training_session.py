"""The training session the app drives: events against the core's own run, pause and
resume from another thread, one mini-batch as a trace, stop, save, restart, conditions.

Runs on the real offline sample (1,500 training and 500 test digits) for a few epochs.
"""

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from nnsim.core import BatchDone, EpochDone, Network, load_network, train
from nnsim.core.metrics import class_report
from nnsim.errors import NnsimError
from nnsim.lessons.scenario import with_changes
from nnsim.lessons import parse_scenario
from nnsim.lessons.book_run import BOOK_CORRECT, BOOK_SOURCE, book_log_lines, matches_book
from nnsim.lessons.kinds.train import first_step, load_plan, replan, train_scenario
from nnsim.lessons.session import (
    DIVERGED, FINISHED, PAUSED, STOPPED, EpochResult, Progress, RunStopped, StepResult, TrainingSession,
)

SEED_TEXT = Path(__file__).resolve().parents[2].parent / "shared" / "seed"


def session(epochs=2, eta=3.0, seed=0, **kwargs):
    scenario = train_scenario(dataset="sample", epochs=epochs, eta=eta, seed=seed)
    return TrainingSession(load_plan(scenario), scenario, **kwargs)


def core_events(epochs=2, eta=3.0, seed=0):
    """The same run straight from the core, without the session."""
    plan = load_plan(train_scenario(dataset="sample", epochs=epochs, eta=eta, seed=seed))
    net = Network([784, 30, 10], seed=seed)
    return list(train(net, plan.training, epochs, 10, eta, test=plan.test, seed=seed)), net


def test_a_run_reports_the_cores_epochs_and_looks_inside_after_each():
    s = session(epochs=2)
    reports = []
    ended = s.run(reports.append)
    events, net = core_events(epochs=2)
    expected = [(e.epoch, e.correct, e.total) for e in events if isinstance(e, EpochDone)]
    assert [(r.event.epoch, r.event.correct, r.event.total) for r in s.results] == expected
    assert isinstance(ended, RunStopped) and ended.state == FINISHED and reports[-1] is ended
    assert [r for r in reports if isinstance(r, EpochResult)] == s.results
    last = s.results[-1]
    assert last.event.log_line() == f"Epoch 1: {expected[-1][1]} / 500"
    # Inside: the report is of the network after the epoch, and agrees with the core's count.
    independent = class_report(net, s.plan.test.x, s.plan.test.labels)
    np.testing.assert_array_equal(last.report.confusion, independent.confusion)
    assert last.report.correct == last.event.correct
    np.testing.assert_array_equal(s.feature_detectors(1), net.weights[0])
    initial = Network([784, 30, 10], seed=0).weights[0]
    np.testing.assert_allclose(s.feature_detectors(1, change=True), net.weights[0] - initial)
    assert s.feature_detectors(1).shape == (30, 784) and s.feature_detectors(7) is None
    assert last.step.title == "epoch 1" and last.step.kind == "epoch" and last.step.data == last.event
    assert not last.near_chance
    assert ended.progress.examples_done == ended.progress.examples_total == 2 * 1500
    assert ended.progress.fraction == 1.0


def test_progress_is_throttled_and_timed_by_the_sessions_clock():
    ticks = iter(range(10**6))
    s = session(epochs=1, clock=lambda: next(ticks) * 0.001, throttle=0.05)
    reports = []
    s.run(reports.append)
    progress = [r for r in reports if isinstance(r, Progress)]
    # The fake clock moves 1 ms per reading, one reading per mini-batch: 150 mini-batches
    # give a report every 50 readings.
    assert 2 <= len(progress) <= 3
    for p in progress:
        assert p.examples_done == p.batch * 10
        assert p.examples_per_second == pytest.approx(p.examples_done / p.elapsed)
        assert p.seconds_left == pytest.approx((1500 - p.examples_done) / p.examples_per_second)
        assert p.batches == 150 and p.epochs == 1 and p.state == "running"


def test_one_mini_batch_is_the_cores_update_and_its_trace():
    s = session(epochs=1)
    before = s.network.copy()
    reports = []
    result = s.step(reports.append)
    assert isinstance(result, StepResult)
    assert result.event[:4] == BatchDone(0, 0, 150, result.event.cost)[:4]
    assert s.state == PAUSED and result.progress.batch == 1
    # The trace is of exactly the examples the core shuffled first with this seed, as its event says.
    order = np.random.default_rng(0).permutation(1500)
    np.testing.assert_array_equal(result.batch, order[:10])
    trace = result.trace
    np.testing.assert_array_equal(trace.steps[0].arrays["x"], s.plan.training.x[order[:10]].T)
    assert trace.m == 10 and trace.eta == 3.0
    # Its cost is the core's mini-batch cost, and its "after" weights are the network's now.
    cost = next(step for step in trace.steps if step.phase == "cost")
    assert float(np.sum(cost.arrays["cost"])) == pytest.approx(result.event.cost, rel=1e-4)
    update = [step for step in trace.steps if step.phase == "update"]
    np.testing.assert_allclose(update[0].arrays["w_before"], before.weights[0])
    np.testing.assert_allclose(update[-1].arrays["w_after"], s.network.weights[-1], rtol=1e-4, atol=1e-5)


def test_stepping_then_running_ends_where_an_uninterrupted_run_does():
    s = session(epochs=2)
    for _ in range(3):
        assert s.step(lambda r: None) is not None
    s.run(lambda r: None)
    events, net = core_events(epochs=2)
    assert [r.event.correct for r in s.results] == [e.correct for e in events if isinstance(e, EpochDone)]
    for ours, theirs in zip(s.network.weights, net.weights):
        np.testing.assert_array_equal(ours, theirs)


def test_a_step_across_the_end_of_an_epoch_reports_the_epoch_and_the_next_batch():
    s = session(epochs=2)
    s.run(lambda r: None, max_batches=150)
    assert (s.epoch, s.batch) == (0, 150) and not s.results
    reports = []
    result = s.step(reports.append)
    assert [type(r).__name__ for r in reports] == ["EpochResult", "RunStopped", "StepResult"]
    assert result.event.epoch == 1 and result.event.index == 0


def test_pause_from_another_thread_then_resume_to_the_same_end():
    s = session(epochs=3, throttle=0)
    reached, paused_asked = threading.Event(), threading.Event()

    def report(r):
        # The worker waits here, mid-run, until this (main) thread has asked for a pause.
        if isinstance(r, Progress) and r.examples_done >= 300 and not reached.is_set():
            reached.set()
            assert paused_asked.wait(30)

    worker = threading.Thread(target=s.run, args=(report,))
    worker.start()
    assert reached.wait(30)
    s.request_pause()
    paused_asked.set()
    worker.join(30)
    assert s.state == PAUSED and s.examples_done == 300
    s.run(lambda r: None)
    events, _ = core_events(epochs=3)
    assert s.state == FINISHED
    assert [r.event.correct for r in s.results] == [e.correct for e in events if isinstance(e, EpochDone)]


def test_stop_keeps_the_network_and_ends_the_run(tmp_path):
    s = session(epochs=3)
    s.run(lambda r: None, max_batches=20)
    s.request_stop()
    assert s.state == STOPPED and s.is_over
    ended = s.run(lambda r: None)
    assert ended.state == STOPPED and "over" in ended.reason
    assert s.step(lambda r: None) is None
    saved = s.save(tmp_path / "model.npz")
    loaded = load_network(tmp_path / "model.npz")
    for a, b in zip(loaded.weights + loaded.biases, s.network.weights + s.network.biases):
        np.testing.assert_array_equal(a, b)
    assert saved.sizes == [784, 30, 10]


def test_save_to_a_folder_that_does_not_exist_is_one_clear_error(tmp_path):
    s = session(epochs=1)
    with pytest.raises(NnsimError, match="cannot save the model to .*nowhere"):
        s.save(tmp_path / "nowhere" / "model.npz")
    assert not (tmp_path / "nowhere").exists()


def test_restart_with_a_new_seed_keeps_the_data_and_changes_the_run():
    s = session(epochs=1)
    s.run(lambda r: None)
    again = s.restarted(1)
    assert again.plan.training is s.plan.training and again.plan.seed == 1
    np.testing.assert_array_equal(again.network.weights[0], Network([784, 30, 10], seed=1).weights[0])
    again.run(lambda r: None)
    events, _ = core_events(epochs=1, seed=1)
    assert again.results[0].event.correct == events[-1].correct


def test_conditions_and_breakpoints_pause_after_an_epoch():
    raw = {"title": "t", "description": "d", "kind": "train",
           "network": {"sizes": [784, 30, 10], "seed": 0},
           "train": {"dataset": "sample", "epochs": 4, "mini_batch_size": 10, "eta": 3.0},
           "breakpoint": [{"when": "accuracy", "at_least": 0.3}]}
    scenario = parse_scenario(raw, "t.toml")
    s = TrainingSession(load_plan(scenario), scenario)
    ended = s.run(lambda r: None)
    first = next(r for r in s.results if r.event.accuracy >= 0.3)
    assert ended.state == PAUSED and s.results[-1] is first
    assert ended.reason.startswith(f"accuracy {first.event.accuracy:.2%} ≥ 30.00%")
    assert s.toggle_breakpoint() is True and s.epoch in s.breakpoints
    ended = s.run(lambda r: None)
    assert ended.reason == f"breakpoint after epoch {first.event.epoch + 1}"


def test_eta_100_stays_near_chance():
    s = session(epochs=2, eta=100.0)
    s.run(lambda r: None)
    assert s.state == FINISHED
    assert all(r.near_chance and r.event.accuracy < 0.15 for r in s.results)


def test_an_overflowing_eta_ends_with_the_cores_diverged_event():
    scenario = train_scenario(dataset="sample", epochs=2)
    plan = load_plan(scenario)
    plan.eta = 1e40  # beyond what a lesson accepts: float32 overflows at once
    s = TrainingSession(plan, scenario)
    reports = []
    ended = s.run(reports.append)
    assert ended.state == DIVERGED and s.state == DIVERGED
    assert re.match(r"training diverged: NaN or infinity at epoch 0, mini-batch \d+ \(eta = 1e\+40",
                    ended.diverged.message)
    assert ended.step.kind == "diverged" and ended.step.data == ended.diverged
    assert s.step(lambda r: None) is None


def test_a_mistakes_pass_is_traced_with_the_network_of_its_epoch():
    s = session(epochs=2)
    s.run(lambda r: None)
    mistake = s.results[0].report.mistakes[0]
    trace = s.trace_test_example(mistake.index, epoch=0)
    output = [step for step in trace.steps if step.phase == "forward"][-1].arrays["a"]
    assert int(np.argmax(output)) == mistake.answer
    assert float(output[mistake.answer, 0]) == pytest.approx(mistake.confidence, rel=1e-5)
    assert trace.eta is None and not any(step.phase == "update" for step in trace.steps)
    assert int(np.argmax(trace.steps[0].arrays["y"])) == mistake.label


def test_replan_reuses_the_data_unless_the_data_changes():
    scenario = train_scenario(dataset="sample", epochs=1)
    plan = load_plan(scenario)
    faster = with_changes(scenario, {"train.eta": 0.5, "network.sizes": [784, 20, 10]})
    new = replan(plan, scenario, faster)
    assert new.training is plan.training and new.eta == 0.5 and new.network.sizes == [784, 20, 10]
    assert new.settings["eta"] == 0.5 and new.settings["sizes"] == [784, 20, 10]
    assert replan(plan, scenario, with_changes(scenario, {"train.dataset": "mnist"})) is None


def test_settings_from_the_command_line_are_checked_like_a_lesson_file():
    with pytest.raises(NnsimError, match=r"nnsim train: \[train\]\.eta: expected a number above 0"):
        train_scenario(eta=-1.0)
    with pytest.raises(NnsimError, match=r"\[network\]\.sizes"):
        train_scenario(sizes=(10, 10))
    scenario = train_scenario(sizes=(784, 100, 10), epochs=5, dataset="fashion-mnist", seed=4)
    assert scenario.title == "Training [784, 100, 10] on Fashion-MNIST"
    assert scenario.train.seed == scenario.network.seed == 4
    assert first_step(scenario).title == "before training"


def test_the_books_figures_are_the_seeds_own_lines():
    assert len(BOOK_CORRECT) == 30 and BOOK_CORRECT[0] == 9033 and BOOK_CORRECT[-1] == 9495
    assert "Testing the Performance" in BOOK_SOURCE
    texts = list(SEED_TEXT.glob("*.txt")) if SEED_TEXT.is_dir() else []
    if not texts:
        pytest.skip(f"the seed's text is not at {SEED_TEXT}")
    text = " ".join(path.read_text(encoding="utf-8") for path in texts)
    printed = re.findall(r"Epoch \d+: \d+ / 10000", text)
    assert printed[:30] == book_log_lines()


def test_the_book_curve_is_drawn_only_for_the_books_settings():
    book = {"sizes": [784, 30, 10], "mini_batch_size": 10, "eta": 3.0, "dataset": "mnist", "test": 10000}
    assert matches_book(book)
    assert not matches_book(dict(book, eta=100.0))
    assert not matches_book(dict(book, dataset="sample", test=500))


def test_old_epochs_networks_go_first_when_the_memory_budget_is_reached(monkeypatch):
    import nnsim.lessons.session as module

    s = session(epochs=3)
    size = s.network.parameter_count * s.network.dtype.itemsize
    monkeypatch.setattr(module, "SNAPSHOT_BUDGET", 2 * size)
    s.run(lambda r: None)
    assert s.network_after(0) is None and s.network_after(1) is not None and s.network_after(2) is not None
    assert s.feature_detectors(0) is None
    mistake = s.results[0].report.mistakes[0]
    with pytest.raises(NnsimError, match="the network after epoch 0 is no longer kept"):
        s.trace_test_example(mistake.index, epoch=0)
    np.testing.assert_array_equal(s.network_after(2).weights[0], s.network.weights[0])


# -- steering: pace, one epoch, η while training --------------------------------------------

from nnsim.core import EtaChanged  # noqa: E402


class FakeTime:
    """A clock that only sleeping moves: a paced run's waits, without waiting."""

    def __init__(self):
        self.now, self.slept = 0.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_a_pace_spaces_mini_batches_out_and_reports_each_with_its_recent_costs():
    fake = FakeTime()
    s = session(epochs=1, clock=fake, throttle=10.0)
    s.sleep = fake.sleep
    s.pace = 4.0  # mini-batches per second
    reports = []
    s.run(reports.append, max_batches=6)
    progress = [r for r in reports if isinstance(r, Progress)]
    assert [p.batch for p in progress] == [1, 2, 3, 4, 5, 6]  # every one, though the throttle is 10 s
    assert fake.now == pytest.approx(6 / 4.0)
    assert progress[-1].pace == 4.0 and len(progress[-1].recent_costs) == 6
    assert progress[-1].recent_costs[-1] == pytest.approx(s.last_batch.cost / 10)
    s.pace = None  # as fast as it goes again
    slept = len(fake.slept)
    s.run(lambda r: None, max_batches=20)
    assert len(fake.slept) == slept and len(s.recent_costs) == 26


def test_one_epoch_per_key_press_pauses_at_the_end_of_each_epoch():
    s = session(epochs=3)
    ended = s.run(lambda r: None, max_epochs=1)
    assert ended.state == PAUSED and "one epoch" in ended.reason and len(s.results) == 1
    s.run(lambda r: None, max_epochs=1)
    assert len(s.results) == 2 and s.state == PAUSED
    s.run(lambda r: None, max_epochs=1)
    assert s.state == FINISHED


def test_eta_changed_while_training_is_an_event_and_a_replay_reproduces_the_run():
    s = session(epochs=2)
    reports = []
    s.run(reports.append, max_batches=40)
    s.change_eta(0.5)
    s.run(reports.append, max_batches=100)
    s.change_eta(6.0)
    s.run(reports.append)
    changes = [r for r in reports if isinstance(r, EtaChanged)]
    assert changes == [EtaChanged(0, 40, 0.5), EtaChanged(0, 140, 6.0)] == s.eta_changes
    assert s.progress().eta == 6.0
    # The trace of a stepped mini-batch uses the η in force.
    replay = s.replay()
    replay.run(lambda r: None)
    assert [(r.event.correct, r.event.mean_cost, r.event.test_cost) for r in replay.results] == \
        [(r.event.correct, r.event.mean_cost, r.event.test_cost) for r in s.results]
    for ours, theirs in zip(replay.network.weights, s.network.weights):
        np.testing.assert_array_equal(ours, theirs)
    assert replay.eta_changes == s.eta_changes
    plain = session(epochs=2)
    plain.run(lambda r: None)
    assert [r.event.mean_cost for r in plain.results] != [r.event.mean_cost for r in s.results]
    with pytest.raises(NnsimError, match="over"):
        s.change_eta(1.0)


def test_a_stepped_mini_batch_after_an_eta_change_is_traced_with_the_new_eta():
    s = session(epochs=1)
    s.step(lambda r: None)
    s.change_eta(0.25)
    result = s.step(lambda r: None)
    assert result.trace.eta == 0.25 and s.eta_changes == [EtaChanged(0, 1, 0.25)]
    with pytest.raises(NnsimError, match="positive"):
        s.change_eta(-1)
