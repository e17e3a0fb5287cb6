import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnsim.core import Perceptron, sigmoid, sigmoid_prime, step


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_has_no_warnings_and_stays_in_range_across_1e4(dtype):
    z = np.linspace(-1e4, 1e4, 200_001).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        sp = sigmoid_prime(z)
    assert s.dtype == dtype
    assert np.all((s >= 0) & (s <= 1)) and np.all(np.isfinite(sp))
    assert s[0] == 0 and s[-1] == 1 and s[len(z) // 2] == 0.5


@given(st.sampled_from([(np.float32, 32), (np.float64, 64)]).flatmap(
    lambda d: st.tuples(st.just(d[0]), st.floats(allow_nan=False, allow_infinity=False, width=d[1]))))
def test_sigmoid_any_finite_z(dtype_and_z):
    dtype, z = dtype_and_z
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(dtype(z))
    assert 0.0 <= float(s) <= 1.0


def test_sigmoid_values_and_slope():
    assert sigmoid(0) == 0.5
    assert sigmoid(np.log(3.0)) == pytest.approx(0.75)
    assert sigmoid_prime(0) == 0.25
    h = 1e-6
    for z in (-3.0, -0.5, 0.0, 2.0):
        assert sigmoid_prime(z) == pytest.approx((sigmoid(z + h) - sigmoid(z - h)) / (2 * h), rel=1e-8)


def test_step_and_the_seeds_note_at_zero():
    assert list(step(np.array([-1.0, 0.0, 2.0]))) == [0.0, 1.0, 1.0]
    # …while a perceptron outputs 0 when w·x + b = 0.
    assert Perceptron((1.0,), -1.0).output((1,)) == 0


@given(
    st.lists(st.integers(-5, 5), min_size=1, max_size=4).flatmap(
        lambda w: st.tuples(st.just(w), st.lists(st.integers(0, 1), min_size=len(w), max_size=len(w)))),
    st.integers(-5, 5).map(lambda b: b + 0.5),
)
def test_sigmoid_of_scaled_sum_approaches_the_perceptron(weights_and_x, bias):
    weights, x = weights_and_x
    p = Perceptron(weights, bias)
    z = p.weighted_sum(x)  # never 0: the bias is a half-integer
    gaps = [abs(float(sigmoid(c * z)) - p.output(x)) for c in (1, 10, 100, 1000)]
    assert all(a >= b for a, b in zip(gaps, gaps[1:]))
    assert gaps[-1] < 1e-100 or gaps[-1] == 0
