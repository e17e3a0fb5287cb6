"""The backprop debugger's UI-free helpers: equations with numbers, passes, export.

Numbers are checked against the by-hand lesson's values (computed with the
seed's own code, tests/scenarios/backprop_reference.py) and against the core.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from nnsim.core.network import Network
from nnsim.core.trace import Trace, trace_backprop
from nnsim.errors import NnsimError
from nnsim.lessons import build_steps, lesson_network, load_scenario
from nnsim.lessons.kinds.backprop import (
    can_continue, examples, lesson_traces, network_after, network_before, next_pass, trace_lesson_steps,
)
from nnsim.lessons.trace_export import export, export_paths, handout, read_traces
from nnsim.lessons.trace_view import (
    Selection, array_label, direction, fill, known_at, number, step_equation, sub, update_change,
)

X, Y = [0.5, 0.9], [1.0, 0.0]


@pytest.fixture(scope="module")
def by_hand():
    scenario = load_scenario("backprop-by-hand")
    return scenario, build_steps(scenario)


@pytest.fixture(scope="module")
def mini_batch():
    scenario = load_scenario("backprop-mini-batch")
    return scenario, build_steps(scenario)


def step_titled(steps, title):
    return next(s for s in steps if s.title == title)


def numbers_in(text: str) -> list[float]:
    return [float(t.replace("−", "-")) for t in re.findall(r"[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?", text)]


# -- formatting ----------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (3.0, "3"), (-2.0, "−2"), (0.5, "0.5"), (0.7310585786, "0.731059"), (1.2e-7, "1.2e−07"),
    (0.0, "0"), (float("nan"), "nan"), (float("inf"), "inf"), (-float("inf"), "−inf"),
    (0.9999999999999, "0.9999999999999"),  # never "1" for a number that is not 1
])
def test_number(value, text):
    assert number(value) == text


def test_subscripts_and_labels():
    assert sub(0) == "₀" and sub(3, 1) == "₃₁" and sub(12, 5) == "₁₂,₅"
    assert array_label("delta", 2) == "δ²" and array_label("w_next", 2) == "w³"
    assert array_label("a_prev", 3) == "a²" and array_label("nabla_w", 3) == "∂C/∂w³"


def test_fill_parenthesises_negatives_on_request():
    assert fill("{w:p}·{x} + {b:p} = {z}", {"w": -2.0, "x": 1.0, "b": 3.0, "z": 1.0}) == "(−2)·1 + 3 = 1"
    assert fill("{gone}", {}) == "?"


# -- equations, checked against the by-hand pass ----------------------------------------

def test_forward_writes_the_weighted_sum_out(by_hand):
    _, steps = by_hand
    eq = step_equation(step_titled(steps, "forward, layer 2").data, Selection(neuron=0))
    lines = eq.filled()
    assert eq.formula == "z² = w²·a¹ + b²,  a² = σ(z²)"
    assert lines[1].strip() == "= 0.1·0.5 + 0.4·0.9 + 0.1"  # the lesson's own narration
    assert lines[2].strip() == "= 0.51"
    assert lines[3] == "a²₀ = σ(z²₀) = σ(0.51) = 0.624806"


def test_bp1_bp2_and_the_gradient_for_one_neuron(by_hand):
    _, steps = by_hand
    bp1 = step_equation(step_titled(steps, "output error, layer 3").data, Selection(neuron=0)).filled()
    # δ³₀ = (a − y)·σ′(z) with the seed's numbers: a = 0.552076335213, δ = -0.110766171993
    assert bp1[-1] == "δ³₀ = (0.552076 − 1) · 0.247288 = −0.110766"
    bp2 = step_equation(step_titled(steps, "backward, layer 2").data, Selection(neuron=1)).filled()
    # (w³)ᵀδ³ for hidden neuron 1: w³₀₁ = -0.5, w³₁₁ = 0.6
    assert bp2[2] == "δ²₁ = ((−0.5)·(−0.110766) + 0.6·0.139423) · 0.248202"
    assert bp2[3].strip() == "= 0.0345092"  # the seed's δ²₁ = 0.0345092480374
    grad = step_equation(step_titled(steps, "gradient, layer 3").data, Selection(neuron=1, source=2)).filled()
    assert grad == ["∂C/∂b³₁ = δ³₁ = 0.139423",
                    "∂C/∂w³₁₂ = a²₂ · δ³₁ = 0.5025 · 0.139423 = 0.0700599"]  # seed: 0.0700599102178


def test_update_shows_before_change_and_after(by_hand):
    _, steps = by_hand
    step = step_titled(steps, "update, layer 2")
    eq = step_equation(step.data, Selection(neuron=0, source=1), eta=step.context.eta)
    lines = eq.filled()
    # w²₀₁ = 0.4 − (3/1)·(-0.0281249090224) = 0.484374727067 (the seed's update)
    assert lines[0] == "w²₀₁ = 0.4 − (3/1)·(−0.0281249)"
    assert lines[1].strip() == "= 0.4 − (−0.0843747) = 0.484375"
    assert eq.values["wa"] == pytest.approx(0.484374727067, abs=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_update_change_is_exactly_what_the_core_subtracted(dtype):
    net = Network([5, 4, 3], seed=3, dtype=dtype)
    rng = np.random.default_rng(0)
    x, y = rng.random((5, 7)), rng.random((3, 7))
    for eta in (3.0, 0.37, 1e-3):
        trace = trace_backprop(net, x, y, eta=eta)
        for step in trace:
            if step.phase == "update":
                change_w, change_b = update_change(step, eta)
                assert np.array_equal(step.arrays["w_before"] - change_w, step.arrays["w_after"])
                assert np.array_equal(step.arrays["b_before"] - change_b, step.arrays["b_after"])


def test_mini_batch_gradient_sums_each_examples_terms(mini_batch):
    _, steps = mini_batch
    step = step_titled(steps, "pass 1: gradient, layer 3").data
    eq = step_equation(step, Selection(neuron=1, source=0))
    assert eq.title.endswith("summed over 4 examples")
    bias_line = eq.filled()[0]
    terms = numbers_in(bias_line.split("=", 2)[2])[:-1]
    assert terms == pytest.approx([float(v) for v in step.arrays["delta"][1]], rel=1e-5)
    assert eq.values["nb"] == float(step.arrays["nabla_b"][1, 0])
    assert eq.values["nw"] == float(step.arrays["nabla_w"][1, 0])
    # an example's own numbers elsewhere: BP1 for example 3 is column 2
    bp1 = step_titled(steps, "pass 1: output error, layer 3").data
    eq1 = step_equation(bp1, Selection(neuron=0, example=2))
    assert eq1.title.endswith("example 3 of 4")
    assert eq1.values["d"] == float(bp1.arrays["delta"][0, 2])


def test_selection_is_clamped_to_the_step(by_hand):
    _, steps = by_hand
    eq = step_equation(step_titled(steps, "output error, layer 3").data, Selection(neuron=9, example=5))
    assert eq.title == "BP1 · neuron 1"


def test_a_784_input_sum_is_shortened_and_says_how(tmp_path):
    net = Network([784, 30, 10], seed=0)
    x = np.zeros((784, 1))
    x[100:130, 0] = np.linspace(0.1, 1.0, 30)
    y = np.eye(10)[:, [7]]
    step = trace_backprop(net, x, y).steps[1]
    lines = step_equation(step, Selection(neuron=4)).filled()
    assert "(784 terms; 754 have a¹ₖ = 0)" in lines[0]
    assert lines[1].count("·") == 3 and "… 27 more" in lines[1]
    assert lines[2].strip() == f"= {number(step.arrays['z'][4, 0])}"


def test_known_at_forgets_what_comes_later(by_hand):
    _, steps = by_hand
    trace = steps[0].context
    forward2 = step_titled(steps, "forward, layer 2").data.index
    backward2 = step_titled(steps, "backward, layer 2").data.index
    early = known_at(trace, forward2)
    assert sorted(early.activations) == [1, 2] and early.deltas == {}
    late = known_at(trace, backward2)
    assert sorted(late.activations) == [1, 2, 3] and sorted(late.deltas) == [2, 3]
    np.testing.assert_array_equal(late.deltas[2], trace.steps[backward2].arrays["delta"])
    assert direction(trace.steps[forward2]) == "forward" and direction(trace.steps[backward2]) == "backward"


# -- passes ------------------------------------------------------------------------

def test_network_before_each_pass_is_the_lessons_network_after_its_updates(mini_batch):
    scenario, steps = mini_batch
    net = lesson_network(scenario)
    x, y = np.array(scenario.backprop.x).T, np.array(scenario.backprop.y).T
    traces = lesson_traces(steps)
    assert len(traces) == 5
    for trace in traces:
        before = network_before(trace)
        for got, want in zip(before.weights + before.biases, net.weights + net.biases):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
        net.update_batch(x, y, scenario.backprop.eta)  # the core's production path
    np.testing.assert_array_equal(examples(traces[0])[0], x)


def test_next_pass_continues_from_the_last_update(mini_batch):
    scenario, steps = mini_batch
    more = next_pass(steps, scenario)
    assert [s.index for s in more] == list(range(len(steps), len(steps) + len(more)))
    assert more[0].title == "pass 6: input, layer 1" and more[0].pass_number == 6
    after = network_after(lesson_traces(steps)[-1])
    want = trace_backprop(after, *examples(more[0].context), eta=scenario.backprop.eta)
    for got, expected in zip(more, want):
        for name, array in expected.arrays.items():
            np.testing.assert_array_equal(got.data.arrays[name], array)
    cost = step_titled(more, "pass 6: cost, layer 3")
    assert cost.values["cost_mean"] == pytest.approx(float(np.mean(want.steps[3].arrays["cost"])), rel=0)
    # the mean cost keeps falling, as the lesson's trend expectation says of passes 1 to 5
    previous = step_titled(steps, "pass 5: cost, layer 3").values["cost_mean"]
    assert cost.values["cost_mean"] < previous


def test_a_gradient_only_trace_cannot_continue():
    net = Network([2, 3, 2], seed=0)
    steps = trace_lesson_steps(trace_backprop(net, X, Y), titled_by_pass=False)
    assert not can_continue(steps[0].context)
    with pytest.raises(NnsimError, match="no update"):
        next_pass(steps)


def test_steps_of_a_live_network_look_like_the_lessons_layers(by_hand):
    scenario, steps = by_hand
    ours = trace_lesson_steps(steps[0].context, 1, 0, scenario, titled_by_pass=False)
    assert [s.title for s in ours] == [s.title for s in steps]
    for a, b in zip(ours, steps):
        assert a.values == b.values and a.data is b.data
    narrated = ("forward, layer 2", "output error, layer 3", "backward, layer 2", "update, layer 2", "update, layer 3")
    for title in narrated:  # the lesson's own text, by title and by pattern
        assert step_titled(ours, title).narration == step_titled(steps, title).narration
    assert step_titled(ours, "cost, layer 3").narration.endswith("C = ½‖y − a³‖²")


def test_an_overflowing_eta_gives_nan_not_a_warning():
    net = Network([2, 3, 2], seed=1, dtype=np.float32)
    with np.errstate(all="ignore"):
        steps = trace_lesson_steps(trace_backprop(net, X, Y, eta=1e40), titled_by_pass=False)
    with np.errstate(all="raise"):
        more = next_pass(steps)
    assert not np.all(np.isfinite(more[1].data.arrays["w"]))


# -- export ----------------------------------------------------------------------

def test_export_writes_jsonl_the_core_reads_and_a_handout(tmp_path, mini_batch):
    scenario, steps = mini_batch
    traces = lesson_traces(steps)
    paths = export(traces, tmp_path / "out", "backprop mini/batch", scenario.title, scenario.description)
    assert paths == export_paths(tmp_path / "out", "backprop mini/batch")
    assert paths.jsonl.name == "backprop-mini-batch-trace.jsonl"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [paths.markdown.name, paths.jsonl.name]
    text = paths.jsonl.read_text(encoding="utf-8")
    for line in text.splitlines():
        json.loads(line)
    back = read_traces(text)
    assert len(back) == 5
    for got, want in zip(back, traces):
        assert (got.sizes, got.m, got.eta) == (want.sizes, want.m, want.eta)
        for a, b in zip(got, want):
            assert (a.phase, a.layer, a.title, a.equation) == (b.phase, b.layer, b.title, b.equation)
            for name in b.arrays:
                np.testing.assert_array_equal(a.arrays[name], b.arrays[name])
    # One pass reads back with the core's own reader.
    single = export(traces[:1], tmp_path, "one", "t")
    assert len(Trace.from_jsonl(single.jsonl.read_text(encoding="utf-8"))) == len(traces[0])

    md = paths.markdown.read_text(encoding="utf-8")
    assert md.startswith(f"# {scenario.title}\n")
    assert re.findall(r"^## Pass (\d+)$", md, flags=re.M) == ["1", "2", "3", "4", "5"]
    assert len(re.findall(r"^### Step \d+: ", md, flags=re.M)) == len(steps)
    assert md.count("```text") == md.count("```") // 2 == len(steps)
    # tables: every row has as many cells as the header
    for block in re.findall(r"((?:^\|.*\|\n)+)", md, flags=re.M):
        rows = block.strip().splitlines()
        assert len({row.count("|") for row in rows}) == 1
    # the numbers in it are the trace's: pass 1's updated w³ (the seed's values)
    # (formatted as a whole, as the debugger's panel: the smallest entry, 0.0703, keeps 4 digits)
    assert "| 0 |  0.67765 | −0.51642 |  0.17956 |" in md


def test_handout_summarises_big_arrays():
    net = Network([784, 30, 10], seed=0)
    x = np.linspace(0, 1, 784)
    trace = trace_backprop(net, x, np.eye(10)[3], eta=3.0)
    md = handout([trace], "digit")
    assert "**w²** (30×784): min " in md and "(every value is in the JSON lines file)" in md
    sections = {part.split("\n", 1)[0]: part for part in md.split("### Step ")[1:]}
    hidden, output = sections["2: forward, layer 2"], sections["3: forward, layer 3"]
    assert "feedforward · neuron 0:" in hidden and "feedforward · neuron 1:" not in hidden  # 30: the selected one
    assert "feedforward · neuron 9:" in output  # 10: every one
    selected = handout([trace], "digit", selection=Selection(neuron=17)).split("### Step ")[2]
    assert "feedforward · neuron 17:" in selected and "neuron 0:" not in selected


def test_export_to_an_unwritable_place_is_one_error_line(tmp_path, by_hand):
    _, steps = by_hand
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(NnsimError, match=r"^cannot export to .*file"):
        export(lesson_traces(steps), blocker, "x", "t")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_read_traces_refuses_other_files():
    with pytest.raises(ValueError, match="not an nnsim trace"):
        read_traces('{"index": 0}\n')
    with pytest.raises(ValueError, match="empty"):
        read_traces("\n")
