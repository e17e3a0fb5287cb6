"""Playing a lesson: a scenario turned into the list of steps a debugger walks.

Every number in a step comes from the core: truth rows from ``Perceptron``,
gate steps from ``Circuit.evaluate``, sigmoid samples from ``sigmoid``,
``sigmoid_prime``, ``step`` and ``Perceptron``, backprop steps from
``trace_backprop`` and training epochs from ``train``. This module only
arranges them, names them and attaches the lesson's narration.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import numpy as np

from nnsim.core.activations import sigmoid, sigmoid_prime, step as step_function
from nnsim.core.circuit import GateStep
from nnsim.core.network import Network
from nnsim.core.perceptron import AND, NAND, NOT, OR, Perceptron, TruthRow, perceptron_rule
from nnsim.core.trace import TraceStep, apply_trace_update, trace_backprop
from nnsim.core.training import Dataset, Diverged, EpochDone, train
from nnsim.errors import NnsimError
from nnsim.lessons.scenario import NetworkSpec, Scenario, SigmoidSpec

# Arrays with at most this many numbers are spelled out in a step's ``values``
# (``delta[2]``, ``w[1,0]``); bigger ones are summarised (min, max, mean, norm).
# The full arrays are always in the step's data (and in ``nnsim run --json``).
SPELL_OUT = 64

_GATE_NAMES = {NAND: "NAND", AND: "AND", OR: "OR", NOT: "NOT"}


@dataclass(frozen=True)
class LessonStep:
    """One step of a lesson.

    Attributes:
        index: position in the lesson, from 0.
        title: unique within the lesson, e.g. ``"input 01"``, ``"backward, layer 2"``.
        narration: the scenario's text for this step, or a sentence made from its numbers.
        kind: what ``data`` is: ``"row"`` (a core ``TruthRow``), ``"gate"`` (a core
            ``GateStep``), ``"sample"``, ``"scale"``, ``"nudge"`` (sigmoid lesson records),
            ``"trace"`` (a core ``TraceStep``), ``"epoch"`` (``EpochDone``) or
            ``"diverged"`` (``Diverged``).
        data: the core object.
        values: a flat dict of plain numbers, for printing and JSON.
        row: the input row of a perceptron or circuit step.
        context: what the step belongs to: the ``Perceptron`` of a row, the
            ``CircuitRun`` of a gate's row, the ``Trace`` of a backprop step.
        wires: for a gate step, the value of every wire known once this gate has fired.
        pass_number: for backprop, which update (from 1) this step belongs to.
    """

    index: int
    title: str
    narration: str
    kind: str
    data: Any
    values: dict[str, float]
    row: Optional[tuple] = None
    context: Any = None
    wires: Optional[dict[str, int]] = None
    pass_number: int = 1

    def to_json(self) -> dict:
        """Plain JSON: a trace step adds its phase, layer, equation and full arrays."""
        out = {"index": self.index, "title": self.title, "kind": self.kind,
               "narration": self.narration, "values": self.values}
        if self.row is not None:
            out["row"] = list(self.row)
        if isinstance(self.data, TraceStep):
            data = self.data.to_json()
            out.update(pass_number=self.pass_number, phase=data["phase"], layer=data["layer"],
                       equation=data["equation"], arrays=data["arrays"])
        return out


# -- the sigmoid lesson's records -------------------------------------------------

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


# -- networks and examples --------------------------------------------------------

def build_network(spec: NetworkSpec) -> Network:
    """A core Network from the spec: seeded initialisation, or the explicit weights and biases."""
    net = Network(spec.sizes, seed=spec.seed, dtype=np.dtype(spec.dtype))
    if spec.weights is not None:
        net.weights = [np.array(w, dtype=net.dtype) for w in spec.weights]
        net.biases = [np.array(b, dtype=net.dtype).reshape(-1, 1) for b in spec.biases]
    return net


def lesson_network(scenario: Scenario) -> Network:
    """The network a backprop or train lesson starts from (a fresh copy each call)."""
    if scenario.network is None:
        raise NnsimError(f"{scenario.label}: a {scenario.kind} lesson has no network")
    return build_network(scenario.network)


def lesson_examples(scenario: Scenario, data_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """A backprop lesson's mini-batch as columns: x (n_in, m) and y (n_out, m)."""
    spec = scenario.backprop
    if spec is None:
        raise NnsimError(f"{scenario.label}: only backprop lessons have examples")
    if spec.x is not None:
        return np.array(spec.x, dtype=np.float64).T, np.array(spec.y, dtype=np.float64).T
    splits = _load(spec.dataset, data_dir, validation_size=0 if spec.dataset == "sample" else None,
                   where=f"{scenario.label}: [backprop].dataset")
    data = splits.training if spec.split == "training" else splits.test
    for i in spec.examples:
        if i >= len(data):
            raise NnsimError(f"{scenario.label}: [backprop].example: {spec.dataset} has {len(data)} "
                             f"{spec.split} examples, so {i} is out of range")
    picked = data.subset(np.array(spec.examples))
    return np.asarray(picked.x, dtype=np.float64).T, np.asarray(picked.y, dtype=np.float64).T


def _load(name: str, data_dir=None, validation_size=None, where: str = ""):
    """The data layer's splits; its errors name the lesson's key (``where``) that asked."""
    try:
        from nnsim.data import load_dataset
    except ImportError:
        raise NnsimError(f"{where}: datasets are not available (the nnsim.data package is missing)") from None
    kwargs = {"data_dir": data_dir}
    if validation_size is not None:
        kwargs["validation_size"] = validation_size
    try:
        return load_dataset(name, **kwargs)
    except NnsimError as error:
        raise NnsimError(f"{where}: {error}") from None


# -- building the steps -----------------------------------------------------------

def build_steps(scenario: Scenario, quick: bool = False, data_dir=None) -> list[LessonStep]:
    """Every step of the lesson, in order, narrated.

    A ``train`` lesson is trained to the end to produce its epochs (use
    :func:`train_steps` to receive them as they come, or :func:`plan_training`
    to drive the core's event stream yourself).
    """
    scenario = scenario.variant(quick)
    if scenario.kind == "train":
        return list(train_steps(scenario, data_dir=data_dir))
    builder = {"perceptron": _perceptron_steps, "circuit": _circuit_steps,
               "sigmoid": _sigmoid_steps, "backprop": _backprop_steps}[scenario.kind]
    if scenario.kind == "backprop":
        drafts = builder(scenario, data_dir)
    else:
        drafts = builder(scenario)
    titles = [d["title"] for d in drafts]
    check_step_references(scenario, titles)
    return [LessonStep(index=i, narration=narration_for(scenario, i, d["title"], d.pop("default")), **d)
            for i, d in enumerate(drafts)]


def _perceptron_steps(scenario: Scenario) -> list[dict]:
    p = scenario.perceptron
    if scenario.inputs is None:
        rows = p.truth_table()
    else:
        rows = [TruthRow(row, p.weighted_sum(row), p.output(row)) for row in scenario.inputs]
    drafts = []
    for r in rows:
        values = {f"x{j}": float(x) for j, x in enumerate(r.inputs, 1)}
        values.update({f"w{j}": w for j, w in enumerate(p.weights, 1)})
        values.update(b=p.bias, z=r.z, output=float(r.output))
        drafts.append(dict(title=_row_title(r.inputs), kind="row", data=r, values=values, row=r.inputs,
                           context=p, default=_perceptron_sentence(p, r.inputs, r.z, r.output)))
    return drafts


def _row_title(row: Sequence[int]) -> str:
    return f"input {''.join(str(int(x)) for x in row)}" if len(row) else "no inputs"


def _weighted_sum_text(weights, inputs, bias) -> str:
    terms = [f"({_num(w)})·{_num(x)}" for w, x in zip(weights, inputs)]
    return " + ".join(terms + [_num(bias)])


def _perceptron_sentence(p: Perceptron, row, z: float, output: int) -> str:
    compare = ">" if z > 0 else "≤"
    if not row:
        return (f"No inputs: the weighted sum is just the bias, {_num(z)} {compare} 0, so the output "
                f"is {output}, whatever we wanted it to be.")
    return (f"x = {''.join(str(x) for x in row)}: w·x + b = {_weighted_sum_text(p.weights, row, p.bias)} "
            f"= {_num(z)} {compare} 0, so the output is {output}.")


def _circuit_steps(scenario: Scenario) -> list[dict]:
    circuit = scenario.circuit
    rows = scenario.inputs if scenario.inputs is not None else [x for x, _ in circuit.truth_table()]
    drafts = []
    for row in rows:
        run = circuit.evaluate(row)
        known = dict(zip(circuit.inputs, (int(x) for x in row)))
        for n, gs in enumerate(run.steps):
            known[gs.gate.name] = gs.output
            values = {f"x{j}": float(x) for j, x in enumerate(row, 1)}
            values.update({f"in{j}": float(v) for j, v in enumerate(gs.inputs, 1)})
            values.update(layer=float(gs.layer), z=gs.z, output=float(gs.output))
            sentence = _gate_sentence(gs)
            if n == len(run.steps) - 1:
                outs = ", ".join(f"{w} = {run.wires[w]}" for w in circuit.outputs)
                sentence += f" The circuit's output for {''.join(str(int(x)) for x in row) or 'no input'}: {outs}."
            drafts.append(dict(title=f"{_row_title(row)}, gate {gs.gate.name}", kind="gate", data=gs,
                               values=values, row=tuple(row), context=run, wires=dict(known),
                               default=sentence))
    return drafts


def _gate_sentence(gs: GateStep) -> str:
    p = gs.gate.perceptron
    reads = ", ".join(f"{w} = {v}" for w, v in zip(gs.gate.inputs, gs.inputs))
    name = _GATE_NAMES.get(p)
    head = f"{gs.gate.name} = {name}({', '.join(gs.gate.inputs)})" if name else f"{gs.gate.name}"
    if not gs.inputs:
        return f"{head} has no inputs: its sum is the bias {_num(gs.z)}, so it outputs {gs.output} always."
    compare = ">" if gs.z > 0 else "≤"
    return (f"Layer {gs.layer}: {head} reads {reads}: {_weighted_sum_text(p.weights, gs.inputs, p.bias)} "
            f"= {_num(gs.z)} {compare} 0 → {gs.output}.")


def sigmoid_sample(z: float) -> SigmoidSample:
    """σ(z), σ′(z), step(z) and the perceptron rule at one z, from the core."""
    z = float(z)
    return SigmoidSample(z, float(sigmoid(z)), float(sigmoid_prime(z)), float(step_function(z)), perceptron_rule(z))


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


def _sigmoid_steps(scenario: Scenario) -> list[dict]:
    spec = scenario.sigmoid
    drafts = []
    for z in spec.z:
        s = sigmoid_sample(z)
        drafts.append(dict(
            title=f"z = {_num(z)}", kind="sample", data=s,
            values=dict(z=s.z, sigma=s.sigma, sigma_prime=s.sigma_prime, step=s.step,
                        perceptron=float(s.perceptron), gap=abs(s.sigma - s.step)),
            default=(f"At z = {_num(z)}: σ(z) = {_num(s.sigma)}, the step function gives {_num(s.step)} "
                     f"and a perceptron {s.perceptron}.")))
    for c in spec.scales:
        sn = scale_neuron(spec, c)
        drafts.append(dict(
            title=f"scale c = {_num(c)}", kind="scale", data=sn,
            values=dict(c=sn.c, z=sn.z, sigma=sn.sigma, sigma_prime=sn.sigma_prime, step=sn.step, gap=sn.gap),
            default=(f"Weights and bias times c = {_num(c)}: z = {_num(sn.z)}, σ(z) = {_num(sn.sigma)} against "
                     f"step(z) = {_num(sn.step)}, a gap of {_num(sn.gap)}.")))
    for nudge in spec.nudges:
        r = nudge_neuron(spec, nudge.param, nudge.delta)
        flip = (f"the perceptron flips from {r.perceptron_before} to {r.perceptron_after}" if r.flipped
                else f"the perceptron stays at {r.perceptron_before}")
        drafts.append(dict(
            title=f"nudge {nudge.param} by {nudge.delta:+g}", kind="nudge", data=r,
            values=dict(delta=r.delta, z_before=r.z_before, z_after=r.z_after, output_before=r.output_before,
                        output_after=r.output_after, sigma_prime=float(sigmoid_prime(r.z_before)), partial=r.partial,
                        estimate=r.estimate, delta_output=r.actual, error=r.error,
                        perceptron_before=float(r.perceptron_before), perceptron_after=float(r.perceptron_after),
                        flipped=float(r.flipped)),
            default=(f"Δ{nudge.param} = {nudge.delta:+g}: eq. 5 estimates Δoutput ≈ {_num(r.estimate)}, the sigmoid "
                     f"neuron actually moves by {_num(r.actual)} (off by {_num(r.error)}), while {flip}.")))
    return drafts


_PHASE_SENTENCE = {
    "input": "The input x enters the network as the activation of layer 1.",
    "forward": "Feedforward: the weighted input z and the activation a = σ(z) of this layer.",
    "cost": "The quadratic cost of the output against the target y.",
    "output_error": "BP1: the output error δ, how fast the cost changes with each output neuron's z.",
    "backward": "BP2: the error moves one layer back through the transposed weights.",
    "gradient": "BP3 and BP4: the gradient of the cost for this layer's biases and weights.",
    "update": "Gradient descent: each weight and bias moves against its gradient by η/m.",
}


def _backprop_steps(scenario: Scenario, data_dir=None) -> list[dict]:
    spec = scenario.backprop
    net = lesson_network(scenario)
    x, y = lesson_examples(scenario, data_dir)
    drafts = []
    for p in range(1, spec.updates + 1):
        trace = trace_backprop(net, x, y, eta=spec.eta)
        for ts in trace:
            title = ts.title if spec.updates == 1 else f"pass {p}: {ts.title}"
            values = {"pass": float(p), "layer": float(ts.layer)}
            values.update(array_values(ts.arrays))
            if ts.phase == "cost":
                # The book's C = (1/2n) Σₓ ‖y − a‖² over this mini-batch: one number to watch fall.
                values["cost_mean"] = float(np.mean(ts.arrays["cost"]))
            drafts.append(dict(title=title, kind="trace", data=ts, values=values, context=trace, pass_number=p,
                               default=f"{_PHASE_SENTENCE[ts.phase]} {ts.equation}"))
        apply_trace_update(net, trace)
    return drafts


def array_values(arrays: dict[str, np.ndarray]) -> dict[str, float]:
    """A trace step's arrays as flat numbers: small arrays element by element
    (``z[1]`` for a column, ``w[1,0]`` for a matrix), big ones summarised."""
    values: dict[str, float] = {}
    for name, array in arrays.items():
        a = np.asarray(array, dtype=np.float64)
        if a.ndim == 0:
            values[name] = float(a)
        elif a.size <= SPELL_OUT:
            column = a.ndim == 2 and a.shape[1] == 1
            for index in np.ndindex(a.shape):
                key = f"{name}[{index[0]}]" if column else f"{name}[{','.join(map(str, index))}]"
                values[key] = float(a[index])
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                values.update({f"{name}.min": float(a.min()), f"{name}.max": float(a.max()),
                               f"{name}.mean": float(a.mean()), f"{name}.norm": float(np.linalg.norm(a))})
    return values


# -- narration and step references --------------------------------------------------

def narration_for(scenario: Scenario, index: int, title: str, default: str) -> str:
    """The scenario's text for a step: by index, then exact title, then pattern; else ``default``."""
    for rule in scenario.narration:
        if rule.step == index or rule.step == title:
            return rule.text
    for rule in scenario.narration:
        if isinstance(rule.step, str) and "*" in rule.step and fnmatch.fnmatchcase(title, rule.step):
            return rule.text
    return default


def match_steps(ref: Union[int, str], titles: Sequence[str]) -> list[int]:
    """Indices of the steps a reference names: an index, an exact title, or a pattern with *."""
    if isinstance(ref, int):
        return [ref] if ref < len(titles) else []
    if "*" in ref:
        return [i for i, t in enumerate(titles) if fnmatch.fnmatchcase(t, ref)]
    return [i for i, t in enumerate(titles) if t == ref]


def check_step_references(scenario: Scenario, titles: Sequence[str]) -> None:
    """Every narration, breakpoint and expectation step must name a step of the lesson."""
    refs = [(f"[[narration]][{i}].step", n.step) for i, n in enumerate(scenario.narration, 1)]
    refs += [("[[breakpoint]].step", b) for b in scenario.breakpoints]
    table = "quick.expect" if scenario.is_quick else "expect"
    for i, e in enumerate(scenario.expects, 1):
        if e.step is not None:
            refs.append((f"[[{table}]][{i}].step", e.step))
        if e.steps is not None:
            refs.append((f"[[{table}]][{i}].steps", e.steps))
    for where, ref in refs:
        if not match_steps(ref, titles):
            what = f"step {ref}, but the lesson has {len(titles)} steps (0 to {len(titles) - 1})" \
                if isinstance(ref, int) else f"no step titled {ref!r} (titles look like {titles[0]!r})"
            raise NnsimError(f"{scenario.label}: {where}: {what}")


def breakpoint_indices(scenario: Scenario, steps: Sequence[LessonStep]) -> set[int]:
    titles = [s.title for s in steps]
    return {i for ref in scenario.breakpoints for i in match_steps(ref, titles)}


# -- training ---------------------------------------------------------------------

def binary_targets(labels: np.ndarray) -> np.ndarray:
    """The "efficiency paradox" coding: a digit as 4 output bits, most significant first."""
    labels = np.asarray(labels, dtype=np.int64)
    return ((labels[:, None] >> np.arange(3, -1, -1)) & 1).astype(np.float32)


def binary_classify(output: np.ndarray) -> np.ndarray:
    """Read 4 output neurons as bits (on above 0.5): the number they spell, 0 to 15."""
    return (np.asarray(output) > 0.5).astype(np.int64).T @ (1 << np.arange(3, -1, -1))


@dataclass
class TrainingPlan:
    """Everything a train lesson needs, ready for the core's ``train`` generator."""

    network: Network
    training: Dataset
    test: Dataset
    epochs: int
    mini_batch_size: int
    eta: float
    seed: int
    classify: Optional[Callable[[np.ndarray], np.ndarray]] = None
    source: str = ""
    settings: dict = field(default_factory=dict)

    def events(self, classify: Optional[Callable[[np.ndarray], np.ndarray]] = None) -> Iterator:
        """The core's events: ``BatchDone``, ``EpochDone``, ``Diverged``; ``classify``
        (default the plan's) reads the test outputs after each epoch."""
        return train(self.network, self.training, self.epochs, self.mini_batch_size, self.eta,
                     test=self.test, seed=self.seed, classify=classify or self.classify)


def plan_training(scenario: Scenario, quick: bool = False, data_dir=None) -> TrainingPlan:
    """Load the lesson's data, build its network and targets (10 one-hot or 4 binary outputs)."""
    scenario = scenario.variant(quick)
    spec = scenario.train
    if spec is None:
        raise NnsimError(f"{scenario.label}: only train lessons are trained")
    validation = spec.validation_size
    if validation is None and spec.dataset == "sample":
        validation = 0
    table = "[quick]" if scenario.is_quick and "dataset" in scenario.raw.get("quick", {}) else "[train]"
    try:
        splits = _load(spec.dataset, data_dir, validation_size=validation,
                       where=f"{scenario.label}: {table}.dataset")
    except NnsimError as error:
        if scenario.quick is None or scenario.is_quick:
            raise
        raise NnsimError(f"{error} (or play this lesson's quick variant on the offline sample: "
                         f"nnsim run --quick {scenario.name})") from None
    test = splits.test if splits.test is not None and len(splits.test) else splits.validation
    if test is None or not len(test):
        raise NnsimError(f"{scenario.label}: {spec.dataset} has no test examples to measure accuracy on")
    rng = np.random.default_rng(spec.seed)
    training = _subset(splits.training, spec.training_size, rng)
    test = _subset(test, spec.test_size, rng)
    classify = None
    if spec.outputs == "binary":
        training = Dataset(training.x, binary_targets(training.labels), training.labels)
        classify = binary_classify
    settings = dict(sizes=list(scenario.network.sizes), epochs=spec.epochs, mini_batch_size=spec.mini_batch_size,
                    eta=spec.eta, dataset=spec.dataset, outputs=spec.outputs, training=len(training),
                    test=len(test), seed=spec.seed)
    return TrainingPlan(lesson_network(scenario), training, test, spec.epochs, spec.mini_batch_size, spec.eta,
                        spec.seed, classify, getattr(splits, "source", spec.dataset), settings)


def _subset(data: Dataset, size: Optional[int], rng: np.random.Generator) -> Dataset:
    """A random subset (the files may be ordered by class), kept in file order."""
    if size is None or size >= len(data):
        return data
    return data.subset(np.sort(rng.choice(len(data), size=size, replace=False)))


def train_steps(scenario: Scenario, quick: bool = False, data_dir=None,
                plan: Optional[TrainingPlan] = None) -> Iterator[LessonStep]:
    """Train a lesson, yielding one step per epoch (and one if training diverges)."""
    scenario = scenario.variant(quick)
    plan = plan or plan_training(scenario, data_dir=data_dir)
    titles = [f"epoch {e}" for e in range(plan.epochs)]
    # Narration and breakpoints serve both variants: check them against the longer run.
    check_step_references(scenario, [f"epoch {e}" for e in range(scenario.max_epochs)])
    index = 0
    for event in plan.events():
        if isinstance(event, EpochDone):
            title = titles[event.epoch]
            values = dict(epoch=float(event.epoch), correct=float(event.correct), total=float(event.total),
                          accuracy=float(event.accuracy), mean_cost=float(event.mean_cost),
                          seconds=float(event.seconds))
            yield LessonStep(index, title, narration_for(scenario, index, title, event.log_line()), "epoch",
                             event, values)
            index += 1
        elif isinstance(event, Diverged):
            title = f"diverged in epoch {event.epoch}"
            values = dict(epoch=float(event.epoch), batch=float(event.index))
            yield LessonStep(index, title, event.message, "diverged", event, values)
            return


# -- numbers in sentences -------------------------------------------------------------

def _num(v: float) -> str:
    """A number as a learner reads it: 3, -2, 0.5, 0.731059, 1.2e-07."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"
