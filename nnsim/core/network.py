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

from nnsim.core.activations import sigmoid


def most_active(output: np.ndarray) -> np.ndarray:
    """The class each column of output activations (n_out, m) is read as: the most
    active output neuron, as the book's ``evaluate`` reads it."""
    return np.argmax(output, axis=0)


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

    # -- the fast path: whole mini-batches as matrices ------------------------

    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Feed a batch of column inputs forward, keeping every layer's z and a.

        Returns ``(zs, activations)`` as the seed's ``backprop`` keeps them:
        ``activations[0]`` is x and ``zs[i]``, ``activations[i + 1]`` belong to
        layer i + 2 in the book's numbering.
        """
        activation = np.asarray(x, dtype=self.dtype)
        activations = [activation]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = w @ activation + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        return zs, activations

    def backprop_batch(self, x: np.ndarray, y: np.ndarray):
        """Gradient of the quadratic cost summed over the columns of x and y.

        Returns ``(nabla_b, nabla_w)`` shaped like ``biases`` and ``weights``.
        For one column this is exactly the seed's ``backprop``.
        """
        zs, activations = self.forward(x)
        y = np.asarray(y, dtype=self.dtype)
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        # σ′(z) = a(1 − a): the activations already hold σ(z).
        a = activations[-1]
        delta = self.cost_derivative(a, y) * (a * (1 - a))  # BP1
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)  # BP3
        nabla_w[-1] = delta @ activations[-2].T  # BP4
        for l in range(2, self.num_layers):
            a = activations[-l]
            delta = (self.weights[-l + 1].T @ delta) * (a * (1 - a))  # BP2
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)
            nabla_w[-l] = delta @ activations[-l - 1].T
        return nabla_b, nabla_w

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
        :class:`~nnsim.core.training.Dataset`); ``test_data`` the seed's list of
        (x, label) tuples. Prints ``Epoch 0: 9033 / 10000`` after each epoch, or
        ``Epoch 0 complete`` without test data, exactly as the book does.
        """
        from nnsim.core.training import Dataset, Diverged, EpochDone, train

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
        from nnsim.core.training import Dataset

        test = Dataset.from_pairs(test_data)
        return int(np.sum(self.classify(test.x.T) == test.labels))

    def cost_derivative(self, output_activations: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂C_x/∂a for the quadratic cost: (a − y)."""
        return output_activations - y

    # -- copies, save and load -------------------------------------------------

    def copy(self) -> "Network":
        clone = Network.__new__(Network)
        clone.num_layers, clone.sizes, clone.dtype = self.num_layers, list(self.sizes), self.dtype
        clone.weights = [w.copy() for w in self.weights]
        clone.biases = [b.copy() for b in self.biases]
        return clone

    def astype(self, dtype) -> "Network":
        clone = self.copy()
        clone.dtype = np.dtype(dtype)
        clone.weights = [w.astype(dtype) for w in self.weights]
        clone.biases = [b.astype(dtype) for b in self.biases]
        return clone

    def save(self, path) -> None:
        """Save as ``.npz`` of plain arrays (no pickle). Written to a temporary
        file first, so an interrupted save never leaves a half-written model."""
        path = os.fspath(path)
        arrays = {"sizes": np.array(self.sizes, dtype=np.int64)}
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            arrays[f"w{i}"], arrays[f"b{i}"] = w, b
        tmp = path + ".part"
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)

    @property
    def parameter_count(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def __repr__(self) -> str:
        return f"Network({self.sizes}, dtype={self.dtype.name})"


def load_network(path) -> Network:
    """Load a network saved by :meth:`Network.save`; raises ValueError on a bad file."""
    try:
        with np.load(os.fspath(path), allow_pickle=False) as data:
            sizes = [int(n) for n in data["sizes"]]
            weights = [data[f"w{i}"] for i in range(len(sizes) - 1)]
            biases = [data[f"b{i}"] for i in range(len(sizes) - 1)]
    except (OSError, KeyError, ValueError, EOFError) as error:
        raise ValueError(f"{path}: not an nnsim network file ({error})") from None
    for i, (x, y) in enumerate(zip(sizes[:-1], sizes[1:])):
        if weights[i].shape != (y, x) or biases[i].shape != (y, 1):
            raise ValueError(f"{path}: layer {i + 2} has shapes that do not match sizes {sizes}")
    net = Network.__new__(Network)
    net.num_layers, net.sizes, net.dtype = len(sizes), sizes, weights[0].dtype
    net.weights, net.biases = weights, biases
    return net
