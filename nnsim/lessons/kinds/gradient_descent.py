"""Gradient-descent lessons: the ball in the valley, one step per move Δv = −η∇C.

Each step shows where the ball is (v), the gradient ∇C there, the move
Δv = −η∇C (eq. 10), the linear estimate ΔC ≈ ∇C·Δv (eq. 7) beside the actual
change of C, and, when the lesson samples directions, the best of the other
steps of the same length (the chapter's Cauchy–Schwarz argument).
"""

from __future__ import annotations

import math

import numpy as np

from nnsim.core.descent import DescentStep, descend
from nnsim.lessons.scenario import Scenario
from nnsim.lessons.text import number as _num


def descent_run(scenario: Scenario) -> list[DescentStep]:
    """The lesson's moves, from the core."""
    d = scenario.descent
    return list(descend(scenario.cost, d.start, d.eta, d.steps, d.directions))


def step_values(s: DescentStep) -> dict[str, float]:
    """A move as flat numbers (the names ``[[expect]]`` uses, see docs/scenarios.md)."""
    values = dict(
        step=float(s.number), eta=s.eta, v1=s.v[0], v2=s.v[1], C=s.cost, grad1=s.grad[0], grad2=s.grad[1],
        grad_norm=s.grad_norm, dv1=s.dv[0], dv2=s.dv[1], step_length=s.step_length, v1_next=s.v_next[0],
        v2_next=s.v_next[1], C_next=s.cost_next, dC=s.actual, dC_estimate=s.estimate,
        estimate_error=s.estimate_error,
        relative_estimate_error=s.estimate_error / abs(s.estimate) if s.estimate else 0.0,
    )
    best = s.best_sample
    if best is not None:
        values.update(
            directions=float(len(s.samples)), best_angle=best.angle, best_dC=best.actual,
            # ≥ 0: −η∇C lowered C at least as much as every sampled step of its length.
            gradient_advantage=best.actual - s.actual,
            # ≥ 0 always (Cauchy–Schwarz): no direction's ∇C·Δv is below −‖∇C‖·‖Δv‖.
            linear_advantage=min(x.estimate for x in s.samples) - s.estimate,
        )
    return values


def narrate(s: DescentStep) -> str:
    v, g = s.v, s.grad
    text = (f"At v = ({_num(v[0])}, {_num(v[1])}), C = {_num(s.cost)} and ∇C = ({_num(g[0])}, {_num(g[1])}). "
            f"The ball moves by Δv = −η∇C = ({_num(s.dv[0])}, {_num(s.dv[1])}) to "
            f"({_num(s.v_next[0])}, {_num(s.v_next[1])}). ")
    if not math.isfinite(s.cost_next):
        return text + "C is no longer a finite number: the ball has flown off the map (η is far too large)."
    text += (f"∇C·Δv = {_num(s.estimate)} estimates ΔC; the actual ΔC is {_num(s.actual)} "
             f"({'down' if s.actual < 0 else 'UP: the ball climbed'}).")
    best = s.best_sample
    if best is not None:
        text += (f" Of {len(s.samples)} other steps of the same length, the best (at {best.angle:g}°) changes C "
                 f"by {_num(best.actual)}.")
    return text


def descent_steps(scenario: Scenario, data_dir=None) -> list[dict]:
    return [dict(title=f"step {s.number}", kind="descent", data=s, values=step_values(s), default=narrate(s))
            for s in descent_run(scenario)]


def map_window(scenario: Scenario, moves, aspect: float = 1.0) -> tuple[tuple[float, float], tuple[float, float]]:
    """The part of the (v1, v2) plane to draw: the minimum, the start and every finite
    position of ``moves``, with a margin. ``aspect`` is the map's width over its height
    (as drawn), so that equal lengths in v1 and v2 look equal and a round bowl looks round."""
    points = [scenario.cost.minimum, scenario.descent.start]
    points += [p for s in moves for p in (s.v, s.v_next) if all(math.isfinite(x) and abs(x) < 1e6 for x in p)]
    lo1, hi1 = min(p[0] for p in points), max(p[0] for p in points)
    lo2, hi2 = min(p[1] for p in points), max(p[1] for p in points)
    half = max(hi1 - lo1, hi2 - lo2, 1e-3) * 0.6
    m1, m2 = (lo1 + hi1) / 2, (lo2 + hi2) / 2
    w, h = half * max(1.0, aspect), half * max(1.0, 1.0 / aspect)
    return (m1 - w, m1 + w), (m2 - h, m2 + h)


def cost_map(scenario: Scenario, v1_range, v2_range, columns: int, rows: int):
    """C on a grid of ``rows`` × ``columns`` cell centres (row 0 at the top: largest v2),
    from the core's closed form."""


    v1 = v1_range[0] + (np.arange(columns) + 0.5) * (v1_range[1] - v1_range[0]) / columns
    v2 = v2_range[1] - (np.arange(rows) + 0.5) * (v2_range[1] - v2_range[0]) / rows
    grid_v1, grid_v2 = np.meshgrid(v1, v2)
    with np.errstate(over="ignore", invalid="ignore"):
        return scenario.cost(grid_v1, grid_v2)
