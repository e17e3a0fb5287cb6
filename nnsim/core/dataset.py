"""Examples as the training loop wants them: one compact array per set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Examples stored compactly as rows: ``x`` (n, n_in), ``y`` (n, n_out) targets,
    ``labels`` (n,) the class each example belongs to.

    One float32 array per set instead of one Python tuple of column arrays per
    image, so 70,000 digits take about 220 MB rather than several times that.
    """

    x: np.ndarray
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
        return cls(np.asarray(x, dtype=dtype), y, labels)

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

    def subset(self, indices) -> "Dataset":
        return Dataset(self.x[indices], self.y[indices], self.labels[indices])
