"""Circuits: perceptrons wired together by name and evaluated layer by layer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

from nnsim.core.perceptron import NAND, Perceptron, perceptron_rule


@dataclass(frozen=True)
class Gate:
    """A named perceptron whose inputs are the names of wires.

    A wire is either one of the circuit's inputs or the output of another gate.
    The same wire may appear twice: the book's half adder feeds one NAND's output
    into the carry gate through two weights of −2 (that is, one weight of −4).
    """

    name: str
    perceptron: Perceptron
    inputs: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        if len(self.inputs) != self.perceptron.n_inputs:
            raise ValueError(
                f"gate {self.name!r} has {len(self.inputs)} input wires "
                f"but {self.perceptron.n_inputs} weights"
            )


@dataclass(frozen=True)
class GateStep:
    """One gate evaluated: the values on its input wires, its sum and its output."""

    gate: Gate
    layer: int
    inputs: tuple[int, ...]
    z: float
    output: int


@dataclass(frozen=True)
class CircuitRun:
    """A circuit evaluated on one input: every wire's value and every gate's step."""

    wires: dict[str, int]
    steps: list[GateStep]
    outputs: tuple[int, ...]


@dataclass(frozen=True)
class Circuit:
    """Input wires, gates, and the wires read as outputs."""

    inputs: tuple[str, ...]
    gates: tuple[Gate, ...]
    outputs: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "gates", tuple(self.gates))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        names = list(self.inputs) + [g.name for g in self.gates]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"wire names used twice: {', '.join(sorted(duplicates))}")
        for wire in self.outputs:
            if wire not in names:
                raise ValueError(f"output {wire!r} is not a wire of the circuit")
        self.layers()  # raises on unknown wires and loops

    def layers(self) -> list[list[Gate]]:
        """Gates grouped by depth: layer 1 reads only inputs, layer k reads layers < k."""
        depth = {name: 0 for name in self.inputs}
        pending = list(self.gates)
        known = set(self.inputs) | {g.name for g in self.gates}
        for gate in pending:
            for wire in gate.inputs:
                if wire not in known:
                    raise ValueError(f"gate {gate.name!r} reads unknown wire {wire!r}")
        while pending:
            ready = [g for g in pending if all(w in depth for w in g.inputs)]
            if not ready:
                raise ValueError(
                    "the gates form a loop: " + ", ".join(g.name for g in pending)
                )
            for g in ready:
                depth[g.name] = 1 + max((depth[w] for w in g.inputs), default=0)
                pending.remove(g)
        n_layers = max((depth[g.name] for g in self.gates), default=0)
        return [[g for g in self.gates if depth[g.name] == k] for k in range(1, n_layers + 1)]

    def evaluate(self, x: Sequence[int]) -> CircuitRun:
        if len(x) != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} inputs, got {len(x)}")
        wires = {name: int(v) for name, v in zip(self.inputs, x)}
        steps = []
        for k, layer in enumerate(self.layers(), start=1):
            for gate in layer:
                values = tuple(wires[w] for w in gate.inputs)
                z = gate.perceptron.weighted_sum(values)
                wires[gate.name] = perceptron_rule(z)
                steps.append(GateStep(gate, k, values, z, wires[gate.name]))
        return CircuitRun(wires, steps, tuple(wires[w] for w in self.outputs))

    def __call__(self, x: Sequence[int]) -> tuple[int, ...]:
        return self.evaluate(x).outputs

    def truth_table(self) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        return [(tuple(x), self(x)) for x in itertools.product((0, 1), repeat=len(self.inputs))]


def xor_from_nands() -> Circuit:
    """x1 ⊕ x2 from four NAND gates (the classic construction)."""
    return Circuit(
        inputs=("x1", "x2"),
        gates=(
            Gate("n1", NAND, ("x1", "x2")),
            Gate("n2", NAND, ("x1", "n1")),
            Gate("n3", NAND, ("x2", "n1")),
            Gate("sum", NAND, ("n2", "n3")),
        ),
        outputs=("sum",),
    )


def half_adder() -> Circuit:
    """The book's adder of two bits: the sum bit x1 ⊕ x2 and the carry bit x1 x2, all NANDs.

    The carry is NAND(n1, n1) = NOT(NAND(x1, x2)): the book draws it as one
    perceptron with the two −2 weights from n1 merged into a single −4.
    """
    xor = xor_from_nands()
    return Circuit(
        inputs=xor.inputs,
        gates=xor.gates + (Gate("carry", NAND, ("n1", "n1")),),
        outputs=("sum", "carry"),
    )
