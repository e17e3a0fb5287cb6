"""Perceptrons: weigh up evidence, output 0 or 1 (the seed's rule with a bias)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

import numpy as np


def perceptron_rule(z: float) -> int:
    """output = 1 if w·x + b > 0, else 0 (so z = 0 gives 0, unlike :func:`step`)."""
    return 1 if z > 0 else 0


@dataclass(frozen=True)
class TruthRow:
    """One row of a truth table: the inputs, the weighted sum and the output."""

    inputs: tuple[int, ...]
    z: float
    output: int


@dataclass(frozen=True)
class Perceptron:
    """A perceptron with weights w and bias b (b ≡ −threshold).

    A perceptron with no weights is the seed's "perceptron with no inputs": its
    weighted sum is always b, so it outputs a constant.
    """

    weights: tuple[float, ...]
    bias: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", tuple(float(w) for w in self.weights))
        object.__setattr__(self, "bias", float(self.bias))

    @property
    def n_inputs(self) -> int:
        return len(self.weights)

    def weighted_sum(self, x: Sequence[float]) -> float:
        """z = w·x + b."""
        if len(x) != self.n_inputs:
            raise ValueError(f"expected {self.n_inputs} inputs, got {len(x)}")
        return float(np.dot(self.weights, x)) + self.bias if self.weights else self.bias

    def output(self, x: Sequence[float]) -> int:
        return perceptron_rule(self.weighted_sum(x))

    __call__ = output

    def truth_table(self) -> list[TruthRow]:
        """Every binary input, in counting order (00, 01, 10, 11 for two inputs)."""
        rows = []
        for x in itertools.product((0, 1), repeat=self.n_inputs):
            z = self.weighted_sum(x)
            rows.append(TruthRow(tuple(x), z, perceptron_rule(z)))
        return rows


# The seed's NAND: weights −2, −2 and bias 3, so only input 11 gives a negative sum.
NAND = Perceptron((-2, -2), 3)
AND = Perceptron((2, 2), -3)
OR = Perceptron((2, 2), -1)
NOT = Perceptron((-2,), 1)
