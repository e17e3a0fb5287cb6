"""The loader: typed objects from good files, one precise line for every bad one."""

import dataclasses

import pytest

from nnsim.core import NAND, Circuit, Perceptron, half_adder
from nnsim.errors import NnsimError
from nnsim.lessons.scenario import with_changes
from nnsim.lessons import LIMITS, Scenario, build_steps, load_scenario, parse_scenario
from tests.scenarios.conftest import BACKPROP, PERCEPTRON


def test_a_perceptron_file_becomes_frozen_typed_objects(write):
    s = load_scenario(write("nand", 'section = "perceptrons"\n' + PERCEPTRON))
    assert isinstance(s, Scenario) and s.name == "nand" and s.kind == "perceptron"
    assert s.perceptron == NAND and isinstance(s.perceptron, Perceptron)
    assert s.section == "Perceptrons" and s.section_id == "perceptrons"
    assert s.inputs is None and s.expects == () and s.breakpoints == ()
    assert s.controls.can_edit("perceptron.bias")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.title = "x"


def test_the_builtin_half_adder_is_the_core_circuit(write):
    s = load_scenario(write("ha", """
        title = "t"
        description = "d"
        kind = "circuit"
        [circuit]
        builtin = "half_adder"
        rows = [[1, 1]]
    """))
    assert isinstance(s.circuit, Circuit) and s.circuit == half_adder()
    assert s.inputs == ((1, 1),)


def test_network_shapes_follow_the_book(write):
    s = load_scenario(write("bp", """
        title = "t"
        description = "d"
        kind = "backprop"
        [network]
        sizes = [2, 3, 1]
        weights = [[[1, 2], [3, 4], [5, 6]], [[7, 8, 9]]]
        biases = [[1, 2, 3], [4]]
        [backprop]
        x = [[0, 1], [1, 0]]
        y = [[1], [0]]
    """))
    assert s.network.weights == (((1.0, 2.0), (3.0, 4.0), (5.0, 6.0)), ((7.0, 8.0, 9.0),))
    assert s.network.dtype == "float64" and s.backprop.m == 2 and s.backprop.eta is None


def test_train_quick_variant_replaces_settings_and_expectations(write):
    s = load_scenario(write("run", """
        title = "t"
        description = "d"
        kind = "train"
        [network]
        sizes = [784, 30, 10]
        [train]
        dataset = "mnist"
        epochs = 30
        mini_batch_size = 10
        eta = 3.0
        [[expect]]
        type = "accuracy"
        at_least = 0.94
        [quick]
        dataset = "sample"
        epochs = 3
        [[quick.expect]]
        type = "accuracy"
        at_least = 0.5
    """))
    assert s.train.dataset == "mnist" and s.train.epochs == 30 and s.network.dtype == "float32"
    q = s.variant(quick=True)
    assert q.is_quick and q.train.dataset == "sample" and q.train.epochs == 3
    assert q.train.eta == 3.0 and q.train.mini_batch_size == 10  # inherited from [train]
    assert [e.at_least for e in q.expects] == [0.5] and [e.at_least for e in s.expects] == [0.94]
    assert q.expects[0].after_epochs == 3 and s.expects[0].after_epochs == 30
    assert s.variant(False) is s and q.variant(True) is q


def test_with_changes_revalidates_and_respects_locks(write):
    s = load_scenario(write("p", PERCEPTRON + '[controls]\nlocked = ["perceptron.weights"]\n'))
    changed = with_changes(s, {"perceptron.bias": -1})
    assert changed.perceptron == Perceptron((-2, -2), -1) and s.perceptron == NAND
    assert [r.output for r in changed.perceptron.truth_table()] == [0, 0, 0, 0]
    with pytest.raises(NnsimError, match=r"perceptron\.weights is locked"):
        with_changes(s, {"perceptron.weights": [1, 1]})
    with pytest.raises(NnsimError, match=r"\[perceptron\]\.bias: expected a number"):
        with_changes(s, {"perceptron.bias": "x"})


def test_bundled_names_resolve_and_unknown_names_suggest():
    assert load_scenario("nand").perceptron == NAND
    with pytest.raises(NnsimError, match="did you mean 'nand'"):
        load_scenario("nandd")
    with pytest.raises(NnsimError, match="no such scenario file"):
        load_scenario("missing/file.toml")


BAD = [
    # (file text, the whole error after "<file>: ")
    ('title = "t"\ndescription = "d"\nkind = "backprop"\n[network]\nsizes = "abc"\n[backprop]\nx = [1]\ny = [1]\n',
     '[network].sizes: expected a list of at least 2 positive integers, got "abc"'),
    ('title = "t"\ndescriptoin = "d"\nkind = "perceptron"\n',
     "descriptoin: unknown key; did you mean 'description'?"),
    ('title = "t"\ndescription = "d"\nkind = perceptron\n',
     "invalid TOML: Invalid value (at line 3, column 8)"),
    ('title = "t"\ndescription = "d"\nkind = "perceptorn"\n',
     'kind: expected one of perceptron, circuit, sigmoid, backprop, train, gradient-descent, got "perceptorn"; '
     "did you mean 'perceptron'?"),
    (PERCEPTRON.replace("[-2, -2]", "[nan, -2]"), "[perceptron].weights: expected finite numbers, got [nan, -2]"),
    (PERCEPTRON.replace("bias = 3", "bias = inf"), "[perceptron].bias: expected a finite number, got inf"),
    (PERCEPTRON.replace("bias = 3", "bias = true"),
     "[perceptron].bias: expected a number from -1e+06 to 1e+06, got true"),
    (PERCEPTRON.replace("bias = 3", "bias = 1e300"),
     "[perceptron].bias: expected a number from -1e+06 to 1e+06, got 1e+300"),
    (PERCEPTRON.replace("bias = 3\n", ""), "[perceptron].bias: missing (required)"),
    (PERCEPTRON + "[network]\nsizes = [1, 1]\n",
     '[network]: not used by kind "perceptron" (it reads [perceptron])'),
    (BACKPROP.replace("[2, 3, 2]", "[784, 3000000, 10]"),
     "[network].sizes: expected at most 4,096 neurons per layer, got [784, 3000000, 10]"),
    (BACKPROP.replace("[2, 3, 2]", "[784, 4000, 4000, 10]"),
     "[network].sizes: [784, 4000, 4000, 10] has 19,184,010 weights and biases; the limit is 2,000,000"),
    (BACKPROP.replace("[2, 3, 2]", "[2, 0, 2]"),
     "[network].sizes: expected a list of at least 2 positive integers, got [2, 0, 2]"),
    (BACKPROP.replace("x = [0.5, 0.9]", "x = [0.5]"),
     "[backprop].x: expected a list of 2 numbers (one per input neuron), or a list of such rows, got [0.5]"),
    (BACKPROP.replace("y = [1, 0]", "y = [[1, 0], [0, 1]]"),
     "[backprop].y: expected 1 target rows (one per example of x), got 2"),
    (BACKPROP.replace("seed = 1", "weights = [[[1, 2], [3, 4], [5]], [[1, 2, 3], [4, 5, 6]]]\n"
                                  "biases = [[1, 2, 3], [1, 2]]"),
     "[network].weights, layer 2, row 2: expected 2 numbers (w2 is 3×2 for sizes [2, 3, 2]), got [5]"),
    (BACKPROP.replace("seed = 1", "weights = [[[1, 2], [3, 4], [5, 6]], [[1, 2, 3], [4, 5, 6]]]"),
     "[network].biases: missing (explicit weights and biases go together)"),
    (BACKPROP.replace("eta = 3.0", "eta = -1"), "[backprop].eta: expected a number above 0 and at most 1e+06, got -1"),
    (BACKPROP.replace("eta = 3.0", "updates = 3"),
     "[backprop].updates: successive updates need eta (the learning rate)"),
    (PERCEPTRON + '[[expect]]\ntype = "truth_table"\noutputs = [1, 1, 0]\n',
     "[[expect]][1].outputs: expected a list of 4 outputs (0 or 1), one per input row in counting order, "
     "got [1, 1, 0]"),
    (PERCEPTRON + '[[expect]]\ntype = "output"\ninput = [1]\noutput = 0\n',
     "[[expect]][1].input: expected a list of 2 bits (0 or 1), got [1]"),
    (PERCEPTRON + '[[expect]]\ntype = "accuracy"\nat_least = 0.9\n',
     '[[expect]][1].type: "accuracy" does not apply to a perceptron lesson (it does to train)'),
    (PERCEPTRON + '[[expect]]\ntype = "valeu"\n',
     "[[expect]][1].type: expected one of output, truth_table, value, trend, gradient_check, accuracy, compare, "
     "got \"valeu\"; did you mean 'value'?"),
    (PERCEPTRON + '[[expect]]\ntype = "value"\nstep = 0\nname = "z"\nequals = 3\ntolerence = 1\n',
     "[[expect]][1].tolerence: unknown key; did you mean 'tolerance'?"),
    (PERCEPTRON + '[controls]\nlocked = ["perceptron.bais"]\n',
     "[controls].locked: unknown parameter \"perceptron.bais\"; did you mean 'perceptron.bias'?"),
    (PERCEPTRON + '[[breakpoint]]\nwhen = "saturation"\nepsilon = 0.1\n',
     '[[breakpoint]][1].when: "saturation" does not apply to a perceptron lesson (it does to sigmoid, backprop)'),
    (BACKPROP + '[[breakpoint]]\nwhen = "vanishing"\n', "[[breakpoint]][1].epsilon: missing (required)"),
    ('title = "t"\ndescription = "d"\nkind = "circuit"\n[circuit]\ninputs = ["a"]\noutputs = ["g"]\n'
     '[[circuit.gate]]\nname = "g"\ngate = "NAND"\ninputs = ["a", "b"]\n',
     "[circuit]: gate 'g' reads unknown wire 'b'"),
    ('title = "t"\ndescription = "d"\nkind = "circuit"\n[circuit]\ninputs = ["a"]\noutputs = ["g"]\n'
     '[[circuit.gate]]\nname = "g"\ngate = "NAND"\ninputs = ["a"]\n',
     "[[circuit.gate]][1].inputs: expected 2 wire names (one per weight), got [\"a\"]"),
    ('title = "t"\ndescription = "d"\nkind = "circuit"\n[circuit]\ninputs = ["a"]\noutputs = ["g"]\n'
     '[[circuit.gate]]\nname = "g"\ngate = "NOT"\ninputs = ["h"]\n[[circuit.gate]]\nname = "h"\ngate = "NOT"\n'
     'inputs = ["g"]\n',
     "[circuit]: the gates form a loop: g, h"),
    ('title = 1979-05-27\ndescription = "d"\nkind = "perceptron"\n',
     "title: expected a one-line string of 1 to 120 characters, got a date"),
    ('title = "t"\ndescription = "d"\nkind = "train"\n[network]\nsizes = [784, 30, 10]\n[train]\n'
     'dataset = "mnist"\nepochs = 30\nmini_batch_size = 10\neta = 3.0\noutputs = "binary"\n',
     '[network].sizes: expected 784 inputs and 4 outputs (binary outputs for digits), got [784, 30, 10]'),
    ('title = "t"\ndescription = "d"\nkind = "train"\n[network]\nsizes = [784, 30, 10]\n[train]\n'
     'dataset = "mnist"\nepochs = 3\nmini_batch_size = 10\neta = 3.0\n[[expect]]\ntype = "accuracy"\n'
     'at_least = 0.9\nafter_epochs = 5\n',
     "[[expect]][1].after_epochs: expected a number of epochs from 1 to 3 (this run's epochs), got 5"),
]


@pytest.mark.parametrize("text, message", BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_each_mistake_is_one_line_naming_file_key_and_what_was_expected(write, text, message):
    path = write("bad", text)
    with pytest.raises(NnsimError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: {message}"
    assert "\n" not in str(info.value)


def test_a_top_level_key_under_a_table_gets_a_hint(write):
    with pytest.raises(NnsimError, match=r"\[perceptron\].order: unknown key \(order is a top-level key: "
                                         r"put it above the first \[table\]\)"):
        load_scenario(write("p", PERCEPTRON + "order = 3\n"))


def test_references_to_missing_steps_are_refused_when_the_lesson_is_built(write):
    s = load_scenario(write("p", PERCEPTRON + '[[narration]]\nstep = "input 2"\ntext = "x"\n'))
    with pytest.raises(NnsimError, match=r"p.toml: \[\[narration\]\]\[1\].step: no step titled 'input 2' "
                                         r"\(titles look like 'input 00'\)"):
        build_steps(s)
    s = load_scenario(write("q", PERCEPTRON + "[[breakpoint]]\nstep = 9\n"))
    with pytest.raises(NnsimError, match=r"step 9, but the lesson has 4 steps \(0 to 3\)"):
        build_steps(s)


def test_non_utf8_and_oversized_files_are_refused(write):
    path = write("latin", "", raw='title = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(NnsimError, match=r"latin.toml: not UTF-8 text \(byte 0xe9 at offset 12\)"):
        load_scenario(path)
    path = write("big", "", raw=b"#" * (LIMITS["file_bytes"] + 1))
    with pytest.raises(NnsimError, match="a scenario may be at most 1,000,000"):
        load_scenario(path)


def test_deep_nesting_is_a_clear_error_not_a_crash(write):
    path = write("deep", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(NnsimError, match="deep.toml"):
        load_scenario(path)


def test_parse_scenario_validates_an_in_memory_document():
    raw = {"title": "t", "description": "d", "kind": "sigmoid",
           "neuron": {"weights": [1.0], "bias": 0.0, "x": [2.0]}, "sigmoid": {"z": [0]}}
    with pytest.raises(NnsimError, match=r"mem.toml: \[neuron\].x: expected a list of 1 number from 0 to 1"):
        parse_scenario(raw, "mem.toml")
