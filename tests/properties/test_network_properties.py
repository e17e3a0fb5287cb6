"""The matrix path against the slow truth: finite differences and the seed's per-example code."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nnsim.core import Network, gradient_check, trace_backprop
from tests.reference_network import ReferenceNetwork

architectures = st.lists(st.integers(1, 20), min_size=2, max_size=5)


@st.composite
def net_and_batch(draw, max_batch=12):
    sizes = draw(architectures)
    m = draw(st.integers(1, max_batch))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    net = Network(sizes, seed=seed, dtype=np.float64)
    x = rng.random((sizes[0], m))
    y = rng.random((sizes[-1], m))
    return net, x, y


@given(net_and_batch())
def test_every_gradient_has_its_parameters_shape(case):
    net, x, y = case
    nabla_b, nabla_w = net.backprop_batch(x, y)
    assert [g.shape for g in nabla_b] == [b.shape for b in net.biases]
    assert [g.shape for g in nabla_w] == [w.shape for w in net.weights]
    one_b, one_w = net.backprop(x[:, :1], y[:, :1])
    assert [g.shape for g in one_b] == [(n, 1) for n in net.sizes[1:]]
    assert [g.shape for g in one_w] == [(n, k) for k, n in zip(net.sizes[:-1], net.sizes[1:])]


@given(net_and_batch(max_batch=4))
def test_backprop_matches_central_differences(case):
    net, x, y = case
    checks = gradient_check(net, x, y)
    assert len(checks) == net.parameter_count
    assert max(c.relative_error for c in checks) < 1e-6


@given(net_and_batch(), st.floats(0.01, 10.0))
def test_matrix_update_equals_the_per_example_reference(case, eta):
    net, x, y = case
    ref = ReferenceNetwork(net.sizes, [w.copy() for w in net.weights], [b.copy() for b in net.biases])
    mini_batch = [(x[:, [i]], y[:, [i]]) for i in range(x.shape[1])]
    ref.update_mini_batch(mini_batch, eta)
    net.update_mini_batch(mini_batch, eta)
    for ours, theirs in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


@given(net_and_batch())
def test_per_example_backprop_equals_the_reference(case):
    net, x, y = case
    ref = ReferenceNetwork(net.sizes, net.weights, net.biases)
    ours = net.backprop(x[:, :1], y[:, :1])
    theirs = ref.backprop(x[:, :1], y[:, :1])
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@given(net_and_batch(), st.floats(0.01, 10.0))
def test_trace_arrays_equal_backprop(case, eta):
    net, x, y = case
    trace = trace_backprop(net, x, y, eta=eta)
    nabla_b, nabla_w = net.backprop_batch(x, y)
    traced_b, traced_w = trace.gradients()
    for a, b in zip(traced_b + traced_w, nabla_b + nabla_w):
        np.testing.assert_array_equal(a, b)
    zs, activations = net.forward(x)
    forward = [s for s in trace if s.phase == "forward"]
    for step, z, a in zip(forward, zs, activations[1:]):
        np.testing.assert_array_equal(step.arrays["z"], z)
        np.testing.assert_array_equal(step.arrays["a"], a)
    after = net.copy()
    after.update_batch(x, y, eta)
    updates = [s for s in trace if s.phase == "update"]
    for step, w, b in zip(updates, after.weights, after.biases):
        np.testing.assert_allclose(step.arrays["w_after"], w, rtol=0, atol=1e-12)
        np.testing.assert_allclose(step.arrays["b_after"], b, rtol=0, atol=1e-12)
