"""Exercises graded both ways round, and quick variants decided by the median of their seeds."""

from __future__ import annotations

import pytest

import nnsim.lessons.expect as expect
from nnsim.cli import main
from nnsim.core.training import Diverged, EpochDone
from nnsim.errors import NnsimError
from nnsim.lessons import LessonStep, build_steps, check_expectations, load_scenario
from nnsim.lessons.exercise import check_exercise, solved
from nnsim.lessons.scenario import with_changes
from tests.scenarios.test_training_lessons import RUN, data, digits  # noqa: F401 (the data fixture)


def test_the_four_bit_exercise_is_graded_right_when_solved_and_wrong_as_shipped():
    exercise = load_scenario("four-bits")
    results = check_exercise(exercise)
    assert [r.passed for r in results] == [True, True]
    assert results[-1].detail == "1 of 1 expectations fail before it is solved"
    (start,) = check_expectations(exercise)
    assert not start.passed and "is 0.5, expected 0" in start.detail  # a layer of zeros: σ(0) everywhere


def test_the_four_bit_layer_spells_every_digit():
    steps = build_steps(solved(load_scenario("four-bits")))
    a = next(s for s in steps if s.title == "forward, layer 2").data.arrays["a"]
    for digit in range(10):
        bits = [(digit >> (3 - j)) & 1 for j in range(4)]
        for j, bit in enumerate(bits):
            assert (a[j, digit] >= 0.99) if bit else (a[j, digit] <= 0.01)


def test_a_learners_wrong_answer_fails_and_a_right_one_passes():
    exercise = load_scenario("four-bits")
    solution = load_scenario("four-bits-solution")
    w = [[list(row) for row in m] for m in solution.raw["network"]["weights"]]
    w[0][0][8] = -20  # bit 3 of 8 switched off: 8 now reads 0000
    wrong = with_changes(exercise, {"network.weights": w, "network.biases": solution.raw["network"]["biases"]})
    (result,) = check_expectations(wrong)
    assert not result.passed and "a[0,8]" in result.detail
    right = with_changes(exercise, {"network.weights": solution.raw["network"]["weights"],
                                    "network.biases": solution.raw["network"]["biases"]})
    assert all(r.passed for r in check_expectations(right))


def test_a_grader_that_accepts_the_unsolved_exercise_is_reported(tmp_path):
    shipped = load_scenario("four-bits").path.read_text(encoding="utf-8")
    # The exercise's own expectation replaced by one any layer passes: σ(0) = 0.5 is "at least 0".
    lenient = shipped.split("[[expect]]")[0] + (
        '[[expect]]\ntype = "value"\nstep = "forward, layer 2"\nname = "a[0,0]"\nat_least = 0\n')
    (tmp_path / "lenient.toml").write_text(lenient, encoding="utf-8")
    results = check_exercise(load_scenario(tmp_path / "lenient.toml"))
    assert results[-1].description == "the exercise as shipped (unsolved) is graded wrong"
    assert not results[-1].passed and results[-1].detail == "0 of 1 expectations fail before it is solved"


def test_a_wrong_worked_solution_fails_the_check(tmp_path):
    bad = load_scenario("four-bits-solution").path.read_text(encoding="utf-8").replace(
        "biases = [[-10.0, -10.0, -10.0, -10.0]]", "biases = [[30.0, -10.0, -10.0, -10.0]]")  # bit 3 always on
    (tmp_path / "bad-solution.toml").write_text(bad, encoding="utf-8")
    exercise = load_scenario("four-bits").path.read_text(encoding="utf-8").replace(
        'solution = "four-bits-solution"', 'solution = "bad-solution"')
    (tmp_path / "ex.toml").write_text(exercise, encoding="utf-8")
    assert main(["check", str(tmp_path / "ex.toml")]) == 1


def test_nnsim_check_reports_the_exercise_both_ways(capsys):
    assert main(["check", "scenarios/four-bits.toml"]) == 0
    assert "ok    scenarios/four-bits.toml  2 expectations" in capsys.readouterr().out


def test_a_missing_solution_is_one_line(tmp_path, capsys):
    text = load_scenario("four-bits").path.read_text(encoding="utf-8").replace(
        'solution = "four-bits-solution"', 'solution = "no-such-lesson"')
    (tmp_path / "ex.toml").write_text(text, encoding="utf-8")
    assert main(["check", str(tmp_path / "ex.toml")]) == 2
    assert capsys.readouterr().err.startswith("nnsim: error: ")


def test_the_sigmoid_exercises_hold_and_the_zero_case_is_the_exception():
    for name in ("sigmoid-simulates-perceptron", "sigmoid-simulates-perceptron-fails"):
        assert all(r.passed for r in check_expectations(load_scenario(name)))
    # Move the failing neuron off z = 0 and the "scaling does not help" claims no longer hold.
    moved = with_changes(load_scenario("sigmoid-simulates-perceptron-fails"), {"neuron.bias": 0.5})
    failed = [r.description for r in check_expectations(moved) if not r.passed]
    assert "σ(c·0) = 0.5 still at c = 1000: scaling does not help" in failed


# -- quick variants: the median of their seeds ----------------------------------------------

def epoch(accuracy):
    return [LessonStep(0, "epoch 0", "", "epoch", EpochDone(0, int(1000 * accuracy), 1000, 0.0, 0.0),
                       {"epoch": 0.0, "accuracy": accuracy})]


DIVERGED = [LessonStep(0, "diverged in epoch 0", "", "diverged", Diverged(0, 2, "m"), {"epoch": 0.0, "batch": 2.0})]

SEEDED = RUN.format(n_out=10, outputs="one-hot").replace("training_size = 300", "training_size = 300\nseeds = [4, 5, 6]").replace(
    "after_epochs = 2\nat_most = 0.99", "after_epochs = 1\nat_least = 0.5")


@pytest.mark.parametrize("runs, passes, median", [
    ([epoch(0.2), epoch(0.9), epoch(0.6)], True, "60.00%"),  # one unlucky seed does not decide
    ([epoch(0.2), epoch(0.4), epoch(0.9)], False, "40.00%"),
    ([DIVERGED, epoch(0.6), epoch(0.9)], True, "60.00%"),
    ([DIVERGED, DIVERGED, epoch(0.9)], False, None),
])
def test_the_median_run_decides(tmp_path, monkeypatch, runs, passes, median):
    path = tmp_path / "s.toml"
    path.write_text(SEEDED, encoding="utf-8")
    monkeypatch.setattr(expect, "seeded_runs", lambda scenario, data_dir=None: runs)
    (result,) = check_expectations(load_scenario(path), quick=True, steps=epoch(0.0))
    assert result.passed is passes
    assert result.description == "median accuracy after 1 epoch over 3 seeds is at least 50.00%"
    if median:
        assert result.detail.startswith(f"got {median}")
        assert "; runs: seed 4 " in result.detail and ", seed 6 " in result.detail


def test_each_seed_trains_its_own_network(tmp_path, data):  # noqa: F811
    path = tmp_path / "s.toml"
    path.write_text(SEEDED, encoding="utf-8")
    runs = expect.seeded_runs(load_scenario(path).variant(True))
    costs = [run[0].values["mean_cost"] for run in runs]
    assert len(runs) == 3 and len(set(costs)) == 3


@pytest.mark.parametrize("seeds, message", [
    ("[1, 2]", "expected a list of 3 to 9 seeds"), ("[1, 2, 3, 4]", "expected an odd number"),
    ("[1.5, 2, 3]", "expected an odd number"), ('["a", 2, 3]', "expected a list of 3 to 9 seeds"),
])
def test_seeds_are_checked(tmp_path, seeds, message):
    path = tmp_path / "s.toml"
    path.write_text(SEEDED.replace("seeds = [4, 5, 6]", f"seeds = {seeds}"), encoding="utf-8")
    with pytest.raises(NnsimError, match=r"s.toml: \[quick\].seeds: " + message):
        load_scenario(path)


def test_hidden_100s_quick_check_holds_for_the_median_of_its_seeds():
    results = check_expectations(load_scenario("hidden-100"), quick=True)
    assert all(r.passed for r in results) and "runs: seed 1 " in results[0].detail
