"""Checking a lesson's expectations against what the core computes.

Each ``[[expect]]`` becomes an :class:`ExpectResult`: a description, whether it
holds, and a detail line that says by how much it missed when it does not.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from nnsim.core.gradcheck import gradient_check, sample_parameters
from nnsim.core.trace import TraceStep
from nnsim.errors import NnsimError
from nnsim.lessons.kinds.backprop import lesson_examples, lesson_network
from nnsim.lessons.kinds.train import train_steps
from nnsim.lessons.kinds import build_steps
from nnsim.lessons.steps import LessonStep, match_steps
from nnsim.lessons.scenario import Expect, Scenario, load_scenario
from nnsim.lessons.text import minus, number, signed

# Parameters checked by a gradient_check expectation that does not say how many:
# all of them for small networks, a fixed sample for big ones.
GRADIENT_CHECK_SAMPLE = 200


@dataclass(frozen=True)
class ExpectResult:
    """One expectation checked: ``detail`` gives the numbers found (and the miss)."""

    description: str
    passed: bool
    detail: str
    expect: Optional[Expect] = field(default=None, repr=False)


def check_expectations(scenario: Scenario, quick: bool = False, steps: Optional[Sequence[LessonStep]] = None,
                       data_dir=None) -> list[ExpectResult]:
    """Check every expectation of the lesson (of its quick variant with ``quick``).

    ``steps`` are the lesson's steps if already built (for a train lesson, its
    epochs); otherwise they are built here, which trains a train lesson.
    """
    scenario = scenario.variant(quick)
    if steps is None:
        steps = build_steps(scenario, data_dir=data_dir)
    checker = _Checker(scenario, list(steps), data_dir)
    table = "quick.expect" if scenario.is_quick else "expect"
    results = []
    for i, e in enumerate(scenario.expects, 1):
        try:
            results.append(checker.check(e))
        except NnsimError as error:
            message = str(error)
            if not message.startswith(scenario.label):
                message = f"{scenario.label}: [[{table}]][{i}]: {message}"
            raise NnsimError(message) from None
    return results


def needed_step(scenario: Scenario, steps: Sequence[LessonStep], e: Expect) -> int:
    """The last step an expectation is about: until the learner has stepped that far,
    what it checks has not been shown, so a screen calls it pending (not "holds")."""
    titles = [s.title for s in steps]
    last = len(steps) - 1
    if e.type in ("value", "trend"):
        found = match_steps(e.step if e.type == "value" else e.steps, titles)
        return max(found) if found else last
    if e.type == "output":
        rows = [s.index for s in steps if s.row is not None and tuple(s.row) == tuple(e.input)]
        return max(rows) if rows else last
    if e.type in ("accuracy", "compare") and e.after_epochs:
        epochs = [s.index for s in steps if s.kind == "epoch" and int(s.values["epoch"]) == e.after_epochs - 1]
        return epochs[0] if epochs else last
    return last  # a truth table, a gradient check: the whole lesson


class _Checker:
    def __init__(self, scenario: Scenario, steps: list[LessonStep], data_dir):
        self.scenario, self.steps, self.data_dir = scenario, steps, data_dir
        self.titles = [s.title for s in steps]

    def check(self, e: Expect) -> ExpectResult:
        passed, detail, description = getattr(self, e.type)(e)
        return ExpectResult(e.description or description, bool(passed), detail, e)

    # -- gates --

    def output(self, e: Expect):
        thing = self.scenario.perceptron or self.scenario.circuit
        got = thing(e.input)
        got = got[0] if isinstance(got, tuple) and len(got) == 1 else got
        bits = "".join(map(str, e.input)) or "no input"
        return got == e.output, f"output {_bits(got)}", f"input {bits} gives {_bits(e.output)}"

    def truth_table(self, e: Expect):
        if self.scenario.perceptron is not None:
            got = tuple(r.output for r in self.scenario.perceptron.truth_table())
        else:
            got = tuple(out[0] if len(out) == 1 else out for _, out in self.scenario.circuit.truth_table())
        wrong = [i for i, (a, b) in enumerate(zip(got, e.outputs)) if a != b]
        description = f"truth table {', '.join(_bits(o) for o in e.outputs)}"
        if not wrong:
            return True, f"got {', '.join(_bits(o) for o in got)}", description
        width = len(bin(len(got) - 1)) - 2 if len(got) > 1 else 0
        rows = ", ".join(f"{i:0{width}b}: got {_bits(got[i])}, expected {_bits(e.outputs[i])}" for i in wrong)
        return False, f"{len(wrong)} of {len(got)} rows differ ({rows})", description

    # -- values --

    def value(self, e: Expect):
        step = self.step(e.step)
        got = lesson_value(step, e.name)
        label = f"{e.name} at {step.title!r}"
        if e.equals is not None:
            want = np.asarray(e.equals, dtype=np.float64)
            # A flat list names a column (the book's vectors are (n, 1)); one number, a 1×1 array.
            if (np.ndim(got) == 2 and np.shape(got)[1] == 1 and want.shape == (np.shape(got)[0],)) or \
                    (want.shape == () and np.size(got) == 1):
                want = want.reshape(np.shape(got))
            # The default tolerance is float rounding: "equals" says it (a line fits 80 columns).
            within = "" if e.tolerance == Expect.tolerance else f" within {number(e.tolerance)}"
            description = (f"{label} equals {number(want.item(), 10)}{within}" if want.size == 1 else
                           f"{label} equals the {want.size} numbers given{within and ','}{within}")
            if np.shape(got) != want.shape:
                return False, f"{e.name} has shape {np.shape(got)}, expected {want.shape}", description
            got = np.asarray(got, dtype=np.float64)
            diff = np.abs(got - want)
            worst = np.unravel_index(int(np.argmax(np.where(np.isnan(diff), np.inf, diff))), diff.shape)
            miss = float(diff[worst])
            if bool(np.all(diff <= e.tolerance)):
                return True, (f"got {number(got.item(), 10)}" if got.size == 1 else
                              f"largest difference {number(miss, 3)}"), description
            column = diff.ndim == 2 and diff.shape[1] == 1
            at = f"[{worst[0]}]" if column else f"[{','.join(map(str, worst))}]" if diff.ndim else ""
            wrong = int(np.sum(~(diff <= e.tolerance)))
            return False, (f"{e.name}{at} is {number(got[worst], 10)}, expected {number(want[worst], 10)}: "
                           f"off by {number(miss, 3)} (tolerance {number(e.tolerance)}; {wrong} of {diff.size} "
                           f"numbers off)"), description
        if np.ndim(got):
            raise NnsimError(f"at_most and at_least need one number, but {e.name} is an array of shape "
                             f"{np.shape(got)} (name one element, e.g. {e.name}[0,0])")
        return _bound(float(got), e.at_least, e.at_most, label)

    def trend(self, e: Expect):
        indices = match_steps(e.steps, self.titles)
        if len(indices) < 2:
            raise NnsimError(f"a trend needs at least 2 steps, and {e.steps!r} names {len(indices)}")
        got = [float(lesson_value(self.steps[i], e.name)) for i in indices]
        description = f"{e.name} is {e.direction} over the steps {e.steps!r}"
        sign = -1 if e.direction == "decreasing" else 1
        for (i, a), (j, b) in zip(zip(indices, got), zip(indices[1:], got[1:])):
            if not sign * (b - a) > 0:
                return False, (f"{e.name} goes from {number(a)} at {self.titles[i]!r} to {number(b)} at "
                               f"{self.titles[j]!r} (change {signed(b - a, 3)})"), description
        return True, " → ".join(number(v, 4) for v in got), description

    def gradient_check(self, e: Expect):
        net = lesson_network(self.scenario)
        x, y = lesson_examples(self.scenario, self.data_dir)
        count = e.parameters or GRADIENT_CHECK_SAMPLE
        params = sample_parameters(net, count, seed=0)
        results = gradient_check(net, x, y, params=params, epsilon=e.epsilon)
        worst = max(results, key=lambda r: r.relative_error)
        description = f"backprop agrees with finite differences (relative error ≤ {number(e.max_relative_error)})"
        ok = worst.relative_error <= e.max_relative_error
        detail = (f"largest relative error {number(worst.relative_error, 3)} ({worst.name}: backprop "
                  f"{number(worst.backprop)}, numeric {number(worst.numeric)}) over {len(results)} parameters")
        if not ok:
            detail += f"; over the bound by {number(worst.relative_error - e.max_relative_error, 3)}"
        return ok, detail, description

    # -- training --

    def accuracy(self, e: Expect):
        label = f"accuracy after {e.after_epochs} epoch{'s' if e.after_epochs != 1 else ''}"
        got, runs = self.run_accuracy(self.scenario, e.after_epochs, self.steps)
        if runs:
            label = f"median {label} over {len(self.scenario.quick_seeds)} seeds"
        if isinstance(got, str):
            # A diverged run did not learn, but it did not reach a low accuracy either: an
            # at_most claim ("near chance") is about a network that ran to the end.
            return False, got, _bound_description(label, e.at_least, e.at_most)
        passed, detail, description = _bound(got, e.at_least, e.at_most, label, percent=True)
        return passed, detail + runs, description

    def compare(self, e: Expect):
        other_name = e.lower_than or e.higher_than
        other = _load_relative(other_name, self.scenario)
        label = f"accuracy after {e.after_epochs} epochs"
        relation = "lower" if e.lower_than else "higher"
        description = (f"{label} is {relation} than in the lesson {other.name}" +
                       (f", by at least {e.by_at_least * 100:.2f} points" if e.by_at_least else ""))
        mine, _ = self.run_accuracy(self.scenario, e.after_epochs, self.steps)
        theirs = _other_accuracy(other, self.scenario.is_quick, e.after_epochs, self.data_dir)
        mine_v = 0.0 if isinstance(mine, str) else mine  # a diverged run learned nothing
        theirs_v = 0.0 if isinstance(theirs, str) else theirs
        gap = theirs_v - mine_v if e.lower_than else mine_v - theirs_v
        ok = gap >= e.by_at_least and (gap > 0 or e.by_at_least > 0)
        opposite = "higher" if e.lower_than else "lower"
        detail = (f"{mine_v:.2%} here against {theirs_v:.2%} in {other.name}: "
                  f"{abs(gap) * 100:.2f} points {relation if gap >= 0 else opposite}")
        if not ok:
            detail += f", short by {(e.by_at_least - gap) * 100:.2f} points" if gap > 0 or e.by_at_least else ""
        return ok, detail, description

    def run_accuracy(self, scenario: Scenario, after_epochs: int, steps=None):
        """The accuracy after ``after_epochs`` (or why there is none), and a note on the runs:
        a quick variant with ``seeds`` is trained once per seed and the median run decides."""
        return median_accuracy(scenario, after_epochs, self.data_dir, steps)

    def step(self, ref) -> LessonStep:
        found = match_steps(ref, self.titles)
        if len(found) != 1:
            raise NnsimError(f"step {ref!r} names {len(found)} steps; a value expectation needs exactly one")
        return self.steps[found[0]]


_INDEXED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)(?:,(\d+))?\]$")


def lesson_value(step: LessonStep, name: str):
    """A named value of a step: from ``values``, a whole array of a trace step (``delta``)
    or one element of it (``delta[1]`` for row 1, ``w[1,0]``)."""
    if name in step.values:
        return step.values[name]
    arrays = step.data.arrays if isinstance(step.data, TraceStep) else {}
    if name in arrays:
        return np.asarray(arrays[name], dtype=np.float64)
    m = _INDEXED.match(name)
    if m and m.group(1) in arrays:
        a = np.asarray(arrays[m.group(1)], dtype=np.float64)
        index = (int(m.group(2)), int(m.group(3)) if m.group(3) is not None else 0)
        if a.ndim == 2 and index[0] < a.shape[0] and index[1] < a.shape[1]:
            return float(a[index])
        raise NnsimError(f"{name!r} is outside {m.group(1)}, whose shape is {a.shape}")
    known = sorted(set(arrays) | {k for k in step.values if "[" not in k and "." not in k})
    raise NnsimError(f"step {step.title!r} has no value {name!r} (it has: {', '.join(known)})")


def seeded_runs(scenario: Scenario, data_dir=None) -> list[list[LessonStep]]:
    """A quick variant trained once per seed of its ``seeds`` (the network's seed and the
    shuffles' both set to it); cached like the lessons compared against."""
    runs = []
    for seed in scenario.quick_seeds:
        variant = dataclasses.replace(scenario, network=dataclasses.replace(scenario.network, seed=seed),
                                      train=dataclasses.replace(scenario.train, seed=seed))
        key = (hashlib.sha256(scenario.path.read_bytes()).hexdigest() if scenario.path.is_file() else
               repr(scenario.raw), "seed", seed, str(data_dir))
        if key not in _accuracy_cache:
            _accuracy_cache[key] = list(train_steps(variant, data_dir=data_dir))
        runs.append(_accuracy_cache[key])
    return runs


def median_accuracy(scenario: Scenario, after_epochs: int, data_dir=None, steps=None):
    """(accuracy or a sentence saying the run diverged, a note naming each seed's result).

    Without seeds (or outside a quick variant) that is the one run of ``steps``. With
    seeds, the median: a diverged run counts as the lowest, so one diverged run of
    three does not decide, two do."""
    if not (scenario.is_quick and scenario.quick_seeds):
        if steps is None:
            steps = list(train_steps(scenario, data_dir=data_dir))
        return epoch_accuracy(steps, after_epochs), ""
    results = [epoch_accuracy(run, after_epochs) for run in seeded_runs(scenario, data_dir)]
    ranked = sorted(range(len(results)), key=lambda i: -1.0 if isinstance(results[i], str) else results[i])
    median = results[ranked[len(ranked) // 2]]
    note = "; runs: " + ", ".join(f"seed {seed} {'diverged' if isinstance(r, str) else f'{r:.2%}'}"
                                  for seed, r in zip(scenario.quick_seeds, results))
    return median, note


def epoch_accuracy(steps: Sequence[LessonStep], after_epochs: int):
    """Accuracy after ``after_epochs`` epochs, or a sentence saying training diverged first."""
    for s in steps:
        if s.kind == "epoch" and int(s.values["epoch"]) == after_epochs - 1:
            return s.values["accuracy"]
        if s.kind == "diverged":
            return (f"training diverged in epoch {int(s.values['epoch'])}, mini-batch {int(s.values['batch'])} "
                    "(it did not learn)")
    raise NnsimError(f"no result after {after_epochs} epochs (the run has {len(steps)})")


_accuracy_cache: dict = {}


def _other_accuracy(other: Scenario, quick: bool, after_epochs: int, data_dir):
    """Train the lesson compared against; cached by its file's contents, so checking a
    library trains each lesson once even when others compare against it."""
    variant = other.variant(quick)
    if variant.is_quick and variant.quick_seeds:
        return median_accuracy(variant, after_epochs, data_dir)[0]
    return epoch_accuracy(compared_run(other, quick, data_dir), after_epochs)


COMPARE_DATA = ("dataset", "validation_size", "training_size", "test_size")
"""What "the same data" means for a compared run: these [train] settings of the run it is compared with."""


def compared_lessons(scenario: Scenario) -> list[Scenario]:
    """The lessons this lesson's ``compare`` expectations (of the variant it is) name,
    each once, in order, loaded as :meth:`_Checker.compare` loads them."""
    names: list[str] = []
    for e in scenario.expects:
        name = e.lower_than or e.higher_than if e.type == "compare" else None
        if name and name not in names:
            names.append(name)
    return [_load_relative(name, scenario) for name in names]


def compared_run(other: Scenario, quick: bool, data_dir=None, data: Optional[dict] = None) -> list[LessonStep]:
    """The run of ``other`` (its ``quick`` variant, or on ``data``: :data:`COMPARE_DATA`
    settings of the run it is compared with) that a compare expectation checks: its
    epochs' steps, trained once per file contents and data (``nnsim check`` and the
    app share the cache). A quick variant with ``seeds`` gives its median run."""
    variant = other.variant(quick)
    changes = {k: v for k, v in (data or {}).items() if k in COMPARE_DATA and getattr(variant.train, k) != v}
    if changes:
        variant = dataclasses.replace(variant, train=dataclasses.replace(variant.train, **changes))
    if variant.is_quick and variant.quick_seeds and not changes:
        runs = seeded_runs(variant, data_dir)
        last = min(len(run) for run in runs)
        ranked = sorted(runs, key=lambda run: run[last - 1].values.get("accuracy", -1.0) if last else 0.0)
        return ranked[len(ranked) // 2]
    key = (hashlib.sha256(other.path.read_bytes()).hexdigest(), quick, str(data_dir), tuple(sorted(changes.items())))
    if key not in _accuracy_cache:
        # The test outputs are dropped: a kept run needs the figures, not 10,000 columns an epoch.
        _accuracy_cache[key] = [dataclasses.replace(step, data=step.data._replace(outputs=None, answers=None))
                                if step.kind == "epoch" else step
                                for step in train_steps(variant, data_dir=data_dir)]
    return _accuracy_cache[key]


def _load_relative(name: str, scenario: Scenario) -> Scenario:
    """Another lesson by name: first beside this file, then among the bundled ones."""
    beside = Path(scenario.path).parent / f"{name}.toml"
    try:
        return load_scenario(beside if beside.is_file() else name)
    except NnsimError as error:
        raise NnsimError(f"{scenario.label}: compare: {error}") from None


def _bound_description(label: str, at_least, at_most, percent: bool = True) -> str:
    f = (lambda v: minus(f"{v:.2%}")) if percent else number
    parts = ([f"at least {f(at_least)}"] if at_least is not None else []) + \
            ([f"at most {f(at_most)}"] if at_most is not None else [])
    return f"{label} is {' and '.join(parts)}"


def _bound(got: float, at_least, at_most, label: str, percent: bool = False):
    f = (lambda v: minus(f"{v:.2%}")) if percent else number
    miss = (lambda v: minus(f"{v * 100:.2f}") + " points") if percent else f
    description = _bound_description(label, at_least, at_most, percent)
    if math.isnan(got):
        return False, "got NaN", description
    if at_least is not None and got < at_least:
        return False, f"got {f(got)}, short by {miss(at_least - got)}", description
    if at_most is not None and got > at_most:
        return False, f"got {f(got)}, over by {miss(got - at_most)}", description
    return True, f"got {f(got)}", description


def _bits(v) -> str:
    return "".join(map(str, v)) if isinstance(v, tuple) else str(v)
