"""Loading saved networks: the round trip, one refusal line per bad file kind, ``--network`` on
``nnsim open`` and ``nnsim draw``, and where the canvas's network comes from."""

from __future__ import annotations

import json
import pickle
import zipfile

import numpy as np
import pytest

from nnsim.cli.main import main
from nnsim.core.network import Network
from nnsim.errors import NnsimError
from nnsim.lessons import load_scenario
from nnsim.lessons.kinds.backprop import backprop_steps
from nnsim.lessons.networks import (
    READER_FILE, config_dir, find_network, last_saved, library_path, load_checked, load_for, load_into,
    remember_saved, remember_trained,
)
from nnsim.lessons.scenario import with_changes


@pytest.fixture
def saved(tmp_path):
    net = Network([784, 16, 10], seed=7)
    path = tmp_path / "reader.npz"
    net.save(path)
    return net, path


def test_round_trip(saved):
    net, path = saved
    loaded = load_checked(path)
    assert loaded.sizes == net.sizes
    for a, b in zip(loaded.weights + loaded.biases, net.weights + net.biases):
        np.testing.assert_array_equal(a, b)


def _bad_files(tmp_path):
    files = {}
    (tmp_path / "text.npz").write_text("not a network\n")
    files["text"] = (tmp_path / "text.npz", "not a .npz archive")
    np.savez(tmp_path / "nosizes.npz", w0=np.zeros((10, 784)))
    files["no sizes"] = (tmp_path / "nosizes.npz", "no sizes array")
    np.savez(tmp_path / "object.npz", sizes=np.array([784, 10]), w0=np.array([None, 1], dtype=object),
             b0=np.zeros((10, 1)))
    files["object arrays"] = (tmp_path / "object.npz", "never unpickles")
    for name, bad in (("nan", np.nan), ("inf", np.inf)):
        w = np.zeros((10, 784))
        w[3, 5] = bad
        np.savez(tmp_path / f"{name}.npz", sizes=np.array([784, 10]), w0=w, b0=np.zeros((10, 1)))
        files[name] = (tmp_path / f"{name}.npz", "NaN or infinite")
    # An absurd shape in the header only: refused before any array is read (no 8 TB allocation).
    header = {"descr": "<f8", "fortran_order": False, "shape": (1_000_000, 1_000_000)}
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as z:
        z.writestr("sizes.npy", _npy(np.array([784, 10])))
        with z.open("w0.npy", "w") as f:
            np.lib.format.write_array_header_1_0(f, header)
    files["absurd shape"] = (tmp_path / "huge.npz", "more than the 2,000,000 parameters")
    np.savez(tmp_path / "mismatch.npz", sizes=np.array([784, 10]), w0=np.zeros((10, 783)), b0=np.zeros((10, 1)))
    files["shapes against sizes"] = (tmp_path / "mismatch.npz", "layer 2")
    Network([784, 16, 5], seed=0).save(tmp_path / "five.npz")
    files["sizes that do not fit"] = (tmp_path / "five.npz", "do not fit")
    files["missing"] = (tmp_path / "absent.npz", "no such file")
    return files


def _npy(a) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, a)
    return buffer.getvalue()


BAD_KINDS = ["text", "no sizes", "object arrays", "nan", "inf", "absurd shape", "shapes against sizes",
             "sizes that do not fit", "missing"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_each_bad_file_is_refused_with_one_line(tmp_path, kind, monkeypatch):
    path, words = _bad_files(tmp_path)[kind]
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    with pytest.raises(NnsimError) as refused:
        load_for(path)
    message = str(refused.value)
    assert words in message and "\n" not in message and message.startswith(str(path))


@pytest.mark.parametrize("kind", ["object arrays", "nan", "sizes that do not fit"])
def test_nnsim_open_and_draw_refuse_a_bad_network_with_exit_2(tmp_path, kind, capsys):
    path, words = _bad_files(tmp_path)[kind]
    assert main(["open", "backprop-digit", "--network", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nnsim: error: {path}") and words in err and err.count("\n") == 1
    assert main(["draw", "--network", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"nnsim: error: {path}")


def test_nnsim_open_backprop_digit_starts_from_the_files_weights(saved, monkeypatch):
    net, path = saved
    from nnsim.tui import app

    calls = []
    monkeypatch.setattr(app, "run", lambda **kw: calls.append(kw) or 0)
    assert main(["open", "backprop-digit", "--network", str(path)]) == 0
    scenario = calls[0]["lesson"]
    steps = backprop_steps(scenario)
    forward = [s.data for s in steps if s.data.phase == "forward" and s.pass_number == 1]
    np.testing.assert_allclose(forward[0].arrays["w"], net.weights[0], rtol=1e-6)
    np.testing.assert_allclose(forward[1].arrays["b"], net.biases[1], rtol=1e-6)
    assert steps[0].context.sizes == [784, 16, 10]  # the file's hidden layer, not the lesson's 30
    # An edit in the debugger (η) keeps the loaded weights.
    edited = with_changes(scenario, {"backprop.eta": 1.0})
    np.testing.assert_allclose(np.asarray(edited.network.weights[0]), net.weights[0], rtol=1e-6)


def test_a_train_lesson_starts_from_the_files_weights(saved):
    from nnsim.lessons.kinds.train import plan_training

    net, path = saved
    scenario = load_into(load_scenario("chapter-run").variant(True), path)
    plan = plan_training(scenario)
    np.testing.assert_allclose(plan.network.weights[0], net.weights[0], rtol=1e-6)
    with pytest.raises(NnsimError, match="not perceptron"):
        load_into(load_scenario("nand"), path)


def test_nnsim_draw_hands_the_network_to_the_app(saved, monkeypatch):
    net, path = saved
    from nnsim.tui.screens.draw import app as draw_app

    seen = []
    monkeypatch.setattr(draw_app.DrawApp, "run", lambda self: seen.append(self.draw_found))
    assert main(["draw", "--network", str(path)]) == 0
    assert seen[0].network.sizes == [784, 16, 10] and "reader.npz" in seen[0].source


def test_where_the_canvas_network_comes_from(saved, tmp_path):
    net, path = saved
    assert config_dir().parent != tmp_path  # the test's own config folder (conftest)
    assert find_network() is None and last_saved() is None
    remember_saved(path)
    assert json.loads((config_dir() / "last-network.json").read_text())["path"] == str(path.resolve())
    assert last_saved() == path.resolve()
    assert find_network().source == "last saved: reader.npz"
    remember_trained(Network([784, 8, 10], seed=1), "2 epochs on sample")
    found = find_network()
    assert found.network.sizes == [784, 8, 10] and found.source == "just trained: 2 epochs on sample"
    assert find_network(path).network.sizes == [784, 16, 10]  # a named file comes first
    path.unlink()
    from nnsim.lessons.networks import forget_trained

    forget_trained()
    assert find_network() is None  # a remembered file that has gone is skipped
    Network([784, 4, 10], seed=2).save(config_dir() / READER_FILE)
    assert find_network().network.sizes == [784, 4, 10]


@pytest.mark.parametrize("name", ["../secret.npz", "/etc/passwd", "sub/net.npz", "..", ""])
def test_served_sessions_load_only_plain_names_from_the_library(tmp_path, name):
    with pytest.raises(NnsimError, match="only a file name in the lesson library"):
        library_path(name, tmp_path)
    assert library_path("reader.npz", tmp_path) == tmp_path / "reader.npz"
