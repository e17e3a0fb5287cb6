"""`nnsim serve` decodes each cached dataset once before the first session: sessions may
not write the cache (the sandbox), so without it each would decode its own copy."""

from __future__ import annotations

import shutil

import numpy as np

from nnsim.data import load_dataset
from nnsim.data.mnist import prepare_decoded

from .conftest import write_book_pickle


def test_a_cached_dataset_gets_its_decoded_copy_and_a_later_load_maps_it(generated, fake_mnist, isolated_cache):
    shutil.copytree(generated.folder, isolated_cache / "mnist")
    decoded = isolated_cache / "decoded" / "mnist"
    assert not decoded.exists()

    lines = prepare_decoded()

    assert lines == [f"MNIST: decoded copy ready in {decoded}"]
    copies = sorted(p.name for p in decoded.iterdir())
    assert len(copies) == 2 and all(name.endswith(".u8.npy") for name in copies)  # train and test images
    decoded.chmod(0o555)  # as a sandboxed session sees it: read-only
    try:
        training, _, test, _ = load_dataset("mnist", validation_size=0, download=False)
        assert isinstance(training.x.raw, np.memmap) and isinstance(test.x.raw, np.memmap)
        np.testing.assert_array_equal(np.asarray(training.x.raw), generated.train_images.reshape(-1, 784))
    finally:
        decoded.chmod(0o755)


def test_nothing_cached_says_nothing_and_a_broken_cache_is_one_line(generated, fake_mnist, isolated_cache):
    assert prepare_decoded() == []

    shutil.copytree(generated.folder, isolated_cache / "mnist")
    labels = isolated_cache / "mnist" / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(bytes(len(labels.read_bytes())))  # the published size, not its MD5
    lines = prepare_decoded()
    assert len(lines) == 1 and lines[0].startswith("MNIST: no shared decoded copy (")
    assert not (isolated_cache / "decoded" / "mnist").exists()


def test_the_books_pickle_has_no_decoded_copy_and_says_so(generated, fake_mnist, isolated_cache):
    pkl = isolated_cache / "mnist" / "mnist.pkl.gz"
    write_book_pickle(generated, pkl)
    fake_mnist(pickle=pkl)

    assert prepare_decoded() == ["MNIST: no shared decoded copy (each session holds the images in its memory)"]
    assert not (isolated_cache / "decoded").exists()
