"""Fuzzing the loader: whatever a file holds, the only failure is the loader's clear error.

Arbitrary text, arbitrary TOML documents and mutations of the shipped lessons
(wrong types, missing keys, extra keys, huge or negative numbers) either load
or raise NnsimError with one line naming the file; lessons that load also
play and check without any other exception.
"""

import copy
import json
import math
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nnsim.errors import NnsimError
from nnsim.lessons import build_steps, bundled_dir, check_expectations, load_scenario, parse_scenario
from nnsim.lessons.scenario.schema import _TABLE_KEYS, _TOP_KEYS

KEYS = sorted(set(_TOP_KEYS) | {k for keys in _TABLE_KEYS.values() for k in keys} |
              {"type", "step", "text", "name", "gate", "param", "delta", "when", "epsilon", "at_least",
               "at_most", "equals", "outputs", "input", "output"})

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 2, 784, 10**9, -(10**9), 1e-300, 1e308, 0.5]),
)
scalars = st.one_of(numbers, st.booleans(), st.text(max_size=20),
                    st.sampled_from(["perceptron", "circuit", "sigmoid", "backprop", "train", "NAND", "sample",
                                     "mnist", "binary", "nan", "saturation", "value", "input 00", "w1"]))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5)),
    max_leaves=25,
)
documents = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), values, max_size=8)


def toml_value(v) -> str:
    """Inline TOML for a value (tomllib cannot write)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_document(doc: dict) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in doc.items())


def only_clear_errors(path_or_raw, name):
    """Load (and, where cheap, play and check); return the scenario or None.

    The only exception allowed is NnsimError, one line starting with the file's name.
    """
    try:
        scenario = (load_scenario(path_or_raw) if not isinstance(path_or_raw, dict)
                    else parse_scenario(path_or_raw, name))
        if scenario.kind != "train" and not (scenario.backprop and scenario.backprop.dataset):
            steps = build_steps(scenario)
            check_expectations(scenario, steps=steps)
        return scenario
    except NnsimError as error:
        message = str(error)
        assert "\n" not in message and message.startswith(f"{name}: "), message
        return None


fuzz = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                deadline=None)


@fuzz
@given(text=st.text(max_size=300))
def test_arbitrary_text(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    only_clear_errors(path, str(path))


@fuzz
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    only_clear_errors(path, str(path))


@fuzz
@given(doc=documents)
def test_arbitrary_toml_documents(tmp_path, doc):
    path = tmp_path / "fuzz.toml"
    path.write_text(toml_document(doc), encoding="utf-8", errors="surrogatepass")
    only_clear_errors(path, str(path))


SHIPPED = {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(bundled_dir().glob("*.toml"))}


def paths(doc, prefix=()):
    """Every place in a document: (path, value) for tables, list items and leaves."""
    yield prefix, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, prefix + (i,))


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(SHIPPED)))
    doc = copy.deepcopy(SHIPPED[name])
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p, _ in paths(doc) if p]
        path = draw(st.sampled_from(places))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "add", "number"]))
        if action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS) | st.text(min_size=1, max_size=8))] = draw(values)
        elif action == "number":
            parent[last] = draw(st.sampled_from([-1, 0, 10**12, -(10**12), 1e308, -1e-9, 4097, 2**63,
                                                 float("nan"), float("inf"), 3.5]))
        else:
            parent[last] = draw(values)
    return name, doc


@fuzz
@given(case=mutated())
def test_mutations_of_the_shipped_lessons(case):
    name, doc = case
    only_clear_errors(doc, f"{name}.toml")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_each_shipped_lesson_survives_its_own_round_trip(name):
    """The fuzzers' TOML writer is faithful: a shipped lesson written back loads unchanged."""
    doc = SHIPPED[name]
    assert tomllib.loads(toml_document(doc)) == doc
