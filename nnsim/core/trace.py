"""One backpropagation pass recorded as data: an ordered list of steps.

Each step names its phase, the layer it works on (the book's numbering: layer 1
is the input layer, layer L the output layer), the equation it applies and the
arrays involved, under the book's names. A debugger is a cursor over this list,
so stepping backward is as cheap as stepping forward.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional

import numpy as np

if TYPE_CHECKING:  # the network records a pass; this module only names its steps
    from nnsim.core.network import Network

PHASES = ("input", "forward", "cost", "output_error", "backward", "gradient", "update")

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(n: int) -> str:
    """A layer number as a superscript, as the book writes wˡ: ``sup(2)`` → ``²``."""
    return str(n).translate(_SUPERSCRIPT)


@dataclass(frozen=True)
class TraceStep:
    """One step of a pass.

    Attributes:
        index: position in the trace, from 0.
        phase: one of :data:`PHASES`.
        layer: the layer the step works on, in the book's numbering.
        title: e.g. ``"backward, layer 2"``.
        equation: the equation applied, e.g. ``"BP2: δ² = ((w³)ᵀ δ³) ⊙ σ′(z²)"``.
        arrays: the step's arrays by name (``z``, ``a``, ``delta``, ``nabla_w`` …).
            Columns are examples: with a mini-batch of m, ``delta`` is (n, m) and
            holds every example's δ, while ``nabla_b`` and ``nabla_w`` are summed.
    """

    index: int
    phase: str
    layer: int
    title: str
    equation: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "index": self.index, "phase": self.phase, "layer": self.layer,
            "title": self.title, "equation": self.equation,
            "arrays": {name: _array_to_json(a) for name, a in self.arrays.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> "TraceStep":
        arrays = {name: _array_from_json(a) for name, a in data["arrays"].items()}
        return cls(data["index"], data["phase"], data["layer"], data["title"], data["equation"], arrays)


@dataclass(frozen=True)
class Trace:
    """A recorded pass: the network's ``sizes``, the batch size ``m``, the learning
    rate ``eta`` (None when the pass stops at the gradient) and the steps."""

    sizes: list[int]
    m: int
    eta: Optional[float]
    steps: list[TraceStep]

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[TraceStep]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> TraceStep:
        return self.steps[i]

    def gradients(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(nabla_b, nabla_w)`` from the gradient steps, in the order of ``biases``."""
        grads = sorted((s for s in self.steps if s.phase == "gradient"), key=lambda s: s.layer)
        return [s.arrays["nabla_b"] for s in grads], [s.arrays["nabla_w"] for s in grads]

    def to_jsonl(self) -> str:
        header = {"trace": {"sizes": self.sizes, "m": self.m, "eta": self.eta}}
        lines = [json.dumps(header)] + [json.dumps(s.to_json()) for s in self.steps]
        return "\n".join(lines) + "\n"

    def save_jsonl(self, path) -> None:
        tmp = os.fspath(path) + ".part"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(self.to_jsonl())
        os.replace(tmp, path)

    @classmethod
    def from_jsonl(cls, text: str) -> "Trace":
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            header = json.loads(lines[0])["trace"]
            steps = [TraceStep.from_json(json.loads(line)) for line in lines[1:]]
            return cls(list(header["sizes"]), int(header["m"]), header["eta"], steps)
        except (IndexError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an nnsim trace: {error}") from None


def _array_to_json(a: np.ndarray) -> dict:
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": a.dtype.name, "data": [float(v) for v in a.ravel()]}


def _array_from_json(d: dict) -> np.ndarray:
    return np.array(d["data"], dtype=np.float64).astype(d["dtype"]).reshape(d["shape"])


# What each phase's step is called and which equation it applies, by the book's layer l
# (and L, the output layer); the arithmetic itself is Network.backprop_batch's.
def _equation(phase: str, l: int, L: int, m: int) -> str:
    total = "Σₓ " if m > 1 else ""
    return {
        "input": "a¹ = x",
        "forward": f"z{sup(l)} = w{sup(l)}·a{sup(l - 1)} + b{sup(l)},  a{sup(l)} = σ(z{sup(l)})",
        "cost": f"C = ½‖y − a{sup(L)}‖²",
        "output_error": f"BP1: δ{sup(L)} = (a{sup(L)} − y) ⊙ σ′(z{sup(L)})",
        "backward": f"BP2: δ{sup(l)} = ((w{sup(l + 1)})ᵀ δ{sup(l + 1)}) ⊙ σ′(z{sup(l)})",
        "gradient": f"BP3: ∂C/∂b{sup(l)} = {total}δ{sup(l)},  BP4: ∂C/∂w{sup(l)} = {total}δ{sup(l)} (a{sup(l - 1)})ᵀ",
        "update": f"w{sup(l)} → w{sup(l)} − (η/m) ∂C/∂w{sup(l)},  b{sup(l)} → b{sup(l)} − (η/m) ∂C/∂b{sup(l)}",
    }[phase]


def trace_backprop(net: "Network", x: np.ndarray, y: np.ndarray, eta: Optional[float] = None) -> Trace:
    """Record one backprop pass of ``net`` on inputs x (n_in, m) and targets y (n_out, m).

    The steps are what :meth:`Network.backprop_batch` records as it computes the
    gradient (there is one backpropagation in nnsim), named and given their
    equations here. With ``eta``, the trace ends with the update of every layer
    (:meth:`Network.updated`; the network itself is left unchanged: the new
    weights are in the update steps).
    """
    x = np.asarray(x, dtype=net.dtype)
    y = np.asarray(y, dtype=net.dtype)
    if x.ndim == 1:
        x, y = x[:, None], y.reshape(-1, 1)
    L, m = net.num_layers, x.shape[1]
    records: list = []
    nabla_b, nabla_w = net.backprop_batch(x, y, record=records)
    if eta is not None:
        weights, biases = net.updated(nabla_b, nabla_w, eta, m)
        for l in range(2, L + 1):
            i = l - 2
            records.append(("update", l, dict(
                w_before=net.weights[i].copy(), nabla_w=nabla_w[i], w_after=weights[i],
                b_before=net.biases[i].copy(), nabla_b=nabla_b[i], b_after=biases[i],
                eta=np.asarray(eta, dtype=net.dtype), m=np.asarray(m))))
    steps = [TraceStep(i, phase, layer, f"{phase.replace('_', ' ')}, layer {layer}", _equation(phase, layer, L, m),
                       arrays) for i, (phase, layer, arrays) in enumerate(records)]
    return Trace(list(net.sizes), m, eta, steps)


def apply_trace_update(net: "Network", trace: Trace) -> None:
    """Set ``net``'s weights and biases to the "after" values of the trace's update steps."""
    for s in trace.steps:
        if s.phase == "update":
            net.weights[s.layer - 2] = s.arrays["w_after"].copy()
            net.biases[s.layer - 2] = s.arrays["b_after"].copy()
