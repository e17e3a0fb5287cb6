"""One module per lesson kind, and the builder that dispatches to them.

- :mod:`~nnsim.lessons.kinds.gates` — ``perceptron`` and ``circuit``;
- :mod:`~nnsim.lessons.kinds.sigmoid` — ``sigmoid``;
- :mod:`~nnsim.lessons.kinds.backprop` — ``backprop`` (and passes of live networks);
- :mod:`~nnsim.lessons.kinds.train` — ``train``;
- :mod:`~nnsim.lessons.kinds.gradient_descent` — ``gradient-descent`` (the ball in the valley).
"""

from __future__ import annotations

from typing import Callable

from nnsim.lessons.kinds import backprop, gates, gradient_descent, sigmoid, train
from nnsim.lessons.scenario import Scenario
from nnsim.lessons.steps import LessonStep, check_step_references, narration_for

# kind -> the function building its steps: drafts (dicts narrated here) or finished LessonSteps.
BUILDERS: dict[str, Callable] = {
    "perceptron": gates.perceptron_steps,
    "circuit": gates.circuit_steps,
    "sigmoid": sigmoid.sigmoid_steps,
    "backprop": backprop.backprop_steps,
    "gradient-descent": gradient_descent.descent_steps,
}


def build_steps(scenario: Scenario, quick: bool = False, data_dir=None) -> list[LessonStep]:
    """Every step of the lesson, in order, narrated.

    A ``train`` lesson is trained to the end to produce its epochs (use
    :func:`~nnsim.lessons.kinds.train.train_steps` to receive them as they come, or
    :func:`~nnsim.lessons.kinds.train.plan_training` to drive the core's event stream yourself).
    """
    scenario = scenario.variant(quick)
    if scenario.kind == "train":
        return list(train.train_steps(scenario, data_dir=data_dir))
    drafts = BUILDERS[scenario.kind](scenario, data_dir)
    if drafts and isinstance(drafts[0], LessonStep):  # kinds that narrate their own steps
        check_step_references(scenario, [s.title for s in drafts])
        return drafts
    titles = [d["title"] for d in drafts]
    check_step_references(scenario, titles)
    return [LessonStep(index=i, narration=narration_for(scenario, i, d["title"], d.pop("default"), d["values"]),
                       **d) for i, d in enumerate(drafts)]
