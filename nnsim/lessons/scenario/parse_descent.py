"""The parser's part for kind ``gradient-descent``: ``[cost]`` (a closed form by name, with
numbers for its parameters) and ``[descent]`` (start, η, steps, directions).

The cost is one of :data:`nnsim.core.descent.FORMS`; nothing in the file is
evaluated as a formula.
"""

from __future__ import annotations

from nnsim.core.descent import FORMS, Cost
from nnsim.lessons.scenario.checks import _Parser, _Table
from nnsim.lessons.scenario.schema import _TABLE_KEYS, LIMITS, DescentSpec

# Where the ball may start and the valley's centre may sit: the screen draws the map around
# them, and a cost of (10⁶)² still prints as a number.
REACH = 1000.0


def descent_fields(p: _Parser, top: _Table) -> dict:
    c = _Table(p, top.get("cost", lambda v, w: v), "[cost]", _TABLE_KEYS["cost"])
    form = c.get("form", p.choice(FORMS))
    a = c.get("a", p.number(hi=1000.0, positive=True), 1.0)
    b = c.get("b", p.number(hi=1000.0, positive=True), 1.0)
    if form == "bowl" and c.has("b"):
        p.error(c.path("b"), "not used by the bowl (its curvature is a in every direction)")
    center = c.get("center", lambda v, w: p.numbers(w, v, length=2, lo=-REACH, hi=REACH), (0.0, 0.0))
    if form == "rosenbrock" and c.has("center"):
        p.error(c.path("center"), "not used by rosenbrock (its minimum is at (a, a²))")
    d = _Table(p, top.get("descent", lambda v, w: v), "[descent]", _TABLE_KEYS["descent"])
    start = d.get("start", lambda v, w: p.numbers(w, v, length=2, lo=-REACH, hi=REACH))
    eta = d.get("eta", p.number(hi=100.0, positive=True))
    steps = d.get("steps", p.integer(1, LIMITS["descent_steps"]))
    directions = d.get("directions", p.integer(0, LIMITS["directions"], what=(
        f"a number of directions from 0 to {LIMITS['directions']} (0: none)")), 0)
    if directions == 1:
        p.error(d.path("directions"), "sample at least 2 directions to compare (or 0 for none)")
    return {"cost": Cost(form, a, b, tuple(center)), "descent": DescentSpec(tuple(start), eta, steps, directions)}
