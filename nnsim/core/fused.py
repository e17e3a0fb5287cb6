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
        self.images, self.targets, self.scale = images, targets, scale
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
        np.take(self.images, indices, axis=0, out=raw)
        if self.scale is None:
            np.copyto(pixels, raw)
        elif self.scaled is None:
            np.multiply(raw, self.scale, out=pixels)
        else:
            np.multiply(raw, self.scale, out=self.scaled[:k])
            np.copyto(pixels, self.scaled[:k])
        np.take(self.targets, indices, axis=0, out=self.y[:k])


BLOCK = 100
"""Mini-batches gathered at once (see :class:`Blocks`): 1,000 rows of 784 are 3 MB of float32."""


class FusedStep:
    """One mini-batch update of the parameters ``joined`` ([w | b] per layer, updated
    in place) for mini-batches of ``m`` examples (given with :meth:`load`)."""

    def __init__(self, joined: list[np.ndarray], m: int) -> None:
        dtype = joined[0].dtype
        self.joined, self.m = joined, m
        self.y: Optional[np.ndarray] = None
        self.activations: list[np.ndarray] = [np.empty((joined[0].shape[1], m), dtype=dtype)]  # see load
        self.zs = []
        for l, j in enumerate(joined):
            n = j.shape[0]
            if l + 1 < len(joined):
                a = np.ones((n + 1, m), dtype=dtype)  # the last row stays 1: the next layer's bias
                self.zs.append(a[:-1])
            else:
                a = np.empty((n, m), dtype=dtype)
                self.zs.append(a)
            self.activations.append(a)
        self.deltas = [np.empty((j.shape[0], m), dtype=dtype) for j in joined]
        self.slopes = [np.empty((j.shape[0], m), dtype=dtype) for j in joined]
        self.grads = [np.empty_like(j) for j in joined]
        self.weights_t = [j[:, :-1].T for j in joined]  # views: they see every update
        self.one = dtype.type(1)
        self.context = _quiet_context()

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
        joined, acts, zs, one = self.joined, self.activations, self.zs, self.one
        for l, j in enumerate(joined):
            z = zs[l]
            np.matmul(j, acts[l], out=z)
            # σ(z) = 1 / (1 + e^(−z)) in place (an overflow to inf gives exactly 0).
            np.negative(z, out=z)
            np.exp(z, out=z)
            np.add(z, one, out=z)
            np.reciprocal(z, out=z)
        last = len(joined) - 1
        a, delta, slope = acts[-1], self.deltas[last], self.slopes[last]
        np.subtract(a, self.y, out=delta)
        cost = 0.5 * float(np.vdot(delta, delta))
        # BP1, δᴸ = (a − y) ⊙ σ′(z), with (η/m) folded in: backpropagation is linear in
        # δ, so every layer's δ then carries the factor and the update is one subtraction.
        np.subtract(one, a, out=slope)
        np.multiply(slope, a, out=slope)
        np.multiply(delta, slope, out=delta)
        np.multiply(delta, a.dtype.type(eta / self.m), out=delta)
        for l in range(last, -1, -1):
            a_prev = acts[l]
            if l:
                below, slope = self.deltas[l - 1], self.slopes[l - 1]
                np.matmul(self.weights_t[l], delta, out=below)  # BP2, with the weights before this update
                h = zs[l - 1]
                np.subtract(one, h, out=slope)
                np.multiply(slope, h, out=slope)
                np.multiply(below, slope, out=below)
            grad = self.grads[l]
            np.matmul(delta, a_prev.T, out=grad)  # BP3 and BP4 at once
            np.subtract(joined[l], grad, out=joined[l])  # the update rule
            if l:
                delta = below
        return cost
