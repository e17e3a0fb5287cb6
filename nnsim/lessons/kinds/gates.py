"""Perceptron and circuit lessons as steps: one per input row, or one per gate per row."""

from __future__ import annotations

from typing import Sequence

from nnsim.core.circuit import GateStep
from nnsim.core.perceptron import AND, NAND, NOT, OR, Perceptron, TruthRow
from nnsim.lessons.scenario import Scenario
from nnsim.lessons.text import sentence

_GATE_NAMES = {NAND: "NAND", AND: "AND", OR: "OR", NOT: "NOT"}


def perceptron_steps(scenario: Scenario, data_dir=None) -> list[dict]:
    p = scenario.perceptron
    if scenario.inputs is None:
        rows = p.truth_table()
    else:
        rows = [TruthRow(row, p.weighted_sum(row), p.output(row)) for row in scenario.inputs]
    drafts = []
    for r in rows:
        values = {f"x{j}": float(x) for j, x in enumerate(r.inputs, 1)}
        values.update({f"w{j}": w for j, w in enumerate(p.weights, 1)})
        values.update(b=p.bias, z=r.z, output=float(r.output))
        drafts.append(dict(title=row_title(r.inputs), kind="row", data=r, values=values, row=r.inputs,
                           context=p, default=_perceptron_sentence(p, r.inputs, values)))
    return drafts


def row_title(row: Sequence[int]) -> str:
    return f"input {''.join(str(int(x)) for x in row)}" if len(row) else "no inputs"


def _sum_template(n: int) -> str:
    """``{w1:p}·{x1} + {w2:p}·{x2} + {b:p}``: the weighted sum as the panel writes it (a negative bias in parentheses)."""
    return " + ".join([f"{{w{j}:p}}·{{x{j}}}" for j in range(1, n + 1)] + ["{b:p}"])


def _perceptron_sentence(p: Perceptron, row, values: dict) -> str:
    if not row:
        return sentence("perceptron.no_inputs", values)
    return sentence("perceptron.row", values, row="".join(str(x) for x in row), sum=_sum_template(len(row)))


def circuit_steps(scenario: Scenario, data_dir=None) -> list[dict]:
    circuit = scenario.circuit
    rows = scenario.inputs if scenario.inputs is not None else [x for x, _ in circuit.truth_table()]
    drafts = []
    for row in rows:
        run = circuit.evaluate(row)
        known = dict(zip(circuit.inputs, (int(x) for x in row)))
        for n, gs in enumerate(run.steps):
            known[gs.gate.name] = gs.output
            values = {f"x{j}": float(x) for j, x in enumerate(row, 1)}
            values.update({f"in{j}": float(v) for j, v in enumerate(gs.inputs, 1)})
            values.update({f"w{j}": float(w) for j, w in enumerate(gs.gate.perceptron.weights, 1)})
            values.update(b=float(gs.gate.perceptron.bias), layer=float(gs.layer), z=gs.z, output=float(gs.output))
            # Only the wires known once this gate has fired: nothing is quoted before it is computed.
            values.update({f"wire.{w}": float(v) for w, v in known.items()})
            text = _gate_sentence(gs, values)
            if n == len(run.steps) - 1:
                outs = ", ".join(f"{w} = {{wire.{w}}}" for w in circuit.outputs)
                text += sentence("circuit.output", values, row="".join(str(int(x)) for x in row) or "no input",
                                 outs=outs)
            drafts.append(dict(title=f"{row_title(row)}, gate {gs.gate.name}", kind="gate", data=gs,
                               values=values, row=tuple(row), context=run, wires=dict(known),
                               default=text))
    return drafts


def _gate_sentence(gs: GateStep, values: dict) -> str:
    p = gs.gate.perceptron
    name = _GATE_NAMES.get(p)
    head = f"{gs.gate.name} = {name}({', '.join(gs.gate.inputs)})" if name else f"{gs.gate.name}"
    if not gs.inputs:
        return sentence("gate.no_inputs", values, head=head)
    reads = ", ".join(f"{w} = {{in{j}}}" for j, w in enumerate(gs.gate.inputs, 1))
    terms = " + ".join([f"{{w{j}:p}}·{{in{j}}}" for j in range(1, len(gs.inputs) + 1)] + ["{b}"])
    return sentence("gate", values, head=head, reads=reads, sum=terms)
