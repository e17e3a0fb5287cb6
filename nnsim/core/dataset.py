"""Examples as the training loop wants them: one compact array per set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np

PIXEL_SCALE = np.float32(1 / 255)
"""uint8 pixel → float32 in [0, 1], one float32 multiplication (as the loaders convert)."""


class PixelRows:
    """Images kept as uint8 rows (n, n_in), often memory-mapped from a decoded cache
    file, that read as float32 in [0, 1].

    Indexing converts only what it returns, so a training set costs a quarter of
    its float32 size, and processes that map the same file share one copy in
    the page cache. ``np.asarray`` converts the whole set (avoid it on large
    sets); the training loop converts each mini-batch into a reused buffer.
    """

    dtype = np.dtype(np.float32)
    ndim = 2

    def __init__(self, raw: np.ndarray, scale=PIXEL_SCALE) -> None:
        if raw.dtype != np.uint8 or raw.ndim != 2:
            raise ValueError(f"expected (n, n_in) uint8 rows, got {raw.shape} {raw.dtype}")
        self.raw, self.scale = raw, np.float32(scale)

    @property
    def shape(self) -> tuple[int, int]:
        return self.raw.shape

    @property
    def nbytes(self) -> int:
        return self.raw.nbytes

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, key) -> np.ndarray:
        return np.multiply(self.raw[key], self.scale, dtype=np.float32)

    def rows(self, start: int, stop: int) -> "PixelRows":
        """Rows start to stop, still uint8 (a view, nothing converted)."""
        return PixelRows(self.raw[start:stop], self.scale)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype, copy=False)

    @property
    def T(self) -> np.ndarray:  # noqa: N802 (numpy's name)
        return self[:].T


Rows = Union[np.ndarray, PixelRows]


def row_sums(x: Rows) -> np.ndarray:
    """Each row's sum (an image's darkness) in float64, without a float copy of the set."""
    if isinstance(x, PixelRows):
        return x.raw.sum(axis=1, dtype=np.uint64) * np.float64(x.scale)
    return np.asarray(x).sum(axis=1, dtype=np.float64)


@dataclass(frozen=True)
class Dataset:
    """Examples stored compactly as rows: ``x`` (n, n_in), ``y`` (n, n_out) targets,
    ``labels`` (n,) the class each example belongs to.

    One float32 array per set instead of one Python tuple of column arrays per
    image, so 70,000 digits take about 220 MB rather than several times that.
    """

    x: Rows
    y: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        if not (len(self.x) == len(self.y) == len(self.labels)):
            raise ValueError(
                f"x, y and labels disagree in count: {len(self.x)}, {len(self.y)}, {len(self.labels)}"
            )

    def __len__(self) -> int:
        return len(self.x)

    @classmethod
    def from_labels(cls, x: np.ndarray, labels: np.ndarray, n_out: int = 10,
                    dtype=np.float32) -> "Dataset":
        """Targets as the seed's one-hot vectors: 1.0 at the label's index."""
        labels = np.asarray(labels, dtype=np.int64)
        y = np.zeros((len(labels), n_out), dtype=dtype)
        y[np.arange(len(labels)), labels] = 1.0
        return cls(x if isinstance(x, PixelRows) else np.asarray(x, dtype=dtype), y, labels)

    @classmethod
    def from_pairs(cls, pairs, n_out: int = 10) -> "Dataset":
        """The seed's lists of (x, y) tuples: x a (n_in, 1) column, y a (n_out, 1)
        one-hot column (training data) or an integer label (test data)."""
        if isinstance(pairs, Dataset):
            return pairs
        pairs = list(pairs)
        if not pairs:
            raise ValueError("no examples")
        x = np.stack([np.ravel(p[0]) for p in pairs])
        first_y = pairs[0][1]
        if np.ndim(first_y) == 0:
            return cls.from_labels(x, [int(p[1]) for p in pairs], n_out, dtype=x.dtype)
        y = np.stack([np.ravel(p[1]) for p in pairs])
        return cls(x, y, np.argmax(y, axis=1))

    def rows(self, start: int, stop: int) -> "Dataset":
        """Examples start to stop, as views (uint8 images stay uint8)."""
        x = self.x.rows(start, stop) if isinstance(self.x, PixelRows) else self.x[start:stop]
        return Dataset(x, self.y[start:stop], self.labels[start:stop])

    def subset(self, indices) -> "Dataset":
        return Dataset(self.x[indices], self.y[indices], self.labels[indices])
