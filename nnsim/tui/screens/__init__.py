"""Lesson screens, one per lesson kind, imported only when a lesson of that kind opens.

``SCREENS`` maps a scenario's ``kind`` to ``"module:Class"``; a screen for a new
kind is one line here (the class subclasses
:class:`nnsim.tui.frame.lesson.LessonScreen`). Kinds missing from the map open
as a "coming in a later version" notice on the home screen instead of crashing.
Nothing here imports Textual or numpy, so the registry costs nothing at startup.
"""

from __future__ import annotations

import importlib
from typing import Optional

SCREENS: dict[str, str] = {
    "perceptron": "nnsim.tui.screens.gates.screen:PerceptronScreen",
    "circuit": "nnsim.tui.screens.gates.screen:CircuitScreen",
    "sigmoid": "nnsim.tui.screens.sigmoid.screen:SigmoidScreen",
    "backprop": "nnsim.tui.screens.backprop.screen:BackpropScreen",
    "train": "nnsim.tui.screens.train.screen:TrainScreen",
    "gradient-descent": "nnsim.tui.screens.valley.screen:ValleyScreen",
}

# What each kind's screen will be, for the notice when it is not there yet.
KIND_NAMES: dict[str, str] = {
    "perceptron": "the gate lab",
    "circuit": "the gate lab",
    "sigmoid": "the sigmoid lab",
    "backprop": "the backpropagation debugger",
    "train": "the training screen",
    "gradient-descent": "the valley",
}


def has_screen(kind: str) -> bool:
    return kind in SCREENS


def screen_class(kind: str) -> Optional[type]:
    """The screen class for a lesson kind (imported now), or None if there is none yet."""
    target = SCREENS.get(kind)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
