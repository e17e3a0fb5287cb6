"""Gradient descent on a cost of two variables: the chapter's ball rolling down a valley.

The chapter pictures a cost C(v1, v2) as a valley and a ball that moves by
Δv = −η∇C (eq. 10), so that ΔC ≈ ∇C·Δv = −η‖∇C‖² ≤ 0 (eqs. 7 and 9). A lesson
picks its cost from the closed forms below by name, with numbers for their
parameters; nothing is ever evaluated from text.

- ``"bowl"``: C = ½·a·((v1 − c1)² + (v2 − c2)²), a round bowl of curvature a
  centred on c. Gradient descent converges for 0 < η < 2/a and overshoots,
  climbing ever higher, for η > 2/a.
- ``"valley"``: C = ½·(a·(v1 − c1)² + b·(v2 − c2)²), an elongated valley
  (take b ≫ a). With η near 2/b the ball zig-zags across the narrow direction
  while creeping along the long one.
- ``"rosenbrock"``: C = (a − v1)² + b·(v2 − v1²)², Rosenbrock's curved
  banana-shaped valley with its minimum at (a, a²).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

FORMS = ("bowl", "valley", "rosenbrock")

FORMULAS = {
    "bowl": "C = ½·a·((v1 − c1)² + (v2 − c2)²)",
    "valley": "C = ½·(a·(v1 − c1)² + b·(v2 − c2)²)",
    "rosenbrock": "C = (a − v1)² + b·(v2 − v1²)²",
}


@dataclass(frozen=True)
class Cost:
    """One of the closed forms of :data:`FORMS` with its parameters ``a``, ``b`` and ``center``
    (``center`` is (c1, c2); Rosenbrock's minimum is fixed by ``a`` instead)."""

    form: str
    a: float = 1.0
    b: float = 1.0
    center: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if self.form not in FORMS:
            raise ValueError(f"unknown cost {self.form!r} (known: {', '.join(FORMS)})")

    @property
    def formula(self) -> str:
        return FORMULAS[self.form]

    def __call__(self, v1, v2):
        """C at (v1, v2): numbers or numpy arrays of the same shape (a map of the valley)."""
        a, b, (c1, c2) = self.a, self.b, self.center
        if self.form == "bowl":
            return 0.5 * a * ((v1 - c1) * (v1 - c1) + (v2 - c2) * (v2 - c2))
        if self.form == "valley":
            return 0.5 * (a * (v1 - c1) * (v1 - c1) + b * (v2 - c2) * (v2 - c2))
        r = v2 - v1 * v1  # products, not **: a float power that overflows raises, a product gives inf
        return (a - v1) * (a - v1) + b * r * r

    def gradient(self, v1: float, v2: float) -> tuple[float, float]:
        """∇C = (∂C/∂v1, ∂C/∂v2), differentiated by hand for each form."""
        a, b, (c1, c2) = self.a, self.b, self.center
        if self.form == "bowl":
            return a * (v1 - c1), a * (v2 - c2)
        if self.form == "valley":
            return a * (v1 - c1), b * (v2 - c2)
        r = v2 - v1 * v1
        return -2 * (a - v1) - 4 * b * v1 * r, 2 * b * r

    @property
    def minimum(self) -> tuple[float, float]:
        """Where C is smallest (C = 0 there, for every form)."""
        return (self.a, self.a * self.a) if self.form == "rosenbrock" else self.center


@dataclass(frozen=True)
class DirectionSample:
    """A step of the same length as −η∇C in another direction (angle in degrees from the v1 axis):
    its linear estimate ∇C·Δv and the actual change of C."""

    angle: float
    dv: tuple[float, float]
    estimate: float
    actual: float


@dataclass(frozen=True)
class DescentStep:
    """One move of the ball: at ``v`` with cost ``cost`` and gradient ``grad``, Δv = −η∇C takes
    it to ``v_next``. ``estimate`` is ∇C·Δv (eq. 7), ``actual`` is C(v + Δv) − C(v).
    ``samples`` are other directions of the same length ‖Δv‖ (the steepest-step exercise)."""

    number: int
    eta: float
    v: tuple[float, float]
    cost: float
    grad: tuple[float, float]
    dv: tuple[float, float]
    v_next: tuple[float, float]
    cost_next: float
    samples: tuple[DirectionSample, ...] = ()

    @property
    def grad_norm(self) -> float:
        return math.hypot(*self.grad)

    @property
    def step_length(self) -> float:
        return math.hypot(*self.dv)

    @property
    def estimate(self) -> float:
        return self.grad[0] * self.dv[0] + self.grad[1] * self.dv[1]

    @property
    def actual(self) -> float:
        return self.cost_next - self.cost

    @property
    def estimate_error(self) -> float:
        """|ΔC − ∇C·Δv|: how far eq. 7's linear estimate is from the actual change."""
        return abs(self.actual - self.estimate)

    @property
    def best_sample(self) -> DirectionSample | None:
        """The sampled direction that lowers C the most (actual change), if any were sampled."""
        return min(self.samples, key=lambda s: s.actual) if self.samples else None


def sample_directions(cost: Cost, v: tuple[float, float], length: float, count: int) -> tuple[DirectionSample, ...]:
    """``count`` steps of length ``length`` from ``v``, at evenly spaced angles starting along +v1."""
    g = cost.gradient(*v)
    c0 = cost(*v)
    out = []
    for k in range(count):
        angle = 2 * math.pi * k / count
        dv = (length * math.cos(angle), length * math.sin(angle))
        out.append(DirectionSample(round(360 * k / count, 9), dv, g[0] * dv[0] + g[1] * dv[1],
                                   float(cost(v[0] + dv[0], v[1] + dv[1])) - float(c0)))
    return tuple(out)


def descend(cost: Cost, start: tuple[float, float], eta: float, steps: int,
            directions: int = 0) -> Iterator[DescentStep]:
    """``steps`` moves of gradient descent from ``start`` with learning rate ``eta`` (eq. 10).

    Stops early if the ball flies off to infinity (an η far too large): a NaN or
    infinite cost ends the run after the step that produced it.
    """
    v = (float(start[0]), float(start[1]))
    for number in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            c = float(cost(*v))
            g = tuple(float(x) for x in cost.gradient(*v))
            dv = (-eta * g[0], -eta * g[1])
            v_next = (v[0] + dv[0], v[1] + dv[1])
            c_next = float(cost(*v_next))
            length = math.hypot(*dv)
            samples = sample_directions(cost, v, length, directions) if directions and math.isfinite(length) else ()
        step = DescentStep(number, float(eta), v, c, g, dv, v_next, c_next, samples)
        yield step
        if not all(math.isfinite(x) for x in (*v_next, c_next)):
            return
        v = v_next
