"""A drawn digit and what the network makes of it (UI-free: the draw screen, tests and scripts use it).

:class:`Drawing` is the 28×28 sheet a learner draws on, with a soft pen: each dab
inks a small disc that fades at its rim, the way MNIST's anti-aliased scans of
pen strokes look, and ink only ever darkens (max) so going over a stroke twice
does not make it thicker.

:func:`preprocess` turns a sheet into the network's input as MNIST made its
digits (LeCun, Cortes and Burges): the ink's bounding box is scaled to fit a
20×20 box keeping its aspect ratio (anti-aliased resampling), and the result is
placed in the 28×28 field so that its centre of mass sits at the field's centre.

:func:`read_digit` is the network's reading: the ten output activations, the
most active neuron and the margin between the two largest outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np

SIDE = 28
FIT = 20  # MNIST: the digit's bounding box is scaled to fit 20×20
# Where the centre of mass goes, in pixel-index coordinates. MNIST's own digits put it
# within half a pixel of (14, 14) (measured on the offline sample: every one of them lies in
# [13.5, 14.5)), i.e. whole-pixel shifts that round the centre of mass to pixel 14.
CENTRE = SIDE / 2
BRUSH_RADIUS = 1.6  # pixels: a dab inks about three pixels across, as MNIST's pen did
INK_THRESHOLD = 0.02  # lighter than this is paper when finding the ink's bounding box


def brush(radius: float = BRUSH_RADIUS) -> np.ndarray:
    """The pen's dab: 1 at the centre, falling off as 1 − (d/r)² to 0 at distance ``radius``."""
    reach = int(np.ceil(radius))
    d = np.arange(-reach, reach + 1)
    dist2 = d[:, None] ** 2 + d[None, :] ** 2
    return np.clip(1.0 - dist2 / radius ** 2, 0.0, 1.0)


_BRUSH = brush()


class Drawing:
    """A 28×28 sheet of ink in [0, 1], row by row as MNIST stores a digit."""

    def __init__(self, ink: Optional[np.ndarray] = None) -> None:
        self.ink = np.zeros((SIDE, SIDE)) if ink is None else np.clip(np.array(ink, dtype=float).reshape(SIDE, SIDE), 0, 1)

    def dab(self, row: int, column: int) -> None:
        """Ink one dab of the soft pen centred on pixel (row, column)."""
        reach = _BRUSH.shape[0] // 2
        for dr in range(-reach, reach + 1):
            r = row + dr
            if not 0 <= r < SIDE:
                continue
            for dc in range(-reach, reach + 1):
                c = column + dc
                if 0 <= c < SIDE:
                    self.ink[r, c] = max(self.ink[r, c], _BRUSH[dr + reach, dc + reach])

    def erase(self, row: int, column: int) -> None:
        """Rub out the pixel (row, column) and its four neighbours (an eraser a little wider
        than the pen's core, so one pass clears a stroke)."""
        for dr, dc in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
            r, c = row + dr, column + dc
            if 0 <= r < SIDE and 0 <= c < SIDE:
                self.ink[r, c] = 0.0

    def set_pixel(self, row: int, column: int, value: float) -> None:
        """Set one pixel's ink exactly (a digit copied pixel for pixel)."""
        self.ink[row, column] = min(max(float(value), 0.0), 1.0)

    def stroke(self, points: Iterable[tuple[float, float]]) -> None:
        """Dab along the polyline through ``points`` (row, column), one dab per pixel step."""
        points = list(points)
        for (r0, c0), (r1, c1) in zip(points, points[1:] or points):
            for r, c in line(r0, c0, r1, c1):
                self.dab(r, c)

    def clear(self) -> None:
        self.ink[:] = 0.0

    @property
    def empty(self) -> bool:
        return not bool(np.any(self.ink > INK_THRESHOLD))

    def input(self) -> np.ndarray:
        """The network's input for this sheet: :func:`preprocess` as a (784, 1) column."""
        return preprocess(self.ink).reshape(-1, 1)


def line(r0: float, c0: float, r1: float, c1: float) -> list[tuple[int, int]]:
    """The pixels from (r0, c0) to (r1, c1), both ends included, one per step of the longer
    axis (so a drag that skipped pixels between two mouse events still leaves a line)."""
    steps = int(max(abs(r1 - r0), abs(c1 - c0)))
    if steps == 0:
        return [(int(round(r0)), int(round(c0)))]
    out = []
    for i in range(steps + 1):
        t = i / steps
        p = (int(round(r0 + (r1 - r0) * t)), int(round(c0 + (c1 - c0) * t)))
        if not out or out[-1] != p:
            out.append(p)
    return out


# -- MNIST's preprocessing -----------------------------------------------------------

def bounding_box(ink: np.ndarray, threshold: float = INK_THRESHOLD) -> Optional[tuple[int, int, int, int]]:
    """(top, bottom, left, right), inclusive, of the pixels darker than ``threshold``; None if blank."""
    rows = np.flatnonzero(np.any(ink > threshold, axis=1))
    cols = np.flatnonzero(np.any(ink > threshold, axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """The (n_out, n_in) matrix of a linear (tent) filter from n_in pixels to n_out.

    Output pixel i covers source coordinates around c = (i + ½)·n_in/n_out − ½; the
    tent is one source pixel wide when enlarging and n_in/n_out wide when shrinking,
    so shrinking averages (anti-aliases) instead of dropping pixels. Rows sum to 1.
    """
    scale = n_out / n_in
    support = max(1.0, 1.0 / scale)
    centres = (np.arange(n_out) + 0.5) / scale - 0.5
    j = np.arange(n_in)
    weights = np.clip(1.0 - np.abs(j[None, :] - centres[:, None]) / support, 0.0, None)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """The ink-weighted mean (row, column) of an image."""
    total = image.sum()
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def preprocess(ink: np.ndarray) -> np.ndarray:
    """A 28×28 sheet as MNIST would have stored it: bounding box → fit 20×20 → centre of mass
    at the field's centre. Returns a (28, 28) array in [0, 1]; a blank sheet stays blank."""
    ink = np.asarray(ink, dtype=float).reshape(SIDE, SIDE)
    box = bounding_box(ink)
    if box is None:
        return np.zeros((SIDE, SIDE))
    top, bottom, left, right = box
    crop = ink[top:bottom + 1, left:right + 1]
    h, w = crop.shape
    scale = FIT / max(h, w)
    out_h, out_w = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
    fitted = resample_matrix(h, out_h) @ crop @ resample_matrix(w, out_w).T
    fitted = np.clip(fitted, 0.0, 1.0)
    com_r, com_c = centre_of_mass(fitted)
    # Whole-pixel shifts, as MNIST's: the digit's pixels stay sharp (halves round up).
    top_left = (int(np.floor(CENTRE - com_r + 0.5)), int(np.floor(CENTRE - com_c + 0.5)))
    return paste(fitted, top_left)


def paste(image: np.ndarray, top_left: tuple[int, int]) -> np.ndarray:
    """``image`` placed on a blank 28×28 field with its pixel (0, 0) at ``top_left``
    (whatever falls outside the field is cut off)."""
    field = np.zeros((SIDE, SIDE))
    r0, c0 = top_left
    h, w = image.shape
    rs, re = max(0, r0), min(SIDE, r0 + h)
    cs, ce = max(0, c0), min(SIDE, c0 + w)
    if rs < re and cs < ce:
        field[rs:re, cs:ce] = image[rs - r0:re - r0, cs - c0:ce - c0]
    return field


# -- the network's reading -----------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    """What the network makes of an input: ``outputs`` (the ten activations), the
    ``digit`` it reads (the most active output), the ``runner_up`` and the ``margin``
    between their activations (how sure it is)."""

    outputs: np.ndarray
    digit: int
    runner_up: int
    margin: float

    def sentence(self, names=None) -> str:
        """One line for the screen: "reads 7 (margin 0.62 over 1)"."""
        name = (lambda k: str(names[k])) if names else str
        return f"reads {name(self.digit)} (margin {self.margin:.2f} over {name(self.runner_up)})"


def read_digit(network, x: np.ndarray) -> Reading:
    """The network's reading of one input x (784 values, any shape)."""
    a = np.asarray(network.feedforward(np.asarray(x, dtype=float).reshape(-1, 1)), dtype=float).ravel()
    order = np.argsort(-a, kind="stable")
    top, second = int(order[0]), int(order[1]) if a.size > 1 else int(order[0])
    return Reading(a, top, second, float(a[top] - a[second]))


def one_hot(label: int, classes: int = 10) -> np.ndarray:
    """The target y for a true label: a (classes, 1) column with a 1 at ``label``."""
    y = np.zeros((classes, 1))
    y[int(label)] = 1.0
    return y


def gradient_step(network, x: np.ndarray, label: int, eta: float):
    """A copy of ``network`` after one gradient-descent step on this one example
    (w → w − η∇w, b → b − η∇b, m = 1); the network itself is not changed."""
    stepped = network.copy()
    stepped.update_batch(np.asarray(x, dtype=float).reshape(-1, 1), one_hot(label, network.sizes[-1]), eta)
    return stepped
