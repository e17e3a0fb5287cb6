"""The sigmoid function σ (eq. 3), its derivative σ′, and the step function."""

from __future__ import annotations

import numpy as np


def _as_float(z) -> np.ndarray:
    """Integers and Python numbers become float64; float32 and float64 stay as they are."""
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), element-wise (eq. 3).

    For very negative z, e^(−z) overflows to inf and 1 / (1 + inf) is exactly the
    right limit, 0; only numpy's overflow warning is wrong, so it is silenced here
    rather than clipping z (which would change the values of large |z|).
    """
    z = _as_float(z)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """σ′(z) = σ(z)(1 − σ(z)): the slope of the sigmoid at z."""
    s = sigmoid(z)
    return s * (1 - s)


def step(z):
    """The step function the sigmoid smooths out: 1 where z ≥ 0, else 0.

    The seed's note: at z = 0 the step function gives 1 while a perceptron gives 0
    (its rule is "1 if w·x + b > 0"), so strictly the step must be modified at that
    one point to match a perceptron; :func:`nnsim.core.perceptron.perceptron_rule`
    is that modified version.
    """
    z = _as_float(z)
    return np.where(z >= 0, 1.0, 0.0).astype(z.dtype)[()]


def most_active(output: np.ndarray) -> np.ndarray:
    """The class each column of output activations (n_out, m) is read as: the most
    active output neuron, as the book's ``evaluate`` reads it."""
    return np.argmax(output, axis=0)
