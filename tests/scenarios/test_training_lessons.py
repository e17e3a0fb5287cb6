"""Train lessons: the plan (data, targets, subsets), epochs as steps, accuracy expectations.

The data layer is replaced here by a small learnable set of 784-pixel "digits"
(ten noisy prototypes), so these tests exercise the lessons' own logic on the
core's real training loop; the shipped lessons on the real offline sample are
checked in test_library.py.
"""

from collections import namedtuple

import dataclasses
import numpy as np
import pytest

import nnsim.lessons.kinds.train as train_kind
from nnsim.cli import main
from nnsim.core.training import Dataset, Diverged
from nnsim.errors import NnsimError
from nnsim.lessons import (LessonStep, binary_classify, build_steps, check_expectations, load_scenario,
                           plan_training, train_steps)
from nnsim.lessons.expect import epoch_accuracy

Splits = namedtuple("Splits", "training validation test source")


def digits(n, seed):
    rng = np.random.default_rng(seed)
    prototypes = np.random.default_rng(0).random((10, 784)) < 0.2
    labels = rng.integers(0, 10, n)
    x = np.clip(prototypes[labels] * 0.9 + rng.normal(0, 0.3, (n, 784)), 0, 1).astype(np.float32)
    return Dataset.from_labels(x, labels)


@pytest.fixture
def data(monkeypatch):
    calls = []

    def load(name, data_dir=None, validation_size=None, where=""):
        calls.append((name, validation_size))
        return Splits(digits(600, 1), None, digits(200, 2), f"{name} (test prototypes)")
    monkeypatch.setattr(train_kind, "load_splits", load)
    return calls


RUN = """
title = "t"
description = "d"
kind = "train"
[network]
sizes = [784, 20, {n_out}]
seed = 1
[train]
dataset = "mnist"
epochs = 6
mini_batch_size = 10
eta = 3.0
outputs = "{outputs}"
[[narration]]
step = "epoch 1"
text = "the second epoch"
[[expect]]
type = "accuracy"
at_least = 0.9
[quick]
dataset = "sample"
epochs = 2
training_size = 300
test_size = 100
[[quick.expect]]
type = "accuracy"
after_epochs = 2
at_most = 0.99
"""


def lesson(write, name="run", outputs="one-hot", extra=""):
    return load_scenario(write(name, RUN.format(n_out=10 if outputs == "one-hot" else 4, outputs=outputs) + extra))


def test_the_plan_is_the_lessons_settings(write, data):
    s = lesson(write)
    plan = plan_training(s)
    assert (plan.epochs, plan.mini_batch_size, plan.eta, plan.seed) == (6, 10, 3.0, 0)
    assert plan.network.sizes == [784, 20, 10] and plan.network.dtype == np.float32
    assert len(plan.training) == 600 and len(plan.test) == 200 and plan.classify is None
    quick = plan_training(s, quick=True)
    assert len(quick.training) == 300 and len(quick.test) == 100 and quick.epochs == 2
    assert data == [("mnist", None), ("sample", 0)]  # the sample keeps all its digits for training


def test_epochs_become_steps_with_the_seeds_log_line(write, data):
    steps = list(train_steps(lesson(write)))
    assert [s.title for s in steps] == [f"epoch {e}" for e in range(6)]
    assert steps[1].narration == "the second epoch"
    first = steps[0]
    assert first.kind == "epoch" and first.narration == f"Epoch 0: {first.data.correct} / 200"
    assert first.values["accuracy"] == first.data.correct / 200 and first.values["total"] == 200
    assert steps[-1].values["accuracy"] >= 0.9  # the prototypes are learnable


def test_accuracy_expectations_full_and_quick(write, data):
    s = lesson(write)
    (full,) = check_expectations(s)
    assert full.passed and full.description == "accuracy after 6 epochs is at least 90.00%"
    (quick,) = check_expectations(s, quick=True)
    assert quick.passed and quick.description == "accuracy after 2 epochs is at most 99.00%"


def test_binary_outputs_train_on_bit_targets(write, data):
    s = lesson(write, outputs="binary")
    plan = plan_training(s)
    assert plan.classify is binary_classify and plan.training.y.shape == (600, 4)
    np.testing.assert_array_equal(plan.training.y[:3], [[int(b) for b in f"{label:04b}"]
                                                        for label in plan.training.labels[:3]])
    assert plan.test.y.shape == (200, 10)  # the test set keeps its labels; only they are compared
    assert all(s.kind == "epoch" for s in build_steps(s))


def test_compare_trains_the_other_lesson_beside_this_one(write, data):
    lesson(write, "ten")
    s = lesson(write, "four", outputs="binary", extra="""
[[expect]]
type = "compare"
lower_than = "ten"
after_epochs = 6
""")
    ok, compare = check_expectations(s)
    assert compare.description == "accuracy after 6 epochs is lower than in the lesson ten"
    mine = epoch_accuracy(list(train_steps(s)), 6)
    theirs = epoch_accuracy(list(train_steps(load_scenario(s.path.parent / "ten.toml"))), 6)
    assert compare.passed == (mine < theirs)
    assert compare.detail == (f"{mine:.2%} here against {theirs:.2%} in ten: "
                              f"{abs(theirs - mine) * 100:.2f} points {'lower' if mine <= theirs else 'higher'}")
    s = lesson(write, "other", outputs="binary", extra='[[expect]]\ntype = "compare"\nhigher_than = "no-such"\n')
    with pytest.raises(NnsimError, match=r"other.toml: compare: no-such: no such scenario file or bundled lesson"):
        check_expectations(s)


def test_a_diverged_run_did_not_learn():
    steps = [LessonStep(0, "diverged in epoch 0", "m", "diverged", Diverged(0, 3, "m"), {"epoch": 0.0, "batch": 3.0})]
    assert epoch_accuracy(steps, 1) == "training diverged in epoch 0, mini-batch 3 (it did not learn)"


def test_run_quick_prints_epochs_then_expectations(write, data, capsys):
    path = write("r", RUN.format(n_out=10, outputs="one-hot"))
    assert main(["run", str(path), "--quick"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "t (quick variant)  [train, " + str(path) + "]"
    assert lines[1] == "  sizes [784, 20, 10], 2 epochs, mini-batch 10, eta 3, dataset sample, one-hot outputs"
    assert lines[3].startswith("Epoch 0: ") and lines[3].endswith(" s)")
    assert out.rstrip().endswith("1 of 1 expectations hold")
    bad = write("bad", RUN.format(n_out=10, outputs="one-hot").replace("at_most = 0.99", "at_most = 0.01"))
    assert main(["run", str(bad), "--quick"]) == 1
    assert "FAIL  accuracy after 2 epochs is at most 1.00%: got " in capsys.readouterr().out


def test_the_compared_run_is_the_one_check_trains_and_a_kept_run_counts_only_with_the_lessons_settings():
    from nnsim.lessons import load_scenario
    from nnsim.lessons.expect import compared_lessons, compared_run
    from nnsim.lessons.runs import RunShelf, compared_record

    lesson = load_scenario("four-outputs").variant(True)
    (other,) = compared_lessons(lesson)
    assert other.name == "ten-outputs"
    steps = compared_run(other, True)
    assert compared_run(other, True) is steps  # cached: nnsim check and the app train it once
    assert all(s.data.outputs is None for s in steps if s.kind == "epoch")  # figures kept, not test columns
    shelf = RunShelf()
    data = {"dataset": "sample"}
    record = compared_record(other.variant(True), steps, data)
    shelf.keep_record(record)
    assert shelf.lesson_run(other.variant(True), data) is record
    assert shelf.lesson_run(other.variant(True), {"dataset": "mnist"}) is None  # other data: not this run
    faster = dataclasses.replace(record, settings=dict(record.settings, eta=30.0))
    shelf.runs = [faster]
    assert shelf.lesson_run(other.variant(True), data) is None  # the learner's run with another η is not the lesson's
