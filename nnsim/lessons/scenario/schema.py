"""The lesson schema: kinds, sections, limits, and the validated, frozen objects a file becomes.

A scenario is data only. The file is parsed with the standard library's
``tomllib`` and every value is checked against the schema below before
anything is built from it; nothing in a file is ever executed or imported.
Every mistake becomes one :class:`~nnsim.errors.NnsimError` line naming the
file, the key path and what was expected versus what was found, e.g.::

    scenarios/xor.toml: [network].sizes: expected a list of at least 2 positive integers, got "abc"

The reference for every key is ``docs/scenarios.md``.
"""

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from nnsim.core.circuit import Circuit, half_adder, xor_from_nands
from nnsim.core.descent import Cost
from nnsim.core.network_file import MAX_PARAMETERS
from nnsim.core.perceptron import AND, NAND, NOT, OR, Perceptron
from nnsim.lessons.scenario.paths import label as _label
from nnsim.lessons.text import number

KINDS = ("perceptron", "circuit", "sigmoid", "backprop", "train", "gradient-descent")

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
    "backprop": "gradient-descent", "train": "implementing", "gradient-descent": "gradient-descent",
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
    "network_parameters": MAX_PARAMETERS,  # one limit with saved networks and the command line
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
    "descent_steps": 200,
    "directions": 360,
    # A value expectation's tolerance: at most this. Every lesson's numbers are of order 1
    # and the chapter's claims hold to far less; a bigger tolerance would pass anything.
    "tolerance": 0.1,
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
    "value": ("perceptron", "circuit", "sigmoid", "backprop", "gradient-descent"),
    "trend": ("sigmoid", "backprop", "gradient-descent"),
    "gradient_check": ("backprop",),
    "accuracy": ("train",),
    "compare": ("train",),
}
_CONDITION_KINDS = {
    "nan": ("sigmoid", "backprop", "train", "gradient-descent"),
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
    "gradient-descent": ("cost", "descent"),
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
_TABLE_KEYS["quick"] = _TABLE_KEYS["train"] + ("seeds", "expect")
_TABLE_KEYS["cost"] = ("form", "a", "b", "center")
_TABLE_KEYS["descent"] = ("start", "eta", "steps", "directions")
_PARAMETER_TABLES = tuple(sorted({t for ts in _KIND_TABLES.values() for t in ts}))
_TOP_KEYS = ("title", "description", "kind", "section", "order", "solution", "narration", "breakpoint",
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
class DescentSpec:
    """The ball in the valley: ``steps`` moves of Δv = −η∇C from ``start``; with ``directions``
    each step also tries that many other directions of the same length (Cauchy–Schwarz)."""

    start: tuple[float, float]
    eta: float
    steps: int
    directions: int = 0


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
            return f"σ′(z) < {number(self.epsilon)}"
        if self.kind == "vanishing":
            return f"|δ| < {number(self.epsilon)}"
        return f"accuracy ≥ {number(self.at_least)}"


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
    within: Optional[float] = None  # |value| ≤ within: two-sided, at_least = −within and at_most = within
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
    ``quick_expects`` its expectations; see :meth:`variant`. ``quick_seeds``: the quick
    variant's accuracy is the median over runs with each of these seeds (network and shuffles).
    ``cost`` + ``descent``: a gradient-descent lesson (a core :class:`Cost`, a :class:`DescentSpec`).
    """

    name: str
    title: str
    description: str
    kind: str
    section: str
    section_id: str
    path: Path
    order: int = 500
    solution: Optional[str] = None  # an exercise: the lesson holding its worked solution
    perceptron: Optional[Perceptron] = None
    circuit: Optional[Circuit] = None
    inputs: Optional[tuple[tuple[int, ...], ...]] = None
    sigmoid: Optional[SigmoidSpec] = None
    network: Optional[NetworkSpec] = None
    backprop: Optional[BackpropSpec] = None
    train: Optional[TrainSpec] = None
    quick: Optional[TrainSpec] = None
    quick_expects: tuple[Expect, ...] = ()
    quick_seeds: tuple[int, ...] = ()
    cost: Optional[Cost] = None
    descent: Optional[DescentSpec] = None
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
