"""A backprop trace step written out for a learner: labels, equations with numbers, what is known.

UI-free (no Textual): the backprop debugger draws these, the Markdown handout
prints them, the tests read them. Every number comes from a core
:class:`~nnsim.core.trace.TraceStep`; the only arithmetic done here is
:func:`update_change`, the (η/m)·∂C/∂w that the core subtracts, computed by the
core's own expression so that ``before − change == after`` bit for bit.

Equations are templates: ``{name}`` placeholders filled from a ``values``
dict, ``{name:p}`` putting a negative number in parentheses, by the one
template filler, :func:`nnsim.lessons.text.fill` (the screen's
:func:`nnsim.tui.style.format.substitute` styles the same pieces).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import numpy as np

from nnsim.core.trace import Trace, TraceStep, sup
from nnsim.lessons.text import PHASE_SENTENCES, fill, number, phase_sentence  # noqa: F401 (re-exported)

# A sum with more terms than this is shortened to its first few terms and "…".
MAX_TERMS = 10
TERMS_SHOWN = 3
SUM_CHARS = 110
"""A sum's terms, filled, take at most this many characters (two lines at 80 columns, so the
equation's result stays on screen); fewer terms and "… N more" otherwise."""

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

# The arrays each phase shows, in reading order (the debugger's panels, the handout).
PANEL_ARRAYS: dict[str, tuple[str, ...]] = {
    "input": ("x", "y"),
    "forward": ("w", "b", "z", "a"),
    "cost": ("a", "y", "cost"),
    "output_error": ("a", "y", "z", "sigmoid_prime", "delta"),
    "backward": ("w_next", "delta_next", "z", "sigmoid_prime", "delta"),
    "gradient": ("delta", "a_prev", "nabla_b", "nabla_w"),
    "update": ("w_before", "nabla_w", "w_after", "b_before", "nabla_b", "b_after"),
}


# What each phase computes: the arrays the learner must be able to see at that step.
RESULT_ARRAYS: dict[str, tuple[str, ...]] = {
    "input": ("x",), "forward": ("z", "a"), "cost": ("cost",), "output_error": ("delta",),
    "backward": ("delta",), "gradient": ("nabla_b", "nabla_w"), "update": ("w_after", "b_after"),
}


# -- names ------------------------------------------------------------------------

def sub(*indices: int) -> str:
    """Indices as subscripts, as the book writes w³₀₁; with a comma once any has two digits."""
    parts = [str(int(i)).translate(_SUBSCRIPT) for i in indices]
    return ("," if any(i >= 10 for i in indices) else "").join(parts)


def array_label(name: str, layer: int) -> str:
    """A trace array's name as the book writes it at ``layer``: ``delta`` → δ², ``w_next`` → w³."""
    l = layer
    labels = {
        "x": "x", "y": "y", "a": f"a{sup(l)}", "z": f"z{sup(l)}", "b": f"b{sup(l)}", "w": f"w{sup(l)}",
        "a_prev": f"a{sup(l - 1)}", "cost": "C", "sigmoid_prime": f"σ′(z{sup(l)})", "delta": f"δ{sup(l)}",
        "w_next": f"w{sup(l + 1)}", "delta_next": f"δ{sup(l + 1)}", "nabla_b": f"∂C/∂b{sup(l)}",
        "nabla_w": f"∂C/∂w{sup(l)}", "w_before": f"w{sup(l)} before", "w_after": f"w{sup(l)} after",
        "b_before": f"b{sup(l)} before", "b_after": f"b{sup(l)} after", "eta": "η", "m": "m",
    }
    return labels.get(name, name)


# -- the equation of a step, for one neuron -----------------------------------------------

@dataclass(frozen=True)
class StepEquation:
    """What a step computes for one neuron, with its numbers.

    Attributes:
        title: which neuron (and example), e.g. ``"BP1 · neuron 0"``.
        formula: the step's equation as the core names it (vector form).
        lines: templates, the component form with the numbers put in.
        values: the numbers the templates name, all read from the step's arrays.
    """

    title: str
    formula: str
    lines: tuple[str, ...]
    values: Mapping[str, float] = field(default_factory=dict)

    def filled(self) -> list[str]:
        """The lines with the numbers written in."""
        return [fill(line, self.values) for line in self.lines]

    def text(self) -> str:
        return "\n".join([self.formula, *self.filled()])


@dataclass(frozen=True)
class Selection:
    """Which numbers of a step to write out: neuron j of the step's layer, neuron k of
    the layer before (the weight wˡⱼₖ), and example e of the mini-batch (a column)."""

    neuron: int = 0
    source: int = 0
    example: int = 0

    def clamp(self, step: TraceStep) -> "Selection":
        n, n_prev, m = step_dimensions(step)
        return Selection(_clamp(self.neuron, n), _clamp(self.source, n_prev), _clamp(self.example, m))


def _clamp(i: int, n: int) -> int:
    return max(0, min(int(i), max(n, 1) - 1))


def step_dimensions(step: TraceStep) -> tuple[int, int, int]:
    """(neurons in the step's layer, neurons in the layer before (0 for layer 1), examples m)."""
    arrays = step.arrays
    phase = step.phase
    if phase == "input":
        return arrays["x"].shape[0], 0, arrays["x"].shape[1]
    if phase == "cost":
        return arrays["a"].shape[0], 0, arrays["a"].shape[1]
    if phase == "update":
        w = arrays["w_before"]
        return w.shape[0], w.shape[1], int(arrays["m"])
    if phase == "forward":
        return arrays["w"].shape[0], arrays["w"].shape[1], arrays["z"].shape[1]
    if phase == "backward":
        return arrays["delta"].shape[0], 0, arrays["delta"].shape[1]
    if phase == "gradient":
        return arrays["delta"].shape[0], arrays["a_prev"].shape[0], arrays["delta"].shape[1]
    return arrays["delta"].shape[0], 0, arrays["delta"].shape[1]  # output_error


def step_equation(step: TraceStep, selection: Selection = Selection(), eta: Optional[float] = None) -> StepEquation:
    """The step's equation for one neuron, with the arithmetic written out.

    ``eta`` is the trace's learning rate as given (``Trace.eta``): the update's
    (η/m)·∂C/∂w is computed from it exactly as the core does.
    """
    s = selection.clamp(step)
    builder = {"input": _input, "forward": _forward, "cost": _cost, "output_error": _output_error,
               "backward": _backward, "gradient": _gradient, "update": _update}[step.phase]
    title, lines, values = builder(step, s, eta)
    m = step_dimensions(step)[2]
    if m > 1 and step.phase not in ("gradient", "update"):
        title += f" · example {s.example + 1} of {m}"
    return StepEquation(title, step.equation, tuple(lines), values)


def _col(a: np.ndarray, e: int) -> np.ndarray:
    return a[:, min(e, a.shape[1] - 1)]


def _fit(terms: Sequence[str], values: Mapping[str, float], total: int) -> tuple[list[str], int]:
    """The first of ``terms`` (templates) whose filled text fits :data:`SUM_CHARS` (at least
    :data:`TERMS_SHOWN`), and how many of the sum's ``total`` terms are left out."""
    shown, used = [], 0
    for term in terms:
        used += len(fill(term, values)) + 3
        if shown and len(shown) >= TERMS_SHOWN and used > SUM_CHARS:
            break
        shown.append(term)
    return shown, total - len(shown)


def _input(step, s, eta):
    x, y = step.arrays["x"], step.arrays["y"]
    j, e = s.neuron, s.example
    values = {"x": float(x[j, e])}
    lines = [f"a¹{sub(j)} = x{sub(j)} = {{x}}"]
    target = _col(y, e)
    if target.size <= MAX_TERMS:
        values.update({f"y{i}": float(v) for i, v in enumerate(target)})
        lines.append("target y = (" + ", ".join(f"{{y{i}}}" for i in range(target.size)) + ")")
    return f"input · neuron {j}", lines, values


def _forward(step, s, eta):
    w, b, a_prev = step.arrays["w"], step.arrays["b"], step.arrays["a_prev"]
    z, a = step.arrays["z"], step.arrays["a"]
    l, j, e = step.layer, s.neuron, s.example
    p = l - 1
    inputs = _col(a_prev, e)
    values = {"b": float(b[j, 0]), "z": float(z[j, e]), "a": float(a[j, e])}
    lhs = f"z{sup(l)}{sub(j)}"
    pad = " " * len(lhs)
    head = f"{lhs} = Σₖ w{sup(l)}{sub(j)}ₖ a{sup(p)}ₖ + b{sup(l)}{sub(j)}"
    if inputs.size <= MAX_TERMS:
        ks = list(range(inputs.size))
        rest = 0
        lines = [head]
    else:
        nonzero = np.flatnonzero(inputs)
        ks = [int(k) for k in nonzero[:TERMS_SHOWN]] if nonzero.size > MAX_TERMS else [int(k) for k in nonzero]
        rest = nonzero.size - len(ks)
        lines = [head + f"   ({inputs.size} terms; {inputs.size - nonzero.size} have a{sup(p)}ₖ = 0)"]
    for k in ks:
        values[f"w{k}"] = float(w[j, k])
        values[f"a{k}"] = float(inputs[k])
    kept, left = _fit([f"{{w{k}:p}}·{{a{k}:p}}" for k in ks], values, len(ks))
    rest += left
    terms = " + ".join(kept) + (f" + … {rest} more" if rest and kept else "")
    lines.append(f"{pad} = {terms} + {{b:p}}" if terms else f"{pad} = {{b}}")
    lines.append(f"{pad} = {{z}}")
    lines.append(f"a{sup(l)}{sub(j)} = σ(z{sup(l)}{sub(j)}) = σ({{z}}) = {{a}}")
    return f"feedforward · neuron {j}", lines, values


def _cost(step, s, eta):
    a, y, cost = step.arrays["a"], step.arrays["y"], step.arrays["cost"]
    L, e = step.layer, s.example
    out, target = _col(a, e), _col(y, e)
    values = {"C": float(cost[0, e])}
    shown = range(min(out.size, MAX_TERMS))
    for i in shown:
        values[f"y{i}"], values[f"a{i}"] = float(target[i]), float(out[i])
    kept, rest = _fit([f"({{y{i}}} − {{a{i}:p}})²" for i in shown], values, out.size)
    terms = " + ".join(kept)
    if rest:
        terms += f" + … {rest} more"
    lines = [f"C = ½ Σⱼ (yⱼ − a{sup(L)}ⱼ)²", f"  = ½({terms})", "  = {C}"]
    m = cost.shape[1]
    if m > 1:
        values["mean"] = float(np.mean(cost))
        lines.append(f"mean over the {m} examples: {{mean}}")
    return "cost", lines, values


def _output_error(step, s, eta):
    a, y, z = step.arrays["a"], step.arrays["y"], step.arrays["z"]
    sp, delta = step.arrays["sigmoid_prime"], step.arrays["delta"]
    L, j, e = step.layer, s.neuron, s.example
    values = {"a": float(a[j, e]), "y": float(y[j, e]), "z": float(z[j, e]),
              "sp": float(sp[j, e]), "d": float(delta[j, e])}
    lines = [
        f"δ{sup(L)}{sub(j)} = (a{sup(L)}{sub(j)} − y{sub(j)}) · σ′(z{sup(L)}{sub(j)})",
        f"σ′(z{sup(L)}{sub(j)}) = σ′({{z}}) = {{sp}}",
        f"δ{sup(L)}{sub(j)} = ({{a}} − {{y:p}}) · {{sp}} = {{d}}",
    ]
    return f"BP1 · neuron {j}", lines, values


def _backward(step, s, eta):
    w_next, delta_next = step.arrays["w_next"], step.arrays["delta_next"]
    z, sp, delta = step.arrays["z"], step.arrays["sigmoid_prime"], step.arrays["delta"]
    l, j, e = step.layer, s.neuron, s.example
    n = l + 1
    later = _col(delta_next, e)
    values = {"z": float(z[j, e]), "sp": float(sp[j, e]), "d": float(delta[j, e])}
    ks = range(min(later.size, MAX_TERMS))
    for k in ks:
        values[f"w{k}"], values[f"d{k}"] = float(w_next[k, j]), float(later[k])
    kept, rest = _fit([f"{{w{k}:p}}·{{d{k}:p}}" for k in ks], values, later.size)
    terms = " + ".join(kept) + (f" + … {rest} more" if rest else "")
    lines = [
        f"δ{sup(l)}{sub(j)} = (Σₖ w{sup(n)}ₖ{sub(j)} δ{sup(n)}ₖ) · σ′(z{sup(l)}{sub(j)})",
        f"σ′(z{sup(l)}{sub(j)}) = σ′({{z}}) = {{sp}}",
        f"δ{sup(l)}{sub(j)} = ({terms}) · {{sp}}",
        f"{' ' * len(f'δ{sup(l)}{sub(j)}')} = {{d}}",
    ]
    return f"BP2 · neuron {j}", lines, values


def _gradient(step, s, eta):
    delta, a_prev = step.arrays["delta"], step.arrays["a_prev"]
    nabla_b, nabla_w = step.arrays["nabla_b"], step.arrays["nabla_w"]
    l, j, k = step.layer, s.neuron, s.source
    p = l - 1
    m = delta.shape[1]
    values = {"nb": float(nabla_b[j, 0]), "nw": float(nabla_w[j, k])}
    b_name, w_name = f"∂C/∂b{sup(l)}{sub(j)}", f"∂C/∂w{sup(l)}{sub(j, k)}"
    if m == 1:
        values.update(d=float(delta[j, 0]), a=float(a_prev[k, 0]))
        lines = [f"{b_name} = δ{sup(l)}{sub(j)} = {{nb}}",
                 f"{w_name} = a{sup(p)}{sub(k)} · δ{sup(l)}{sub(j)} = {{a:p}} · {{d:p}} = {{nw}}"]
        return f"BP3, BP4 · neuron {j}, weight from {k}", lines, values
    xs = range(min(m, MAX_TERMS))
    for x in xs:
        values[f"d{x}"], values[f"a{x}"] = float(delta[j, x]), float(a_prev[k, x])
    b_kept, b_rest = _fit([f"{{d{x}:p}}" for x in xs], values, m)
    w_kept, w_rest = _fit([f"{{a{x}:p}}·{{d{x}:p}}" for x in xs], values, m)
    b_terms = " + ".join(b_kept) + (f" + … {b_rest} more" if b_rest else "")
    w_terms = " + ".join(w_kept) + (f" + … {w_rest} more" if w_rest else "")
    pad = " " * len(w_name)
    lines = [f"{b_name} = Σₓ δ{sup(l)}{sub(j)} = {b_terms} = {{nb}}",
             f"{w_name} = Σₓ a{sup(p)}{sub(k)} δ{sup(l)}{sub(j)}", f"{pad} = {w_terms}", f"{pad} = {{nw}}"]
    return f"BP3, BP4 · neuron {j}, weight from {k}, summed over {m} examples", lines, values


def update_change(step: TraceStep, eta: float) -> tuple[np.ndarray, np.ndarray]:
    """(η/m)·∂C/∂w and (η/m)·∂C/∂b of an update step, computed by the core's own
    expression (``dtype(eta / m) * nabla``), so ``w_before − change`` is ``w_after``."""
    w_before, m = step.arrays["w_before"], int(step.arrays["m"])
    with np.errstate(over="ignore", invalid="ignore"):
        rate = w_before.dtype.type(eta / m)
        return rate * step.arrays["nabla_w"], rate * step.arrays["nabla_b"]


def _update(step, s, eta):
    arrays = step.arrays
    l, j, k = step.layer, s.neuron, s.source
    m = int(arrays["m"])
    eta = float(arrays["eta"]) if eta is None else eta
    change_w, change_b = update_change(step, eta)
    values = {"eta": eta, "m": float(m),
              "wb": float(arrays["w_before"][j, k]), "nw": float(arrays["nabla_w"][j, k]),
              "cw": float(change_w[j, k]), "wa": float(arrays["w_after"][j, k]),
              "bb": float(arrays["b_before"][j, 0]), "nb": float(arrays["nabla_b"][j, 0]),
              "cb": float(change_b[j, 0]), "ba": float(arrays["b_after"][j, 0])}
    w, b = f"w{sup(l)}{sub(j, k)}", f"b{sup(l)}{sub(j)}"
    # before − (η/m)·∂C/∂θ = before − change = after: the three numbers of the rule.
    lines = [
        f"{w} = {{wb}} − ({{eta}}/{{m}})·{{nw:p}}",
        f"{' ' * len(w)} = {{wb}} − {{cw:p}} = {{wa}}",
        f"{b} = {{bb}} − ({{eta}}/{{m}})·{{nb:p}}",
        f"{' ' * len(b)} = {{bb}} − {{cb:p}} = {{ba}}",
    ]
    return f"update · neuron {j}, weight from {k}", lines, values


# -- what the network holds at a step -----------------------------------------------

@dataclass(frozen=True)
class LayerValues:
    """What a pass has computed by one of its steps: each layer's activations
    (from the input and forward steps) and errors δ (from BP1 and BP2), by the
    book's layer number, every array (n, m). Layers not reached yet are absent."""

    activations: dict[int, np.ndarray]
    deltas: dict[int, np.ndarray]


def known_at(trace: Trace, index: int) -> LayerValues:
    """The activations and δ the pass has reached at its step ``index`` (time travel:
    stepping back forgets what is computed later)."""
    activations: dict[int, np.ndarray] = {}
    deltas: dict[int, np.ndarray] = {}
    for step in trace.steps[: index + 1]:
        if step.phase in ("input", "forward"):
            activations[step.layer] = step.arrays["a"]
        elif step.phase in ("output_error", "backward"):
            deltas[step.layer] = step.arrays["delta"]
    return LayerValues(activations, deltas)


def direction(step: TraceStep) -> str:
    """Which way the pass moves at this step: "forward", "backward" or "" (cost, update)."""
    if step.phase in ("input", "forward"):
        return "forward"
    if step.phase in ("output_error", "backward", "gradient"):
        return "backward"
    return ""


def target_label(y) -> Optional[int]:
    """The digit a one-hot target of 10 outputs stands for; None for any other target."""
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if y.size != 10 or np.count_nonzero(y == 1) != 1 or np.count_nonzero(y) != 1:
        return None
    return int(np.flatnonzero(y == 1)[0])


def narration(step: TraceStep) -> str:
    """A default sentence for a step: what the phase does, then the core's equation."""
    return phase_sentence(step.phase, step.equation)


# -- the gradient with respect to the input ---------------------------------------------

INPUT_GRADIENT_NOTE = (
    "∂C/∂x = (w²)ᵀδ² is BP2 taken one layer further back, to the input itself: for each pixel, how fast "
    "the cost changes as that pixel gets darker. Blue pixels (positive) would raise the cost if darkened, "
    "red ones (negative) would lower it, moving the answer toward the true label; the pixels where it is "
    "largest are the ones the network's reading hangs on.")


def input_gradient(trace: Trace) -> tuple[np.ndarray, int]:
    """∂C/∂x = (w²)ᵀδ², one column per example (n_in, m), and the index of the step from which
    it is known (the step that computes δ²: BP2 for layer 2, or BP1 when layer 2 is the output).

    Nothing in the pass needs it (no weight feeds the input), so the core does not record it;
    it is the same product BP2 takes, with the weights and δ² the trace holds."""
    w = next(s for s in trace if s.phase == "forward" and s.layer == 2).arrays["w"]
    source = next(s for s in trace if s.phase in ("backward", "output_error") and s.layer == 2)
    delta = source.arrays["delta"]
    return np.asarray(w).T @ np.asarray(delta), source.index
