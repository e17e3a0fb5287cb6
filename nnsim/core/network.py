"""The chapter's ``Network``: the book's API on top of whole-mini-batch matrix maths.

Names follow the book: ``sizes``, ``num_layers``, ``weights[l]`` of shape
(n_out, n_in) so that a′ = σ(w·a + b), ``biases[l]`` of shape (n_out, 1).
Columns are examples: a mini-batch of m inputs is one (n_in, m) matrix, so the
m examples go through each layer in a single matrix product instead of m
separate ones. The seed's per-example methods (``backprop``,
``update_mini_batch``, ``SGD``, ``evaluate``) are kept and run on that path.
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

import numpy as np

from nnsim.core.activations import most_active, sigmoid
from nnsim.core.dataset import Dataset
from nnsim.core.network_file import read_arrays
from nnsim.core.training import Diverged, EpochDone, train
from nnsim.errors import NnsimError, os_reason, remove_quietly

# One recorded step of a pass: (phase, layer in the book's numbering, the arrays by name).
Record = tuple[str, int, dict]

__all__ = ["Network", "load_network", "most_active"]


class Network:
    """A feedforward network of sigmoid neurons with the quadratic cost."""

    def __init__(self, sizes: Sequence[int], seed: Optional[int] = None, dtype=np.float32):
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or any(n < 1 for n in sizes):
            raise ValueError(f"sizes must be at least 2 positive integers, got {sizes}")
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.dtype = np.dtype(dtype)
        # The seed's initialisation: standard normal weights and biases.
        rng = np.random.default_rng(seed)
        self.biases = [rng.standard_normal((y, 1)).astype(self.dtype) for y in sizes[1:]]
        self.weights = [
            rng.standard_normal((y, x)).astype(self.dtype) for x, y in zip(sizes[:-1], sizes[1:])
        ]

    @classmethod
    def from_arrays(cls, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], dtype=None) -> "Network":
        """A network with these weights (``weights[l]`` of shape (n_out, n_in)) and biases
        (``biases[l]`` of shape (n_out, 1)), copied; ``dtype`` defaults to the weights'.
        Raises ValueError when the shapes do not chain."""
        weights = [np.array(w, dtype=dtype) for w in weights]
        dtype = np.dtype(dtype if dtype is not None else weights[0].dtype if weights else np.float32)
        biases = [np.array(b, dtype=dtype).reshape(-1, 1) for b in biases]
        if not weights or len(weights) != len(biases):
            raise ValueError(f"expected one bias vector per weight matrix, got {len(weights)} and {len(biases)}")
        sizes = [weights[0].shape[1] if weights[0].ndim == 2 else 0] + [len(b) for b in biases]
        for l, (w, b) in enumerate(zip(weights, biases), start=2):
            if w.shape != (sizes[l - 1], sizes[l - 2]) or b.shape != (sizes[l - 1], 1):
                raise ValueError(f"layer {l}: weights {w.shape} and biases {b.shape} do not fit sizes {sizes}")
        net = cls.__new__(cls)
        net.num_layers, net.sizes, net.dtype = len(sizes), sizes, dtype
        net.weights = [w.astype(dtype, copy=False) for w in weights]
        net.biases = biases
        return net

    def joined_parameters(self) -> list[np.ndarray]:
        """Each layer's weights and bias side by side, [w | b], shape (n_out, n_in + 1).

        With a row of ones under the activations, w·a + b is one matrix product and
        the gradients of w and b come out of one product too (the training loop's
        fused step). ``weights`` and ``biases`` become views into these arrays, so
        they always show the current values; if someone has replaced them since,
        they are joined afresh.
        """
        joined = getattr(self, "_joined", None)
        if joined is None or any(
            w.base is not j or b.base is not j for w, b, j in zip(self.weights, self.biases, joined)
        ):
            joined = [np.hstack([w, b]).astype(self.dtype) for w, b in zip(self.weights, self.biases)]
            self.weights = [j[:, :-1] for j in joined]
            self.biases = [j[:, -1:] for j in joined]
            self._joined = joined
        return joined

    # -- the fast path: whole mini-batches as matrices ------------------------

    def forward(self, x: np.ndarray, record: Optional[list[Record]] = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Feed a batch of column inputs forward, keeping every layer's z and a.

        Returns ``(zs, activations)`` as the seed's ``backprop`` keeps them:
        ``activations[0]`` is x and ``zs[i]``, ``activations[i + 1]`` belong to
        layer i + 2 in the book's numbering. ``record``: see :meth:`backprop_batch`.
        """
        activation = np.asarray(x, dtype=self.dtype)
        activations = [activation]
        zs = []
        for l, (b, w) in enumerate(zip(self.biases, self.weights), start=2):
            z = w @ activation + b
            a = sigmoid(z)
            if record is not None:
                record.append(("forward", l, dict(a_prev=activation, w=w.copy(), b=b.copy(), z=z, a=a)))
            zs.append(z)
            activations.append(a)
            activation = a
        return zs, activations

    def backprop_batch(self, x: np.ndarray, y: np.ndarray, record: Optional[list[Record]] = None):
        """Gradient of the quadratic cost summed over the columns of x and y.

        Returns ``(nabla_b, nabla_w)`` shaped like ``biases`` and ``weights``.
        For one column this is exactly the seed's ``backprop``. With ``record`` (a
        list), every step of the pass is appended to it as ``(phase, layer, arrays)``
        in the order it is computed: the input, each layer's feedforward, the cost,
        BP1, BP2 for each layer on the way back, BP3 and BP4 for each layer. That
        list is what :func:`nnsim.core.trace.trace_backprop` turns into a trace, so
        the debugger shows this very arithmetic, not a copy of it.
        """
        x = np.asarray(x, dtype=self.dtype)
        y = np.asarray(y, dtype=self.dtype)
        keep = record.append if record is not None else None
        if keep:
            keep(("input", 1, dict(x=x, a=x, y=y)))
        zs, activations = self.forward(x, record)
        L = self.num_layers
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        # σ′(z) = a(1 − a): the activations already hold σ(z).
        a = activations[-1]
        if keep:
            keep(("cost", L, dict(a=a, y=y, cost=0.5 * np.sum((a - y) ** 2, axis=0, keepdims=True))))
        sp = a * (1 - a)
        delta = self.cost_derivative(a, y) * sp  # BP1
        if keep:
            keep(("output_error", L, dict(a=a, y=y, z=zs[-1], sigmoid_prime=sp, delta=delta)))
        for l in range(L, 1, -1):
            if l < L:
                a = activations[l - 1]
                sp = a * (1 - a)
                delta_next = delta
                delta = (self.weights[l - 1].T @ delta_next) * sp  # BP2
                if keep:
                    keep(("backward", l, dict(w_next=self.weights[l - 1].copy(), delta_next=delta_next, z=zs[l - 2],
                                              sigmoid_prime=sp, delta=delta)))
            nabla_b[l - 2] = delta.sum(axis=1, keepdims=True)  # BP3
            nabla_w[l - 2] = delta @ activations[l - 2].T  # BP4
            if keep:
                keep(("gradient", l, dict(delta=delta, a_prev=activations[l - 2], nabla_b=nabla_b[l - 2],
                                          nabla_w=nabla_w[l - 2])))
        return nabla_b, nabla_w

    def updated(self, nabla_b, nabla_w, eta: float, m: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The weights and biases one gradient step would give, w − (η/m)∇w and
        b − (η/m)∇b, as new arrays (the network is not changed)."""
        step = self.dtype.type(eta / m)
        return ([w - step * nw for w, nw in zip(self.weights, nabla_w)],
                [b - step * nb for b, nb in zip(self.biases, nabla_b)])

    def apply_gradient(self, nabla_b, nabla_w, eta: float, m: int) -> None:
        """The update rule w → w − (η/m)∇w, b → b − (η/m)∇b, in place."""
        step = self.dtype.type(eta / m)
        for w, nw in zip(self.weights, nabla_w):
            w -= step * nw
        for b, nb in zip(self.biases, nabla_b):
            b -= step * nb

    def update_batch(self, x: np.ndarray, y: np.ndarray, eta: float) -> None:
        """One gradient-descent step on a mini-batch given as (n_in, m) and (n_out, m)."""
        nabla_b, nabla_w = self.backprop_batch(x, y)
        self.apply_gradient(nabla_b, nabla_w, eta, np.shape(x)[1])

    def classify(self, x: np.ndarray) -> np.ndarray:
        """The digit each column of x is read as: the most active output neuron."""
        return most_active(self.feedforward(x))

    # -- the book's API --------------------------------------------------------

    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """Return the network's output for input a, a (n_in, 1) column or (n_in, m) batch."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ np.asarray(a, dtype=self.dtype) + b)
        return a

    def backprop(self, x: np.ndarray, y: np.ndarray):
        """``(nabla_b, nabla_w)``: the gradient of the cost for one example (x, y)."""
        return self.backprop_batch(x, y)

    def update_mini_batch(self, mini_batch, eta: float) -> None:
        """Apply gradient descent to a list of (x, y) tuples, as one matrix product."""
        x = np.hstack([x for x, _ in mini_batch])
        y = np.hstack([y for _, y in mini_batch])
        self.update_batch(x, y, eta)

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float,
            test_data=None, seed: Optional[int] = None) -> None:
        """Mini-batch stochastic gradient descent, printing the seed's epoch lines.

        ``training_data`` is the seed's list of (x, y) tuples (or a
        :class:`~nnsim.core.dataset.Dataset`); ``test_data`` the seed's list of
        (x, label) tuples. Prints ``Epoch 0: 9033 / 10000`` after each epoch, or
        ``Epoch 0 complete`` without test data, exactly as the book does.
        """
        training = Dataset.from_pairs(training_data)
        test = Dataset.from_pairs(test_data) if test_data else None
        for event in train(self, training, epochs, mini_batch_size, eta, test=test, seed=seed):
            if isinstance(event, EpochDone):
                if test is not None:
                    print("Epoch {0}: {1} / {2}".format(event.epoch, event.correct, event.total))
                else:
                    print("Epoch {0} complete".format(event.epoch))
            elif isinstance(event, Diverged):
                print(event.message)
                return

    def evaluate(self, test_data) -> int:
        """How many test inputs the network classifies correctly."""
        test = Dataset.from_pairs(test_data)
        return int(np.sum(self.classify(test.x.T) == test.labels))

    def cost_derivative(self, output_activations: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂C_x/∂a for the quadratic cost: (a − y)."""
        return output_activations - y

    # -- copies, save and load -------------------------------------------------

    def copy(self) -> "Network":
        return Network.from_arrays(self.weights, self.biases, self.dtype)

    def astype(self, dtype) -> "Network":
        return Network.from_arrays(self.weights, self.biases, dtype)

    def save(self, path) -> None:
        """Save as ``.npz`` of plain arrays (no pickle). Written to a temporary
        file first, so an interrupted save never leaves a half-written model."""
        path = os.fspath(path)
        arrays = {"sizes": np.array(self.sizes, dtype=np.int64)}
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            arrays[f"w{i}"], arrays[f"b{i}"] = w, b
        tmp = path + ".part"
        try:
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, path)
        except BaseException as error:
            remove_quietly(tmp)  # a full disk or Ctrl+C mid-write leaves nothing behind
            if isinstance(error, OSError):
                raise NnsimError(f"cannot save the model to {path}: {os_reason(error)}") from None
            raise

    @property
    def parameter_count(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def __repr__(self) -> str:
        return f"Network({self.sizes}, dtype={self.dtype.name})"


def load_network(path) -> Network:
    """Load a network saved by :meth:`Network.save`. Raises BadNetworkFile (an
    NnsimError and a ValueError) with one line for anything else, before
    allocating more than the file's parameter limit allows."""
    weights, biases = read_arrays(path)
    return Network.from_arrays(weights, biases)
