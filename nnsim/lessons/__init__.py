"""Lessons: scenario files read into validated objects, played as steps, checked.

The app's screens, ``nnsim run``/``check``/``list`` and the tests all use these:

- :func:`load_scenario` (a path or a bundled lesson's name) and
  :func:`bundled_scenarios` give :class:`Scenario` objects;
- :func:`build_steps` turns one into :class:`LessonStep` objects whose ``data``
  is the core's own object (``TruthRow``, ``GateStep``, ``TraceStep``, …);
- :class:`Stepper` is the debugger's cursor, :func:`condition_hits` its
  condition breakpoints;
- :func:`check_expectations` checks a lesson's ``[[expect]]`` entries.
"""

from nnsim.lessons.expect import ExpectResult, check_expectations, lesson_value
from nnsim.lessons.play import (
    LessonStep, NudgeResult, ScaledNeuron, SigmoidSample, TrainingPlan, array_values, binary_classify,
    binary_targets, breakpoint_indices, build_network, build_steps, lesson_examples, lesson_network,
    nudge_neuron, plan_training, scale_neuron, sigmoid_sample, train_steps,
)
from nnsim.lessons.scenario import (
    KINDS, LIMITS, SECTIONS, BackpropSpec, Condition, Controls, Expect, NetworkSpec, Narration, Nudge,
    Scenario, SigmoidSpec, TrainSpec, bundled_dir, bundled_scenarios, load_scenario, parse_scenario,
)
from nnsim.lessons.stepper import Stepper, condition_hit, condition_hits, lesson_stepper

__all__ = [
    "KINDS", "LIMITS", "SECTIONS", "BackpropSpec", "Condition", "Controls", "Expect", "ExpectResult",
    "LessonStep", "Narration", "NetworkSpec", "Nudge", "NudgeResult", "ScaledNeuron", "Scenario",
    "SigmoidSample", "SigmoidSpec", "Stepper", "TrainSpec", "TrainingPlan", "array_values",
    "binary_classify", "binary_targets", "breakpoint_indices", "build_network", "build_steps",
    "bundled_dir", "bundled_scenarios", "check_expectations", "condition_hit", "condition_hits",
    "lesson_examples", "lesson_network", "lesson_stepper", "lesson_value", "load_scenario",
    "nudge_neuron", "parse_scenario", "plan_training", "scale_neuron", "sigmoid_sample", "train_steps",
]
