import json

import numpy as np
import pytest

from nnsim.core import Network, load_network, trace_backprop
from nnsim.core.trace import PHASES, Trace


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_load_round_trip_is_exact(tmp_path, dtype):
    net = Network([5, 4, 3, 2], seed=9, dtype=dtype)
    path = tmp_path / "model.npz"
    net.save(path)
    back = load_network(path)
    assert back.sizes == net.sizes and back.num_layers == 4 and back.dtype == dtype
    for a, b in zip(net.weights + net.biases, back.weights + back.biases):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert not list(tmp_path.glob("*.part"))


def test_load_refuses_what_is_not_a_network(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="bad.npz: not an nnsim network file"):
        load_network(bad)
    mismatched = tmp_path / "mismatch.npz"
    np.savez(mismatched, sizes=np.array([3, 2]), w0=np.zeros((2, 4)), b0=np.zeros((2, 1)))
    with pytest.raises(ValueError, match="do not match"):
        load_network(mismatched)


def test_trace_of_one_example_has_every_phase_in_order():
    net = Network([2, 3, 2], seed=0, dtype=np.float64)
    trace = trace_backprop(net, np.array([[0.5], [0.25]]), np.array([[1.0], [0.0]]), eta=3.0)
    assert [(s.phase, s.layer) for s in trace] == [
        ("input", 1), ("forward", 2), ("forward", 3), ("cost", 3), ("output_error", 3),
        ("gradient", 3), ("backward", 2), ("gradient", 2), ("update", 2), ("update", 3)]
    assert {s.phase for s in trace} == set(PHASES)
    assert trace[6].equation == "BP2: δ² = ((w³)ᵀ δ³) ⊙ σ′(z²)"
    assert trace[5].arrays["nabla_w"].shape == (2, 3)
    assert [s.index for s in trace] == list(range(len(trace)))


def test_trace_json_lines_round_trip(tmp_path):
    net = Network([3, 4, 2], seed=1)  # float32: the round trip must keep the dtype exactly
    rng = np.random.default_rng(0)
    trace = trace_backprop(net, rng.random((3, 5)), rng.random((2, 5)), eta=0.5)
    path = tmp_path / "trace.jsonl"
    trace.save_jsonl(path)
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {"trace": {"sizes": [3, 4, 2], "m": 5, "eta": 0.5}}
    back = Trace.from_jsonl(path.read_text())
    assert len(back) == len(trace)
    for a, b in zip(trace, back):
        assert (a.phase, a.layer, a.title, a.equation) == (b.phase, b.layer, b.title, b.equation)
        assert a.arrays.keys() == b.arrays.keys()
        for name in a.arrays:
            assert a.arrays[name].dtype == b.arrays[name].dtype
            np.testing.assert_array_equal(a.arrays[name], b.arrays[name])
    with pytest.raises(ValueError, match="not an nnsim trace"):
        Trace.from_jsonl("{}\n")
