"""Scenario files: TOML lessons read into validated, frozen objects.

A scenario is data only. The file is parsed with the standard library's
``tomllib`` and every value is checked against the schema before anything is
built from it; nothing in a file is ever executed or imported. Every mistake
becomes one :class:`~nnsim.errors.NnsimError` line naming the file, the key path
and what was expected versus what was found, e.g.::

    scenarios/xor.toml: [network].sizes: expected a list of at least 2 positive integers, got "abc"

- :mod:`.schema` — kinds, sections, limits and the typed objects;
- :mod:`.checks`, :mod:`.parse` — the parser;
- :mod:`.library` — the bundled lessons and :func:`load_scenario`;
- :mod:`.edit` — typed edits (:func:`with_changes`, :func:`with_gate`).

The reference for every key is ``docs/scenarios.md``.
"""

from nnsim.lessons.scenario.checks import show
from nnsim.lessons.scenario.edit import lists_gates, with_changes, with_gate
from nnsim.lessons.scenario.library import bundled_scenarios, load_scenario, resolve_path
from nnsim.lessons.scenario.parse import parse_scenario
from nnsim.lessons.scenario.paths import bundled_dir, bundled_names
from nnsim.lessons.scenario.schema import (
    CLASSES, DATASETS, IMAGE_PIXELS, KINDS, LIMITS, SECTIONS, BackpropSpec, Condition, Controls, Expect,
    Narration, NetworkSpec, Nudge, Scenario, SigmoidSpec, TrainSpec,
)

__all__ = [
    "CLASSES", "DATASETS", "IMAGE_PIXELS", "KINDS", "LIMITS", "SECTIONS", "BackpropSpec", "Condition", "Controls",
    "Expect", "Narration", "NetworkSpec", "Nudge", "Scenario", "SigmoidSpec", "TrainSpec", "bundled_dir",
    "bundled_names", "bundled_scenarios", "lists_gates", "load_scenario", "parse_scenario", "resolve_path",
    "show", "with_changes", "with_gate",
]
