"""Every checker given a wrong answer must say so.

Each test here is the counterpart of a mutation that used to pass the whole suite:
gradient_check comparing backprop with itself, the relative-error floor raised,
a non-strict trend, a compare that always passes, a diverged run passing
``accuracy at_most``, divergence reported at the end of the epoch.
"""

from __future__ import annotations

import numpy as np
import pytest

import nnsim.lessons.expect as expect
from nnsim.core.dataset import Dataset
from nnsim.core.gradcheck import gradient_check
from nnsim.core.network import Network
from nnsim.core.training import Diverged, train
from nnsim.errors import NnsimError
from nnsim.lessons import LessonStep, check_expectations, load_scenario, parse_scenario


def small_network(seed=0):
    return Network([3, 4, 2], seed=seed, dtype=np.float64)


def example():
    rng = np.random.default_rng(1)
    return rng.random((3, 2)), rng.random((2, 2))


def wrong_bp1(monkeypatch):
    """Network.backprop_batch with BP1's δ doubled: every output-layer gradient twice the truth."""
    right = Network.backprop_batch
    calls = []

    def wrong(self, x, y, record=None):
        calls.append(1)
        nabla_b, nabla_w = right(self, x, y, record)
        return [*nabla_b[:-1], 2 * nabla_b[-1]], [*nabla_w[:-1], 2 * nabla_w[-1]]
    monkeypatch.setattr(Network, "backprop_batch", wrong)
    return calls


def test_a_right_backprop_passes_the_gradient_check():
    x, y = example()
    assert max(r.relative_error for r in gradient_check(small_network(), x, y)) < 1e-6


def test_a_wrong_bp1_fails_the_gradient_check_and_the_numeric_side_never_calls_backprop(monkeypatch):
    calls = wrong_bp1(monkeypatch)
    x, y = example()
    results = gradient_check(small_network(), x, y)
    output_layer = [r for r in results if r.layer == 3]
    # Twice the gradient: |2g − g| / |2g| = 0.5 wherever the gradient is not tiny.
    assert max(r.relative_error for r in output_layer) == pytest.approx(0.5, abs=1e-6)
    # Only the returned output-layer gradients are doubled, so layer 2 still agrees.
    assert max(r.relative_error for r in results if r.layer == 2) < 1e-6
    assert len(calls) == 1  # one analytic pass; finite differences use feedforward only


def test_a_wrong_bp1_fails_the_backprop_lessons_gradient_check_expectation(monkeypatch):
    wrong_bp1(monkeypatch)
    results = check_expectations(load_scenario("backprop-by-hand"))
    checks = [r for r in results if r.expect.type == "gradient_check"]
    assert checks and not any(r.passed for r in checks)
    assert "over the bound" in checks[0].detail






def test_small_wrong_gradients_are_not_hidden_by_the_floor(monkeypatch):
    net = small_network()
    for w in net.weights:
        w *= 1e-3  # small weights, small gradients
    x, y = example()
    y = net.feedforward(x) - 1e-2  # outputs near the target: gradients of order 1e-3
    right = gradient_check(net, x, y)
    assert 1e-4 < max(abs(r.backprop) for r in right) < 1e-2
    wrong_bp1(monkeypatch)
    wrong = gradient_check(net, x, y)
    assert max(r.relative_error for r in wrong) > 0.4


# -- trend ------------------------------------------------------------------------------

SIGMOID = """
title = "t"
description = "d"
kind = "sigmoid"
[neuron]
weights = [1.0]
bias = 0.0
x = [1.0]
[sigmoid]
z = [0.0, 1.0, 2.0]
[[expect]]
type = "trend"
steps = "z = *"
name = "{name}"
direction = "{direction}"
"""


def steps_with(values):
    return [LessonStep(i, f"z = {i}", "", "sample", None, {"v": float(v)}) for i, v in enumerate(values)]


@pytest.mark.parametrize("values, direction, passes", [
    ((1, 2, 3), "increasing", True), ((3, 2, 1), "decreasing", True),
    ((1, 1, 1), "increasing", False), ((1, 1, 1), "decreasing", False),  # flat: not strictly anything
    ((1, 2, 2), "increasing", False),  # flat at the end
    ((3, 2, 1), "increasing", False), ((1, 2, 3), "decreasing", False),  # reversed
])
def test_trend_is_strict(values, direction, passes):
    s = parse_scenario(__import__("tomllib").loads(SIGMOID.format(name="v", direction=direction)), "t.toml")
    (result,) = check_expectations(s, steps=steps_with(values))
    assert result.passed is passes


# -- accuracy and compare -----------------------------------------------------------------

TRAIN = """
title = "t"
description = "d"
kind = "train"
[network]
sizes = [784, 10]
[train]
dataset = "sample"
epochs = 1
mini_batch_size = 10
eta = 3.0
"""


def epoch_steps(accuracy):
    from nnsim.core.training import EpochDone
    return [LessonStep(0, "epoch 0", "", "epoch", EpochDone(0, int(accuracy * 100), 100, 0.0, 0.0),
                       {"epoch": 0.0, "accuracy": accuracy})]


def diverged_steps(batch=7):
    return [LessonStep(0, "diverged in epoch 0", "", "diverged", Diverged(0, batch, "m"),
                       {"epoch": 0.0, "batch": float(batch)})]


def train_lesson(tmp_path, extra, name="t"):
    path = tmp_path / f"{name}.toml"
    path.write_text(TRAIN + extra, encoding="utf-8")
    return load_scenario(path)


@pytest.mark.parametrize("bound", ["at_most = 0.2", "at_most = 0.0", "at_most = 1.0", "at_least = 0.0"])
def test_a_diverged_run_fails_every_accuracy_bound(tmp_path, bound):
    s = train_lesson(tmp_path, f'[[expect]]\ntype = "accuracy"\n{bound}\n')
    (result,) = check_expectations(s, steps=diverged_steps())
    assert not result.passed
    assert result.detail == "training diverged in epoch 0, mini-batch 7 (it did not learn)"


def test_accuracy_at_most_passes_a_run_that_ended_near_chance(tmp_path):
    s = train_lesson(tmp_path, '[[expect]]\ntype = "accuracy"\nat_most = 0.2\n')
    assert check_expectations(s, steps=epoch_steps(0.11))[0].passed
    assert not check_expectations(s, steps=epoch_steps(0.21))[0].passed


@pytest.mark.parametrize("mine, theirs, relation, by, passes", [
    (0.5, 0.9, "higher_than", 0.0, False),  # a lower run must fail "higher"
    (0.9, 0.5, "higher_than", 0.0, True),
    (0.9, 0.9, "higher_than", 0.0, False),  # equal is not higher
    (0.9, 0.5, "lower_than", 0.0, False),
    (0.5, 0.9, "lower_than", 0.0, True),
    (0.5, 0.7, "lower_than", 0.3, False),  # lower, but not by enough
])
def test_compare_fails_the_wrong_way_round(tmp_path, monkeypatch, mine, theirs, relation, by, passes):
    train_lesson(tmp_path, "", name="other")
    s = train_lesson(tmp_path, f'[[expect]]\ntype = "compare"\n{relation} = "other"\nby_at_least = {by}\n')
    monkeypatch.setattr(expect, "_other_accuracy", lambda *a: theirs)
    (result,) = check_expectations(s, steps=epoch_steps(mine))
    assert result.passed is passes


# -- divergence is reported where it happened ------------------------------------------------

def test_divergence_is_reported_at_the_mini_batch_where_the_cost_became_nan():
    rng = np.random.default_rng(0)
    x = rng.random((50, 784)).astype(np.float32)
    data = Dataset.from_labels(x, rng.integers(0, 10, 50))
    # Mini-batch 3 of epoch 0 holds one poisoned input: its cost is NaN there, not at the end.
    order = np.random.default_rng(5).permutation(50)
    data.x[order[3 * 5]] = np.nan
    net = Network([784, 10], seed=0)
    events = list(train(net, data, 2, 5, 3.0, seed=5))
    assert isinstance(events[-1], Diverged)
    assert (events[-1].epoch, events[-1].index) == (0, 3)
    assert "epoch 0, mini-batch 3" in events[-1].message
    assert sum(1 for e in events if type(e).__name__ == "BatchDone") == 3


# -- the loader's bounds ----------------------------------------------------------------------

VALUE = SIGMOID.replace('[[expect]]\ntype = "trend"\nsteps = "z = *"\nname = "{name}"\ndirection = "{direction}"\n', "")


def value_lesson(body):
    return parse_scenario(__import__("tomllib").loads(VALUE + '[[expect]]\ntype = "value"\nstep = "z = 0"\n'
                                                      'name = "sigma"\n' + body), "v.toml")


def test_less_than_with_only_a_lower_bound_is_refused():
    with pytest.raises(NnsimError, match=r'v.toml: \[\[expect\]\]\[1\]: the description says "less than" but the '
                                          r"bound is one-sided \(at_least only\): give within"):
        value_lesson('description = "moves by less than 0.02"\nat_least = -0.02\n')
    with pytest.raises(NnsimError, match="at_most only"):
        value_lesson('description = "moves by less than 0.02"\nat_most = 0.02\n')
    assert value_lesson('description = "is less than 0.6"\nat_most = 0.6\n').expects[0].at_most == 0.6


def test_within_is_two_sided():
    s = value_lesson('description = "moves by less than 0.6"\nwithin = 0.6\n')
    (e,) = s.expects
    assert (e.at_least, e.at_most, e.within) == (-0.6, 0.6, 0.6)
    sample = [LessonStep(0, "z = 0", "", "sample", None, {"sigma": v}) for v in (0.5,)]
    assert check_expectations(s, steps=sample)[0].passed
    for v in (-0.7, 0.7):
        assert not check_expectations(s, steps=[LessonStep(0, "z = 0", "", "sample", None, {"sigma": v})])[0].passed
    with pytest.raises(NnsimError, match="within is both bounds"):
        value_lesson("within = 0.6\nat_most = 1\n")


def test_tolerance_is_capped():
    assert value_lesson("equals = 0.5\ntolerance = 0.1\n").expects[0].tolerance == 0.1
    with pytest.raises(NnsimError, match=r"tolerance: expected a tolerance from 0 to 0.1 \(a bigger one would "
                                          r"pass anything\), got 1000000"):
        value_lesson("equals = 0.5\ntolerance = 1e6\n")


def test_expectation_details_use_the_one_number_rule():
    """Descriptions and details write numbers as the screens do (nnsim.lessons.text.number):
    the Unicode minus, exponents included, and no tolerance when it is the default rounding."""
    from nnsim.lessons.text import MINUS

    held = check_expectations(parse_scenario(__import__("tomllib").loads(
        VALUE + '[[expect]]\ntype = "value"\nstep = "z = 0"\nname = "sigma"\nequals = 0.5\n'), "v.toml"))[0]
    assert held.passed and held.description == "sigma at 'z = 0' equals 0.5" and held.detail == "got 0.5"

    wrong = check_expectations(value_lesson("equals = -1\ntolerance = 0.001\n"))[0]
    assert not wrong.passed
    assert wrong.description == f"sigma at 'z = 0' equals {MINUS}1 within 0.001"
    assert wrong.detail == f"sigma is 0.5, expected {MINUS}1: off by 1.5 (tolerance 0.001; 1 of 1 numbers off)"
    tiny = check_expectations(value_lesson("equals = -2e-7\ntolerance = 1e-8\n"))[0]
    assert f"{MINUS}2e{MINUS}07" in tiny.description and "1e" + MINUS + "08" in tiny.description
    for result in (held, wrong, tiny):
        assert "-" not in result.description.replace("z = 0", "") and "-" not in result.detail
