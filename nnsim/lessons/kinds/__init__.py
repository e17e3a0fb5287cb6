"""One module per lesson kind: how a scenario of that kind becomes steps.

- :mod:`~nnsim.lessons.kinds.gates` — ``perceptron`` and ``circuit``;
- :mod:`~nnsim.lessons.kinds.sigmoid` — ``sigmoid``;
- :mod:`~nnsim.lessons.kinds.backprop` — ``backprop`` (and passes of live networks);
- :mod:`~nnsim.lessons.kinds.train` — ``train``.
"""

from __future__ import annotations

import importlib
from typing import Callable

# kind -> "module:function" building its steps (drafts, or finished LessonSteps).
BUILDERS: dict[str, str] = {
    "perceptron": "gates:perceptron_steps",
    "circuit": "gates:circuit_steps",
    "sigmoid": "sigmoid:sigmoid_steps",
    "backprop": "backprop:backprop_steps",
}


def builder(kind: str) -> Callable:
    module, _, name = BUILDERS[kind].partition(":")
    return getattr(importlib.import_module(f"nnsim.lessons.kinds.{module}"), name)
