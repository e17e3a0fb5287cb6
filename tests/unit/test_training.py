import numpy as np
import pytest

from nnsim.core import BatchDone, Dataset, Diverged, EpochDone, Network, train
from tests.reference_network import ReferenceNetwork


def toy_data(n=60, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, n_in))
    labels = np.argmax(x[:, :n_out], axis=1)  # learnable: the largest of the first inputs
    return Dataset.from_labels(x, labels, n_out=n_out, dtype=np.float64)


def test_fused_training_equals_the_per_example_reference_over_epochs():
    data = toy_data(n=53)  # 53 / 10: the last mini-batch has 3 examples, as in the seed
    net = Network([6, 5, 4, 3], seed=3, dtype=np.float64)
    ref = ReferenceNetwork(net.sizes, net.weights, net.biases)
    original = [(data.x[i].reshape(-1, 1), data.y[i].reshape(-1, 1)) for i in range(len(data))]
    orders = np.random.default_rng(11)

    def same_shuffle(training_data):
        training_data[:] = [original[i] for i in orders.permutation(len(original))]

    ref.SGD(list(original), 3, 10, 2.5, shuffle=same_shuffle)
    events = list(train(net, data, 3, 10, 2.5, seed=11))
    assert sum(isinstance(e, BatchDone) for e in events) == 3 * 6
    for ours, theirs in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def numbers(events):
    """Every field but the wall-clock time, arrays as lists, so two runs compare with ==."""
    return [(type(e).__name__,) + tuple(v.tolist() if isinstance(v, np.ndarray) else v
                                        for k, v in e._asdict().items() if k != "seconds") for e in events]


def test_same_seed_gives_the_same_events_number_for_number():
    data = toy_data()
    runs = []
    for _ in range(2):
        net = Network([6, 8, 3], seed=7)
        runs.append(numbers(train(net, data, 4, 5, 3.0, test=data, seed=42)))
    assert runs[0] == runs[1]
    other = numbers(train(Network([6, 8, 3], seed=7), data, 4, 5, 3.0, test=data, seed=43))
    assert other != runs[0]


def test_events_describe_the_run_and_learning_happens():
    data = toy_data(n=300)
    net = Network([6, 10, 3], seed=1, dtype=np.float64)
    events = list(train(net, data, 10, 10, 3.0, test=data, seed=0))
    epochs = [e for e in events if isinstance(e, EpochDone)]
    assert [e.epoch for e in epochs] == list(range(10))
    assert all(e.total == 300 for e in epochs)
    assert epochs[-1].correct > 0.8 * 300 > epochs[0].correct - 100
    assert epochs[-1].mean_cost < epochs[0].mean_cost
    batches = [e for e in events if isinstance(e, BatchDone) and e.epoch == 0]
    assert [b.index for b in batches] == list(range(30)) and batches[0].of == 30
    assert epochs[0].log_line() == f"Epoch 0: {epochs[0].correct} / 300"


def test_a_consumer_may_stop_between_events():
    data = toy_data()
    net = Network([6, 4, 3], seed=0)
    before = [w.copy() for w in net.weights]
    stream = train(net, data, 5, 10, 3.0, seed=0)
    first = next(stream)
    assert isinstance(first, BatchDone) and first.index == 0
    after_one = [w.copy() for w in net.weights]
    stream.close()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after_one))
    assert all(np.array_equal(a, b) for a, b in zip(after_one, net.weights))


def test_the_stream_may_be_resumed_from_another_thread():
    # The app pauses training and resumes it from a fresh worker thread: the
    # generator must hold no per-thread state (such as numpy's error state)
    # across a yield.
    import threading

    data = toy_data()
    net = Network([6, 4, 3], seed=0)
    stream = train(net, data, 2, 10, 3.0, test=data, seed=0)
    events = [next(stream)]
    failures = []

    def rest():
        try:
            events.extend(stream)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    worker = threading.Thread(target=rest)
    worker.start()
    worker.join()
    assert failures == []
    assert numbers(events) == numbers(train(Network([6, 4, 3], seed=0), data, 2, 10, 3.0, test=data, seed=0))


def test_divergence_stops_with_an_event_instead_of_garbage():
    data = toy_data()
    net = Network([6, 4, 3], seed=0, dtype=np.float32)
    events = list(train(net, data, 5, 10, 1e40, seed=0))  # η/m overflows float32
    assert isinstance(events[-1], Diverged)
    assert "diverged" in events[-1].message and "eta = 1e+40" in events[-1].message
    assert not any(isinstance(e, EpochDone) for e in events[:-1] if e.epoch > events[-1].epoch)


def test_book_sgd_prints_the_seeds_lines(capsys):
    data = toy_data(n=40)
    training = [(data.x[i].reshape(-1, 1), data.y[i].reshape(-1, 1)) for i in range(40)]
    test = [(data.x[i].reshape(-1, 1), int(data.labels[i])) for i in range(40)]
    net = Network([6, 5, 3], seed=0)
    net.SGD(training, 2, 10, 3.0, test_data=test)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Epoch 0", "Epoch 1"]
    assert lines[1] == f"Epoch 1: {net.evaluate(test)} / 40"
    net.SGD(training, 1, 10, 3.0)
    assert capsys.readouterr().out == "Epoch 0 complete\n"


def test_book_api_shapes():
    net = Network([784, 30, 10])
    assert net.num_layers == 3 and net.sizes == [784, 30, 10]
    assert [w.shape for w in net.weights] == [(30, 784), (10, 30)]
    assert [b.shape for b in net.biases] == [(30, 1), (10, 1)]
    x = np.random.default_rng(0).random((784, 1))
    y = np.zeros((10, 1))
    y[3] = 1
    assert net.feedforward(x).shape == (10, 1)
    nabla_b, nabla_w = net.backprop(x, y)
    assert [g.shape for g in nabla_b] == [(30, 1), (10, 1)]
    assert [g.shape for g in nabla_w] == [(30, 784), (10, 30)]
    np.testing.assert_array_equal(net.cost_derivative(net.feedforward(x), y), net.feedforward(x) - y)


def test_seed_initialisation_is_standard_normal():
    net = Network([400, 300, 10], seed=5)
    w = net.weights[0]
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    assert np.array_equal(Network([3, 2], seed=5).weights[0], Network([3, 2], seed=5).weights[0])


def test_bad_training_arguments():
    with pytest.raises(ValueError):
        list(train(Network([2, 1]), toy_data(n_in=2, n_out=1), 1, 0, 1.0))
    with pytest.raises(ValueError):
        Network([3])


# -- the fused step is the one backprop rule ------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nnsim.core import EtaChanged, EtaSchedule  # noqa: E402
from nnsim.core.dataset import PixelRows  # noqa: E402
from nnsim.core.training import _sgd_step  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 12), min_size=2, max_size=5), m=st.integers(1, 11),
       eta=st.floats(0.01, 10), seed=st.integers(0, 2**31), dtype=st.sampled_from(["float32", "float64"]))
def test_the_fused_step_equals_update_batch(sizes, m, eta, seed, dtype):
    rng = np.random.default_rng(seed)
    x, y = rng.random((sizes[0], m)), rng.random((sizes[-1], m))
    fused, rule = Network(sizes, seed=seed, dtype=dtype), Network(sizes, seed=seed, dtype=dtype)
    cost = _sgd_step(fused.joined_parameters(), x.astype(dtype), y.astype(dtype), eta)
    a = rule.feedforward(x)
    rule.update_batch(x, y, eta)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    assert cost == pytest.approx(0.5 * float(np.sum((a - y) ** 2)), **{"rel": tol["rtol"], "abs": tol["atol"]})
    for ours, theirs in zip(fused.weights + fused.biases, rule.weights + rule.biases):
        np.testing.assert_allclose(ours, theirs, **tol)


def test_events_carry_the_examples_and_the_test_outputs():
    data = toy_data(n=40)
    net = Network([6, 5, 3], seed=2, dtype=np.float64)
    events = list(train(net, data, 2, 10, 3.0, test=data, seed=5))
    orders = np.random.default_rng(5)
    for epoch in range(2):
        order = orders.permutation(40)
        batches = [e for e in events if isinstance(e, BatchDone) and e.epoch == epoch]
        np.testing.assert_array_equal(np.concatenate([b.examples for b in batches]), order)
    last = events[-1]
    assert isinstance(last, EpochDone)
    out = net.feedforward(data.x.T)
    np.testing.assert_allclose(last.outputs, out)
    np.testing.assert_array_equal(last.answers, np.argmax(out, axis=0))
    assert last.test_cost == pytest.approx(0.5 * np.sum((out - data.y.T) ** 2) / 40)
    assert last.cost_text() == f"train cost {last.mean_cost:.3f} · test cost {last.test_cost:.3f}"
    assert EpochDone(0, None, None, 1.0, 0.25).cost_text() == "train cost 0.250"


def test_uint8_pixel_rows_give_the_same_events_as_float_rows():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (57, 16), dtype=np.uint8)
    labels = rng.integers(0, 4, 57)
    rows = PixelRows(images)
    floats = np.multiply(images, np.float32(1 / 255), dtype=np.float32)  # the loaders' float path
    np.testing.assert_array_equal(rows[:], floats)
    np.testing.assert_array_equal(rows[[3, 1]], floats[[3, 1]])
    assert np.asarray(rows).dtype == np.float32 and rows.nbytes == images.nbytes
    for dtype in ("float32", "float64"):
        runs = []
        for x in (rows, floats):
            data = Dataset.from_labels(x, labels, n_out=4)
            test = Dataset.from_labels(x, labels, n_out=4).rows(40, 57)
            runs.append(numbers(train(Network([16, 7, 4], seed=1, dtype=dtype), data, 3, 10, 2.0,
                                      test=test, seed=9)))
        assert runs[0] == runs[1]


def test_an_eta_change_takes_effect_at_the_next_mini_batch_and_replays_number_for_number():
    data = toy_data(n=50)
    schedule = EtaSchedule()
    net = Network([6, 8, 3], seed=4)
    stream = train(net, data, 3, 10, 3.0, test=data, seed=1, schedule=schedule)
    live = []
    for event in stream:
        live.append(event)
        if isinstance(event, BatchDone) and (event.epoch, event.index) == (0, 2):
            schedule.request(0.5)
        if isinstance(event, BatchDone) and (event.epoch, event.index) == (1, 1):
            schedule.request(7.0)
    changes = [e for e in live if isinstance(e, EtaChanged)]
    assert changes == [EtaChanged(0, 3, 0.5), EtaChanged(1, 2, 7.0)]
    assert live.index(changes[0]) == live.index(next(e for e in live if isinstance(e, BatchDone)
                                                       and (e.epoch, e.index) == (0, 3))) - 1
    replayed = list(train(Network([6, 8, 3], seed=4), data, 3, 10, 3.0, test=data, seed=1,
                          schedule=EtaSchedule(changes)))
    assert numbers(replayed) == numbers(live)
    unchanged = numbers(train(Network([6, 8, 3], seed=4), data, 3, 10, 3.0, test=data, seed=1))
    assert unchanged != numbers(live)  # the changes did change the run
    with pytest.raises(ValueError, match="positive"):
        schedule.request(float("nan"))


def _formulas_in_their_order(joined, x, y, eta):
    """The step written plainly, with temporaries: the book's equations in the order the
    fused step rounds them. Equal bit for bit, it pins the fused layout to the maths."""
    m = x.shape[1]
    rows = np.ones((m, x.shape[0] + 1), dtype=joined[0].dtype)
    rows[:, :-1] = x.T
    activations = [rows.T]
    for j in joined:
        a = 1 / (1 + np.exp(-(j @ activations[-1])))  # eq. 3 of z = [w | b] [a | 1]
        activations.append(np.vstack([a, np.ones((1, m), a.dtype)]) if len(activations) < len(joined) else a)
    a = activations[-1]
    delta = a - y.T.T
    cost = 0.5 * float(np.vdot(delta, delta))
    delta = delta * ((1 - a) * a) * a.dtype.type(eta / m)  # BP1, with η/m
    for l in range(len(joined) - 1, -1, -1):
        below = None
        if l:
            h = activations[l][:-1]
            below = (joined[l][:, :-1].T @ delta) * ((1 - h) * h)  # BP2, before the update
        joined[l] -= delta @ activations[l].T  # BP3 and BP4: the update itself
        delta = below
    return cost


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 40), min_size=2, max_size=4), m=st.integers(1, 12),
       eta=st.floats(0.01, 10), seed=st.integers(0, 2**31), dtype=st.sampled_from(["float32", "float64"]))
def test_the_fused_step_is_the_formulas_number_for_number(sizes, m, eta, seed, dtype):
    rng = np.random.default_rng(seed)
    x, y = rng.random((sizes[0], m)).astype(dtype), rng.random((sizes[-1], m)).astype(dtype)
    fused, plain = Network(sizes, seed=seed, dtype=dtype), Network(sizes, seed=seed, dtype=dtype)
    cost = _sgd_step(fused.joined_parameters(), x, y, eta)
    assert cost == _formulas_in_their_order(plain.joined_parameters(), x, y, eta)
    for ours, theirs in zip(fused.joined_parameters(), plain.joined_parameters()):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_evaluation_in_reused_buffers_is_feedforward_number_for_number(dtype):
    from nnsim.core.training import EVALUATION_CHUNK, evaluate

    rng = np.random.default_rng(4)
    raw = rng.integers(0, 256, (EVALUATION_CHUNK + 37, 20), dtype=np.uint8)  # a full chunk and a short one
    net = Network([20, 7, 4], seed=3, dtype=dtype)
    pixels = PixelRows(raw)
    for x in (pixels, np.asarray(pixels)):
        outputs = evaluate(net, x)
        expected = np.hstack([net.feedforward(np.asarray(x[k:k + EVALUATION_CHUNK], dtype=dtype).T)
                              for k in range(0, len(raw), EVALUATION_CHUNK)])
        np.testing.assert_array_equal(outputs, expected)
    assert evaluate(net, pixels.rows(0, 0)).shape == (4, 0)
