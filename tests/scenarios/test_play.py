"""Playing lessons: every step's data is the core's own object, every number the core's."""

import math

import numpy as np
import pytest

from nnsim.core import NAND, Network, half_adder, trace_backprop, xor_from_nands
from nnsim.core.circuit import GateStep
from nnsim.core.perceptron import TruthRow
from nnsim.core.trace import TraceStep
from nnsim.lessons import (
    NudgeResult, ScaledNeuron, SigmoidSample, binary_classify, binary_targets, build_network, build_steps,
    lesson_examples, lesson_network, load_scenario,
)
from tests.scenarios.conftest import BACKPROP, PERCEPTRON


def test_perceptron_steps_are_the_cores_truth_rows():
    steps = build_steps(load_scenario("nand"))
    assert [s.data for s in steps] == NAND.truth_table()
    assert all(isinstance(s.data, TruthRow) and s.kind == "row" for s in steps)
    assert [s.title for s in steps] == ["input 00", "input 01", "input 10", "input 11"]
    assert [s.index for s in steps] == [0, 1, 2, 3]
    last = steps[3]
    assert last.row == (1, 1) and last.context == NAND
    assert last.values == {"x1": 1.0, "x2": 1.0, "w1": -2.0, "w2": -2.0, "b": 3.0, "z": -1.0, "output": 0.0}


def test_chosen_rows_and_the_default_sentence(write):
    s = load_scenario(write("p", PERCEPTRON.replace("bias = 3", "bias = 3\ninputs = [[1, 0]]")))
    (step,) = build_steps(s)
    assert step.data == TruthRow((1, 0), 1.0, 1)
    assert step.narration == "x = 10: w·x + b = (−2)·1 + (−2)·0 + 3 = 1 > 0, so the output is 1."


@pytest.mark.parametrize("name, circuit", [("xor", xor_from_nands()), ("half-adder", half_adder())])
def test_circuit_lessons_step_the_cores_circuits_gate_by_gate(name, circuit):
    scenario = load_scenario(name)
    assert [(g.name, g.perceptron, g.inputs) for g in scenario.circuit.gates] == \
        [(g.name, g.perceptron, g.inputs) for g in circuit.gates]
    steps = build_steps(scenario)
    expected = [gs for x, _ in circuit.truth_table() for gs in circuit.evaluate(x).steps]
    assert [s.data for s in steps] == expected
    assert all(isinstance(s.data, GateStep) and s.kind == "gate" for s in steps)
    assert len(steps) == 4 * len(circuit.gates)
    # The wires known after each gate: the inputs and every gate fired so far in that row.
    first = steps[0]
    assert first.title == "input 00, gate n1" and first.wires == {"x1": 0, "x2": 0, "n1": 1}
    row_end = steps[len(circuit.gates) - 1]
    assert row_end.wires == circuit.evaluate((0, 0)).wires


def test_the_input_perceptron_outputs_constants():
    steps = build_steps(load_scenario("input-perceptron"))
    assert [(s.row, s.data.gate.name, s.data.output) for s in steps] == [
        ((0,), "positive_bias", 1), ((0,), "zero_bias", 0), ((1,), "positive_bias", 1), ((1,), "zero_bias", 0)]


def sig(z):
    return 1 / (1 + math.exp(-z))


def test_sigmoid_steps_match_an_independent_computation():
    scenario = load_scenario("sigmoid-vs-step")
    steps = build_steps(scenario)
    samples = [s for s in steps if s.kind == "sample"]
    scales = [s for s in steps if s.kind == "scale"]
    assert all(isinstance(s.data, SigmoidSample) for s in samples)
    assert all(isinstance(s.data, ScaledNeuron) for s in scales)
    for s in samples:
        z = s.values["z"]
        assert s.values["sigma"] == pytest.approx(sig(z), abs=1e-15)
        assert s.values["step"] == (1.0 if z >= 0 else 0.0)
        assert s.values["perceptron"] == (1.0 if z > 0 else 0.0)
    z = 0.6 * 1.0 - 0.4 * 0.5 - 0.1  # the lesson's neuron: w·x + b
    for s, c in zip(scales, [1, 2, 5, 10, 100]):
        assert s.values["z"] == pytest.approx(z, rel=1e-12)  # the neuron's own z; cz is the scaled one
        assert s.values["cz"] == pytest.approx(c * z, rel=1e-12)
        assert s.values["gap"] == pytest.approx(1 - sig(c * z), abs=1e-15)
    gaps = [s.values["gap"] for s in scales]
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < 1e-12 < 0.4 < gaps[0]


def test_nudges_compare_eq5_with_the_actual_change():
    steps = build_steps(load_scenario("small-changes"))
    w, b, x = [0.8, -0.5], 0.1, [0.5, 0.9]
    z = w[0] * x[0] + w[1] * x[1] + b
    slope = sig(z) * (1 - sig(z))
    for s, (j, delta) in zip(steps, [(0, 0.01), (1, -0.02), (None, -0.06), (0, 2.0)]):
        r = s.data
        assert isinstance(r, NudgeResult) and s.kind == "nudge"
        dz = delta * (x[j] if j is not None else 1.0)
        assert r.estimate == pytest.approx(slope * dz, rel=1e-12)
        assert r.actual == pytest.approx(sig(z + dz) - sig(z), rel=1e-9)
        assert r.perceptron_before == 1 and r.perceptron_after == (1 if z + dz > 0 else 0)
    assert [s.data.flipped for s in steps] == [False, False, True, False]
    assert steps[0].data.error < 1e-6 and steps[3].data.error > 0.01


def test_backprop_steps_are_the_cores_trace(write):
    scenario = load_scenario(write("bp", BACKPROP))
    steps = build_steps(scenario)
    net = Network([2, 3, 2], seed=1, dtype=np.float64)
    trace = trace_backprop(net, np.array([[0.5], [0.9]]), np.array([[1.0], [0.0]]), eta=3.0)
    assert len(steps) == len(trace)
    for step, ts in zip(steps, trace):
        assert isinstance(step.data, TraceStep) and step.kind == "trace" and step.title == ts.title
        assert step.data.arrays.keys() == ts.arrays.keys()
        for name in ts.arrays:
            np.testing.assert_array_equal(step.data.arrays[name], ts.arrays[name])
    delta = next(s for s in steps if s.title == "output error, layer 3")
    assert delta.values["delta[1]"] == float(trace[4].arrays["delta"][1, 0])


def test_successive_updates_start_from_the_last_weights():
    scenario = load_scenario("backprop-mini-batch")
    steps = build_steps(scenario)
    per_pass = len(steps) // 5
    assert len(steps) == 5 * per_pass and steps[per_pass].title == "pass 2: input, layer 1"
    update = next(s for s in steps if s.title == "pass 1: update, layer 2")
    forward = next(s for s in steps if s.title == "pass 2: forward, layer 2")
    np.testing.assert_array_equal(forward.data.arrays["w"], update.data.arrays["w_after"])
    # A mini-batch of 4: one δ column per example, the gradient their sum.
    grad = next(s for s in steps if s.title == "pass 1: gradient, layer 3")
    assert grad.data.arrays["delta"].shape == (2, 4)
    np.testing.assert_allclose(grad.data.arrays["nabla_b"], grad.data.arrays["delta"].sum(axis=1, keepdims=True))
    x, y = lesson_examples(scenario)
    assert x.shape == (2, 4) and y.shape == (2, 4)


def test_explicit_weights_become_the_network():
    scenario = load_scenario("backprop-by-hand")
    net = lesson_network(scenario)
    assert net.sizes == [2, 3, 2] and net.dtype == np.float64
    np.testing.assert_array_equal(net.weights[0], [[0.1, 0.4], [-0.3, 0.2], [0.5, -0.6]])
    np.testing.assert_array_equal(net.biases[1], [[-0.1], [0.2]])
    assert lesson_network(scenario) is not net  # a fresh copy each time
    seeded = build_network(load_scenario("backprop-digit").network)
    reference = Network([784, 30, 10], seed=0, dtype=np.float64)
    np.testing.assert_array_equal(seeded.weights[1], reference.weights[1])


def test_narration_by_index_then_title_then_pattern(write):
    s = load_scenario(write("n", PERCEPTRON + """
[[narration]]
step = "input *"
text = "pattern"
[[narration]]
step = "input 01"
text = "title"
[[narration]]
step = 0
text = "index"
"""))
    assert [st.narration for st in build_steps(s)] == ["index", "title", "pattern", "pattern"]


def test_binary_codes_for_the_efficiency_paradox():
    np.testing.assert_array_equal(binary_targets(np.array([0, 5, 9])),
                                  [[0, 0, 0, 0], [0, 1, 0, 1], [1, 0, 0, 1]])
    output = np.array([[0.1, 0.9, 0.6], [0.2, 0.1, 0.4], [0.7, 0.2, 0.51], [0.9, 0.8, 0.49]])
    np.testing.assert_array_equal(binary_classify(output), [3, 9, 10])


def test_values_summarise_big_arrays():
    from nnsim.lessons import array_values
    values = array_values({"w": np.arange(100.0).reshape(10, 10), "z": np.array([[1.0], [2.0]]),
                           "eta": np.asarray(3.0)})
    assert values == {"w.min": 0.0, "w.max": 99.0, "w.mean": 49.5, "w.norm": pytest.approx(math.sqrt(sum(k * k for k in range(100)))),
                      "z[0]": 1.0, "z[1]": 2.0, "eta": 3.0}


def test_the_sigmoid_lab_can_nudge_and_scale_on_a_key_press():
    from nnsim.errors import NnsimError
    from nnsim.lessons import nudge_neuron, scale_neuron, sigmoid_sample
    spec = load_scenario("small-changes").sigmoid
    assert nudge_neuron(spec, "b", -0.06) == build_steps(load_scenario("small-changes"))[2].data
    assert scale_neuron(spec, 10).z == pytest.approx(0.5) and sigmoid_sample(0).sigma == 0.5
    with pytest.raises(NnsimError, match="no weight w3"):
        nudge_neuron(spec, "w3", 0.1)


def test_the_sigmoid_labs_curves_are_the_cores_functions_at_the_samples():
    import numpy as np

    from nnsim.core.activations import sigmoid, step
    from nnsim.lessons.kinds.sigmoid import curves

    sampled = curves(5.0, 6.0, 7)
    np.testing.assert_array_equal(sampled.z, np.linspace(-6, 6, 7))
    np.testing.assert_allclose(sampled.sigma, [sigmoid(5 * z) for z in sampled.z])
    assert list(sampled.step) == [step(z) for z in sampled.z] == [0, 0, 0, 1, 1, 1, 1]
