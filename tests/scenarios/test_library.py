"""The library in scenarios/: every lesson loads, every claim of the chapter has one, and
``nnsim check --quick`` passes on all of them (what CI runs)."""

import tomllib

import numpy as np
import pytest

from nnsim.cli import main
from nnsim.core import AND, NAND, NOT, OR, Perceptron
from nnsim.lessons import SECTIONS, bundled_dir, bundled_scenarios, load_scenario
from tests.reference_network import ReferenceNetwork
from tests.scenarios.backprop_reference import reference_pass

NAMES = sorted(p.stem for p in bundled_dir().glob("*.toml"))


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_lesson_loads_and_claims_something(name):
    s = load_scenario(name)
    assert s.name == name and s.section in SECTIONS.values() and s.title and s.description
    assert s.expects, f"{name} has no expectations"
    if s.kind == "train":
        assert s.quick is not None and s.quick.dataset == "sample" and s.quick_expects, \
            f"{name}: train lessons need a [quick] variant on the offline sample for CI"


def test_bundled_scenarios_come_in_the_chapters_order():
    scenarios = bundled_scenarios()
    assert sorted(s.name for s in scenarios) == NAMES
    order = list(SECTIONS)
    assert [order.index(s.section_id) for s in scenarios] == sorted(order.index(s.section_id) for s in scenarios)
    assert {s.section_id for s in scenarios} == set(SECTIONS)


def test_every_claim_of_the_chapter_has_a_lesson():
    s = {name: load_scenario(name) for name in NAMES}
    # Perceptrons: the seed's NAND (−2, −2, bias 3), AND, OR, NOT; XOR and the half adder; input perceptrons.
    assert s["nand"].perceptron == NAND == Perceptron((-2, -2), 3)
    assert (s["and"].perceptron, s["or"].perceptron, s["not"].perceptron) == (AND, OR, NOT)
    assert s["xor"].kind == s["half-adder"].kind == "circuit"
    assert s["half-adder"].circuit.outputs == ("sum", "carry")
    assert all(g.perceptron.n_inputs == 0 for g in s["input-perceptron"].circuit.gates)
    # Sigmoid neurons: σ(c·z) → step; eq. 5.
    assert s["sigmoid-vs-step"].sigmoid.scales == (1, 2, 5, 10, 100)
    assert any(n.param == "b" for n in s["small-changes"].sigmoid.nudges)
    # Backprop: [2, 3, 2] by hand, a mini-batch, and [784, 30, 10] on one real digit.
    assert s["backprop-by-hand"].network.sizes == (2, 3, 2) and s["backprop-by-hand"].network.weights
    assert s["backprop-mini-batch"].backprop.m == 4 and s["backprop-mini-batch"].backprop.updates == 5
    digit = s["backprop-digit"]
    assert digit.network.sizes == (784, 30, 10) and digit.backprop.dataset == "sample"
    # The chapter's run and its variations.
    run = s["chapter-run"]
    assert (run.network.sizes, run.train.epochs, run.train.mini_batch_size, run.train.eta, run.train.dataset) \
        == ((784, 30, 10), 30, 10, 3.0, "mnist")
    assert s["eta-too-small"].train.eta == 0.001 and s["eta-too-large"].train.eta == 100.0
    assert s["hidden-100"].network.sizes == (784, 100, 10)
    assert s["four-outputs"].train.outputs == "binary" and s["four-outputs"].network.sizes[-1] == 4
    assert s["ten-outputs"].train.outputs == "one-hot"
    for name in ("eta-too-small", "eta-too-large", "hidden-100", "four-outputs", "ten-outputs"):
        t = s[name].train
        assert (t.epochs, t.mini_batch_size, t.dataset) == (30, 10, "mnist"), name
    # Learning with gradient descent: the ball in the valley, and the steepest step.
    assert (s["descent-bowl"].cost.form, s["descent-overshoot"].cost.form) == ("bowl", "bowl")
    assert s["descent-overshoot"].descent.eta > 2 / s["descent-overshoot"].cost.a > s["descent-bowl"].descent.eta
    valley = s["descent-valley"].cost
    assert valley.form == "valley" and valley.b >= 10 * valley.a
    assert s["descent-steepest"].descent.directions >= 12
    # The exercises: sigmoid neurons simulating perceptrons (and w·x + b = 0), the 4-bit layer, [784, 10],
    # online learning.
    fails = s["sigmoid-simulates-perceptron-fails"].sigmoid
    assert sum(w * x for w, x in zip(fails.weights, fails.x)) + fails.bias == 0
    assert s["four-bits"].solution == "four-bits-solution" and s["four-bits"].network.sizes == (10, 4)
    assert s["no-hidden-layer"].network.sizes == (784, 10)
    assert s["online-learning"].train.mini_batch_size == 1
    # Quick variants that vary a lot between seeds are decided by the median of 3.
    assert len(s["hidden-100"].quick_seeds) == 3


def test_the_by_hand_numbers_are_the_seeds():
    """Every number written in backprop-by-hand.toml, recomputed with the seed's own code."""
    doc = tomllib.loads((bundled_dir() / "backprop-by-hand.toml").read_text(encoding="utf-8"))
    b = doc["backprop"]
    reference = reference_pass(doc["network"]["weights"], doc["network"]["biases"], b["x"], b["y"], b["eta"])
    written = {(e["step"], e["name"]): e["equals"] for e in doc["expect"] if e["type"] == "value"}
    assert set(written) == {k for k in reference if not k[1].endswith("_before")}
    for key, equals in written.items():
        np.testing.assert_allclose(np.reshape(equals, reference[key].shape), reference[key], rtol=0, atol=1e-11)


def test_the_mini_batch_update_is_the_seeds_loop_over_examples():
    doc = tomllib.loads((bundled_dir() / "backprop-mini-batch.toml").read_text(encoding="utf-8"))
    net, b = doc["network"], doc["backprop"]
    ref = ReferenceNetwork(net["sizes"], weights=[np.array(w) for w in net["weights"]],
                           biases=[np.array(v, dtype=float).reshape(-1, 1) for v in net["biases"]])
    batch = [(np.array(x, float).reshape(-1, 1), np.array(y, float).reshape(-1, 1)) for x, y in zip(b["x"], b["y"])]
    ref.update_mini_batch(batch, b["eta"])
    written = {(e["step"], e["name"]): e["equals"] for e in doc["expect"] if e["type"] == "value"}
    for layer in (2, 3):
        np.testing.assert_allclose(written[(f"pass 1: update, layer {layer}", "w_after")], ref.weights[layer - 2],
                                   atol=1e-11, rtol=0)
        np.testing.assert_allclose(written[(f"pass 1: update, layer {layer}", "b_after")],
                                   ref.biases[layer - 2].ravel(), atol=1e-11, rtol=0)


def needs_data(name):
    s = load_scenario(name)
    return s.kind == "train" or (s.backprop is not None and s.backprop.dataset is not None)


def test_nnsim_check_passes_on_every_lesson_that_needs_no_data(capsys):
    paths = [str(bundled_dir() / f"{name}.toml") for name in NAMES if not needs_data(name)]
    assert len(paths) >= 11
    code = main(["check", *paths])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert f"{len(paths)} lessons: {len(paths)} ok, 0 failed, 0 invalid" in out


def test_nnsim_check_quick_passes_on_the_whole_library(capsys):
    """What CI runs: every lesson, the training ones on the offline sample of real digits."""
    code = main(["check", "--quick"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert f"{len(NAMES)} lessons: {len(NAMES)} ok, 0 failed, 0 invalid" in out
