"""What every dataset loader returns: the book's three splits, and pixels as the network reads them."""

from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

from nnsim.core.dataset import Dataset
from nnsim.data.cache import DataFile


class _Splits(NamedTuple):
    training: Dataset
    validation: Optional[Dataset]
    test: Dataset
    source: str


class Splits(_Splits):
    """The three sets and a sentence saying where they came from.

    Unpacks as the four fields of the contract; ``files`` additionally lists
    the files read, with their MD5 (reported for local files, whose hashes are
    not required to match the published ones).
    """

    files: tuple[DataFile, ...] = ()

    def with_files(self, files) -> "Splits":
        splits = Splits(*self)
        splits.files = tuple(files)
        return splits


def pixels(images: np.ndarray) -> np.ndarray:
    """uint8 images as float32 rows in [0, 1], made in one allocation."""
    return np.multiply(images.reshape(len(images), -1), np.float32(1 / 255), dtype=np.float32)
