"""Scenario files: TOML lessons read into validated, frozen objects.

A scenario is data only. The file is parsed with the standard library's
``tomllib`` and every value is checked against the schema below before
anything is built from it; nothing in a file is ever executed or imported.
Every mistake becomes one :class:`~nnsim.errors.NnsimError` line naming the
file, the key path and what was expected versus what was found, e.g.::

    scenarios/xor.toml: [network].sizes: expected a list of at least 2 positive integers, got "abc"

The reference for every key is ``docs/scenarios.md``.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

from nnsim.core.circuit import Circuit, Gate, half_adder, xor_from_nands
from nnsim.core.perceptron import AND, NAND, NOT, OR, Perceptron
from nnsim.errors import NnsimError

KINDS = ("perceptron", "circuit", "sigmoid", "backprop", "train")

# The chapter's sections, in reading order: ``nnsim list`` and the app's home
# screen group lessons under these titles.
SECTIONS: dict[str, str] = {
    "perceptrons": "Perceptrons",
    "sigmoid-neurons": "Sigmoid neurons",
    "architecture": "The architecture of neural networks",
    "gradient-descent": "Learning with gradient descent",
    "implementing": "Implementing our network to classify digits",
}
DEFAULT_SECTION = {
    "perceptron": "perceptrons", "circuit": "perceptrons", "sigmoid": "sigmoid-neurons",
    "backprop": "gradient-descent", "train": "implementing",
}

DATASETS = ("mnist", "fashion-mnist", "sample")
IMAGE_PIXELS = 784  # every dataset nnsim reads is of 28×28 images
CLASSES = 10

# Limits: big enough for every lesson of the chapter (the largest is
# [784, 100, 10], 30 epochs on 50,000 digits), small enough that a typo such as
# sizes = [784, 3000000, 10] is refused before it eats the machine's memory.
LIMITS = {
    "file_bytes": 1_000_000,
    "layers": 6,
    "neurons_per_layer": 4096,
    "network_parameters": 2_000_000,
    "explicit_parameters": 10_000,
    "perceptron_inputs": 10,
    "circuit_inputs": 8,
    "circuit_gates": 64,
    "rows": 1024,
    "magnitude": 1_000_000.0,
    "sigmoid_samples": 200,
    "z_magnitude": 1000.0,
    "scales": 50,
    "nudges": 50,
    "batch_examples": 100,
    "updates": 50,
    "epochs": 500,
    "mini_batch_size": 10_000,
    "eta": 1_000_000.0,
    "examples": 70_000,
    "seed": 2**32 - 1,
    "title_chars": 120,
    "text_chars": 4000,
    "list_entries": 200,
}

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_WIRE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,23}\Z")
_BUILTIN_GATES = {"NAND": NAND, "AND": AND, "OR": OR, "NOT": NOT}
_BUILTIN_CIRCUITS = {"xor_from_nands": xor_from_nands, "half_adder": half_adder}
_CONDITIONS = ("nan", "saturation", "vanishing", "accuracy")
_EXPECT_TYPES = ("output", "truth_table", "value", "trend", "gradient_check", "accuracy", "compare")
# Which expectations and conditions make sense for which kind of lesson.
_EXPECT_KINDS = {
    "output": ("perceptron", "circuit"),
    "truth_table": ("perceptron", "circuit"),
    "value": ("perceptron", "circuit", "sigmoid", "backprop"),
    "trend": ("sigmoid", "backprop"),
    "gradient_check": ("backprop",),
    "accuracy": ("train",),
    "compare": ("train",),
}
_CONDITION_KINDS = {
    "nan": ("sigmoid", "backprop", "train"),
    "saturation": ("sigmoid", "backprop"),
    "vanishing": ("backprop",),
    "accuracy": ("train",),
}
# The tables that hold a kind's parameters; their keys are what [controls] names.
_KIND_TABLES = {
    "perceptron": ("perceptron",),
    "circuit": ("circuit",),
    "sigmoid": ("neuron", "sigmoid"),
    "backprop": ("network", "backprop"),
    "train": ("network", "train", "quick"),
}
_TABLE_KEYS = {
    "perceptron": ("weights", "bias", "inputs"),
    "circuit": ("builtin", "inputs", "outputs", "gate", "rows"),
    "neuron": ("weights", "bias", "x"),
    "sigmoid": ("z", "scales", "nudge"),
    "network": ("sizes", "seed", "weights", "biases", "dtype"),
    "backprop": ("x", "y", "dataset", "split", "example", "examples", "eta", "updates"),
    "train": ("dataset", "epochs", "mini_batch_size", "eta", "seed", "validation_size",
              "training_size", "test_size", "outputs"),
}
_TABLE_KEYS["quick"] = _TABLE_KEYS["train"] + ("expect",)
_PARAMETER_TABLES = tuple(sorted({t for ts in _KIND_TABLES.values() for t in ts}))
_TOP_KEYS = ("title", "description", "kind", "section", "order", "narration", "breakpoint",
             "controls", "expect") + _PARAMETER_TABLES


# -- the typed objects ----------------------------------------------------------

@dataclass(frozen=True)
class NetworkSpec:
    """A network to build: ``sizes`` and either a ``seed`` (the core's standard normal
    initialisation) or explicit ``weights``/``biases`` (nested tuples, the book's shapes:
    ``weights[l]`` is (sizes[l+1], sizes[l]), ``biases[l]`` has sizes[l+1] entries)."""

    sizes: tuple[int, ...]
    seed: int = 0
    weights: Optional[tuple] = None
    biases: Optional[tuple] = None
    dtype: str = "float64"


@dataclass(frozen=True)
class Nudge:
    """Change one parameter of the sigmoid lesson's neuron: ``param`` is "w1", "w2", … or "b"."""

    param: str
    delta: float

    @property
    def index(self) -> Optional[int]:
        """0-based weight index, or None for the bias."""
        return None if self.param == "b" else int(self.param[1:]) - 1


@dataclass(frozen=True)
class SigmoidSpec:
    """The sigmoid lesson: a neuron (``weights``, ``bias``, input ``x``), sample points
    ``z`` for σ(z) against step(z), scale factors ``scales`` (c in σ(c·z)), and nudges."""

    weights: tuple[float, ...]
    bias: float
    x: tuple[float, ...]
    z: tuple[float, ...] = ()
    scales: tuple[float, ...] = ()
    nudges: tuple[Nudge, ...] = ()


@dataclass(frozen=True)
class BackpropSpec:
    """One or more backprop passes: inline examples ``x``/``y`` (tuples of rows, one row
    per example of the mini-batch) or ``examples`` drawn from ``dataset``'s ``split``."""

    x: Optional[tuple[tuple[float, ...], ...]] = None
    y: Optional[tuple[tuple[float, ...], ...]] = None
    dataset: Optional[str] = None
    split: str = "training"
    examples: tuple[int, ...] = ()
    eta: Optional[float] = None
    updates: int = 1

    @property
    def m(self) -> int:
        """The mini-batch size."""
        return len(self.x) if self.x is not None else len(self.examples)


@dataclass(frozen=True)
class TrainSpec:
    """A training run: the book's ``epochs``, ``mini_batch_size`` and ``eta`` on ``dataset``.

    ``training_size``/``test_size`` take a seeded random subset; ``outputs`` is
    "one-hot" (the chapter's 10 outputs) or "binary" (4 outputs, a digit's bits).
    """

    dataset: str
    epochs: int
    mini_batch_size: int
    eta: float
    seed: int = 0
    validation_size: Optional[int] = None
    training_size: Optional[int] = None
    test_size: Optional[int] = None
    outputs: str = "one-hot"


@dataclass(frozen=True)
class Narration:
    """Text for the steps that ``step`` selects: an index (from 0), an exact step
    title, or a title pattern with ``*`` (e.g. ``"backward, *"``)."""

    step: Union[int, str]
    text: str


@dataclass(frozen=True)
class Condition:
    """A condition breakpoint: ``kind`` is nan, saturation (some σ′(z) < epsilon),
    vanishing (some |δ| < epsilon) or accuracy (accuracy ≥ at_least)."""

    kind: str
    epsilon: Optional[float] = None
    at_least: Optional[float] = None

    def describe(self) -> str:
        if self.kind == "nan":
            return "NaN or infinity"
        if self.kind == "saturation":
            return f"σ′(z) < {self.epsilon:g}"
        if self.kind == "vanishing":
            return f"|δ| < {self.epsilon:g}"
        return f"accuracy ≥ {self.at_least:g}"


@dataclass(frozen=True)
class Controls:
    """Which parameters the learner may change: key paths such as "perceptron.bias"."""

    editable: frozenset[str]

    def can_edit(self, key: str) -> bool:
        return key in self.editable


@dataclass(frozen=True)
class Expect:
    """One expectation. ``type`` picks which of the other fields apply (see docs)."""

    type: str
    description: Optional[str] = None
    input: Optional[tuple[int, ...]] = None
    output: Optional[Any] = None  # int, or a tuple of ints for a circuit's outputs
    outputs: Optional[tuple] = None  # truth table, in counting order
    step: Optional[Union[int, str]] = None
    steps: Optional[str] = None
    name: Optional[str] = None
    equals: Optional[Any] = None  # a number or nested tuples
    tolerance: float = 1e-9
    at_most: Optional[float] = None
    at_least: Optional[float] = None
    direction: Optional[str] = None
    max_relative_error: Optional[float] = None
    parameters: Optional[int] = None
    epsilon: float = 1e-5
    after_epochs: Optional[int] = None
    lower_than: Optional[str] = None
    higher_than: Optional[str] = None
    by_at_least: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """One lesson, validated. ``name`` is the file's stem; ``section`` the chapter
    section's title (see :data:`SECTIONS`), ``section_id`` its key.

    The kind's parameters sit in the field named after the kind's table:
    ``perceptron`` (a core :class:`Perceptron`, with ``inputs`` the rows to step,
    None for every binary input), ``circuit`` (a core :class:`Circuit`, rows in
    ``inputs``), ``sigmoid``, ``network`` + ``backprop``, ``network`` + ``train``.
    ``quick`` is a train lesson's smaller variant (a :class:`TrainSpec`) and
    ``quick_expects`` its expectations; see :meth:`variant`.
    """

    name: str
    title: str
    description: str
    kind: str
    section: str
    section_id: str
    path: Path
    order: int = 500
    perceptron: Optional[Perceptron] = None
    circuit: Optional[Circuit] = None
    inputs: Optional[tuple[tuple[int, ...], ...]] = None
    sigmoid: Optional[SigmoidSpec] = None
    network: Optional[NetworkSpec] = None
    backprop: Optional[BackpropSpec] = None
    train: Optional[TrainSpec] = None
    quick: Optional[TrainSpec] = None
    quick_expects: tuple[Expect, ...] = ()
    narration: tuple[Narration, ...] = ()
    breakpoints: tuple[Union[int, str], ...] = ()
    conditions: tuple[Condition, ...] = ()
    controls: Controls = Controls(frozenset())
    expects: tuple[Expect, ...] = ()
    is_quick: bool = False
    max_epochs: int = 0  # the longer of the full and quick runs: narration may name any epoch
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        """How error messages name the file."""
        return _label(self.path)

    @property
    def has_quick(self) -> bool:
        return self.quick is not None

    def variant(self, quick: bool = False) -> "Scenario":
        """The scenario itself, or with ``quick`` its smaller variant: the [quick]
        training settings and expectations in place of the full ones. A lesson
        without [quick] (or of another kind) is its own quick variant."""
        if not quick or self.quick is None or self.is_quick:
            return self
        return dataclasses.replace(self, train=self.quick, expects=self.quick_expects, is_quick=True)

    def with_changes(self, changes: Mapping[str, Any]) -> "Scenario":
        """A new scenario with some parameters changed, validated like the file.

        ``changes`` maps key paths (as in [controls], e.g. ``"perceptron.bias"``)
        to new values; a locked key or an invalid value raises NnsimError.
        """
        raw = copy.deepcopy(dict(self.raw))
        for key, value in changes.items():
            if not self.controls.can_edit(key):
                raise NnsimError(f"{self.label}: {key} is locked in this lesson")
            table, _, name = key.partition(".")
            raw.setdefault(table, {})[name] = value
        return parse_scenario(raw, self.path, self.name)


# -- reading files ----------------------------------------------------------------

def bundled_dir() -> Path:
    """The folder of the lessons shipped with nnsim: ``nnsim/scenarios/`` inside an
    installed wheel, ``scenarios/`` at the root of a source checkout (and of an
    editable install, where setup.py's mapping is not a real folder)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "scenarios"
    return installed if installed.is_dir() else package.parent / "scenarios"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.toml"))


def bundled_scenarios() -> list[Scenario]:
    """Every bundled lesson, in the chapter's order: by section, then ``order``, then name."""
    scenarios = [load_scenario(p) for p in sorted(bundled_dir().glob("*.toml"))]
    sections = list(SECTIONS)
    return sorted(scenarios, key=lambda s: (sections.index(s.section_id), s.order, s.name))


def resolve_path(path_or_name: Union[str, Path]) -> Path:
    """A file path as given, or the bundled lesson of that name (``nand`` → scenarios/nand.toml)."""
    text = str(path_or_name)
    path = Path(text)
    looks_like_path = isinstance(path_or_name, Path) or "/" in text or "\\" in text or text.endswith(".toml")
    if looks_like_path or path.exists():
        if not path.is_file():
            raise NnsimError(f"{text}: no such scenario file")
        return path
    candidate = bundled_dir() / f"{text}.toml"
    if candidate.is_file():
        return candidate
    names = bundled_names()
    hint = difflib.get_close_matches(text, names, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else " (nnsim list shows them)"
    raise NnsimError(f"{text}: no such scenario file or bundled lesson{suggestion}")


def load_scenario(path_or_name: Union[str, Path]) -> Scenario:
    """Read and validate one scenario file, given by path or by bundled lesson name."""
    path = resolve_path(path_or_name)
    label = _label(path)
    try:
        size = path.stat().st_size
        if size > LIMITS["file_bytes"]:
            raise NnsimError(f"{label}: file is {size:,} bytes; a scenario may be at most "
                             f"{LIMITS['file_bytes']:,}")
        data = path.read_bytes()
    except OSError as error:
        raise NnsimError(f"{label}: cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NnsimError(f"{label}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                         f"{error.start})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise NnsimError(f"{label}: invalid TOML: {error}") from None
    except RecursionError:
        raise NnsimError(f"{label}: invalid TOML: nested too deeply") from None
    return parse_scenario(raw, path, path.stem)


def parse_scenario(raw: Mapping[str, Any], path: Union[str, Path], name: Optional[str] = None) -> Scenario:
    """Validate an already-parsed TOML document (what :func:`load_scenario` reads)."""
    path = Path(path)
    try:
        return _Parser(_label(path)).scenario(raw, path, name or path.stem)
    except RecursionError:
        raise NnsimError(f"{_label(path)}: values nested too deeply") from None


def _label(path: Path) -> str:
    """Bundled lessons are named ``scenarios/x.toml`` wherever they are installed."""
    try:
        if path.resolve().parent == bundled_dir().resolve():
            return f"scenarios/{path.name}"
    except OSError:
        pass
    return str(path)


# -- showing what was found -----------------------------------------------------------

def show(value: Any, limit: int = 60) -> str:
    """A value as it would appear in the file, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, float):
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, (list, tuple)):
        parts, total = [], 0
        for item in value:
            piece = show(item, limit)
            total += len(piece) + 2
            if total > limit:
                parts.append("…")
                break
            parts.append(piece)
        text = "[" + ", ".join(parts) + "]"
    elif isinstance(value, Mapping):
        text = "a table"
    else:
        text = f"a {type(value).__name__.replace('_', ' ')}"  # dates and times
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the parser -----------------------------------------------------------------------

_MISSING = object()


class _Table:
    """One TOML table being read: remembers the keys asked for so that the rest can be
    reported as unknown, with a "did you mean" from the keys this table allows."""

    def __init__(self, parser: "_Parser", data: Any, where: str, allowed: tuple[str, ...]):
        self.parser, self.where, self.allowed = parser, where, allowed
        if not isinstance(data, Mapping):
            parser.fail(where, "a table", data)
        self.data = data
        unknown = [k for k in data if k not in allowed]
        if unknown:
            key = unknown[0]
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (allowed: {', '.join(allowed)})"
            if where and key in _TOP_KEYS and not hint:
                # TOML puts every key after a [table] header into that table.
                suggestion = f" ({key} is a top-level key: put it above the first [table])"
            raise NnsimError(f"{parser.label}: {self.path(key)}: unknown key{suggestion}")

    def path(self, key: str) -> str:
        if not _BARE_KEY.match(key):
            key = json.dumps(key)  # as TOML would quote it, and never a line break in a message
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, check: Callable[[Any, str], Any], default: Any = _MISSING) -> Any:
        if key not in self.data:
            if default is _MISSING:
                raise NnsimError(f"{self.parser.label}: {self.path(key)}: missing (required)")
            return default
        return check(self.data[key], self.path(key))


class _Parser:
    def __init__(self, label: str):
        self.label = label

    def fail(self, where: str, expected: str, got: Any) -> None:
        raise NnsimError(f"{self.label}: {where}: expected {expected}, got {show(got)}")

    def error(self, where: str, message: str) -> None:
        raise NnsimError(f"{self.label}: {where}: {message}")

    # -- scalar checks; each takes (value, key path) and returns the clean value --

    def string(self, max_chars: int, single_line: bool = False):
        what = f"a {'one-line ' if single_line else ''}string of 1 to {max_chars} characters"

        def check(v, where):
            if not isinstance(v, str) or not v.strip() or len(v) > max_chars or (single_line and "\n" in v):
                self.fail(where, what, v)
            return v.strip()
        return check

    def choice(self, options: tuple[str, ...]):
        def check(v, where):
            if not isinstance(v, str):
                self.fail(where, "one of " + ", ".join(f'"{o}"' for o in options), v)
            if v not in options:
                hint = difflib.get_close_matches(v, options, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                raise NnsimError(f"{self.label}: {where}: expected one of "
                                 f"{', '.join(options)}, got {show(v)}{suggestion}")
            return v
        return check

    def integer(self, lo: int, hi: int, what: Optional[str] = None):
        def check(v, where):
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                self.fail(where, what or f"an integer from {lo:,} to {hi:,}", v)
            return v
        return check

    def number(self, lo: float = -LIMITS["magnitude"], hi: float = LIMITS["magnitude"],
               what: Optional[str] = None, positive: bool = False, nonzero: bool = False):
        what = what or (f"a number above 0 and at most {hi:g}" if positive
                        else f"a number from {lo:g} to {hi:g}" + (", not 0" if nonzero else ""))

        def check(v, where):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.fail(where, what, v)
            if isinstance(v, float) and not math.isfinite(v):
                self.fail(where, "a finite number", v)
            if not lo <= v <= hi or (positive and v <= 0) or (nonzero and v == 0):
                self.fail(where, what, v)
            return float(v)
        return check

    def boolean(self, v, where):
        if not isinstance(v, bool):
            self.fail(where, "true or false", v)
        return v

    def step_ref(self, v, where):
        """A step: an index from 0, or a title (exact, or a pattern with *)."""
        if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, int) and not 0 <= v <= 10**6) \
                or (isinstance(v, str) and not 0 < len(v.strip()) <= LIMITS["title_chars"]):
            self.fail(where, "a step index (from 0) or a step title", v)
        return v.strip() if isinstance(v, str) else v

    def numbers(self, where: str, v: Any, length: Optional[int] = None, lo: float = -LIMITS["magnitude"],
                hi: float = LIMITS["magnitude"], max_len: int = LIMITS["list_entries"], min_len: int = 0,
                what: Optional[str] = None) -> tuple[float, ...]:
        if length is not None:
            what = what or f"a list of {length} number{'s' if length != 1 else ''} from {lo:g} to {hi:g}"
        else:
            what = what or f"a list of {min_len} to {max_len} numbers from {lo:g} to {hi:g}"
        if not isinstance(v, list) or (length is not None and len(v) != length) \
                or not min_len <= len(v) <= max_len:
            self.fail(where, what, v)
        for item in v:
            if isinstance(item, float) and not math.isfinite(item):
                self.fail(where, "finite numbers", v)
            if isinstance(item, bool) or not isinstance(item, (int, float)) or not lo <= item <= hi:
                self.fail(where, what, v)
        return tuple(float(item) for item in v)

    def bits(self, where: str, v: Any, length: int) -> tuple[int, ...]:
        what = f"a list of {length} bits (0 or 1)"
        if not isinstance(v, list) or len(v) != length or \
                any(isinstance(b, bool) or b not in (0, 1) or isinstance(b, float) for b in v):
            self.fail(where, what, v)
        return tuple(int(b) for b in v)

    def rows(self, where: str, v: Any, width: int) -> tuple[tuple[int, ...], ...]:
        if not isinstance(v, list) or not 1 <= len(v) <= LIMITS["rows"]:
            self.fail(where, f"a list of 1 to {LIMITS['rows']} input rows of {width} bits", v)
        return tuple(self.bits(where, row, width) for row in v)

    def tables(self, where: str, v: Any, max_len: int) -> list:
        if not isinstance(v, list) or not all(isinstance(t, Mapping) for t in v):
            self.fail(f"[[{where}]]", "an array of tables", v)
        if len(v) > max_len:
            self.error(f"[[{where}]]", f"at most {max_len} entries allowed, got {len(v)}")
        return v

    # -- the document --

    def scenario(self, raw: Mapping[str, Any], path: Path, name: str) -> Scenario:
        top = _Table(self, raw, "", _TOP_KEYS)
        title = top.get("title", self.string(LIMITS["title_chars"], single_line=True))
        description = top.get("description", self.string(LIMITS["text_chars"]))
        kind = top.get("kind", self.choice(KINDS))
        section_id = top.get("section", self.choice(tuple(SECTIONS)), DEFAULT_SECTION[kind])
        order = top.get("order", self.integer(0, 999), 500)
        for table in _PARAMETER_TABLES:
            if table in raw and table not in _KIND_TABLES[kind]:
                uses = " and ".join(f"[{t}]" for t in _KIND_TABLES[kind])
                self.error(f"[{table}]", f"not used by kind \"{kind}\" (it reads {uses})")
        fields: dict[str, Any] = {}
        if kind == "perceptron":
            fields.update(self.perceptron(top))
        elif kind == "circuit":
            fields.update(self.circuit(top))
        elif kind == "sigmoid":
            fields["sigmoid"] = self.sigmoid(top)
        elif kind == "backprop":
            fields["network"] = self.network(top, default_dtype="float64")
            fields["backprop"] = self.backprop(top, fields["network"])
        else:
            fields["network"] = self.network(top, default_dtype="float32")
            fields.update(self.train(top, fields["network"]))
        narration = tuple(self.narration(t, f"[[narration]][{i}]") for i, t in
                          enumerate(self.tables("narration", raw.get("narration", []), LIMITS["list_entries"]), 1))
        breakpoints, conditions = self.breakpoints(raw.get("breakpoint", []), kind)
        controls = self.controls(raw.get("controls", {}), kind)
        expects = self.expects(raw.get("expect", []), "expect", kind, fields)
        if kind == "train" and fields.get("quick") is not None:
            fields["quick_expects"] = self.expects(raw["quick"].get("expect", []), "quick.expect", kind,
                                                   dict(fields, train=fields["quick"]))
        return Scenario(
            name=name, title=title, description=description, kind=kind, section=SECTIONS[section_id],
            section_id=section_id, path=path, order=order, narration=narration, breakpoints=breakpoints,
            conditions=conditions, controls=controls, expects=expects, raw=copy.deepcopy(dict(raw)), **fields)

    # -- perceptron --

    def perceptron(self, top: _Table) -> dict:
        t = _Table(self, top.get("perceptron", lambda v, w: v), "[perceptron]", _TABLE_KEYS["perceptron"])
        weights = t.get("weights", lambda v, w: self.numbers(
            w, v, max_len=LIMITS["perceptron_inputs"],
            what=f"a list of 0 to {LIMITS['perceptron_inputs']} numbers (the weights)"))
        bias = t.get("bias", self.number())
        inputs = t.get("inputs", lambda v, w: self.rows(w, v, len(weights)), None)
        return {"perceptron": Perceptron(weights, bias), "inputs": inputs}

    # -- circuit --

    def wires(self, where: str, v: Any, min_len: int, max_len: int) -> tuple[str, ...]:
        what = f"a list of {min_len} to {max_len} wire names (letters, digits, _)"
        if not isinstance(v, list) or not min_len <= len(v) <= max_len or \
                not all(isinstance(n, str) and _WIRE.match(n) for n in v):
            self.fail(where, what, v)
        return tuple(v)

    def wire_name(self, v: Any, where: str) -> str:
        if not isinstance(v, str) or not _WIRE.match(v):
            self.fail(where, "a wire name (a letter or _, then letters, digits or _; at most 24)", v)
        return v

    def circuit(self, top: _Table) -> dict:
        t = _Table(self, top.get("circuit", lambda v, w: v), "[circuit]", _TABLE_KEYS["circuit"])
        if t.has("builtin"):
            for key in ("inputs", "outputs", "gate"):
                if t.has(key):
                    self.error(t.path(key), "give either builtin or inputs/outputs/gate, not both")
            circuit = _BUILTIN_CIRCUITS[t.get("builtin", self.choice(tuple(_BUILTIN_CIRCUITS)))]()
        else:
            inputs = t.get("inputs", lambda v, w: self.wires(w, v, 1, LIMITS["circuit_inputs"]))
            outputs = t.get("outputs", lambda v, w: self.wires(w, v, 1, 8))
            gate_tables = self.tables("circuit.gate", t.get("gate", lambda v, w: v), LIMITS["circuit_gates"])
            if not gate_tables:
                self.error("[[circuit.gate]]", "a circuit needs at least one gate")
            gates = tuple(self.gate(g, f"[[circuit.gate]][{i}]") for i, g in enumerate(gate_tables, 1))
            try:
                circuit = Circuit(inputs, gates, outputs)
            except ValueError as error:
                raise NnsimError(f"{self.label}: [circuit]: {error}") from None
        rows = t.get("rows", lambda v, w: self.rows(w, v, len(circuit.inputs)), None)
        return {"circuit": circuit, "inputs": rows}

    def gate(self, data: Any, where: str) -> Gate:
        g = _Table(self, data, where, ("name", "gate", "weights", "bias", "inputs"))
        name = g.get("name", self.wire_name)
        if g.has("gate"):
            if g.has("weights") or g.has("bias"):
                self.error(g.path("gate"), "give either gate or weights and bias, not both")
            perceptron = _BUILTIN_GATES[g.get("gate", self.choice(tuple(_BUILTIN_GATES)))]
        else:
            weights = g.get("weights", lambda v, w: self.numbers(w, v, max_len=8))
            perceptron = Perceptron(weights, g.get("bias", self.number()))
        n = perceptron.n_inputs
        inputs = g.get("inputs", lambda v, w: self.wires(w, v, 0, 8))
        if len(inputs) != n:
            self.fail(g.path("inputs"), f"{n} wire name{'s' if n != 1 else ''} (one per weight)", list(inputs))
        return Gate(name, perceptron, inputs)

    # -- sigmoid --

    def sigmoid(self, top: _Table) -> SigmoidSpec:
        n = _Table(self, top.get("neuron", lambda v, w: v), "[neuron]", _TABLE_KEYS["neuron"])
        weights = n.get("weights", lambda v, w: self.numbers(w, v, min_len=1, max_len=LIMITS["perceptron_inputs"]))
        bias = n.get("bias", self.number())
        x = n.get("x", lambda v, w: self.numbers(w, v, length=len(weights), lo=0.0, hi=1.0))
        s = _Table(self, top.get("sigmoid", lambda v, w: v), "[sigmoid]", _TABLE_KEYS["sigmoid"])
        zmax = LIMITS["z_magnitude"]
        z = s.get("z", lambda v, w: self.numbers(w, v, lo=-zmax, hi=zmax, max_len=LIMITS["sigmoid_samples"]), ())
        scales = s.get("scales", lambda v, w: self.numbers(
            w, v, hi=LIMITS["magnitude"], max_len=LIMITS["scales"],
            what=f"a list of up to {LIMITS['scales']} scale factors above 0"), ())
        if any(c <= 0 for c in scales):
            self.fail(s.path("scales"), f"a list of up to {LIMITS['scales']} scale factors above 0",
                      s.data["scales"])
        params = tuple(f"w{j}" for j in range(1, len(weights) + 1)) + ("b",)
        nudges = tuple(
            self.nudge(t, f"[[sigmoid.nudge]][{i}]", params) for i, t in
            enumerate(self.tables("sigmoid.nudge", s.get("nudge", lambda v, w: v, []), LIMITS["nudges"]), 1))
        if not (z or scales or nudges):
            self.error("[sigmoid]", "give at least one of z, scales or [[sigmoid.nudge]] (the lesson's steps)")
        return SigmoidSpec(weights, bias, x, z, scales, nudges)

    def nudge(self, data: Any, where: str, params: tuple[str, ...]) -> Nudge:
        t = _Table(self, data, where, ("param", "delta"))
        return Nudge(t.get("param", self.choice(params)),
                     t.get("delta", self.number(-1000.0, 1000.0, nonzero=True)))

    # -- networks --

    def network(self, top: _Table, default_dtype: str) -> NetworkSpec:
        t = _Table(self, top.get("network", lambda v, w: v), "[network]", _TABLE_KEYS["network"])
        sizes = t.get("sizes", self.sizes)
        seed = t.get("seed", self.integer(0, LIMITS["seed"]), 0)
        dtype = t.get("dtype", self.choice(("float32", "float64")), default_dtype)
        weights = biases = None
        if t.has("weights") or t.has("biases"):
            if not (t.has("weights") and t.has("biases")):
                missing = "biases" if t.has("weights") else "weights"
                self.error(t.path(missing), "missing (explicit weights and biases go together)")
            count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
            if count > LIMITS["explicit_parameters"]:
                self.error(t.path("weights"), f"explicit weights are for small networks: {count:,} parameters "
                           f"given, at most {LIMITS['explicit_parameters']:,} (use seed instead)")
            weights = self.weight_matrices(t.data["weights"], t.path("weights"), sizes)
            biases = self.bias_vectors(t.data["biases"], t.path("biases"), sizes)
        return NetworkSpec(sizes, seed, weights, biases, dtype)

    def sizes(self, v: Any, where: str) -> tuple[int, ...]:
        what = "a list of at least 2 positive integers"
        if not isinstance(v, list) or len(v) < 2 or \
                any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in v):
            self.fail(where, what, v)
        if len(v) > LIMITS["layers"]:
            self.fail(where, f"at most {LIMITS['layers']} layers", v)
        if max(v) > LIMITS["neurons_per_layer"]:
            self.fail(where, f"at most {LIMITS['neurons_per_layer']:,} neurons per layer", v)
        count = sum(a * b + b for a, b in zip(v[:-1], v[1:]))
        if count > LIMITS["network_parameters"]:
            self.error(where, f"{show(v)} has {count:,} weights and biases; the limit is "
                       f"{LIMITS['network_parameters']:,}")
        return tuple(v)

    def weight_matrices(self, v: Any, where: str, sizes: tuple[int, ...]) -> tuple:
        layers = len(sizes) - 1
        if not isinstance(v, list) or len(v) != layers:
            self.fail(where, f"a list of {layers} weight matrices (one per layer after the input)", v)
        matrices = []
        for l, (matrix, n_in, n_out) in enumerate(zip(v, sizes[:-1], sizes[1:]), start=2):
            shape = f"w{l} is {n_out}×{n_in} for sizes {show(list(sizes))}"
            if not isinstance(matrix, list) or len(matrix) != n_out:
                self.error(where, f"layer {l}: expected {n_out} rows ({shape}), got {show(matrix)}")
            rows = []
            for j, row in enumerate(matrix):
                rows.append(self.numbers(f"{where}, layer {l}, row {j}", row, length=n_in,
                                         what=f"{n_in} numbers ({shape})"))
            matrices.append(tuple(rows))
        return tuple(matrices)

    def bias_vectors(self, v: Any, where: str, sizes: tuple[int, ...]) -> tuple:
        layers = len(sizes) - 1
        if not isinstance(v, list) or len(v) != layers:
            self.fail(where, f"a list of {layers} bias lists (one per layer after the input)", v)
        return tuple(self.numbers(f"{where}, layer {l}", b, length=n,
                                  what=f"{n} numbers (layer {l} has {n} neurons)")
                     for l, (b, n) in enumerate(zip(v, sizes[1:]), start=2))

    def examples(self, v: Any, where: str, width: int, layer: str) -> tuple[tuple[float, ...], ...]:
        """One example (a flat list) or a mini-batch (a list of lists), as rows."""
        what = f"{width} number{'s' if width != 1 else ''} (one per {layer} neuron)"
        if isinstance(v, list) and v and all(isinstance(r, list) for r in v):
            if len(v) > LIMITS["batch_examples"]:
                self.fail(where, f"at most {LIMITS['batch_examples']} examples", v)
            return tuple(self.numbers(where, r, length=width, what=f"rows of {what}") for r in v)
        return (self.numbers(where, v, length=width, what=f"a list of {what}, or a list of such rows"),)

    def backprop(self, top: _Table, network: NetworkSpec) -> BackpropSpec:
        t = _Table(self, top.get("backprop", lambda v, w: v), "[backprop]", _TABLE_KEYS["backprop"])
        eta = t.get("eta", self.number(hi=LIMITS["eta"], positive=True), None)
        updates = t.get("updates", self.integer(1, LIMITS["updates"]), 1)
        if updates > 1 and eta is None:
            self.error(t.path("updates"), "successive updates need eta (the learning rate)")
        n_in, n_out = network.sizes[0], network.sizes[-1]
        if t.has("dataset"):
            for key in ("x", "y"):
                if t.has(key):
                    self.error(t.path(key), "give either x and y, or dataset and example(s), not both")
            dataset = t.get("dataset", self.choice(DATASETS))
            split = t.get("split", self.choice(("training", "test")), "training")
            if t.has("example") == t.has("examples"):
                self.error(t.path("example"), "with dataset, give exactly one of example or examples")
            index = self.integer(0, LIMITS["examples"] - 1)
            if t.has("example"):
                examples = (t.get("example", index),)
            else:
                examples = t.get("examples", lambda v, w: tuple(
                    index(i, w) for i in (v if isinstance(v, list) and 1 <= len(v) <= LIMITS["batch_examples"]
                                          else self.fail(w, f"a list of 1 to {LIMITS['batch_examples']} "
                                                            "example indices", v))))
            if n_in != IMAGE_PIXELS or n_out != CLASSES:
                self.fail("[network].sizes", f"{IMAGE_PIXELS} inputs and {CLASSES} outputs for digits from "
                          f"{dataset}", list(network.sizes))
            return BackpropSpec(dataset=dataset, split=split, examples=examples, eta=eta, updates=updates)
        for key in ("split", "example", "examples"):
            if t.has(key):
                self.error(t.path(key), "only used with dataset")
        x = t.get("x", lambda v, w: self.examples(v, w, n_in, "input"))
        y = t.get("y", lambda v, w: self.examples(v, w, n_out, "output"))
        if len(x) != len(y):
            self.error(t.path("y"), f"expected {len(x)} target rows (one per example of x), got {len(y)}")
        return BackpropSpec(x=x, y=y, eta=eta, updates=updates)

    def train_spec(self, t: _Table, network: NetworkSpec, base: Optional[TrainSpec]) -> TrainSpec:
        def get(key, check, default=_MISSING):
            if base is not None:
                default = getattr(base, key)
            return t.get(key, check, default)

        dataset = get("dataset", self.choice(DATASETS))
        spec = TrainSpec(
            dataset=dataset,
            epochs=get("epochs", self.integer(1, LIMITS["epochs"])),
            mini_batch_size=get("mini_batch_size", self.integer(1, LIMITS["mini_batch_size"])),
            eta=get("eta", self.number(hi=LIMITS["eta"], positive=True)),
            seed=get("seed", self.integer(0, LIMITS["seed"]), 0),
            validation_size=get("validation_size", self.integer(0, LIMITS["examples"]), None),
            training_size=get("training_size", self.integer(1, LIMITS["examples"]), None),
            test_size=get("test_size", self.integer(1, LIMITS["examples"]), None),
            outputs=get("outputs", self.choice(("one-hot", "binary")), "one-hot"),
        )
        n_out = CLASSES if spec.outputs == "one-hot" else 4
        if network.sizes[0] != IMAGE_PIXELS or network.sizes[-1] != n_out:
            self.fail("[network].sizes", f"{IMAGE_PIXELS} inputs and {n_out} outputs ({spec.outputs} "
                      f"outputs for digits)", list(network.sizes))
        return spec

    def train(self, top: _Table, network: NetworkSpec) -> dict:
        t = _Table(self, top.get("train", lambda v, w: v), "[train]", _TABLE_KEYS["train"])
        full = self.train_spec(t, network, None)
        quick = None
        if top.has("quick"):
            q = _Table(self, top.data["quick"], "[quick]", _TABLE_KEYS["quick"])
            quick = self.train_spec(q, network, full)
        return {"train": full, "quick": quick, "max_epochs": max(full.epochs, quick.epochs if quick else 0)}

    # -- narration, breakpoints, controls --

    def narration(self, data: Any, where: str) -> Narration:
        t = _Table(self, data, where, ("step", "text"))
        return Narration(t.get("step", self.step_ref), t.get("text", self.string(LIMITS["text_chars"])))

    def breakpoints(self, v: Any, kind: str) -> tuple[tuple, tuple]:
        steps, conditions = [], []
        for i, data in enumerate(self.tables("breakpoint", v, LIMITS["list_entries"]), 1):
            t = _Table(self, data, f"[[breakpoint]][{i}]", ("step", "when", "epsilon", "at_least"))
            if t.has("step") == t.has("when"):
                self.error(t.where, "give exactly one of step (a step to stop at) or when (a condition)")
            if t.has("step"):
                for key in ("epsilon", "at_least"):
                    if t.has(key):
                        self.error(t.path(key), "only used with when")
                steps.append(t.get("step", self.step_ref))
                continue
            when = t.get("when", self.choice(_CONDITIONS))
            if kind not in _CONDITION_KINDS[when]:
                self.error(t.path("when"), f"\"{when}\" does not apply to a {kind} lesson "
                           f"(it does to {', '.join(_CONDITION_KINDS[when])})")
            epsilon = at_least = None
            if when in ("saturation", "vanishing"):
                epsilon = t.get("epsilon", self.number(hi=1.0, positive=True))
            elif t.has("epsilon"):
                self.error(t.path("epsilon"), f"not used by when = \"{when}\"")
            if when == "accuracy":
                at_least = t.get("at_least", self.number(0.0, 1.0))
            elif t.has("at_least"):
                self.error(t.path("at_least"), f"not used by when = \"{when}\"")
            conditions.append(Condition(when, epsilon, at_least))
        return tuple(steps), tuple(conditions)

    def controls(self, v: Any, kind: str) -> Controls:
        t = _Table(self, v, "[controls]", ("editable", "locked"))
        known = tuple(f"{table}.{key}" for table in _KIND_TABLES[kind] for key in _TABLE_KEYS[table]
                      if key != "expect")

        def names(value, where):
            if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
                self.fail(where, "a list of parameter names such as \"" + known[0] + "\"", value)
            for n in value:
                if n not in known:
                    hint = difflib.get_close_matches(n, known, n=1)
                    suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(known)})"
                    raise NnsimError(f"{self.label}: {where}: unknown parameter {show(n)}{suggestion}")
            return set(value)

        editable = t.get("editable", names, set(known))
        locked = t.get("locked", names, set())
        both = editable & locked if t.has("editable") else set()
        if both:
            self.error(t.path("locked"), f"{sorted(both)[0]} is listed as both editable and locked")
        return Controls(frozenset(editable - locked))

    # -- expectations --

    def expects(self, v: Any, where: str, kind: str, fields: dict) -> tuple[Expect, ...]:
        return tuple(self.expect(data, f"[[{where}]][{i}]", kind, fields)
                     for i, data in enumerate(self.tables(where, v, LIMITS["list_entries"]), 1))

    def expect(self, data: Any, where: str, kind: str, fields: dict) -> Expect:
        if not isinstance(data, Mapping):
            self.fail(where, "a table", data)
        if "type" not in data:
            self.error(f"{where}.type", "missing (required: one of " + ", ".join(_EXPECT_TYPES) + ")")
        etype = self.choice(_EXPECT_TYPES)(data["type"], f"{where}.type")
        if kind not in _EXPECT_KINDS[etype]:
            self.error(f"{where}.type", f"\"{etype}\" does not apply to a {kind} lesson "
                       f"(it does to {', '.join(_EXPECT_KINDS[etype])})")
        keys = {
            "output": ("input", "output"),
            "truth_table": ("outputs",),
            "value": ("step", "name", "equals", "tolerance", "at_most", "at_least"),
            "trend": ("steps", "name", "direction"),
            "gradient_check": ("max_relative_error", "parameters", "epsilon"),
            "accuracy": ("at_least", "at_most", "after_epochs"),
            "compare": ("lower_than", "higher_than", "by_at_least", "after_epochs"),
        }[etype]
        t = _Table(self, data, where, ("type", "description") + keys)
        out: dict[str, Any] = {"type": etype, "description": t.get("description", self.string(200, True), None)}
        n_inputs, n_outputs = self.gate_shape(kind, fields)
        if etype == "output":
            out["input"] = t.get("input", lambda v, w: self.bits(w, v, n_inputs))
            out["output"] = t.get("output", lambda v, w: self.outputs_value(v, w, n_outputs))
        elif etype == "truth_table":
            rows = 2 ** n_inputs
            out["outputs"] = t.get("outputs", lambda v, w: self.truth_outputs(v, w, rows, n_outputs))
        elif etype == "value":
            out["step"] = t.get("step", self.step_ref)
            out["name"] = t.get("name", self.string(80, True))
            bounds = [k for k in ("equals", "at_most", "at_least") if t.has(k)]
            if not bounds:
                self.error(where, "give equals (with tolerance), at_most or at_least")
            if t.has("equals"):
                out["equals"] = t.get("equals", self.nested_numbers)
                out["tolerance"] = t.get("tolerance", self.number(0.0, 1e6), 1e-9)
            elif t.has("tolerance"):
                self.error(t.path("tolerance"), "only used with equals")
            out["at_most"] = t.get("at_most", self.number(), None)
            out["at_least"] = t.get("at_least", self.number(), None)
        elif etype == "trend":
            out["steps"] = t.get("steps", self.string(LIMITS["title_chars"], True))
            out["name"] = t.get("name", self.string(80, True))
            out["direction"] = t.get("direction", self.choice(("decreasing", "increasing")))
        elif etype == "gradient_check":
            out["max_relative_error"] = t.get("max_relative_error", self.number(hi=1.0, positive=True))
            out["parameters"] = t.get("parameters", self.integer(1, 10_000), None)
            out["epsilon"] = t.get("epsilon", self.number(hi=1.0, positive=True), 1e-5)
        else:
            spec: TrainSpec = fields["train"]
            out["after_epochs"] = t.get("after_epochs", self.integer(1, spec.epochs, what=(
                f"a number of epochs from 1 to {spec.epochs} (this run's epochs)")), spec.epochs)
            if etype == "accuracy":
                if t.has("at_least") == t.has("at_most"):
                    self.error(where, "give exactly one of at_least or at_most")
                out["at_least"] = t.get("at_least", self.number(0.0, 1.0), None)
                out["at_most"] = t.get("at_most", self.number(0.0, 1.0), None)
            else:
                if t.has("lower_than") == t.has("higher_than"):
                    self.error(where, "give exactly one of lower_than or higher_than (another lesson)")
                lesson = self.string(200, True)
                out["lower_than"] = t.get("lower_than", lesson, None)
                out["higher_than"] = t.get("higher_than", lesson, None)
                out["by_at_least"] = t.get("by_at_least", self.number(0.0, 1.0), 0.0)
        return Expect(**out)

    def gate_shape(self, kind: str, fields: dict) -> tuple[int, int]:
        if kind == "perceptron":
            return fields["perceptron"].n_inputs, 1
        if kind == "circuit":
            return len(fields["circuit"].inputs), len(fields["circuit"].outputs)
        return 0, 0

    def outputs_value(self, v: Any, where: str, n_outputs: int):
        """0 or 1 for one output; a list of bits for a circuit with several."""
        if n_outputs == 1 and not isinstance(v, list):
            if isinstance(v, bool) or not isinstance(v, int) or v not in (0, 1):
                self.fail(where, "0 or 1", v)
            return v
        bits = self.bits(where, v, n_outputs)
        return bits[0] if n_outputs == 1 else bits

    def truth_outputs(self, v: Any, where: str, rows: int, n_outputs: int) -> tuple:
        what = (f"a list of {rows} outputs (0 or 1), one per input row in counting order" if n_outputs == 1 else
                f"a list of {rows} rows of {n_outputs} bits, one per input row in counting order")
        if not isinstance(v, list) or len(v) != rows:
            self.fail(where, what, v)
        return tuple(self.outputs_value(row, where, n_outputs) for row in v)

    def nested_numbers(self, v: Any, where: str, depth: int = 0):
        """A number, or a (nested) list of numbers with rows of equal length."""
        if isinstance(v, list):
            if depth >= 2 or not v or len(v) > LIMITS["explicit_parameters"]:
                self.fail(where, "a number, a list of numbers or a list of equal-length lists", v)
            items = tuple(self.nested_numbers(item, where, depth + 1) for item in v)
            if depth == 0 and isinstance(items[0], tuple) and \
                    any(not isinstance(i, tuple) or len(i) != len(items[0]) for i in items):
                self.fail(where, "rows of equal length", v)
            if depth == 0 and not isinstance(items[0], tuple) and any(isinstance(i, tuple) for i in items):
                self.fail(where, "rows of equal length", v)
            return items
        return self.number(-1e300, 1e300, what="a finite number")(v, where)
