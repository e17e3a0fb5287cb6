"""The debugger's cursor over a lesson's steps, with breakpoints and conditions.

Steps are data computed up front, so stepping back is as cheap as stepping
forward: the cursor only moves an index. The app's screens and the tests drive
the same :class:`Stepper`.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import numpy as np

from nnsim.core.activations import sigmoid_prime
from nnsim.core.trace import TraceStep, sup
from nnsim.core.training import Diverged, EpochDone
from nnsim.lessons.scenario import Condition
from nnsim.lessons.text import number

# Phases whose equations use σ′(z) (BP1, BP2) and δ: where saturation and
# vanishing errors show. The gradient step repeats δ, so it is not checked again.
_SIGMOID_PRIME_PHASES = ("output_error", "backward")
_DELTA_PHASES = ("output_error", "backward")


def condition_hit(condition: Condition, step) -> Optional[str]:
    """Why ``condition`` holds at ``step`` (a LessonStep, or its data), or None.

    nan: a NaN or infinity in any of the step's numbers. saturation: some
    neuron's σ′(z) < ε. vanishing: some neuron's |δ| < ε. accuracy: an epoch's
    accuracy ≥ the bound.
    """
    data = getattr(step, "data", step)
    values = getattr(step, "values", {}) or {}
    title = getattr(step, "title", None) or getattr(data, "title", "")
    arrays = data.arrays if isinstance(data, TraceStep) else {}
    if condition.kind == "nan":
        if isinstance(data, Diverged):
            return data.message
        for name, a in arrays.items():
            bad = ~np.isfinite(np.asarray(a, dtype=np.float64))
            if bad.any():
                return f"NaN or infinity in {name} at {title} ({int(bad.sum())} of {bad.size})"
        for name, v in values.items():
            if not np.isfinite(v):
                return f"{name} = {v} at {title}"
        return None
    if condition.kind == "saturation":
        if isinstance(data, TraceStep):
            if data.phase not in _SIGMOID_PRIME_PHASES:
                return None
            sp = np.asarray(data.arrays.get("sigmoid_prime", sigmoid_prime(data.arrays["z"])))
            return _below(sp, condition.epsilon, f"σ′(z{sup(data.layer)})", title)
        if "sigma_prime" in values:
            return _below(np.asarray([values["sigma_prime"]]), condition.epsilon, "σ′(z)", title)
        return None
    if condition.kind == "vanishing":
        if isinstance(data, TraceStep) and data.phase in _DELTA_PHASES:
            return _below(np.abs(np.asarray(data.arrays["delta"])), condition.epsilon, f"|δ{sup(data.layer)}|", title)
        return None
    if condition.kind == "accuracy" and isinstance(data, EpochDone) and data.accuracy is not None:
        if data.accuracy >= condition.at_least:
            return f"accuracy {data.accuracy:.2%} ≥ {condition.at_least:.2%} after epoch {data.epoch}"
    return None


def _below(a: np.ndarray, epsilon: float, name: str, title: str) -> Optional[str]:
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        hits = a < epsilon
    if not hits.any():
        return None
    j = np.unravel_index(int(np.argmin(np.where(np.isnan(a), np.inf, a))), a.shape)
    where = f"neuron {j[0]}" + (f", example {j[1]}" if len(j) > 1 and a.shape[1] > 1 else "")
    return (f"{name} < {number(epsilon)} at {title}: {int(hits.sum())} of {a.size}, "
            f"smallest {number(a[j], 3)} ({where})")


def condition_hits(condition: Condition, step) -> bool:
    """True when ``condition`` holds at ``step``."""
    return condition_hit(condition, step) is not None


class Stepper:
    """A cursor over a lesson's steps.

    ``position`` is the current step's index (from 0); ``label`` shows it from 1
    ("step 3 / 12"). ``continue_`` runs forward to the next step that has a
    breakpoint or where a condition holds, or to the end; ``stop_reason`` says
    which.
    """

    def __init__(self, steps: Sequence, breakpoints: Iterable[int] = (), conditions: Iterable[Condition] = ()):
        self.steps = list(steps)
        if not self.steps:
            raise ValueError("a stepper needs at least one step")
        self.breakpoints: set[int] = {int(i) for i in breakpoints}
        self.conditions: list[Condition] = list(conditions)
        self.position = 0
        self.stop_reason: Optional[str] = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def current(self):
        return self.steps[self.position]

    @property
    def label(self) -> str:
        return f"step {self.position + 1} / {len(self.steps)}"

    @property
    def at_start(self) -> bool:
        return self.position == 0

    @property
    def at_end(self) -> bool:
        return self.position == len(self.steps) - 1

    def goto(self, i: int):
        """Move to step ``i`` (from 0), clamped to the lesson; returns the step."""
        self.position = max(0, min(int(i), len(self.steps) - 1))
        self.stop_reason = None
        return self.current

    def next(self):
        return self.goto(self.position + 1)

    def back(self):
        return self.goto(self.position - 1)

    def restart(self):
        return self.goto(0)

    def continue_(self):
        """Run forward (at least one step) to the next breakpoint, condition hit or the end."""
        for i in range(self.position + 1, len(self.steps)):
            reason = self.reason_to_stop(i)
            if reason:
                self.position, self.stop_reason = i, reason
                return self.current
        self.position, self.stop_reason = len(self.steps) - 1, "end of the lesson"
        return self.current

    def reason_to_stop(self, i: int) -> Optional[str]:
        if i in self.breakpoints:
            return f"breakpoint at step {i + 1}"
        for condition in self.conditions:
            hit = condition_hit(condition, self.steps[i])
            if hit:
                return hit
        return None

    def toggle_breakpoint(self, i: Optional[int] = None) -> bool:
        """Set or clear a breakpoint (on the current step by default); True if now set."""
        i = self.position if i is None else int(i)
        if i in self.breakpoints:
            self.breakpoints.discard(i)
            return False
        self.breakpoints.add(i)
        return True

    def extend(self, steps: Iterable) -> None:
        """Add steps at the end (epochs as they finish, another update's pass)."""
        self.steps.extend(steps)


def lesson_stepper(scenario, steps: Optional[Sequence] = None, quick: bool = False) -> Stepper:
    """A stepper over a lesson's steps, with the breakpoints and conditions it starts with."""
    from nnsim.lessons.kinds import build_steps
    from nnsim.lessons.steps import breakpoint_indices

    steps = build_steps(scenario, quick=quick) if steps is None else steps
    return Stepper(steps, breakpoint_indices(scenario, steps), scenario.conditions)
