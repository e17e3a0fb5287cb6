"""Gradient checking: backprop's answer against central finite differences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np

from nnsim.core.network import Network

# Gradients smaller than this are compared absolutely: central differences can
# not resolve, say, 1e-9 to six significant figures, only to about 1e-11.
RELATIVE_ERROR_FLOOR = 1e-4


@dataclass(frozen=True)
class GradientCheck:
    """One parameter checked: ``kind`` is "w" or "b", ``layer`` the book's layer
    number, ``index`` (j, k) into ``weights[layer - 2]`` or ``biases[layer - 2]``."""

    kind: str
    layer: int
    index: tuple[int, int]
    backprop: float
    numeric: float
    relative_error: float

    @property
    def name(self) -> str:
        j, k = self.index
        return f"w{self.layer}[{j},{k}]" if self.kind == "w" else f"b{self.layer}[{j}]"


def all_parameters(net: Network) -> list[tuple[str, int, tuple[int, int]]]:
    params = []
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        params += [("w", i + 2, (j, k)) for j in range(w.shape[0]) for k in range(w.shape[1])]
        params += [("b", i + 2, (j, 0)) for j in range(b.shape[0])]
    return params


def sample_parameters(net: Network, count: int, seed: int = 0) -> list[tuple[str, int, tuple[int, int]]]:
    """``count`` parameters picked at random, for networks too big to check whole."""
    params = all_parameters(net)
    if count >= len(params):
        return params
    picks = np.random.default_rng(seed).choice(len(params), size=count, replace=False)
    return [params[i] for i in sorted(picks)]


def gradient_check(
    net: Network,
    x: np.ndarray,
    y: np.ndarray,
    params: Optional[Iterable[tuple[str, int, tuple[int, int]]]] = None,
    epsilon: float = 1e-5,
) -> list[GradientCheck]:
    """Compare ∂C/∂θ from backprop with (C(θ + ε) − C(θ − ε)) / 2ε, in float64.

    C is the quadratic cost summed over the columns of x, the quantity whose
    gradient ``backprop`` returns. The difference of the two costs is computed as
    ½ Σ (a₊ − a₋)(a₊ + a₋ − 2y), which avoids subtracting two nearly equal totals.
    The relative error is |g − n| / max(|g|, |n|, RELATIVE_ERROR_FLOOR).
    """
    net64 = net.astype(np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim == 1:
        x, y = x[:, None], y.reshape(-1, 1)
    nabla_b, nabla_w = net64.backprop_batch(x, y)
    results = []
    for kind, layer, (j, k) in (params if params is not None else all_parameters(net64)):
        array = (net64.weights if kind == "w" else net64.biases)[layer - 2]
        original = array[j, k]
        array[j, k] = original + epsilon
        a_plus = net64.feedforward(x)
        array[j, k] = original - epsilon
        a_minus = net64.feedforward(x)
        array[j, k] = original
        numeric = 0.5 * float(np.sum((a_plus - a_minus) * (a_plus + a_minus - 2 * y))) / (2 * epsilon)
        analytic = float((nabla_w if kind == "w" else nabla_b)[layer - 2][j, k])
        scale = max(abs(analytic), abs(numeric), RELATIVE_ERROR_FLOOR)
        results.append(GradientCheck(kind, layer, (j, k), analytic, numeric, abs(analytic - numeric) / scale))
    return results
