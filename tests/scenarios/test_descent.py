"""Kind gradient-descent: the closed forms, the ball's steps, the loader's refusals, the lessons' claims."""

from __future__ import annotations

import math
import tomllib

import pytest

from nnsim.cli import main
from nnsim.core.descent import FORMS, Cost, descend, sample_directions
from nnsim.errors import NnsimError
from nnsim.lessons import build_steps, check_expectations, load_scenario, parse_scenario
from nnsim.lessons.scenario import with_changes
from nnsim.lessons.stepper import condition_hit

COSTS = [Cost("bowl", 2.0, center=(1.0, -0.5)), Cost("valley", 1.0, 10.0, (0.5, 2.0)), Cost("rosenbrock", 1.0, 10.0)]


@pytest.mark.parametrize("cost", COSTS, ids=FORMS)
def test_each_closed_forms_gradient_agrees_with_central_differences(cost):
    h = 1e-6
    for v in ((0.3, -0.7), (-1.2, 1.9), (2.0, 0.1)):
        g = cost.gradient(*v)
        n1 = (cost(v[0] + h, v[1]) - cost(v[0] - h, v[1])) / (2 * h)
        n2 = (cost(v[0], v[1] + h) - cost(v[0], v[1] - h)) / (2 * h)
        assert g == pytest.approx((n1, n2), rel=1e-6, abs=1e-6)
    assert cost(*cost.minimum) == 0 and cost.gradient(*cost.minimum) == (0, 0)


def test_a_wrong_gradient_is_caught_by_the_same_comparison():
    """The test above must fail on a wrong gradient: a doubled v2 component."""
    class Wrong(Cost):
        def gradient(self, v1, v2):
            g1, g2 = super().gradient(v1, v2)
            return g1, 2 * g2
    wrong = Wrong("valley", 1.0, 10.0)
    h, v = 1e-6, (0.3, -0.7)
    n2 = (wrong(v[0], v[1] + h) - wrong(v[0], v[1] - h)) / (2 * h)
    assert wrong.gradient(*v)[1] != pytest.approx(n2, rel=1e-6)


def test_each_step_is_eq_10_and_its_estimate_is_eq_7():
    cost = Cost("valley", 1.0, 10.0)
    moves = list(descend(cost, (-4.0, 1.0), 0.18, 5))
    v = (-4.0, 1.0)
    for s in moves:
        assert s.v == v
        g = (v[0], 10 * v[1])
        assert s.grad == g and s.dv == (-0.18 * g[0], -0.18 * g[1])
        assert s.estimate == pytest.approx(-0.18 * (g[0] ** 2 + g[1] ** 2), rel=1e-14)
        assert s.actual == pytest.approx(cost(*s.v_next) - cost(*v), rel=1e-14)
        v = s.v_next
    assert [math.copysign(1, s.v_next[1]) for s in moves] == [-1, 1, -1, 1, -1]  # the zig-zag


def test_cauchy_schwarz_no_sampled_direction_beats_the_gradient_linearly():
    cost = Cost("rosenbrock", 1.0, 10.0)
    for v in ((-1.0, 1.0), (0.5, 0.2), (1.5, 2.0)):
        g = cost.gradient(*v)
        norm = math.hypot(*g)
        for s in sample_directions(cost, v, 0.01, 72):
            assert s.estimate >= -0.01 * norm - 1e-15
            assert math.hypot(*s.dv) == pytest.approx(0.01, rel=1e-12)


def test_a_runaway_ball_stops_at_the_first_non_finite_cost_and_trips_the_nan_breakpoint():
    moves = list(descend(Cost("rosenbrock", 1.0, 100.0), (2.0, 2.0), 1.0, 50))
    assert len(moves) < 50 and not math.isfinite(moves[-1].cost_next)
    assert all(math.isfinite(s.cost_next) for s in moves[:-1])
    raw = tomllib.loads(LESSON.format(form="rosenbrock", extra="b = 100.0", eta=1.0, steps=50))
    raw["breakpoint"] = [{"when": "nan"}]
    s = parse_scenario(raw, "r.toml")
    steps = build_steps(s)
    hits = [i for i, step in enumerate(steps) if condition_hit(s.conditions[0], step)]
    assert hits == [len(steps) - 1]


LESSON = """
title = "t"
description = "d"
kind = "gradient-descent"
[cost]
form = "{form}"
{extra}
[descent]
start = [2.0, 2.0]
eta = {eta}
steps = {steps}
"""


@pytest.mark.parametrize("form, extra, eta, steps, message", [
    ("bowel", "", 0.1, 5, r'\[cost\].form: expected one of bowl, valley, rosenbrock, got "bowel"; did you mean '
                          r"'bowl'\?"),
    ("__import__('os').system('true')", "", 0.1, 5, r"\[cost\].form: expected one of bowl, valley, rosenbrock"),
    ("bowl", "b = 2.0", 0.1, 5, r"\[cost\].b: not used by the bowl"),
    ("rosenbrock", "center = [1.0, 1.0]", 0.1, 5, r"\[cost\].center: not used by rosenbrock"),
    ("valley", "a = 0", 0.1, 5, r"\[cost\].a: expected a number above 0 and at most 1000, got 0"),
    ("bowl", "", 0, 5, r"\[descent\].eta: expected a number above 0 and at most 100, got 0"),
    ("bowl", "", 0.1, 201, r"\[descent\].steps: expected an integer from 1 to 200, got 201"),
    ("bowl", "formula = \"v1**2\"", 0.1, 5, r"\[cost\].formula: unknown key"),
])
def test_the_loader_refuses_bad_costs_in_one_line(form, extra, eta, steps, message):
    raw = tomllib.loads(LESSON.format(form=form.replace('"', '\\"'), extra=extra, eta=eta, steps=steps))
    with pytest.raises(NnsimError, match="^t.toml: " + message):
        parse_scenario(raw, "t.toml")


def test_directions_need_at_least_two():
    raw = tomllib.loads(LESSON.format(form="bowl", extra="", eta=0.1, steps=5))
    raw["descent"]["directions"] = 1
    with pytest.raises(NnsimError, match=r"\[descent\].directions: sample at least 2 directions"):
        parse_scenario(raw, "t.toml")


@pytest.mark.parametrize("name", ["descent-bowl", "descent-overshoot", "descent-valley", "descent-steepest"])
def test_the_valley_lessons_hold(name):
    results = check_expectations(load_scenario(name))
    assert results and all(r.passed for r in results), [r.detail for r in results if not r.passed]


def test_the_lessons_claims_fail_when_the_point_is_lost():
    """Each lesson's expectations fail when the lesson's setting no longer shows its point."""
    bowl = with_changes(load_scenario("descent-bowl"), {"descent.eta": 2.2})  # now it overshoots
    assert not any(r.passed for r in check_expectations(bowl))
    calm = with_changes(load_scenario("descent-overshoot"), {"descent.eta": 0.3})  # now it converges
    failed = [r.description for r in check_expectations(calm) if not r.passed]
    assert "C rises at every step: the ball overshoots and climbs" in failed
    straight = with_changes(load_scenario("descent-valley"), {"descent.eta": 0.05})  # no zig-zag
    failed = [r.description for r in check_expectations(straight) if not r.passed]
    assert "step 1 crosses the valley floor: v2 goes from 1 to below 0" in failed
    coarse = with_changes(load_scenario("descent-steepest"), {"descent.eta": 0.01})  # curvature wins at step 3+
    results = check_expectations(coarse)
    assert [r.passed for r in results if "linear" in r.expect.name or "Cauchy" in r.description] == [True, True]
    assert not all(r.passed for r in results)


def test_nnsim_run_prints_the_estimate_beside_the_actual_change(capsys):
    assert main(["run", "descent-bowl"]) == 0
    out = capsys.readouterr().out
    first = out.split("[2/15]")[0]
    # (as the app writes them: the one number rule, the Unicode minus)
    assert "dC = −1.59375" in first and "dC_estimate = −1.875" in first and "estimate_error = 0.28125" in first
    assert out.rstrip().endswith("3 of 3 expectations hold")
