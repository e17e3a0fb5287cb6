"""The training loop's hot path: one mini-batch of SGD with every array allocated once.

With mini-batches of 10 the arithmetic of [784, 30, 10] is two small matrix
products each way; numpy's per-call overhead and the allocation of
temporaries cost as much again. :class:`FusedStep` therefore holds, for one
network and one mini-batch size, every buffer the step writes (inputs with
their row of ones, activations, δs, σ′, gradients) and the transposed weight
views BP2 reads, and runs the step as a fixed list of ``out=`` calls.
It is the same maths as :meth:`Network.update_batch` (tests hold the two
equal over hypothesis-chosen architectures).
"""

from __future__ import annotations

import contextvars
from typing import Optional

import numpy as np


def _quiet_context() -> contextvars.Context:
    """A context in which numpy ignores overflow and invalid results.

    An overflow in e^(−z) gives exactly the right σ = 0 and a NaN is caught
    after the step, so the warnings would only be noise. The step runs inside
    this context (``Context.run``) instead of entering ``np.errstate`` per
    mini-batch: that costs as much as a matrix product at this size, and
    entering it across a generator's ``yield`` fails when the consumer
    resumes from another thread.
    """
    context = contextvars.copy_context()
    context.run(np.seterr, over="ignore", invalid="ignore")
    return context


class Blocks:
    """Inputs for many mini-batches at once: the rows of a block of the shuffled order,
    gathered and converted in two calls, beside a column of ones for the bias.

    Gathering ten random rows costs a mini-batch its memory latency and two numpy
    calls; gathering :data:`BLOCK` mini-batches' rows in one go overlaps the
    cache misses and spreads the calls, and each mini-batch is then a view.
    uint8 rows are scaled as the loader would (a float32 product), then cast
    to the network's dtype.
    """

    def __init__(self, images: np.ndarray, targets: np.ndarray, size: int, dtype, scale=None) -> None:
        # A plain ndarray (not a memmap subclass), and take in mode "clip": the order is a
        # permutation, so no index is out of range, and mode "raise" gathers through a buffer
        # (measured: 150 against 80 µs per 1,000 rows).
        self.images, self.targets, self.scale = np.asarray(images), np.asarray(targets), scale
        n_in = images.shape[1]
        self.rows = np.ones((size, n_in + 1), dtype=dtype)
        self.raw = np.empty((size, n_in), dtype=images.dtype)
        self.scaled = (np.empty((size, n_in), dtype=np.float32)
                       if scale is not None and np.dtype(dtype) != np.float32 else None)
        self.y = np.empty((size, targets.shape[1]), dtype=targets.dtype)

    def fill(self, indices: np.ndarray) -> None:
        """Gather the examples ``indices`` (at most the block's size) into rows 0 to len."""
        k = len(indices)
        raw, pixels = self.raw[:k], self.rows[:k, :-1]
        np.take(self.images, indices, axis=0, out=raw, mode="clip")
        if self.scale is None:
            np.copyto(pixels, raw)
        elif self.scaled is None:
            np.multiply(raw, self.scale, out=pixels)
        else:
            np.multiply(raw, self.scale, out=self.scaled[:k])
            np.copyto(pixels, self.scaled[:k])
        np.take(self.targets, indices, axis=0, out=self.y[:k], mode="clip")


class ChunkBuffers:
    """Buffers to feed ``c`` examples forward through a network of ``sizes``: the
    inputs as rows (c, n_in) and each layer's z, then σ(z), as (n, c)."""

    def __init__(self, sizes, c: int, dtype, pixels: bool) -> None:
        self.rows = np.empty((c, sizes[0]), dtype=dtype)
        # uint8 pixels convert as the loader does (a float32 product), then to the network's dtype
        self.scaled = np.empty((c, sizes[0]), dtype=np.float32) if pixels and np.dtype(dtype) != np.float32 else None
        self.zs = [np.empty((n, c), dtype=dtype) for n in sizes[1:]]

    def load(self, rows: np.ndarray, scale) -> np.ndarray:
        """The chunk's inputs as columns (n_in, c), converted into the buffer."""
        if scale is None:
            np.copyto(self.rows, rows, casting="unsafe")
        elif self.scaled is None:
            np.multiply(rows, scale, out=self.rows)
        else:
            np.multiply(rows, scale, out=self.scaled)
            np.copyto(self.rows, self.scaled)
        return self.rows.T


def feed_forward(weights, biases, a: np.ndarray, zs: list[np.ndarray]) -> np.ndarray:
    """a ← σ(w a + b) layer by layer, into ``zs`` (eq. 22, as :meth:`Network.feedforward`
    computes it, in place); returns the last layer's activations."""
    one = zs[0].dtype.type(1)
    for w, b, z in zip(weights, biases, zs):
        np.matmul(w, a, out=z)
        np.add(z, b, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        np.add(z, one, out=z)
        np.reciprocal(z, out=z)
        a = z
    return a


BLOCK = 100
"""Mini-batches gathered at once (see :class:`Blocks`): 1,000 rows of 784 are 3 MB of float32."""


class FusedStep:
    """One mini-batch update of the parameters ``joined`` ([w | b] per layer, updated
    in place) for mini-batches of ``m`` examples (given with :meth:`load`).

    Per mini-batch of [784, 30, 10] that is 5 matrix products and 17 elementwise
    calls. At m = 10 each elementwise call costs about a microsecond whatever its
    size, so the layout is chosen to need few of them:

    - every layer's activations live in one buffer (``stacked``; a hidden layer
      carries its row of ones for the next layer's bias), so σ′(z) = a(1 − a) of
      all layers at once is two calls, not two per layer;
    - δᴸ is scaled by η/m once: backpropagation is linear in δ, so every layer's δ
      then carries the factor, and BP3/BP4 give the update itself, subtracted in
      one call per layer.

    The rounding is the book's formulas' in their order ((1 − a)·a, then
    (a − y)·σ′, then ·η/m), so runs are number for number those of the step
    before this layout.
    """

    def __init__(self, joined: list[np.ndarray], m: int) -> None:
        dtype = joined[0].dtype
        self.joined, self.m = joined, m
        self.y: Optional[np.ndarray] = None
        last = len(joined) - 1
        heights = [j.shape[0] + (l < last) for l, j in enumerate(joined)]  # + the row of ones
        self.stacked = np.ones((sum(heights), m), dtype=dtype)
        self.stacked_slopes = np.empty_like(self.stacked)
        self.activations: list[np.ndarray] = [np.empty((joined[0].shape[1], m), dtype=dtype)]  # see load
        self.zs, self.slopes = [], []
        top = 0
        for j, height in zip(joined, heights):
            n = j.shape[0]
            self.activations.append(self.stacked[top:top + height])
            self.zs.append(self.stacked[top:top + n])  # z, then σ(z) in place: the row of ones stays
            self.slopes.append(self.stacked_slopes[top:top + n])
            top += height
        self.deltas = [np.empty((j.shape[0], m), dtype=dtype) for j in joined]
        self.grads = [np.empty_like(j) for j in joined]
        self.weights_t = [j[:, :-1].T for j in joined]  # views: they see every update
        self.one = dtype.type(1)
        self.context = _quiet_context()
        self._forward, self._backward = self._layers()

    def _layers(self) -> tuple[list, list]:
        """Per layer, what the forward pass uses (l, [w | b], z) and, last layer first,
        what backpropagation uses (l, [w | b], its update, δˡ, δˡ⁻¹ or None, (wˡ)ᵀ, σ′(zˡ⁻¹))."""
        joined, deltas, slopes = self.joined, self.deltas, self.slopes
        forward = [(l, j, self.zs[l]) for l, j in enumerate(joined)]
        backward = [(l, joined[l], self.grads[l], deltas[l], deltas[l - 1] if l else None, self.weights_t[l],
                     slopes[l - 1] if l else None) for l in range(len(joined) - 1, -1, -1)]
        return forward, backward

    def load(self, rows: np.ndarray, targets: np.ndarray) -> None:
        """Point the step at a mini-batch: ``rows`` (m, n_in + 1), last column ones, and
        ``targets`` (m, n_out), both C-ordered (views into a :class:`Blocks`)."""
        self.activations[0] = rows.T
        self.y = targets.T

    def __call__(self, eta: float) -> float:
        """The step on the gathered mini-batch; returns its quadratic cost before the
        update (NaN or inf if anything overflowed)."""
        return self.context.run(self._step, eta)

    def _step(self, eta: float) -> float:
        # numpy's functions as locals and each layer's arrays as one tuple (see _layers):
        # at about 25 calls a mini-batch, the lookups alone cost microseconds.
        matmul, multiply, subtract = np.matmul, np.multiply, np.subtract
        acts, one = self.activations, self.one
        for l, j, z in self._forward:
            matmul(j, acts[l], out=z)
            # σ(z) = 1 / (1 + e^(−z)) in place (an overflow to inf gives exactly 0).
            np.negative(z, out=z)
            np.exp(z, out=z)
            np.add(z, one, out=z)
            np.reciprocal(z, out=z)
        a, delta = acts[-1], self.deltas[-1]
        subtract(a, self.y, out=delta)  # ∇ₐC = a − y
        cost = 0.5 * float(np.vdot(delta, delta))
        # σ′(z) = σ(z)(1 − σ(z)) for every layer at once (they share one buffer).
        slope, stacked = self.stacked_slopes, self.stacked
        subtract(one, stacked, out=slope)
        multiply(slope, stacked, out=slope)
        # BP1, δᴸ = ∇ₐC ⊙ σ′(zᴸ), with η/m folded in (see the class's docstring).
        multiply(delta, self.slopes[-1], out=delta)
        multiply(delta, a.dtype.type(eta / self.m), out=delta)
        for l, j, grad, delta, below, weights_t, below_slope in self._backward:
            if below is not None:
                # BP2, δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ), with the weights before this update.
                matmul(weights_t, delta, out=below)
                multiply(below, below_slope, out=below)
            # BP3 and BP4 at once ([w | b] against [a | 1]): (η/m) Σ δ aᵀ, the update itself.
            matmul(delta, acts[l].T, out=grad)
            subtract(j, grad, out=j)
        return cost
