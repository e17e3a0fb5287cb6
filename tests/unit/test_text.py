"""nnsim.lessons.text: one number rule, columns written as a whole, one template filler."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nnsim.lessons.text import (
    MINUS, PHASE_SENTENCES, SENTENCES, check_template, column, column_format, fill, matrix, number,
    numbers_in, parse_number, placeholders, sentence,
)


def assert_aligned_and_uniform(texts: list[str], values: list[float]) -> None:
    """What a column must be: one width; one form (all fixed with the same decimals, or all
    scientific with the same mantissa digits, or all integers); decimal points in one
    place; the Unicode minus, never a hyphen; and each entry the value it stands for."""
    assert len({len(t) for t in texts}) == 1, f"widths differ: {texts}"
    assert not any("-" in t for t in texts), f"an ASCII hyphen: {texts}"
    finite = [t for t, v in zip(texts, values) if np.isfinite(v)]
    forms = set()
    for t in finite:
        s = t.strip()
        if "e" in s:
            mantissa = s.split("e")[0]
            forms.add(("scientific", len(mantissa.split(".")[1]) if "." in mantissa else 0))
        elif "." in s:
            forms.add(("fixed", len(s.split(".")[1])))
        else:
            forms.add(("integer", 0))
    assert len(forms) <= 1, f"mixed forms {forms}: {texts}"
    if forms and next(iter(forms))[0] in ("fixed", "scientific"):
        assert len({t.index(".") for t in finite}) == 1, f"decimal points not aligned: {texts}"
    if forms and next(iter(forms))[0] == "scientific":
        assert len({t.index("e") for t in finite}) == 1, f"exponents not aligned: {texts}"
    for t, v in zip(finite, [v for v in values if np.isfinite(v)]):
        got = parse_number(t)
        assert got == pytest.approx(v, rel=5e-4, abs=0 if v else 1e-12), (t, v)


MIXED = [-2e-7, 1e-7, 0.00097, -0.0053, 0.5, -3.25, 10.0]


def test_a_column_mixing_magnitudes_is_aligned_and_uniform():
    texts = column(MIXED)
    assert_aligned_and_uniform(texts, MIXED)
    assert texts[0] == "−2.000e−07" and texts[-1] == " 1.000e+01"


def test_the_issues_columns():
    # δ² read "-0.031 / 0.03451 / -0.0021": now one format, points and signs aligned.
    assert column([-0.031, 0.03451, -0.0021]) == ["−0.03100", " 0.03451", "−0.00210"]
    # ∂C/∂b² read "0.00097, -0.0053, -2e-07": 2e−07 forces the scientific form on all three.
    assert column([0.00097, -0.0053, -2e-7]) == [" 9.700e−04", "−5.300e−03", "−2.000e−07"]
    assert column([1.0, 0.0, -2.0]) == [" 1", " 0", "−2"]
    assert column([0.1, 0.4, -0.3]) == [" 0.1", " 0.4", "−0.3"]  # exact in one decimal: no padding zeros


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(-10, 10), st.floats(-1e-7, 1e-7), st.integers(-9, 9).map(float)),
                min_size=1, max_size=12))
def test_any_column_is_aligned_and_uniform(values):
    assert_aligned_and_uniform(column(values), values)


def test_a_matrix_is_formatted_as_a_whole():
    a = np.array([[0.5, -0.00012], [3.0, 7.25]])
    cells = matrix(a)
    assert_aligned_and_uniform([c for row in cells for c in row], a.ravel().tolist())
    assert cells == [[" 0.50000", "−0.00012"], [" 3.00000", " 7.25000"]]


def test_a_misaligned_formatter_fails_the_check():
    # Each number formatted on its own, the old way: the checker must refuse it.
    def one_by_one(values):
        return [f"{v:.4g}".replace("-", MINUS) for v in values]
    with pytest.raises(AssertionError):
        assert_aligned_and_uniform(one_by_one(MIXED), MIXED)
    padded = [t.rjust(12) for t in one_by_one(MIXED)]  # one width is not enough: one form too
    with pytest.raises(AssertionError):
        assert_aligned_and_uniform(padded, MIXED)
    with pytest.raises(AssertionError):  # the ASCII hyphen
        assert_aligned_and_uniform(["-0.5", " 0.5"], [-0.5, 0.5])


def test_non_finite_entries_keep_the_width():
    texts = column([0.5, float("nan"), -float("inf")])
    assert len({len(t) for t in texts}) == 1 and texts[1].strip() == "nan" and texts[2].strip() == "−inf"


def test_column_format_rules():
    assert column_format([1, 2, 3]).style == "integer"
    assert column_format([0.25, 0.5]) .decimals == 2
    assert column_format([1e-9, 1]).style == "scientific"
    assert column_format([2e6, 0.5]).style == "scientific"


def test_one_number_on_its_own():
    assert number(-2) == "−2" and number(0.7310585786) == "0.731059" and number(1.2e-7) == "1.2e−07"
    assert number(0.9999999999999065) == "0.999999999999907"  # σ(30) is not 1
    assert numbers_in("a (−2)·1 + 3 = 1.5e−07") == [-2.0, 1.0, 3.0, 1.5e-07]


def test_placeholders_syntax():
    assert placeholders("{z} {a[0]} {w[1,0]:p} {cost.mean} {wire.sum} {delta:+} {z:sign} {z:cmp} {{x}}") == [
        ("z", ""), ("a[0]", ""), ("w[1,0]", "p"), ("cost.mean", ""), ("wire.sum", ""), ("delta", "+"),
        ("z", "sign"), ("z", "cmp")]
    for bad, why in [("{", "lone"), ("}", "lone"), ("{}", "not a placeholder"), ("{z:q}", "unknown format"),
                     ("{a b}", "not a placeholder"), ("{a[x]}", "not a placeholder")]:
        with pytest.raises(ValueError, match=why):
            placeholders(f"x {bad} y")


def test_fill_and_check_template():
    values = {"w1": -2.0, "x1": 1.0, "b": 3.0, "z": 1.0, "d": 0.01}
    assert fill("{w1:p}·{x1} + {b} = {z} {z:cmp} 0, {z:sign}; Δ = {d:+} {{literal}}", values) == \
        "(−2)·1 + 3 = 1 > 0, positive; Δ = +0.01 {literal}"
    assert fill("{gone}", {}) == "?"
    assert check_template("{z} and {zz}", values).startswith("unknown placeholder {zz} (this step has b, d, w1")
    assert check_template("{z}", values) is None


def test_the_one_table_of_sentences():
    assert set(PHASE_SENTENCES) == {"input", "forward", "cost", "output_error", "backward", "gradient", "update"}
    assert all(not check_template(t, ()) or "unknown placeholder" in check_template(t, ())
               for t in SENTENCES.values())
    values = {"x1": 1.0, "x2": 1.0, "w1": -2.0, "w2": -2.0, "b": 3.0, "z": -1.0, "output": 0.0}
    assert sentence("perceptron.row", values, row="11", sum="{w1:p}·{x1} + {w2:p}·{x2} + {b}") == \
        "x = 11: w·x + b = (−2)·1 + (−2)·1 + 3 = −1 ≤ 0, so the output is 0."
    assert not re.search(r"\d-\d|[^e]-\d", sentence("perceptron.row", values, row="11", sum="{w1}"))


def test_float_rounding_next_to_an_integer_is_that_integer_but_sigma_30_is_not_1():
    from nnsim.lessons.text import number

    assert number(float(__import__("numpy").hypot(-2.4, -1.8))) == "3"  # 3.0000000000000004
    assert number(-2.9999999999999996) == "−3"
    assert number(0.9999999999999065) == "0.999999999999907"  # σ(30): 420 ulps below 1
    assert number(1 - 1e-12) != "1"


def test_an_edited_title_rewrites_what_it_writes_and_adds_the_rest():
    from nnsim.lessons.text import edited_title

    title = "Training [784, 30, 10] on MNIST"
    assert edited_title(title, []) == title
    assert edited_title(title, [("sizes", "[784, 30, 10]", "[784, 100, 10]")]) == "Training [784, 100, 10] on MNIST"
    assert edited_title(title, [("sizes", "[784, 30, 10]", "[784, 40, 10]"), ("η", "3", "0.5")]) == \
        "Training [784, 40, 10] on MNIST · now η 0.5"
    assert edited_title(title, [("η", "0.5")]) == "Training [784, 30, 10] on MNIST · now η 0.5"
