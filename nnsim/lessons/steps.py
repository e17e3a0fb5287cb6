"""A lesson as steps: what a step is, its numbers, and which steps a reference names.

:func:`nnsim.lessons.kinds.build_steps` builds them, one module per kind.

Every number in a step comes from the core; the kinds' modules only arrange
them, name them and attach the lesson's narration.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import numpy as np

from nnsim.core.trace import TraceStep
from nnsim.errors import NnsimError
from nnsim.lessons.scenario import Scenario
from nnsim.lessons.text import MINUS, check_template, fill

# Arrays with at most this many numbers are spelled out in a step's ``values``
# (``delta[2]``, ``w[1,0]``); bigger ones are summarised (min, max, mean, norm).
# The full arrays are always in the step's data (and in ``nnsim run --json``).
SPELL_OUT = 64


@dataclass(frozen=True)
class LessonStep:
    """One step of a lesson.

    Attributes:
        index: position in the lesson, from 0.
        title: unique within the lesson, e.g. ``"input 01"``, ``"backward, layer 2"``.
        narration: the scenario's text for this step, or a sentence made from its numbers.
        kind: what ``data`` is: ``"row"`` (a core ``TruthRow``), ``"gate"`` (a core
            ``GateStep``), ``"sample"``, ``"scale"``, ``"nudge"`` (sigmoid lesson records),
            ``"trace"`` (a core ``TraceStep``), ``"epoch"`` (``EpochDone``) or
            ``"diverged"`` (``Diverged``).
        data: the core object.
        values: a flat dict of plain numbers, for printing and JSON.
        row: the input row of a perceptron or circuit step.
        context: what the step belongs to: the ``Perceptron`` of a row, the
            ``CircuitRun`` of a gate's row, the ``Trace`` of a backprop step.
        wires: for a gate step, the value of every wire known once this gate has fired.
        pass_number: for backprop, which update (from 1) this step belongs to.
    """

    index: int
    title: str
    narration: str
    kind: str
    data: Any
    values: dict[str, float]
    row: Optional[tuple] = None
    context: Any = None
    wires: Optional[dict[str, int]] = None
    pass_number: int = 1

    def to_json(self) -> dict:
        """Plain JSON: a trace step adds its phase, layer, equation and full arrays."""
        out = {"index": self.index, "title": self.title, "kind": self.kind,
               "narration": self.narration, "values": self.values}
        if self.row is not None:
            out["row"] = list(self.row)
        if isinstance(self.data, TraceStep):
            data = self.data.to_json()
            out.update(pass_number=self.pass_number, phase=data["phase"], layer=data["layer"],
                       equation=data["equation"], arrays=data["arrays"])
        return out


def array_values(arrays: dict[str, np.ndarray]) -> dict[str, float]:
    """A trace step's arrays as flat numbers: small arrays element by element
    (``z[1]`` for a column, ``w[1,0]`` for a matrix), big ones summarised."""
    values: dict[str, float] = {}
    for name, array in arrays.items():
        a = np.asarray(array, dtype=np.float64)
        if a.ndim == 0:
            values[name] = float(a)
        elif a.size <= SPELL_OUT:
            column = a.ndim == 2 and a.shape[1] == 1
            for index in np.ndindex(a.shape):
                key = f"{name}[{index[0]}]" if column else f"{name}[{','.join(map(str, index))}]"
                values[key] = float(a[index])
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                values.update({f"{name}.min": float(a.min()), f"{name}.max": float(a.max()),
                               f"{name}.mean": float(a.mean()), f"{name}.norm": float(np.linalg.norm(a))})
    return values


# -- narration and step references --------------------------------------------------

def narration_for(scenario: Scenario, index: int, title: str, default: str,
                  values: Optional[dict] = None) -> str:
    """The scenario's text for a step (by index, then exact title, then pattern; else
    ``default``), its placeholders filled from the step's ``values``.

    A placeholder the step has no value for is the lesson file's mistake: one line
    naming the file, the narration entry and the step.
    """
    found = _narration_rule(scenario, index, title)
    if found is None:
        return default  # the kinds write their default sentences filled
    number, rule = found
    if values is None:
        return rule.text
    problem = check_template(rule.text, values)
    if problem:
        raise NnsimError(f"{scenario.label}: [[narration]][{number}].text: {problem} at step {title!r}")
    return fill(rule.text, values)


def _narration_rule(scenario: Scenario, index: int, title: str):
    for number, rule in enumerate(scenario.narration, 1):
        if rule.step == index or (isinstance(rule.step, str) and same_title(rule.step, title)):
            return number, rule
    for number, rule in enumerate(scenario.narration, 1):
        if isinstance(rule.step, str) and "*" in rule.step and fnmatch.fnmatchcase(_ascii(title), _ascii(rule.step)):
            return number, rule
    return None


def match_steps(ref: Union[int, str], titles: Sequence[str]) -> list[int]:
    """Indices of the steps a reference names: an index, an exact title, or a pattern with *."""
    if isinstance(ref, int):
        return [ref] if ref < len(titles) else []
    if "*" in ref:
        return [i for i, t in enumerate(titles) if fnmatch.fnmatchcase(_ascii(t), _ascii(ref))]
    return [i for i, t in enumerate(titles) if same_title(t, ref)]


def _ascii(title: str) -> str:
    return title.replace(MINUS, "-")


def same_title(a: str, b: str) -> bool:
    """Titles are shown with the Unicode minus; a file may name them with a plain hyphen."""
    return _ascii(a) == _ascii(b)


def check_step_references(scenario: Scenario, titles: Sequence[str]) -> None:
    """Every narration, breakpoint and expectation step must name a step of the lesson."""
    refs = [(f"[[narration]][{i}].step", n.step) for i, n in enumerate(scenario.narration, 1)]
    refs += [("[[breakpoint]].step", b) for b in scenario.breakpoints]
    table = "quick.expect" if scenario.is_quick else "expect"
    for i, e in enumerate(scenario.expects, 1):
        if e.step is not None:
            refs.append((f"[[{table}]][{i}].step", e.step))
        if e.steps is not None:
            refs.append((f"[[{table}]][{i}].steps", e.steps))
    for where, ref in refs:
        if not match_steps(ref, titles):
            what = f"step {ref}, but the lesson has {len(titles)} steps (0 to {len(titles) - 1})" \
                if isinstance(ref, int) else f"no step titled {ref!r} (titles look like {titles[0]!r})"
            raise NnsimError(f"{scenario.label}: {where}: {what}")


def breakpoint_indices(scenario: Scenario, steps: Sequence[LessonStep]) -> set[int]:
    titles = [s.title for s in steps]
    return {i for ref in scenario.breakpoints for i in match_steps(ref, titles)}
