"""Lessons: scenario files read into validated objects, played as steps, checked.

The app's screens, ``nnsim run``/``check``/``list`` and the tests all use these:

- :mod:`nnsim.lessons.scenario` — the file schema, the parser and the library
  (:func:`load_scenario` by path or bundled name, :func:`bundled_scenarios`);
- :mod:`nnsim.lessons.steps` — :class:`LessonStep` and :func:`build_steps`, which
  dispatches to :mod:`nnsim.lessons.kinds` (one module per lesson kind);
- :mod:`nnsim.lessons.stepper` — :class:`Stepper`, the debugger's cursor, and its
  condition breakpoints;
- :mod:`nnsim.lessons.expect` — :func:`check_expectations`;
- :mod:`nnsim.lessons.session` — :class:`TrainingSession`, a training run a screen drives;
- :mod:`nnsim.lessons.trace_view`, :mod:`nnsim.lessons.trace_export` — a backprop
  step written out for a learner, and exported.
"""

from nnsim.lessons.expect import ExpectResult, check_expectations, lesson_value
from nnsim.lessons.kinds.backprop import lesson_examples, lesson_network, build_network
from nnsim.lessons.kinds.sigmoid import (NudgeResult, ScaledNeuron, SigmoidSample, nudge_neuron, scale_neuron,
                                         sigmoid_sample)
from nnsim.lessons.kinds.train import TrainingPlan, binary_classify, binary_targets, plan_training, train_steps
from nnsim.lessons.scenario import (
    KINDS, LIMITS, SECTIONS, BackpropSpec, Condition, Controls, Expect, NetworkSpec, Narration, Nudge,
    Scenario, SigmoidSpec, TrainSpec, bundled_dir, bundled_scenarios, load_scenario, parse_scenario,
)
from nnsim.lessons.stepper import Stepper, condition_hit, condition_hits, lesson_stepper
from nnsim.lessons.kinds import build_steps
from nnsim.lessons.steps import LessonStep, array_values, breakpoint_indices

__all__ = [
    "KINDS", "LIMITS", "SECTIONS", "BackpropSpec", "Condition", "Controls", "Expect", "ExpectResult",
    "LessonStep", "Narration", "NetworkSpec", "Nudge", "NudgeResult", "ScaledNeuron", "Scenario",
    "SigmoidSample", "SigmoidSpec", "Stepper", "TrainSpec", "TrainingPlan", "array_values",
    "binary_classify", "binary_targets", "breakpoint_indices", "build_network", "build_steps",
    "bundled_dir", "bundled_scenarios", "check_expectations", "condition_hit", "condition_hits",
    "lesson_examples", "lesson_network", "lesson_stepper", "lesson_value", "load_scenario",
    "nudge_neuron", "parse_scenario", "plan_training", "scale_neuron", "sigmoid_sample", "train_steps",
]
