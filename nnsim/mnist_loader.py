"""The book's ``mnist_loader``, so the chapter's listing runs as printed:

    from nnsim import mnist_loader
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    net = network.Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

The functions return what the book's do — ``load_data()`` the raw
``(images, labels)`` arrays, ``load_data_wrapper()`` lists of ``(x, y)`` with x
a (784, 1) column, y a (10, 1) one-hot column for training and an integer
label for validation and test — but the data comes through :mod:`nnsim.data`:
downloaded from maintained mirrors, checksum-verified, cached, never unpickled
unchecked. The columns are views into one compact array, not copies.

Which data: MNIST unless ``$NNSIM_DATASET`` says ``fashion-mnist`` or
``sample`` (the offline digits bundled with nnsim), or the functions are given
``dataset=`` / ``data_dir=`` (a folder of local files).
"""

from __future__ import annotations

import os
from typing import Any, List, Optional, Tuple

import numpy as np

DATASET_ENV = "NNSIM_DATASET"


def _dataset(dataset: Optional[str]) -> str:
    return dataset or os.environ.get(DATASET_ENV) or "mnist"


def download_mnist(filename: str = "mnist.pkl.gz", dataset: Optional[str] = None) -> None:
    """Make sure the data is in nnsim's cache, downloading it if needed (the book's first step).

    ``filename`` is accepted for the book's signature; nnsim fetches the IDX
    files (or the book's pickle if the mirrors fail) and verifies them.
    """
    from nnsim.data import dataset_dir, fetch
    from nnsim.data.mnist import verified_in_cache
    from nnsim.errors import NnsimError

    name = _dataset(dataset)
    if name == "sample":
        print("Using nnsim's offline sample of MNIST digits (no download needed).")
        return
    if verified_in_cache(name):  # checksums, not just names: a user's own file is moved aside
        print(f"Dataset '{name}' already exists in {dataset_dir(name)}.")
        return
    print(f"Downloading {name}...")
    try:
        fetch(name)
    except NnsimError as error:
        raise NnsimError(f"{error} (from Python: set os.environ['{DATASET_ENV}'] = 'sample' before loading)") from None
    print("Download complete.")


def load_data(dataset: Optional[str] = None, data_dir=None) -> Tuple[Any, Any, Any]:
    """``(training_data, validation_data, test_data)``, each a pair of numpy arrays:
    images (n, 784) float32 in [0, 1] and labels (n,) int64, as in the book's pickle."""
    from nnsim.data import load_dataset

    splits = load_dataset(_dataset(dataset), data_dir=data_dir)

    def pair(data):
        if data is None:  # the sample keeps no validation set
            return np.zeros((0, 784), dtype=np.float32), np.zeros(0, dtype=np.int64)
        return np.asarray(data.x, dtype=np.float32), np.asarray(data.labels, dtype=np.int64)

    return pair(splits.training), pair(splits.validation), pair(splits.test)


def load_data_wrapper(dataset: Optional[str] = None, data_dir=None) -> Tuple[
        List[Tuple[np.ndarray, np.ndarray]], List[Tuple[np.ndarray, int]], List[Tuple[np.ndarray, int]]]:
    """The book's format: training_data is a list of (x, y) with x a (784, 1) image
    column and y a (10, 1) unit vector; validation_data and test_data are lists
    of (x, label) with an integer label."""
    tr_d, va_d, te_d = load_data(dataset, data_dir)
    training_inputs = [np.reshape(x, (784, 1)) for x in tr_d[0]]
    training_results = [vectorized_result(y) for y in tr_d[1]]
    training_data = list(zip(training_inputs, training_results))
    validation_inputs = [np.reshape(x, (784, 1)) for x in va_d[0]]
    validation_data = list(zip(validation_inputs, va_d[1]))
    test_inputs = [np.reshape(x, (784, 1)) for x in te_d[0]]
    test_data = list(zip(test_inputs, te_d[1]))
    return (training_data, validation_data, test_data)


def vectorized_result(j: int) -> np.ndarray:
    """A (10, 1) unit vector with 1.0 at index j: the output the network should give for digit j."""
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e
