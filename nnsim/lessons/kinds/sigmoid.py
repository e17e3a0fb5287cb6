"""The sigmoid lesson: σ(z) against step(z), the neuron scaled by c, and nudges (eq. 5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnsim.core.activations import sigmoid, sigmoid_prime, step as step_function
from nnsim.core.perceptron import Perceptron, perceptron_rule
from nnsim.errors import NnsimError
from nnsim.lessons.scenario import Scenario, SigmoidSpec
from nnsim.lessons.text import number as _num, sentence, signed as _signed


@dataclass(frozen=True)
class SigmoidSample:
    """σ(z) beside step(z) and the perceptron rule at one z."""

    z: float
    sigma: float
    sigma_prime: float
    step: float
    perceptron: int


@dataclass(frozen=True)
class ScaledNeuron:
    """The lesson's neuron with its weights and bias multiplied by c, so z becomes c·z."""

    c: float
    weights: tuple[float, ...]
    bias: float
    z: float
    sigma: float
    sigma_prime: float
    step: float

    @property
    def gap(self) -> float:
        """|σ(c·z) − step(c·z)|: how far the sigmoid neuron is from a step neuron."""
        return abs(self.sigma - self.step)


@dataclass(frozen=True)
class NudgeResult:
    """One parameter changed by ``delta``: eq. 5's linear estimate against the actual change.

    ``partial`` is ∂output/∂w_j = σ′(z)·x_j (or ∂output/∂b = σ′(z)); the estimate is
    partial × delta. The perceptron with the same weights and bias may flip instead.
    """

    param: str
    delta: float
    z_before: float
    z_after: float
    output_before: float
    output_after: float
    partial: float
    estimate: float
    perceptron_before: int
    perceptron_after: int

    @property
    def actual(self) -> float:
        return self.output_after - self.output_before

    @property
    def error(self) -> float:
        return abs(self.actual - self.estimate)

    @property
    def flipped(self) -> bool:
        return self.perceptron_before != self.perceptron_after


def sigmoid_sample(z: float) -> SigmoidSample:
    """σ(z), σ′(z), step(z) and the perceptron rule at one z, from the core."""
    z = float(z)
    return SigmoidSample(z, float(sigmoid(z)), float(sigmoid_prime(z)), float(step_function(z)), perceptron_rule(z))


@dataclass(frozen=True)
class Curves:
    """σ(c·z) and step(z) sampled at ``z``: what the sigmoid lab draws for scale c."""

    z: np.ndarray
    sigma: np.ndarray
    step: np.ndarray


def curves(c: float, reach: float, points: int) -> Curves:
    """``points`` samples of σ(c·z) and step(z) for z from −reach to reach (the core's functions)."""
    z = np.linspace(-reach, reach, points)
    return Curves(z, sigmoid(c * z), step_function(z))


def scale_neuron(spec: SigmoidSpec, c: float) -> ScaledNeuron:
    """The neuron with its weights and bias multiplied by c (so its z becomes c·z)."""
    scaled = Perceptron(tuple(c * w for w in spec.weights), c * spec.bias)
    z = scaled.weighted_sum(spec.x)
    return ScaledNeuron(float(c), scaled.weights, scaled.bias, z, float(sigmoid(z)), float(sigmoid_prime(z)),
                        float(step_function(z)))


def nudge_neuron(spec: SigmoidSpec, param: str, delta: float) -> NudgeResult:
    """Change one parameter ("w1", "w2", …, or "b") by ``delta``: eq. 5's estimate, the
    actual change of σ(w·x + b), and what the perceptron with the same weights does."""
    neuron = Perceptron(spec.weights, spec.bias)
    z0 = neuron.weighted_sum(spec.x)
    weights, bias = list(spec.weights), spec.bias
    if param == "b":
        bias += delta
        partial = float(sigmoid_prime(z0))  # ∂σ(w·x + b)/∂b = σ′(z)
    else:
        j = int(param[1:]) - 1
        if not 0 <= j < len(weights):
            raise NnsimError(f"the neuron has no weight {param} (it has w1 to w{len(weights)})")
        weights[j] += delta
        partial = float(sigmoid_prime(z0)) * spec.x[j]  # ∂σ(w·x + b)/∂w_j = σ′(z)·x_j
    nudged = Perceptron(tuple(weights), bias)
    z1 = nudged.weighted_sum(spec.x)
    return NudgeResult(param, float(delta), z0, z1, float(sigmoid(z0)), float(sigmoid(z1)), partial,
                       partial * delta, neuron.output(spec.x), nudged.output(spec.x))


def sample_values(s: SigmoidSample) -> dict[str, float]:
    return dict(z=s.z, sigma=s.sigma, sigma_prime=s.sigma_prime, step=s.step, perceptron=float(s.perceptron),
                gap=abs(s.sigma - s.step))


def scale_values(spec: SigmoidSpec, sn: ScaledNeuron) -> dict[str, float]:
    """A scale step's numbers: ``z`` is the neuron's own w·x + b, ``cz`` the scaled c·z
    (σ, σ′, step and the gap are taken at c·z)."""
    raw = Perceptron(tuple(spec.weights), spec.bias).weighted_sum(spec.x)
    return dict(c=sn.c, z=float(raw), cz=sn.z, sigma=sn.sigma, sigma_prime=sn.sigma_prime, step=sn.step,
                gap=sn.gap)


def scale_sentence(spec: SigmoidSpec, sn: ScaledNeuron) -> str:
    """What the lab says about the neuron scaled by c (a lesson step, or the ``s`` key)."""
    return sentence("sigmoid.scale", scale_values(spec, sn))


def sigmoid_steps(scenario: Scenario, data_dir=None) -> list[dict]:
    spec = scenario.sigmoid
    drafts = []
    for z in spec.z:
        s = sigmoid_sample(z)
        values = sample_values(s)
        drafts.append(dict(title=f"z = {_num(z)}", kind="sample", data=s, values=values,
                           default=sentence("sigmoid.sample", values)))
    for c in spec.scales:
        sn = scale_neuron(spec, c)
        drafts.append(dict(title=f"scale c = {_num(c)}", kind="scale", data=sn, values=scale_values(spec, sn),
                           default=scale_sentence(spec, sn)))
    for nudge in spec.nudges:
        r = nudge_neuron(spec, nudge.param, nudge.delta)
        flip = ("the perceptron flips from {perceptron_before} to {perceptron_after}" if r.flipped
                else "the perceptron stays at {perceptron_before}")
        values = dict(delta=r.delta, z_before=r.z_before, z_after=r.z_after, output_before=r.output_before,
                      output_after=r.output_after, sigma_prime=float(sigmoid_prime(r.z_before)), partial=r.partial,
                      estimate=r.estimate, delta_output=r.actual, error=r.error,
                      perceptron_before=float(r.perceptron_before), perceptron_after=float(r.perceptron_after),
                      flipped=float(r.flipped))
        drafts.append(dict(
            title=f"nudge {nudge.param} by {_signed(nudge.delta)}", kind="nudge", data=r, values=values,
            default=sentence("sigmoid.nudge", values, param=nudge.param, flip=flip)))
    return drafts
