"""The debugger's cursor: stepping both ways, breakpoints, conditions."""

import numpy as np
import pytest

from nnsim.core import Network, trace_backprop
from nnsim.core.trace import TraceStep
from nnsim.core.training import EpochDone
from nnsim.lessons import (Condition, LessonStep, Stepper, condition_hit, condition_hits,
                           lesson_stepper, load_scenario)
from tests.scenarios.conftest import BACKPROP


def steps(n):
    return [LessonStep(i, f"step {i}", "", "row", None, {"v": float(i)}) for i in range(n)]


def test_next_back_goto_restart_and_the_label():
    s = Stepper(steps(5))
    assert s.position == 0 and s.label == "step 1 / 5" and s.at_start and not s.at_end
    assert s.back().index == 0  # clamped at the start
    assert s.next().index == 1 and s.next().index == 2 and s.label == "step 3 / 5"
    assert s.back().index == 1 and s.current.title == "step 1"
    assert s.goto(4).index == 4 and s.at_end and s.next().index == 4  # clamped at the end
    assert s.goto(99).index == 4 and s.goto(-3).index == 0
    s.goto(3)
    assert s.restart().index == 0 and len(s) == 5


def test_continue_stops_at_breakpoints_then_at_the_end():
    s = Stepper(steps(6), breakpoints={2, 4})
    assert s.continue_().index == 2 and s.stop_reason == "breakpoint at step 3"
    assert s.continue_().index == 4
    assert s.continue_().index == 5 and s.stop_reason == "end of the lesson"
    assert s.continue_().index == 5


def test_toggle_breakpoint_on_the_current_step_or_any():
    s = Stepper(steps(4))
    s.goto(1)
    assert s.toggle_breakpoint() is True and s.breakpoints == {1}
    assert s.toggle_breakpoint(3) is True and s.toggle_breakpoint() is False and s.breakpoints == {3}
    s.restart()
    assert s.continue_().index == 3


def test_an_empty_lesson_has_no_cursor():
    with pytest.raises(ValueError):
        Stepper([])


def test_extend_adds_steps_as_they_arrive():
    s = Stepper(steps(1))
    s.extend(steps(3)[1:])
    assert s.continue_().index == 2 and s.label == "step 3 / 3"


def trace_step(phase, **arrays):
    return TraceStep(0, phase, 2, f"{phase}, layer 2", "", {k: np.asarray(v, dtype=float) for k, v in arrays.items()})


def test_nan_condition_finds_nan_and_infinity_anywhere():
    nan = Condition("nan")
    assert condition_hits(nan, trace_step("forward", z=[[1.0], [np.nan]], a=[[0.5], [0.5]]))
    assert "NaN or infinity in w" in condition_hit(nan, trace_step("update", w=[[np.inf]]))
    assert not condition_hits(nan, trace_step("forward", z=[[1.0]], a=[[0.7]]))
    assert condition_hits(nan, LessonStep(0, "z = 1", "", "sample", None, {"sigma": float("nan")}))


def test_saturation_looks_at_sigma_prime_where_the_equations_use_it():
    sat = Condition("saturation", epsilon=0.01)
    saturated = trace_step("backward", z=[[10.0], [0.0]], sigmoid_prime=[[4.5e-5], [0.25]], delta=[[0.1], [0.2]])
    hit = condition_hit(sat, saturated)
    assert hit.startswith("σ′(z²) < 0.01 at backward, layer 2: 1 of 2, smallest 4.5e−05 (neuron 0)")
    assert not condition_hits(sat, trace_step("backward", z=[[0.0]], sigmoid_prime=[[0.25]], delta=[[1.0]]))
    assert not condition_hits(sat, trace_step("forward", z=[[50.0]], a=[[1.0]]))  # shown at BP1/BP2
    sample = LessonStep(0, "z = 8", "", "sample", None, {"sigma_prime": 3.35e-4})
    assert condition_hits(sat, sample)


def test_vanishing_and_accuracy_conditions():
    van = Condition("vanishing", epsilon=1e-3)
    assert condition_hits(van, trace_step("output_error", delta=[[1e-5], [0.3]], sigmoid_prime=[[0.2], [0.2]]))
    assert not condition_hits(van, trace_step("gradient", delta=[[1e-9]], nabla_b=[[1e-9]]))
    acc = Condition("accuracy", at_least=0.9)
    assert condition_hits(acc, EpochDone(3, 9357, 10000, 1.0, 0.1))
    assert not condition_hits(acc, EpochDone(0, 8999, 10000, 1.0, 0.1))
    assert Condition("accuracy", at_least=0.9).describe() == "accuracy ≥ 0.9"


def test_a_lesson_starts_with_its_breakpoints_and_conditions():
    stepper = lesson_stepper(load_scenario("backprop-by-hand"))
    assert stepper.breakpoints == {4} and stepper.steps[4].title == "output error, layer 3"
    assert stepper.continue_().title == "output error, layer 3"


def test_continue_to_a_saturated_neuron_in_a_real_trace(write):
    scenario = load_scenario(write("bp", BACKPROP + '[[breakpoint]]\nwhen = "saturation"\nepsilon = 0.2\n'))
    stepper = lesson_stepper(scenario)
    stepped = stepper.continue_()
    net = Network([2, 3, 2], seed=1, dtype=np.float64)
    trace = trace_backprop(net, np.array([[0.5], [0.9]]), np.array([[1.0], [0.0]]), eta=3.0)
    first = next(s for s in trace if "sigmoid_prime" in s.arrays and (s.arrays["sigmoid_prime"] < 0.2).any())
    assert stepped.title == first.title and stepper.stop_reason.startswith("σ′(z")


def test_a_diverged_training_run_counts_as_nan():
    from nnsim.core.training import Diverged
    step = LessonStep(3, "diverged in epoch 2", "", "diverged", Diverged(2, 17, "training diverged: NaN"), {})
    assert condition_hit(Condition("nan"), step) == "training diverged: NaN"
