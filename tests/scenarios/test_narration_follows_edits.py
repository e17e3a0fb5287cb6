"""Narration that follows edits: every number a lesson's sentence quotes is the number
its panels show, for every lesson, after editing every editable parameter.

Hypothesis picks new values for a lesson's editable parameters (as a learner would
type them in the edit dialog); the lesson is rebuilt through ``with_changes`` and
stepped through. For every step whose narration comes from the lesson file, each
placeholder's text is read back out of the sentence and compared, as a value, with
the same quantity read from the core object the panels draw (the TruthRow, the
GateStep and its wires, the sigmoid records, the trace's arrays as the arrays panel
writes them). Training lessons are checked for their placeholders only: their long
runs are left to ``nnsim check``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nnsim.core.trace import TraceStep
from nnsim.errors import NnsimError
from nnsim.lessons import bundled_scenarios, build_steps
from nnsim.lessons.scenario import with_changes
from nnsim.lessons.steps import match_steps
from nnsim.lessons.text import MINUS, check_template, column_format, fill, matrix, parse_number, placeholders

LESSONS = [s for s in bundled_scenarios() if s.kind != "train"]
TRAIN_LESSONS = [s for s in bundled_scenarios() if s.kind == "train"]

# Editable keys that are a lesson's structure rather than its numbers.
STRUCTURE = ("circuit.builtin", "circuit.inputs", "circuit.outputs", "circuit.rows")

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


# -- new values for a lesson's parameters ---------------------------------------------------

def _number(low: float, high: float):
    # Two decimals, as a learner types them; never the empty change.
    return st.floats(low, high, allow_nan=False).map(lambda v: round(v, 2))


def _like(value, leaf):
    """A strategy for a value of the same shape as ``value`` (a number or nested lists)."""
    if isinstance(value, list):
        return st.tuples(*[_like(v, leaf) for v in value]).map(list)
    return leaf


def _referenced(scenario) -> set[str]:
    refs = [n.step for n in scenario.narration] + list(scenario.breakpoints)
    refs += [e.step for e in scenario.expects if e.step is not None]
    return {r for r in refs if isinstance(r, str)}


def edits_for(scenario):
    """Hypothesis strategy: a dict of every editable key of ``scenario`` to a new value."""
    raw = scenario.raw
    parts = {}
    for key in scenario.controls.editable:
        table, _, name = key.partition(".")
        value = raw.get(table, {}).get(name)
        if key in ("perceptron.weights", "perceptron.bias", "neuron.weights", "neuron.bias",
                   "network.weights", "network.biases"):
            parts[key] = _like(value, _number(-3, 3))
        elif key in ("neuron.x", "backprop.x", "backprop.y"):
            parts[key] = _like(value, _number(0, 1))
        elif key == "backprop.eta":
            parts[key] = _number(0.1, 5)
        elif key == "backprop.example":
            parts[key] = st.integers(0, 20)
        elif key == "network.seed":
            parts[key] = st.integers(0, 2**32 - 1)
        elif key == "backprop.updates":
            # The lesson's narration and breakpoints name "pass 2: …": fewer passes are refused.
            passes = max([int(m) for r in _referenced(scenario) for m in re.findall(r"^pass (\d+):", r)] or [1])
            parts[key] = st.integers(passes, 3)
        elif key == "circuit.gate":
            def gate(t):
                return st.tuples(_like([0] * len(t["inputs"]), _number(-3, 3)), _number(-3, 3)).map(
                    lambda wb, t=t: {"name": t["name"], "inputs": t["inputs"], "weights": wb[0], "bias": wb[1]})
            parts[key] = st.tuples(*[gate(t) for t in value]).map(list)
        elif key == "sigmoid.scales":
            named = {t.removeprefix("scale c = ") for t in _referenced(scenario) if t.startswith("scale c = ")}
            parts[key] = st.tuples(*[st.just(c) if f"{c:g}" in named else _number(0.1, 200).filter(lambda v: v > 0)
                                     for c in value]).map(list)
        elif key == "sigmoid.nudge":
            named = _referenced(scenario)

            def nudge(t):
                title = f"nudge {t['param']} by {t['delta']:+g}"
                return st.just(dict(t)) if title in named else _number(-1, 1).filter(bool).map(
                    lambda d, t=t: dict(t, delta=d))
            parts[key] = st.tuples(*[nudge(t) for t in value]).map(list)
        elif key == "descent.eta":
            parts[key] = _number(0.05, 1.5)
        elif key == "descent.start":
            parts[key] = _like([0, 0], _number(-3, 3))
        elif key == "descent.steps":
            # The lesson's expectations name "step 15": fewer steps are refused.
            named = max([int(m) for r in _referenced(scenario) for m in re.findall(r"^step (\d+)$", r)] or [1])
            parts[key] = st.integers(named, named + 5)
        elif key == "descent.directions":
            parts[key] = st.integers(2, 12)
        elif key in ("cost.a", "cost.b"):
            parts[key] = _number(0.2, 5).filter(lambda v: v > 0)
        elif key in STRUCTURE:
            continue  # the circuit's wiring, not a number: the gates' weights and biases are edited
        else:
            raise AssertionError(f"{scenario.label}: no strategy for the editable key {key}")
    return st.fixed_dictionaries(parts)


# -- what the panels show, read from the core objects they draw --------------------------------

def panel_value(step, name: str) -> tuple[float, float]:
    """The quantity ``name`` as the step's panel shows it, and the unit of its last digit
    (0 for a number shown in full): a trace array's entry as the arrays panel writes it,
    read back; anything else from the core object the panel draws (not ``values``)."""
    if isinstance(step.data, TraceStep):
        shape = re.fullmatch(r"([a-z_]+)\.(rows|cols)", name)
        if shape:  # the arrays panel writes each shape beside the name: "δ³  (2×4)"
            rows, cols = np.shape(step.data.arrays[shape.group(1)])
            return float(rows if shape.group(2) == "rows" else cols), 0.0
        if name == "m" and "m" not in step.data.arrays:
            return float(step.context.m), 0.0  # the mini-batch: the columns of every array shown
        return _trace_cell(step.data, name)
    return _core_value(step, name), 0.0


def _trace_cell(data: TraceStep, name: str) -> tuple[float, float]:
    m = re.fullmatch(r"([a-z_]+)(?:\[(\d+)(?:,(\d+))?\])?", name)
    base, i, j = m.group(1), m.group(2), m.group(3)
    array = np.asarray(data.arrays[base], dtype=np.float64)
    if array.ndim == 0:
        return float(array), 0.0
    text = matrix(array)[int(i)][int(j or 0)]
    return parse_number(text), unit_of(text)


def _core_value(step, name: str) -> float:
    data, context = step.data, step.context
    if step.kind == "row":
        scalars = {"b": context.bias, "z": data.z, "output": data.output}
        scalars.update({f"x{k}": v for k, v in enumerate(data.inputs, 1)})
        scalars.update({f"w{k}": v for k, v in enumerate(context.weights, 1)})
        return float(scalars[name])
    if step.kind == "gate":
        p = data.gate.perceptron
        scalars = {"b": p.bias, "z": data.z, "output": data.output, "layer": data.layer}
        scalars.update({f"in{k}": v for k, v in enumerate(data.inputs, 1)})
        scalars.update({f"w{k}": v for k, v in enumerate(p.weights, 1)})
        scalars.update({f"x{k}": v for k, v in enumerate(step.row, 1)})
        scalars.update({f"wire.{w}": v for w, v in step.wires.items()})
        return float(scalars[name])
    if step.kind == "sample":
        return float({"gap": abs(data.sigma - data.step)}.get(name, getattr(data, name, None)))
    if step.kind == "scale":
        spec = step_scenario[0].sigmoid
        raw_z = float(np.dot(spec.weights, spec.x) + spec.bias)
        return float({"cz": data.z, "z": raw_z}.get(name, getattr(data, name, None)))
    if step.kind == "descent":
        scalars = {"eta": data.eta, "C": data.cost, "C_next": data.cost_next, "dC": data.actual,
                   "dC_estimate": data.estimate, "v1": data.v[0], "v2": data.v[1], "grad1": data.grad[0],
                   "grad2": data.grad[1], "dv1": data.dv[0], "dv2": data.dv[1], "v1_next": data.v_next[0],
                   "v2_next": data.v_next[1]}
        return float(scalars[name])
    if step.kind == "nudge":
        return float({"delta_output": data.actual}.get(name, getattr(data, name, None)))
    raise AssertionError(f"no panel for a {step.kind} step")


step_scenario: list = [None]  # the lesson being checked (a scale step's z is its neuron's w·x + b)


def quoted_numbers(template: str, text: str) -> list[tuple[str, str, str]]:
    """(placeholder name, spec, the text it became) for each placeholder of ``template``,
    read back out of the filled ``text`` by matching the template's literal parts."""
    pattern, fields = "", []
    last = 0
    for match in _TOKEN.finditer(template):
        pattern += re.escape(template[last:match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            pattern += re.escape(token[0])
        else:
            name, _, spec = match.group(1).partition(":")
            fields.append((name, spec))
            pattern += r"(.+?)"
        last = match.end()
    pattern += re.escape(template[last:]) + r"\Z"
    found = re.match(pattern, text, re.S)
    assert found, f"cannot read the numbers back out of {text!r}"
    return [(n, s, t) for (n, s), t in zip(fields, found.groups())]


def unit_of(text: str) -> float:
    """The value of one unit in the last digit written: "0.6248" → 0.0001, "2.5e−07" → 1e−08."""
    digits = text.strip().strip("()").lstrip(MINUS + "+-")
    mantissa, _, exponent = digits.partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(exponent.replace(MINUS, "-") or 0) - decimals)


def agrees(quoted: str, shown: float, shown_unit: float = 0.0) -> bool:
    """A number the narration writes is the panel's: the same value, up to the rounding
    of the digits each writes (half a unit of the last digit, each side)."""
    got = parse_number(quoted)
    if not math.isfinite(shown):
        return not math.isfinite(got)
    return abs(got - shown) <= (unit_of(quoted) + shown_unit) / 2 * (1 + 1e-9) + 1e-12 * abs(shown)


def static_quotes(template: str, step) -> list[str]:
    """Numbers written as plain text in a narration that equal one of the step's values:
    they would go stale after an edit (0 and 1, the bits, are words as much as numbers)."""
    literal = _TOKEN.sub(" ", template)
    stale = []
    for text in re.findall(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?(?![\w.]*\d)", literal):
        v = parse_number(text)
        if v in (0.0, 1.0):
            continue
        if any(math.isfinite(x) and agrees(text, x) for x in step.values.values()):
            stale.append(text)
    return stale


def check_lesson_narration(scenario) -> int:
    """Step through the lesson; every quoted number agrees with its panel. Returns how many."""
    step_scenario[0] = scenario
    steps = build_steps(scenario)
    titles = [s.title for s in steps]
    checked = 0
    for rule in scenario.narration:
        for i in match_steps(rule.step, titles):
            step = steps[i]
            if step.narration != fill(rule.text, step.values):
                continue  # an earlier rule names this step (by index or exact title)
            assert not static_quotes(rule.text, step), \
                f"{scenario.label}: {step.title}: quotes {static_quotes(rule.text, step)} as plain text"
            for name, spec, text in quoted_numbers(rule.text, step.narration):
                shown, unit = panel_value(step, name)
                if spec == "sign":
                    assert text == ("positive" if shown > 0 else "negative" if shown < 0 else "zero"), (step.title, name)
                elif spec == "cmp":
                    assert text == (">" if shown > 0 else "≤"), (step.title, name)
                else:
                    assert agrees(text, shown, unit), f"{scenario.label}: {step.title}: {{{name}}} reads {text}, " \
                                                f"the panel shows {shown}"
                checked += 1
    return checked


# -- the tests ------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", LESSONS, ids=lambda s: s.name)
def test_the_shipped_narration_quotes_the_panels_numbers(scenario):
    check_lesson_narration(scenario)


@pytest.mark.parametrize("scenario", [s for s in LESSONS if s.controls.editable], ids=lambda s: s.name)
def test_after_any_edit_every_quoted_number_is_the_panels(scenario):
    @settings(max_examples=4, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(edits_for(scenario))
    def run(edits):
        try:
            edited = with_changes(scenario, edits)
        except NnsimError as error:  # a value the file's own rules refuse: the dialog says so
            assert "\n" not in str(error)
            return
        check_lesson_narration(edited)

    run()


def test_the_lessons_that_quote_numbers_use_placeholders():
    # Each of these sentences quoted a number that an edit changes: now it is a placeholder.
    quoting = {"nand": 2, "backprop-by-hand": 3, "half-adder": 2, "sigmoid-vs-step": 2, "small-changes": 2,
               "descent-bowl": 1, "descent-overshoot": 1, "backprop-digit": 1, "backprop-mini-batch": 2}
    for scenario in LESSONS:
        count = sum(1 for rule in scenario.narration if placeholders(rule.text))
        assert count == quoting.get(scenario.name, 0), scenario.name
        assert sum(check_lesson_narration(scenario) for _ in [0]) >= count


def test_shapes_in_the_narration_follow_the_network_and_the_mini_batch(tmp_path):
    """"a 30×784 matrix", "a 2×4 matrix", "the 4 columns": quoted from the step's arrays, so a
    lesson file with other sizes or another mini-batch reads true (both are locked in the app)."""
    from nnsim.lessons import load_scenario
    from nnsim.lessons.scenario import bundled_dir

    def variant(name: str, old: str, new: str):
        text = (bundled_dir() / f"{name}.toml").read_text(encoding="utf-8")
        assert old in text
        path = tmp_path / f"{name}.toml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return load_scenario(path)

    digit = variant("backprop-digit", "sizes = [784, 30, 10]", "sizes = [784, 20, 10]")
    steps = {s.title: s for s in build_steps(digit)}
    assert "is a 20×784 matrix: one row of 784 numbers" in steps["pass 1: gradient, layer 2"].narration
    check_lesson_narration(digit)

    batch = variant("backprop-mini-batch", "x = [[0, 0], [0, 1], [1, 0], [1, 1]]\ny = [[1, 0], [0, 1], [0, 1], [1, 0]]",
                    "x = [[0, 0], [0, 1], [1, 0]]\ny = [[1, 0], [0, 1], [0, 1]]")
    steps = {s.title: s for s in build_steps(batch)}
    assert "δ³ is now a 2×3 matrix" in steps["pass 1: output error, layer 3"].narration
    assert "adds the 3 columns of δ³" in steps["pass 1: gradient, layer 3"].narration
    check_lesson_narration(batch)


@pytest.mark.parametrize("scenario", TRAIN_LESSONS, ids=lambda s: s.name)
def test_training_narration_names_only_an_epochs_values(scenario):
    names = ["epoch", "correct", "total", "accuracy", "mean_cost", "seconds"]
    for rule in scenario.narration:
        assert check_template(rule.text, names) is None, (scenario.label, rule.text)


def test_edited_nand_says_what_the_equation_panel_says():
    # The example: w1 = 2, input 11.
    nand = next(s for s in LESSONS if s.name == "nand")
    steps = build_steps(with_changes(nand, {"perceptron.weights": [2, -2]}))
    step = next(s for s in steps if s.title == "input 11")
    assert step.narration.startswith("Input 11: 2·1 + (−2)·1 + 3 = 3 is positive, so the output is 1.")


def test_edited_backprop_by_hand_quotes_the_new_forward_pass():
    # The example: x1 = 0, so z²₀ = 0.4·0.9 + 0.1 = 0.46.
    lesson = next(s for s in LESSONS if s.name == "backprop-by-hand")
    steps = build_steps(with_changes(lesson, {"backprop.x": [0.0, 0.9]}))
    step = next(s for s in steps if s.title == "forward, layer 2")
    assert "0.1·0 + 0.4·0.9 + 0.1 = 0.46" in step.narration
    assert f"σ(0.46) = {1 / (1 + math.exp(-0.46)):.6f}" in step.narration


def test_the_half_adder_names_sum_only_once_it_is_computed():
    lesson = next(s for s in LESSONS if s.name == "half-adder")
    steps = build_steps(lesson)
    carry = next(s for s in steps if s.title == "input 11, gate carry")
    total = next(s for s in steps if s.title == "input 11, gate sum")
    assert carry.index < total.index and "sum =" not in carry.narration
    assert "sum" not in carry.wires and "wire.sum" not in carry.values
    assert "sum = 0" in total.narration and "1 + 1 = 10 in binary" in total.narration


def test_a_number_written_as_plain_text_is_caught():
    # The old NAND sentence: its 3 and −1 were the step's z, written as text.
    nand = next(s for s in LESSONS if s.name == "nand")
    steps = build_steps(nand)
    old = "Input 11: (−2)·1 + (−2)·1 + 3 = −1 is negative, so the output is 0."
    assert static_quotes(old, steps[3]) == ["−2", "−2", "3", "−1"]
    assert static_quotes(nand.narration[1].text, steps[3]) == []


def test_a_misread_number_fails_the_comparison():
    # The checker itself, against a wrong answer: 0.51 is not 0.46, −1 is not 1.
    assert agrees("0.46", 0.46) and agrees("(−2)", -2.0) and agrees("0.624806", 0.6248064744)
    assert agrees("0.624806", 0.6248, 1e-4)  # the panel's 4 digits hold the narration's 6
    assert not agrees("0.51", 0.46) and not agrees("1", -1.0) and not agrees("0.6249", 0.6248064744)
    assert not agrees("0.6252", 0.6248, 1e-4)
    assert column_format([0.1]).style == "fixed"
