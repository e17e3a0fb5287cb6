import itertools

import pytest

from nnsim.core import AND, NAND, NOT, OR, Circuit, Gate, Perceptron, half_adder, xor_from_nands
from nnsim.core.perceptron import perceptron_rule

BITS2 = list(itertools.product((0, 1), repeat=2))


def table(gate):
    return {row.inputs: row.output for row in gate.truth_table()}


def test_nand_is_the_seeds_perceptron_and_its_table():
    assert NAND.weights == (-2.0, -2.0) and NAND.bias == 3.0
    assert table(NAND) == {(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): 0}
    # The seed's arithmetic: (−2)·1 + (−2)·1 + 3 = −1 and (−2)·0 + (−2)·0 + 3 = 3.
    assert NAND.weighted_sum((1, 1)) == -1.0
    assert NAND.weighted_sum((0, 0)) == 3.0


@pytest.mark.parametrize("gate, expected", [
    (AND, {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 1}),
    (OR, {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 1}),
])
def test_and_or_tables(gate, expected):
    assert table(gate) == expected


def test_not_table():
    assert table(NOT) == {(0,): 1, (1,): 0}


def test_rule_at_zero_is_zero():
    assert perceptron_rule(0.0) == 0
    assert Perceptron((1.0,), -1.0).output((1,)) == 0


def test_input_perceptron_outputs_a_constant():
    assert Perceptron((), 0.5).truth_table()[0].output == 1
    assert Perceptron((), 0.0).output(()) == 0
    assert Perceptron((), -3).output(()) == 0


def nand_circuit(name, inputs, gates, outputs):
    return Circuit(inputs, [Gate(g, NAND, wires) for g, wires in gates], outputs)


def test_nand_universality():
    not_ = nand_circuit("not", ["x"], [("out", ("x", "x"))], ["out"])
    and_ = nand_circuit("and", ["x1", "x2"], [("n", ("x1", "x2")), ("out", ("n", "n"))], ["out"])
    or_ = nand_circuit("or", ["x1", "x2"],
                       [("a", ("x1", "x1")), ("b", ("x2", "x2")), ("out", ("a", "b"))], ["out"])
    assert [not_((x,)) for x in (0, 1)] == [(1,), (0,)]
    for x1, x2 in BITS2:
        assert and_((x1, x2)) == (x1 & x2,)
        assert or_((x1, x2)) == (x1 | x2,)
        assert xor_from_nands()((x1, x2)) == (x1 ^ x2,)


def test_xor_uses_four_nands_in_three_layers():
    xor = xor_from_nands()
    assert all(g.perceptron == NAND for g in xor.gates) and len(xor.gates) == 4
    assert [[g.name for g in layer] for layer in xor.layers()] == [["n1"], ["n2", "n3"], ["sum"]]


def test_half_adder_sum_and_carry():
    adder = half_adder()
    for x1, x2 in BITS2:
        run = adder.evaluate((x1, x2))
        assert run.outputs == (x1 ^ x2, x1 & x2)
        assert run.wires["n1"] == 1 - (x1 & x2)
        # The carry reads only n1, so it sits in layer 2, beside n2 and n3.
        assert [(s.layer, s.gate.name) for s in run.steps] == [
            (1, "n1"), (2, "n2"), (2, "n3"), (2, "carry"), (3, "sum")]


def test_circuit_records_every_wire():
    run = xor_from_nands().evaluate((1, 0))
    assert run.wires == {"x1": 1, "x2": 0, "n1": 1, "n2": 0, "n3": 1, "sum": 1}
    n2 = run.steps[1]
    assert n2.inputs == (1, 1) and n2.z == -1.0 and n2.output == 0


@pytest.mark.parametrize("build, message", [
    (lambda: Circuit(["x"], [Gate("g", NAND, ("x", "y"))], ["g"]), "unknown wire 'y'"),
    (lambda: Circuit(["x"], [Gate("a", NAND, ("x", "b")), Gate("b", NAND, ("x", "a"))], ["a"]), "loop"),
    (lambda: Circuit(["x"], [Gate("x", NOT, ("x",))], ["x"]), "used twice"),
    (lambda: Gate("g", NAND, ("x",)), "1 input wires but 2 weights"),
])
def test_bad_circuits_are_refused_with_a_reason(build, message):
    with pytest.raises(ValueError, match=message):
        build()
