"""Every number and sentence nnsim writes for a learner: one module, no UI.

The app's panels, ``nnsim run``, the trace exports and the handouts all write
numbers and narration through these functions, so the same value reads the
same everywhere:

- :func:`number`: one number on its own (in a sentence or an equation);
- :func:`column` and :func:`matrix`: an array formatted *as a whole* — every
  entry with the same decimals (or every entry in the same scientific form),
  right-aligned to one width so decimal points and signs line up;
- :data:`MINUS`: the Unicode minus, used for every negative number and exponent;
- :data:`PHASE_SENTENCES` and :data:`SENTENCES`: the one table of default sentences;
- :func:`fill`: the one template filler, for default sentences, equations and the
  lessons' own narration (placeholders documented in docs/scenarios.md).

Placeholders are ``{name}``, ``{name[i]}``, ``{name[i,j]}``, ``{name.min}`` or
``{wire.sum}``, optionally with a spec after a colon: ``{w1:p}`` puts a negative
number in parentheses, ``{delta:+}`` always writes the sign (+0.5), ``{z:sign}`` writes "positive", "negative" or "zero",
``{z:cmp}`` writes ">" or "≤" (how z compares with 0, the perceptron rule).
``{{`` and ``}}`` are literal braces.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

import numpy as np


MINUS = "\u2212"
"""The minus sign of every negative number nnsim shows (not the ASCII hyphen)."""

SIGNIFICANT = 4
"""Significant digits the smallest nonzero entry of a column keeps."""
MAX_DECIMALS = 8
"""A column needing more decimals than this is written in scientific form."""

NOISE_ULPS = 4
"""A value this many units in the last place from an integer is that integer plus float rounding."""

_INTEGER_LOOKING = re.compile(r"-?\d+\Z")


# -- one number -----------------------------------------------------------------------

def minus(text: str) -> str:
    """ASCII hyphens of a formatted number as Unicode minus signs."""
    return text.replace("-", MINUS)


def number(value: float, digits: int = 6) -> str:
    """A number as a learner reads it: 3, −2, 0.5, 0.731059, 1.2e−07, nan, inf.

    Exact integers without a decimal point (and integers off by float rounding,
    :data:`NOISE_ULPS`), others to ``digits`` significant digits, more when
    rounding would make them look like an integer (σ(30) is not 1). Negative
    numbers carry the Unicode minus.
    """
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else MINUS + "inf"
    if v == 0:
        return "0"
    if v == int(v) and abs(v) < 1e15:
        return minus(str(int(v)))
    if abs(v - round(v)) <= NOISE_ULPS * math.ulp(v) and abs(v) < 1e15:
        # Float rounding (‖(−2.4, −1.8)‖ = 3.0000000000000004), not a value near an integer
        # as σ(30) = 0.999999999999907 is (hundreds of ulps away): written as the integer.
        return minus(str(int(round(v))))
    for precision in (digits, 9, 12, 15):
        text = f"{v:.{precision}g}"
        if not _INTEGER_LOOKING.match(text):
            return minus(text)
    return minus(repr(v))


def signed(value: float, digits: int = 6) -> str:
    """Like :func:`number` with the sign always written: +0.01, −0.02, 0."""
    text = number(value, digits)
    return text if text.startswith(MINUS) or text in ("0", "nan") else "+" + text


def parse_number(text: str) -> float:
    """The value of a number as :func:`number` or :func:`column` wrote it."""
    return float(text.strip().replace(MINUS, "-").strip("()"))


def fit(value: float, width: int, decimals: int = 3) -> str:
    """One number in a cell of ``width`` characters (a diagram's label): an exact integer
    as it is, else fixed decimals when they fit and keep the number within 1%, else
    the most precise general form that fits (wider only when nothing fits)."""
    v = float(value)
    if not math.isfinite(v):
        return number(v).rjust(width)
    if v == int(v) and abs(v) < 10 ** (width - 1):
        return minus(str(int(v))).rjust(width)
    text = f"{v:.{decimals}f}"
    if len(text) <= width and abs(float(text) - v) <= 0.01 * abs(v):
        return minus(text).rjust(width)
    for precision in range(width, 0, -1):
        text = f"{v:.{precision}g}"
        if len(text) <= width:
            return minus(text).rjust(width)
    return minus(text)


# -- columns and matrices -----------------------------------------------------------------

@dataclass(frozen=True)
class ColumnFormat:
    """How every entry of one array is written: ``"integer"``, ``"fixed"`` with
    ``decimals``, or ``"scientific"`` with ``decimals`` in the mantissa."""

    style: str
    decimals: int = 0

    def write(self, value: float) -> str:
        v = float(value)
        if not math.isfinite(v):
            return number(v)
        if self.style == "integer":
            return minus(str(int(v)))
        if self.style == "fixed":
            text = f"{v:.{self.decimals}f}"
            # −0.000 would claim a sign the rounded number does not have.
            return minus(text[1:] if text.startswith("-") and float(text) == 0 else text)
        return minus(f"{v:.{self.decimals}e}")


def column_format(values: Iterable[float], significant: int = SIGNIFICANT,
                  max_decimals: int = MAX_DECIMALS) -> ColumnFormat:
    """The one format for a whole column or matrix.

    Integers stay integers. Otherwise the smallest nonzero magnitude keeps
    ``significant`` digits (fewer decimals when those write every entry exactly)
    and every entry gets the same decimals; when that
    would take more than ``max_decimals`` decimals, or the largest entry is a
    million or more, every entry is written in scientific form instead.
    """
    a = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64).ravel()
    finite = np.abs(a[np.isfinite(a)])
    if finite.size == 0 or (np.all(finite == np.round(finite)) and finite.max() < 1e6):
        return ColumnFormat("integer")
    nonzero = finite[finite > 0]
    lowest = int(math.floor(math.log10(nonzero.min())))
    highest = int(math.floor(math.log10(nonzero.max())))
    decimals = max(0, significant - 1 - lowest)
    if decimals > max_decimals or highest >= 6:
        return ColumnFormat("scientific", significant - 1)
    # Fewer decimals when they already write every entry exactly (weights 0.1, −0.5 …).
    exact = next((d for d in range(decimals) if np.allclose(np.round(finite, d), finite, rtol=1e-12, atol=0)),
                 decimals)
    return ColumnFormat("fixed", exact)


def column(values: Sequence[float], significant: int = SIGNIFICANT) -> list[str]:
    """A column of numbers written as a whole: one format, one width, right-aligned
    (so decimal points and signs line up). ``[-0.031, 0.03451, -0.0021]`` →
    ``["−0.03100", " 0.03451", "−0.00210"]``."""
    values = [float(v) for v in values]
    form = column_format(values, significant)
    texts = [form.write(v) for v in values]
    if form.style == "scientific":  # e−07 beside e−204: the exponents get one width too
        digits = max((len(t.partition("e")[2]) - 1 for t in texts if "e" in t), default=2)
        texts = [f"{t[:t.index('e') + 2]}{t[t.index('e') + 2:].zfill(digits)}" if "e" in t else t for t in texts]
    width = max((len(t) for t in texts), default=0)
    return [t.rjust(width) for t in texts]


def matrix(array, significant: int = SIGNIFICANT) -> list[list[str]]:
    """A matrix (or a column, as n×1) written as a whole: every cell one format and one width."""
    a = np.asarray(array, dtype=np.float64)
    if a.ndim == 0:
        a = a.reshape(1, 1)
    elif a.ndim == 1:
        a = a.reshape(-1, 1)
    flat = column(a.ravel().tolist(), significant)
    cols = a.shape[1]
    return [flat[r * cols:(r + 1) * cols] for r in range(a.shape[0])]


def matrix_lines(array, significant: int = SIGNIFICANT, gap: str = "  ") -> list[str]:
    """A matrix as lines of text, its cells aligned (``nnsim run`` and the handouts)."""
    return [gap.join(row) for row in matrix(array, significant)]


# -- templates ------------------------------------------------------------------------

_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?(?:\[\d+(?:,\d+)*\])?"
SPECS = ("p", "+", "sign", "cmp")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_FIELD = re.compile(rf"({_NAME})(?::([a-z]+|\+))?\Z")


def placeholders(template: str) -> list[tuple[str, str]]:
    """The ``(name, spec)`` of every placeholder in ``template``, in order.

    Raises ValueError with a short reason for anything that is not a valid
    placeholder (a stray brace, an empty or malformed name, an unknown spec).
    """
    found = []
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            raise ValueError(f"a lone {token!r} (write {token * 2} for a literal brace)")
        inner = match.group(1).strip()
        field = _FIELD.match(inner)
        if not field:
            raise ValueError(f"{{{inner}}} is not a placeholder (names look like {{z}}, {{a[0]}}, {{w[1,0]}})")
        spec = field.group(2) or ""
        if spec and spec not in SPECS:
            raise ValueError(f"{{{inner}}}: unknown format {spec!r} (use :p, :+, :sign or :cmp)")
        found.append((field.group(1), spec))
    return found


def check_template(template: str, names: Iterable[str]) -> Optional[str]:
    """Why ``template`` cannot be filled from values with these ``names``, or None."""
    try:
        wanted = placeholders(template)
    except ValueError as error:
        return str(error)
    known = set(names)
    for name, spec in wanted:
        if name not in known:
            listed = sorted(known, key=_natural)
            shown = ", ".join(listed[:14]) + (", …" if len(listed) > 14 else "")
            return f"unknown placeholder {{{name}}} (this step has {shown})"
    return None


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _put(value: Optional[float], spec: str, missing: str) -> str:
    if value is None:
        return missing
    v = float(value)
    if spec == "sign":
        return "positive" if v > 0 else "negative" if v < 0 else "zero"
    if spec == "cmp":
        return ">" if v > 0 else "≤"
    if spec == "+":
        return signed(v)
    text = number(v)
    return f"({text})" if spec == "p" and text.startswith(MINUS) else text


def fill(template: str, values: Mapping[str, float], missing: str = "?") -> str:
    """``template`` with its placeholders written in from ``values`` (one rule:
    :func:`number`); a name with no value writes ``missing``. Invalid templates
    are refused when a lesson is loaded, so here they are filled as far as they go."""
    def put(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if match.group(1) is None:
            return token
        field = _FIELD.match(match.group(1).strip())
        if not field:
            return token
        return _put(values.get(field.group(1)), field.group(2) or "", missing)
    return _TOKEN.sub(put, template)


def fill_parts(template: str, values: Mapping[str, float], missing: str = "?") -> list[tuple[str, bool]]:
    """``template`` filled, as ``(text, is_number)`` pieces, for screens that style the numbers."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        literal = template[last:match.start()]
        field = _FIELD.match(match.group(1).strip()) if match.group(1) is not None else None
        if field is None:
            parts.append((literal + (token[0] if token in ("{{", "}}") else token), False))
        else:
            parts.append((literal, False))
            parts.append((_put(values.get(field.group(1)), field.group(2) or "", missing), True))
        last = match.end()
    parts.append((template[last:], False))
    return [p for p in parts if p[0]]


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text`` (Unicode minus included), for tests and checks."""
    pattern = r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?"
    return [parse_number(t) for t in re.findall(pattern, text)]


# -- the sentences ---------------------------------------------------------------------

PHASE_SENTENCES: dict[str, str] = {
    "input": "The input x enters the network as the activations of layer 1.",
    "forward": "Feedforward: each neuron weighs the layer before, adds its bias (z) and squashes it (a = σ(z)).",
    "cost": "The quadratic cost: half the squared distance between the output and the target y.",
    "output_error": "BP1: the output error δ, how fast the cost changes with each output neuron's z.",
    "backward": "BP2: the error moves one layer back through the transposed weights, scaled by σ′(z).",
    "gradient": "BP3 and BP4: the gradient of the cost for this layer's biases (δ) and weights (δ times "
                "the activation feeding each weight).",
    "update": "Gradient descent: every weight and bias moves against its gradient by η/m.",
}
"""What each phase of a backprop pass does: the debugger, ``nnsim run`` and the handout use these words."""

SENTENCES: dict[str, str] = {
    "perceptron.no_inputs": "No inputs: the weighted sum is just the bias, {z} {z:cmp} 0, so the output is "
                            "{output}, whatever we wanted it to be.",
    "perceptron.row": "x = {row}: w·x + b = {sum} = {z} {z:cmp} 0, so the output is {output}.",
    "gate.no_inputs": "{head} has no inputs: its sum is the bias {z}, so it outputs {output} always.",
    "gate": "Layer {layer}: {head} reads {reads}: {sum} = {z} {z:cmp} 0 → {output}.",
    "circuit.output": " The circuit's output for {row}: {outs}.",
    "sigmoid.sample": "At z = {z}: σ(z) = {sigma}, the step function gives {step} and a perceptron {perceptron}.",
    "sigmoid.scale": "Weights and bias times c = {c}: z = {z} becomes c·z = {cz}, σ(c·z) = {sigma} against "
                     "step(c·z) = {step}, a gap of {gap}.",
    "sigmoid.nudge": "Δ{param} = {delta:+}: eq. 5 estimates Δoutput ≈ {estimate}, the sigmoid neuron actually "
                     "moves by {delta_output} (off by {error}), while {flip}.",
}
"""The default sentence of each kind of step. ``{row}``, ``{head}``, ``{sum}`` and the like are
pieces the kind's module writes in (:func:`sentence`); every number goes through :func:`fill`."""


def sentence(key: str, values: Mapping[str, float], **pieces: str) -> str:
    """A default sentence: ``pieces`` (words, or template fragments such as
    ``"{w1:p}·{x1} + {b}"``) put in first, then every number from ``values``."""
    template = SENTENCES[key]
    for name, piece in pieces.items():
        template = template.replace("{" + name + "}", piece)
    return fill(template, values)


def edited_title(title: str, changes: Sequence[tuple]) -> str:
    """A lesson's title after edits, so the title never contradicts the run: a changed value
    the title itself writes is rewritten in place ("Training [784, 30, 10] …" becomes
    "Training [784, 100, 10] …", which an 80-column title bar still shows); the others
    follow (" · now η 0.5"). ``changes`` are (name, new) or (name, old, new) texts."""
    rest = []
    for change in changes:
        name, new = change[0], change[-1]
        old = change[1] if len(change) == 3 else None
        if old is not None and old in title:
            title = title.replace(old, new)
        else:
            rest.append(f"{name} {new}")
    return f"{title} · now " + ", ".join(rest) if rest else title


def training_changes(before, after) -> list[tuple[str, str, str]]:
    """What a training run's settings changed from the lesson's (two train Scenarios):
    (name, old, new), the values written as the title writes them."""
    a, b = before.train, after.train
    pairs = [("sizes", list(before.network.sizes), list(after.network.sizes)), ("epochs", a.epochs, b.epochs),
             ("mini-batch", a.mini_batch_size, b.mini_batch_size), ("η", a.eta, b.eta), ("seed", a.seed, b.seed),
             ("dataset", a.dataset, b.dataset)]
    return [(name, _setting(old), _setting(new)) for name, old, new in pairs if old != new]


def _setting(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(number(v) for v in value) + "]"
    return number(value) if isinstance(value, (int, float)) else str(value)


def epoch_name(epoch: int) -> str:
    """An epoch as the book's run prints it, numbered from 0: "Epoch 0"."""
    return f"Epoch {int(epoch)}"


def epochs_span(epochs: int) -> str:
    """A run's epochs in the same numbering: "0–29" (just "0" for one epoch)."""
    return f"0–{int(epochs) - 1}" if epochs > 1 else "0"


def epoch_header(epoch: Optional[int], done: int, epochs: int, before: str = "before training") -> str:
    """The training screen's step counter: "Epoch 3 of 0–29 · 4 of 30 done"."""
    where = before if epoch is None else f"{epoch_name(epoch)} of {epochs_span(epochs)}"
    return f"{where} · {done} of {epochs} done"


def save_name(sizes: Sequence[int], seed: int) -> str:
    """The file a trained network is saved to unless the learner names one."""
    return f"nnsim-{'-'.join(str(n) for n in sizes)}-seed{seed}.npz"


def phase_sentence(phase: str, equation: str = "") -> str:
    """A backprop step's default narration: what the phase does, then the core's equation."""
    return f"{PHASE_SENTENCES[phase]} {equation}".rstrip()
