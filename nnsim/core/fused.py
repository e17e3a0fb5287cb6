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


class FusedStep:
    """One mini-batch update of the parameters ``joined`` ([w | b] per layer, updated
    in place) for mini-batches of ``m`` examples drawn from rows of ``images``
    (float, or uint8 scaled by ``scale`` as the data loader would)."""

    def __init__(self, joined: list[np.ndarray], m: int, images_dtype, targets_dtype,
                 scale: Optional[np.floating] = None) -> None:
        dtype = joined[0].dtype
        self.joined, self.m, self.scale = joined, m, scale
        n_in = joined[0].shape[1] - 1
        self.rows = np.ones((m, n_in + 1), dtype=dtype)  # gathered inputs, a column of ones for the bias
        self.pixels = self.rows[:, :-1]
        self.raw = np.empty((m, n_in), dtype=images_dtype)  # the gather lands here first
        # uint8 → float: the loader's own rounding (a float32 product), then the network's dtype.
        self.scaled = (self.pixels if dtype == np.float32 or scale is None
                       else np.empty((m, n_in), dtype=np.float32))
        self.targets = np.empty((m, joined[-1].shape[0]), dtype=targets_dtype)
        self.y = self.targets.T
        self.activations = [self.rows.T]
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

    def gather(self, images: np.ndarray, targets: np.ndarray, batch: np.ndarray) -> None:
        """Copy the mini-batch's rows into the input buffers, converting on the way."""
        if images.dtype == self.raw.dtype and self.scale is None and images.dtype == self.rows.dtype:
            self.pixels[...] = images[batch]
        else:
            np.take(images, batch, axis=0, out=self.raw)
            if self.scale is not None:
                np.multiply(self.raw, self.scale, out=self.scaled)
                if self.scaled is not self.pixels:
                    np.copyto(self.pixels, self.scaled)
            else:
                np.copyto(self.pixels, self.raw)
        np.take(targets, batch, axis=0, out=self.targets)

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
