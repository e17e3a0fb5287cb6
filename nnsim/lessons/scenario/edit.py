"""Typed edits of a lesson: what screens call instead of touching the parsed TOML.

Each returns a new :class:`Scenario`, validated like the file, or raises NnsimError
(a locked key, an invalid value) with one line. The raw document a scenario was
parsed from is this module's business alone.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, Mapping, Sequence

from nnsim.errors import NnsimError
from nnsim.lessons.scenario.parse import parse_scenario
from nnsim.lessons.scenario.schema import Scenario


def with_changes(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """``scenario`` with some parameters changed: key paths as in [controls]
    (``"perceptron.bias"``, ``"train.eta"``, ``"network.sizes"`` …) to new values.

    A lesson's quick variant stays quick: its [train] changes go to its [quick] table.
    """
    raw = copy.deepcopy(dict(scenario.raw))
    for key, value in changes.items():
        if not scenario.controls.can_edit(key):
            raise NnsimError(f"{scenario.label}: {key} is locked in this lesson")
        table, _, name = key.partition(".")
        if scenario.is_quick and table == "train":
            table = "quick"
        raw.setdefault(table, {})[name] = value
    changed = parse_scenario(raw, scenario.path, scenario.name)
    if scenario.network is not None and changed.network is not None and not any(k.startswith("network.") for k in changes):
        # Weights loaded from a file (--network) are not in the raw document: keep them.
        changed = dataclasses.replace(changed, network=scenario.network)
    return changed.variant(True) if scenario.is_quick else changed


def lists_gates(scenario: Scenario) -> bool:
    """Whether the circuit's file lists its gates one by one (not a builtin circuit) and
    [controls] let them be edited."""
    return "gate" in scenario.raw.get("circuit", {}) and scenario.controls.can_edit("circuit.gate")


def with_gate(scenario: Scenario, name: str, weights: Sequence[float], bias: float) -> Scenario:
    """The circuit with gate ``name`` given these weights and bias (in place of a gate type)."""
    if not lists_gates(scenario):
        raise NnsimError(f"{scenario.label}: the circuit's gates cannot be edited in this lesson")
    tables = copy.deepcopy(list(scenario.raw["circuit"]["gate"]))
    if not any(t.get("name") == name for t in tables):
        raise NnsimError(f"{scenario.label}: the circuit has no gate {name!r}")
    for table in tables:
        if table.get("name") == name:
            table.pop("gate", None)
            table["weights"] = [float(w) for w in weights]
            table["bias"] = float(bias)
    return with_changes(scenario, {"circuit.gate": tables})
