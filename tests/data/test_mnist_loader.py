"""The book's loader API: same shapes and types as the seed's, and the chapter's listing runs."""

from __future__ import annotations

import gzip
import pickle
import re
from contextlib import redirect_stdout
from io import StringIO

import numpy as np
import pytest

from nnsim import mnist_loader


def seed_load_data_wrapper(path):
    """The seed's own code (its load_data and load_data_wrapper), on a trusted test file."""
    with gzip.open(path, "rb") as f:
        tr_d, va_d, te_d = pickle.load(f, encoding="latin1")
    training_inputs = [np.reshape(x, (784, 1)) for x in tr_d[0]]
    training_results = [mnist_loader.vectorized_result(y) for y in tr_d[1]]
    training_data = list(zip(training_inputs, training_results))
    validation_inputs = [np.reshape(x, (784, 1)) for x in va_d[0]]
    validation_data = list(zip(validation_inputs, va_d[1]))
    test_inputs = [np.reshape(x, (784, 1)) for x in te_d[0]]
    test_data = list(zip(test_inputs, te_d[1]))
    return (training_data, validation_data, test_data)


@pytest.fixture
def book_folder(tmp_path):
    """A folder holding a small file in the layout of the book's mnist.pkl.gz."""
    rng = np.random.default_rng(3)
    sets = tuple(((rng.integers(0, 256, (n, 784)) / 256).astype(np.float32), rng.integers(0, 10, n).astype(np.int64))
                 for n in (40, 12, 15))
    folder = tmp_path / "book"
    folder.mkdir()
    with gzip.open(folder / "mnist.pkl.gz", "wb") as f:
        pickle.dump(sets, f, protocol=2)
    return folder


def test_vectorized_result_is_the_books():
    e = mnist_loader.vectorized_result(3)
    assert e.shape == (10, 1) and e.dtype == np.float64
    assert e[3, 0] == 1.0 and e.sum() == 1.0


def test_load_data_returns_the_pickles_arrays(book_folder):
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = mnist_loader.load_data(data_dir=book_folder)
    with gzip.open(book_folder / "mnist.pkl.gz") as f:
        expected = pickle.load(f, encoding="latin1")
    for got, want in zip(((tr_x, tr_y), (va_x, va_y), (te_x, te_y)), expected):
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
        assert got[0].dtype == want[0].dtype == np.float32 and got[1].dtype == want[1].dtype == np.int64


def test_load_data_wrapper_equals_the_seeds_in_shape_type_and_value(book_folder):
    ours = mnist_loader.load_data_wrapper(data_dir=book_folder)
    theirs = seed_load_data_wrapper(book_folder / "mnist.pkl.gz")
    for our_set, their_set in zip(ours, theirs):
        assert type(our_set) is list and len(our_set) == len(their_set)
        for (x, y), (sx, sy) in zip(our_set, their_set):
            assert type(x) is type(sx) and x.shape == sx.shape == (784, 1) and x.dtype == sx.dtype
            np.testing.assert_array_equal(x, sx)
            assert type(y) is type(sy)
            if isinstance(sy, np.ndarray):
                assert y.shape == sy.shape == (10, 1) and y.dtype == sy.dtype
                np.testing.assert_array_equal(y, sy)
            else:
                assert y == sy and isinstance(y, np.integer)


def test_the_columns_are_views_not_copies(book_folder):
    training_data, _, test_data = mnist_loader.load_data_wrapper(data_dir=book_folder)
    assert training_data[0][0].base is not None and test_data[0][0].base is not None


LISTING = """
from nnsim.mnist_loader import download_mnist, load_data_wrapper
from nnsim import Network

# Run this before calling load_data_wrapper()
download_mnist()
# Load data and initialize a network with 784 inputs, 30 hidden, and 10 outputs
training_data, validation_data, test_data = load_data_wrapper()
net = Network([784, 30, 10])
# Run SGD for 30 epochs with batch size 10 and learning rate 3.0
net.SGD(training_data, 30, 10, 3.0, test_data=test_data)
"""


def test_the_chapters_listing_runs_as_printed_on_the_offline_sample(monkeypatch):
    monkeypatch.setenv("NNSIM_DATASET", "sample")
    # The listing as printed is unseeded (OS entropy), and about 1 run in 30 stayed below
    # the bound: seed numpy's generators for this run only, without touching the listing.
    real = np.random.default_rng
    monkeypatch.setattr(np.random, "default_rng", lambda seed=None: real(0 if seed is None else seed))
    out = StringIO()
    with redirect_stdout(out):
        exec(compile(LISTING, "listing", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == "Using nnsim's offline sample of MNIST digits (no download needed)."
    epochs = [re.fullmatch(r"Epoch (\d+): (\d+) / 500", line) for line in lines[1:]]
    assert len(epochs) == 30 and all(epochs)
    assert [int(m.group(1)) for m in epochs] == list(range(30))
    assert max(int(m.group(2)) for m in epochs) >= 350  # real digits are learnt: at least 70%


def test_download_mnist_reports_a_cached_dataset(generated, mirror, fake_mnist, capsys):
    fake_mnist(mirrors=[mirror.serve("a", generated.files())])
    mnist_loader.download_mnist()
    assert capsys.readouterr().out.splitlines() == ["Downloading mnist...", "Download complete."]
    mnist_loader.download_mnist()
    assert "Dataset 'mnist' already exists in " in capsys.readouterr().out


def test_download_mnist_offline_points_to_the_sample(fake_mnist, mirror):
    from nnsim.errors import NnsimError

    fake_mnist(mirrors=[f"{mirror.url}/none/"])
    with pytest.raises(NnsimError, match=r"os.environ\['NNSIM_DATASET'\] = 'sample'"):
        mnist_loader.download_mnist()
