"""What the diagrams draw, computed without a UI: which edges of a network are drawn and
what each carries at a step, where a circuit's gates and wires go, and a two-input
neuron's outputs over the (x1, x2) plane.

The widgets under ``nnsim.tui`` only place characters; every number they show comes
from here (and from the core, which these functions call).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from nnsim.core.activations import sigmoid
from nnsim.core.circuit import Circuit
from nnsim.core.perceptron import Perceptron
from nnsim.core.trace import TraceStep

# Every edge is drawn while both layers have at most this many neurons; past it, only the
# TOP_K strongest incoming edges of each neuron (23,550 edges of [784, 30, 10] would be ink).
ALL_EDGES_UP_TO = 10
TOP_K = 3


# -- the network's edges ------------------------------------------------------------------

@dataclass(frozen=True)
class Edges:
    """The edges drawn between layer ``into`` − 1 and layer ``into`` (book numbering).

    Attributes:
        into: the layer the edges enter.
        rows: j of each edge (the neuron in layer ``into``).
        cols: k of each edge (the neuron in the layer before).
        weights: w_jk of each edge.
        k: None when every edge is drawn, else how many per neuron (top-k by |w|).
    """

    into: int
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    k: Optional[int]

    def __len__(self) -> int:
        return int(self.rows.size)


def strongest_incoming(w: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` incoming edges of largest |w| of each neuron: (rows j, columns k) of the
    (n, n_prev) weight matrix ``w``, each neuron's strongest first; ties go to the lower
    index. NaN counts as the strongest (a broken weight must be seen)."""
    w = np.asarray(w, dtype=np.float64)
    n, n_prev = w.shape
    k = max(0, min(k, n_prev))
    strength = np.abs(w)
    strength = np.where(np.isnan(strength), np.inf, strength)
    # A stable sort on −|w| keeps the lower index first among equals.
    order = np.argsort(-strength, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(n), k)
    return rows, order.reshape(-1)


def network_edges(weights: Sequence[np.ndarray], all_up_to: int = ALL_EDGES_UP_TO,
                  k: int = TOP_K) -> list[Edges]:
    """The edges to draw for a network with ``weights`` [w², w³, …]: all of them between
    two layers of at most ``all_up_to`` neurons, else each neuron's top ``k`` by |w|."""
    out = []
    for layer, w in enumerate(weights, 2):
        w = np.asarray(w, dtype=np.float64)
        n, n_prev = w.shape
        if n <= all_up_to and n_prev <= all_up_to:
            rows, cols = np.divmod(np.arange(n * n_prev), n_prev)
            out.append(Edges(layer, rows, cols, w[rows, cols], None))
        else:
            rows, cols = strongest_incoming(w, k)
            out.append(Edges(layer, rows, cols, w[rows, cols], min(k, n_prev)))
    return out


@dataclass(frozen=True)
class Flow:
    """What the edges into layer ``into`` carry at one step of a pass.

    Attributes:
        into: the layer the edges enter (the weights are w^into).
        values: (n_into, n_prev), one number per edge.
        symbol: what the numbers are: "w" (forward), "w·δ" (BP2's (wˡ⁺¹)ᵀδˡ⁺¹ term by
            term), "∂C/∂w" (BP4) or "Δw" (the update).
        backward: the numbers flow right to left.
    """

    into: int
    values: np.ndarray
    symbol: str
    backward: bool


def step_flow(step: TraceStep, example: int = 0) -> Optional[Flow]:
    """The edges a step of a pass lights, with what they carry; None for steps that use no
    weights (the input, the cost, BP1)."""
    arrays, layer = step.arrays, step.layer
    if step.phase == "forward":
        return Flow(layer, np.asarray(arrays["w"], dtype=np.float64), "w", False)
    if step.phase == "backward":
        delta_next = np.asarray(arrays["delta_next"], dtype=np.float64)
        e = min(example, delta_next.shape[1] - 1)
        with np.errstate(all="ignore"):
            carried = np.asarray(arrays["w_next"], dtype=np.float64) * delta_next[:, e][:, None]
        return Flow(layer + 1, carried, "w·δ", True)
    if step.phase == "gradient":
        return Flow(layer, np.asarray(arrays["nabla_w"], dtype=np.float64), "∂C/∂w", True)
    if step.phase == "update":
        with np.errstate(all="ignore"):
            change = np.asarray(arrays["w_after"], dtype=np.float64) - np.asarray(arrays["w_before"], dtype=np.float64)
        return Flow(layer, change, "Δw", False)
    return None


# -- a circuit's layout -------------------------------------------------------------------

@dataclass(frozen=True)
class Wire:
    """A wire from ``source`` (an input or a gate's output) into input ``slot`` of gate ``target``."""

    source: str
    target: str
    slot: int


@dataclass(frozen=True)
class CircuitLayout:
    """Columns left to right: the inputs, then each layer of gates (``Circuit.layers()``),
    each column's names top to bottom; and every wire."""

    columns: list[list[str]]
    wires: list[Wire]

    def place(self) -> dict[str, tuple[int, int]]:
        """(column, row) of every input and gate."""
        return {name: (c, r) for c, names in enumerate(self.columns) for r, name in enumerate(names)}


def circuit_layout(circuit: Circuit) -> CircuitLayout:
    """The layout of any valid circuit, from its layers alone (no hints in the file).

    Within a layer, gates are ordered by the mean row of the wires they read (the
    barycentre), so wires cross as little as that simple rule allows; ties keep the
    file's order.
    """
    columns: list[list[str]] = [list(circuit.inputs)]
    row: dict[str, float] = {name: float(r) for r, name in enumerate(circuit.inputs)}
    for layer in circuit.layers():
        ranked = sorted(enumerate(layer), key=lambda ig: (
            float(np.mean([row[w] for w in ig[1].inputs])) if ig[1].inputs else 0.0, ig[0]))
        names = [g.name for _, g in ranked]
        row.update({name: float(r) for r, name in enumerate(names)})
        columns.append(names)
    wires = [Wire(source, gate.name, slot) for gate in circuit.gates for slot, source in enumerate(gate.inputs)]
    return CircuitLayout(columns, wires)


# -- a neuron's decision plane ------------------------------------------------------------

PLANE_LO = -0.5
PLANE_HI = 1.5


@dataclass(frozen=True)
class PlaneGrid:
    """A neuron's output over the (x1, x2) plane, sampled at cell centres.

    Attributes:
        values: (rows, cols); row 0 is the top (largest x2), column 0 the left (smallest x1).
        x1: the cell centres' x1, one per column.
        x2: the cell centres' x2, one per row (descending).
        kind: "perceptron" (0/1) or "sigmoid" (σ(w·x + b) in (0, 1)).
    """

    values: np.ndarray
    x1: np.ndarray
    x2: np.ndarray
    kind: str


def cell_centres(cells: int, lo: float = PLANE_LO, hi: float = PLANE_HI) -> np.ndarray:
    """The centres of ``cells`` equal cells across [lo, hi]."""
    return lo + (np.arange(cells) + 0.5) * (hi - lo) / cells


def plane_grid(weights: Sequence[float], bias: float, kind: str = "perceptron", cols: int = 48, rows: int = 24,
               lo: float = PLANE_LO, hi: float = PLANE_HI) -> PlaneGrid:
    """The output of a two-input perceptron (the core's :class:`Perceptron`) or sigmoid
    neuron (the core's ``sigmoid`` of w·x + b) at the centre of each of cols × rows cells."""
    if len(weights) != 2:
        raise ValueError(f"the decision plane is for neurons with 2 inputs, not {len(weights)}")
    if kind not in ("perceptron", "sigmoid"):
        raise ValueError(f"unknown neuron kind {kind!r}")
    x1 = cell_centres(cols, lo, hi)
    x2 = cell_centres(rows, lo, hi)[::-1]
    if kind == "perceptron":
        p = Perceptron(tuple(weights), bias)
        values = np.array([[p.output((a, b)) for a in x1] for b in x2], dtype=np.float64)
    else:
        w1, w2 = (float(w) for w in weights)
        with np.errstate(all="ignore"):
            values = np.asarray(sigmoid(w1 * x1[None, :] + w2 * x2[:, None] + float(bias)), dtype=np.float64)
    return PlaneGrid(values, x1, x2, kind)


def boundary_cells(weights: Sequence[float], bias: float, grid: PlaneGrid) -> np.ndarray:
    """A (rows, cols) mask of the cells that draw the line w·x + b = 0: the cells on its
    positive side (w·x + b > 0 at the centre) next to a cell on the other side, so the
    line is one cell thick."""
    w1, w2 = (float(w) for w in weights)
    with np.errstate(all="ignore"):
        z = w1 * grid.x1[None, :] + w2 * grid.x2[:, None] + float(bias)
    positive = z > 0
    other = np.zeros_like(positive)
    other[:, 1:] |= ~positive[:, :-1]
    other[:, :-1] |= ~positive[:, 1:]
    other[1:, :] |= ~positive[:-1, :]
    other[:-1, :] |= ~positive[1:, :]
    return positive & other


def truth_points(weights: Sequence[float], bias: float, kind: str = "perceptron") -> list[tuple[tuple[int, int], float]]:
    """The four binary inputs and the neuron's output at each (the core's numbers)."""
    p = Perceptron(tuple(weights), bias)
    out = []
    for x in ((0, 0), (0, 1), (1, 0), (1, 1)):
        z = p.weighted_sum(x)
        out.append((x, float(p.output(x)) if kind == "perceptron" else float(sigmoid(z))))
    return out


def known_z(trace, index: int) -> dict[int, np.ndarray]:
    """The weighted inputs z (n, m) the pass has computed by its step ``index``, by layer."""
    return {s.layer: s.arrays["z"] for s in trace.steps[: index + 1] if s.phase == "forward"}


def pass_weights(trace) -> list[np.ndarray]:
    """The weights [w², w³, …] the pass runs on (its forward steps')."""
    return [s.arrays["w"] for s in trace.steps if s.phase == "forward"]


def gate_points(circuit: Circuit, gate_name: str) -> list[tuple[tuple[int, int], float]]:
    """The points a two-input gate of ``circuit`` actually sees, one per input row of the
    circuit's truth table: (its two input wires' values, its output)."""
    gate = next(g for g in circuit.gates if g.name == gate_name)
    if len(gate.inputs) != 2:
        raise ValueError(f"gate {gate_name!r} has {len(gate.inputs)} inputs, not 2")
    out = []
    for x, _ in circuit.truth_table():
        wires = circuit.evaluate(x).wires
        out.append(((wires[gate.inputs[0]], wires[gate.inputs[1]]), float(wires[gate.name])))
    return out


def plane_gates(circuit: Circuit) -> list[str]:
    """The gates whose maps explain a circuit: each first-layer gate and each output gate
    with two inputs (the output gate's map is over the hidden wires it reads)."""
    layers = circuit.layers()
    chosen = [g.name for g in (layers[0] if layers else []) if len(g.inputs) == 2]
    chosen += [g.name for g in circuit.gates if g.name in circuit.outputs and len(g.inputs) == 2
               and g.name not in chosen]
    return chosen
