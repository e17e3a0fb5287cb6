"""The diagrams' numbers, without a UI: edge selection, what a step's edges carry, circuit
layout and the decision plane's grid."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnsim.core.activations import sigmoid
from nnsim.core.circuit import Circuit, Gate, half_adder, xor_from_nands
from nnsim.core.perceptron import AND, NAND, OR, Perceptron
from nnsim.lessons import build_steps, load_scenario
from nnsim.lessons.diagrams import (
    boundary_cells, cell_centres, circuit_layout, gate_points, network_edges, pass_weights, plane_gates,
    plane_grid, step_flow, strongest_incoming, truth_points,
)


# -- top-k edges -----------------------------------------------------------------------------

def test_strongest_incoming_picks_the_largest_magnitudes_per_neuron():
    w = np.array([[0.1, -0.9, 0.5, 0.0],
                  [2.0, 0.3, -2.0, 1.0],
                  [0.0, 0.0, 0.0, np.nan]])
    rows, cols = strongest_incoming(w, 2)
    assert rows.tolist() == [0, 0, 1, 1, 2, 2]
    # |−0.9| beats 0.5; 2.0 and −2.0 tie, the lower index first; NaN counts as strongest.
    assert cols.tolist() == [1, 2, 0, 2, 3, 0]


def test_strongest_incoming_agrees_with_sorting_every_row():
    rng = np.random.default_rng(4)
    w = rng.normal(size=(30, 784))
    rows, cols = strongest_incoming(w, 3)
    for j in range(30):
        chosen = set(cols[rows == j].tolist())
        expected = set(np.argsort(-np.abs(w[j]))[:3].tolist())
        assert chosen == expected
        weakest_chosen = min(abs(w[j, k]) for k in chosen)
        assert all(abs(w[j, k]) <= weakest_chosen for k in range(784) if k not in chosen)
    # A wrong selection (the weakest three) is told apart.
    wrong = set(np.argsort(np.abs(w[0]))[:3].tolist())
    assert wrong != set(cols[rows == 0].tolist())


def test_network_edges_draws_every_edge_of_small_layers_and_top_k_of_large_ones():
    rng = np.random.default_rng(0)
    small = network_edges([rng.normal(size=(3, 2)), rng.normal(size=(2, 3))])
    assert [len(e) for e in small] == [6, 6] and all(e.k is None for e in small)
    assert sorted(zip(small[0].rows.tolist(), small[0].cols.tolist())) == list(itertools.product(range(3), range(2)))
    w2, w3 = rng.normal(size=(30, 784)), rng.normal(size=(10, 30))
    big = network_edges([w2, w3], k=3)
    assert [len(e) for e in big] == [90, 30] and [e.k for e in big] == [3, 3]
    np.testing.assert_array_equal(big[1].weights, w3[big[1].rows, big[1].cols])


# -- what a step lights ------------------------------------------------------------------------

def test_step_flow_carries_w_then_w_delta_then_the_gradient_then_the_change():
    steps = build_steps(load_scenario("backprop-by-hand"))
    trace = steps[0].context
    by_title = {s.data.title: s.data for s in steps}
    assert step_flow(by_title["input, layer 1"]) is None and step_flow(by_title["cost, layer 3"]) is None
    forward = step_flow(by_title["forward, layer 2"])
    np.testing.assert_array_equal(forward.values, pass_weights(trace)[0])
    assert (forward.into, forward.symbol, forward.backward) == (2, "w", False)
    back_step = by_title["backward, layer 2"]
    back = step_flow(back_step)
    w3 = np.array([[0.7, -0.5, 0.2], [-0.4, 0.6, 0.1]])
    delta3 = back_step.arrays["delta_next"][:, 0]
    np.testing.assert_allclose(back.values, w3 * delta3[:, None])
    # Summed over the edges leaving each hidden neuron: (w³)ᵀδ³, BP2 before ⊙ σ′(z²).
    np.testing.assert_allclose(back.values.sum(axis=0) * back_step.arrays["sigmoid_prime"][:, 0],
                               back_step.arrays["delta"][:, 0])
    assert (back.into, back.backward) == (3, True)
    grad = step_flow(by_title["gradient, layer 2"])
    np.testing.assert_array_equal(grad.values, by_title["gradient, layer 2"].arrays["nabla_w"])
    update_step = by_title["update, layer 2"]
    update = step_flow(update_step)
    np.testing.assert_allclose(update.values, -3.0 * update_step.arrays["nabla_w"])  # η = 3, m = 1
    assert update.symbol == "Δw"


# -- circuit layout ----------------------------------------------------------------------------

def test_circuit_layout_follows_the_layers_and_lists_every_wire():
    layout = circuit_layout(half_adder())
    assert layout.columns == [["x1", "x2"], ["n1"], ["n2", "carry", "n3"], ["sum"]]
    wires = {(w.source, w.target, w.slot) for w in layout.wires}
    assert wires == {("x1", "n1", 0), ("x2", "n1", 1), ("x1", "n2", 0), ("n1", "n2", 1), ("x2", "n3", 0),
                     ("n1", "n3", 1), ("n2", "sum", 0), ("n3", "sum", 1), ("n1", "carry", 0), ("n1", "carry", 1)}


def test_a_new_circuit_gets_a_layout_from_its_wires_alone():
    # Gates listed out of order: the layout comes from what reads what.
    circuit = Circuit(("a", "b", "c"), (
        Gate("out", OR, ("ab", "bc")),
        Gate("bc", AND, ("b", "c")),
        Gate("ab", AND, ("a", "b")),
    ), ("out",))
    layout = circuit_layout(circuit)
    # ab reads rows 0 and 1, bc rows 1 and 2: ab goes above bc whatever the file's order.
    assert layout.columns == [["a", "b", "c"], ["ab", "bc"], ["out"]]
    assert len(layout.wires) == 6


# -- the decision plane ------------------------------------------------------------------------

def outputs_at_centres(weights, bias, kind, cols, rows):
    """The neuron at each cell's centre, one point at a time (the reference)."""
    p = Perceptron(tuple(weights), bias)
    out = np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            x1 = -0.5 + (c + 0.5) * 2.0 / cols
            x2 = 1.5 - (r + 0.5) * 2.0 / rows  # row 0 at the top
            z = p.weighted_sum((x1, x2))
            out[r, c] = p.output((x1, x2)) if kind == "perceptron" else sigmoid(z)
    return out


def grid_matches(grid, weights, bias, kind) -> bool:
    rows, cols = grid.values.shape
    return bool(np.allclose(grid.values, outputs_at_centres(weights, bias, kind, cols, rows), rtol=0, atol=1e-12))


@pytest.mark.parametrize("perceptron", [NAND, AND, OR, Perceptron((1.0, -1.0), 0.25)])
def test_the_plane_grid_is_the_perceptron_at_every_cell_centre(perceptron):
    grid = plane_grid(perceptron.weights, perceptron.bias, "perceptron", cols=24, rows=12)
    assert grid.values.shape == (12, 24) and set(np.unique(grid.values)) <= {0.0, 1.0}
    assert grid_matches(grid, perceptron.weights, perceptron.bias, "perceptron")
    np.testing.assert_allclose(grid.x1, cell_centres(24))
    assert grid.x2[0] > grid.x2[-1]


@pytest.mark.parametrize("c", [1.0, 5.0, 100.0])
def test_the_plane_grid_is_the_sigmoid_at_every_cell_centre(c):
    w, b = (0.6 * c, -0.4 * c), -0.1 * c
    grid = plane_grid(w, b, "sigmoid", cols=48, rows=24)
    assert grid_matches(grid, w, b, "sigmoid")


def test_a_wrong_grid_fails_the_check():
    right = plane_grid(NAND.weights, NAND.bias, "perceptron", cols=24, rows=12)
    assert grid_matches(right, NAND.weights, NAND.bias, "perceptron")
    flipped = type(right)(right.values[::-1], right.x1, right.x2, right.kind)  # x2 upside down
    assert not grid_matches(flipped, NAND.weights, NAND.bias, "perceptron")
    other = plane_grid(OR.weights, OR.bias, "perceptron", cols=24, rows=12)  # another neuron's map
    assert not grid_matches(other, NAND.weights, NAND.bias, "perceptron")
    soft = plane_grid((-2, -2), 3, "sigmoid", cols=24, rows=12)
    shifted = type(soft)(np.roll(soft.values, 1, axis=1), soft.x1, soft.x2, soft.kind)  # half-cell slips
    assert not grid_matches(shifted, (-2, -2), 3, "sigmoid")


def test_the_line_is_one_cell_on_the_positive_side():
    grid = plane_grid(NAND.weights, NAND.bias, "perceptron", cols=24, rows=12)
    line = boundary_cells(NAND.weights, NAND.bias, grid)
    assert line.any()
    z = -2 * grid.x1[None, :] - 2 * grid.x2[:, None] + 3
    assert (z[line] > 0).all()
    # Every line cell touches the 0 region; no 1-region cell touching it is left out.
    zero = grid.values == 0
    touching = np.zeros_like(zero)
    touching[:, 1:] |= zero[:, :-1]
    touching[:, :-1] |= zero[:, 1:]
    touching[1:, :] |= zero[:-1, :]
    touching[:-1, :] |= zero[1:, :]
    np.testing.assert_array_equal(line, (grid.values == 1) & touching)


def test_truth_points_and_the_points_a_gate_sees():
    assert truth_points(NAND.weights, NAND.bias) == [((0, 0), 1.0), ((0, 1), 1.0), ((1, 0), 1.0), ((1, 1), 0.0)]
    soft = truth_points((-2, -2), 3, "sigmoid")
    assert soft[3][1] == pytest.approx(float(sigmoid(-1.0)))
    xor = xor_from_nands()
    assert plane_gates(xor) == ["n1", "sum"]
    # The output gate sees (n2, n3): 11 twice (for inputs 00 and 11), then 10 and 01.
    assert gate_points(xor, "sum") == [((1, 1), 0.0), ((1, 0), 1.0), ((0, 1), 1.0), ((1, 1), 0.0)]
    with pytest.raises(ValueError):
        plane_grid((1.0, 2.0, 3.0), 0.0)
