"""docs/scenarios.md: every example loads, and together they show every key."""

import re
from pathlib import Path

import pytest

from nnsim.lessons import check_expectations, load_scenario
from nnsim.lessons.exercise import check_exercise
from nnsim.lessons.scenario.schema import _EXPECT_TYPES, _TABLE_KEYS, _TOP_KEYS, DATASETS

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, re.S)


def test_the_page_has_examples():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_each_example_loads_and_its_claims_hold(tmp_path, index):
    path = tmp_path / f"example{index}.toml"
    path.write_text(EXAMPLES[index], encoding="utf-8")
    scenario = load_scenario(path)
    needs_data = scenario.kind == "train" or (scenario.backprop is not None and scenario.backprop.dataset)
    if scenario.solution is not None:  # an exercise: graded right when solved, wrong as shipped
        results = check_exercise(scenario)
        assert all(r.passed for r in results) and not all(r.passed for r in check_expectations(scenario))
    elif not needs_data:  # the data-backed examples are checked like the library's lessons
        assert all(r.passed for r in check_expectations(scenario))


def test_every_key_and_expectation_type_appears_in_an_example():
    text = "\n".join(EXAMPLES)
    keys = set(_TOP_KEYS) | {k for keys in _TABLE_KEYS.values() for k in keys}
    keys -= {"gate", "nudge", "expect"}  # written as [[circuit.gate]], [[sigmoid.nudge]], [[quick.expect]]
    missing = [k for k in sorted(keys) if not re.search(rf"^\s*\[*{k}\]*\s*(=|$)", text, re.M)
               and f"[{k}]" not in text and f"[[{k}]]" not in text]
    assert missing == []
    for table in ("[[circuit.gate]]", "[[sigmoid.nudge]]", "[[quick.expect]]", "[[narration]]",
                  "[[breakpoint]]", "[controls]", "[[expect]]"):
        assert table in text
    for etype in _EXPECT_TYPES:
        assert f'type = "{etype}"' in text
    for when in ("nan", "saturation", "vanishing", "accuracy"):
        assert f'when = "{when}"' in text
    assert all(f'"{d}"' in TEXT for d in DATASETS)
