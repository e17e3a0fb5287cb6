"""Perceptron and circuit lessons as steps: one per input row, or one per gate per row."""

from __future__ import annotations

from typing import Sequence

from nnsim.core.circuit import GateStep
from nnsim.core.perceptron import AND, NAND, NOT, OR, Perceptron, TruthRow
from nnsim.lessons.scenario import Scenario
from nnsim.lessons.steps import plain_number as _num

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
                           context=p, default=_perceptron_sentence(p, r.inputs, r.z, r.output)))
    return drafts


def row_title(row: Sequence[int]) -> str:
    return f"input {''.join(str(int(x)) for x in row)}" if len(row) else "no inputs"


def _weighted_sum_text(weights, inputs, bias) -> str:
    terms = [f"({_num(w)})·{_num(x)}" for w, x in zip(weights, inputs)]
    return " + ".join(terms + [_num(bias)])


def _perceptron_sentence(p: Perceptron, row, z: float, output: int) -> str:
    compare = ">" if z > 0 else "≤"
    if not row:
        return (f"No inputs: the weighted sum is just the bias, {_num(z)} {compare} 0, so the output "
                f"is {output}, whatever we wanted it to be.")
    return (f"x = {''.join(str(x) for x in row)}: w·x + b = {_weighted_sum_text(p.weights, row, p.bias)} "
            f"= {_num(z)} {compare} 0, so the output is {output}.")


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
            values.update(layer=float(gs.layer), z=gs.z, output=float(gs.output))
            sentence = _gate_sentence(gs)
            if n == len(run.steps) - 1:
                outs = ", ".join(f"{w} = {run.wires[w]}" for w in circuit.outputs)
                sentence += f" The circuit's output for {''.join(str(int(x)) for x in row) or 'no input'}: {outs}."
            drafts.append(dict(title=f"{row_title(row)}, gate {gs.gate.name}", kind="gate", data=gs,
                               values=values, row=tuple(row), context=run, wires=dict(known),
                               default=sentence))
    return drafts


def _gate_sentence(gs: GateStep) -> str:
    p = gs.gate.perceptron
    reads = ", ".join(f"{w} = {v}" for w, v in zip(gs.gate.inputs, gs.inputs))
    name = _GATE_NAMES.get(p)
    head = f"{gs.gate.name} = {name}({', '.join(gs.gate.inputs)})" if name else f"{gs.gate.name}"
    if not gs.inputs:
        return f"{head} has no inputs: its sum is the bias {_num(gs.z)}, so it outputs {gs.output} always."
    compare = ">" if gs.z > 0 else "≤"
    return (f"Layer {gs.layer}: {head} reads {reads}: {_weighted_sum_text(p.weights, gs.inputs, p.bias)} "
            f"= {_num(gs.z)} {compare} 0 → {gs.output}.")
