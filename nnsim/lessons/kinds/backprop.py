"""Backprop lessons: a network and a mini-batch, played as the core's traces, pass after pass.

A backprop lesson's steps carry their core :class:`~nnsim.core.trace.Trace` as
``context``. From those alone this module rebuilds what the debugger needs to
go further in time: the network each pass started from (the weights its forward
steps used), the mini-batch (its input step's x and y), and the next pass,
computed by the core's ``trace_backprop`` from the weights the last pass's
update left (``apply_trace_update``).

:func:`trace_lesson_steps` also turns a trace of a live network (the training
screen's) into lesson steps, so the debugger can open on it without a scenario file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from nnsim.core.network import Network
from nnsim.core.trace import Trace, apply_trace_update, trace_backprop
from nnsim.errors import NnsimError
from nnsim.lessons.datasets import load_splits
from nnsim.lessons.scenario import SECTIONS, Condition, NetworkSpec, Scenario
from nnsim.lessons.steps import LessonStep, array_values, narration_for
from nnsim.lessons.trace_view import narration as default_narration


def build_network(spec: NetworkSpec) -> Network:
    """A core Network from the spec: seeded initialisation, or the explicit weights and biases."""
    if spec.weights is None:
        return Network(spec.sizes, seed=spec.seed, dtype=np.dtype(spec.dtype))
    return Network.from_arrays([np.array(w) for w in spec.weights],
                               [np.array(b).reshape(-1, 1) for b in spec.biases], dtype=np.dtype(spec.dtype))


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
    splits = load_splits(spec.dataset, data_dir, validation_size=0 if spec.dataset == "sample" else None,
                   where=f"{scenario.label}: [backprop].dataset")
    data = splits.training if spec.split == "training" else splits.test
    for i in spec.examples:
        if i >= len(data):
            raise NnsimError(f"{scenario.label}: [backprop].example: {spec.dataset} has {len(data)} "
                             f"{spec.split} examples, so {i} is out of range")
    picked = data.subset(np.array(spec.examples))
    return np.asarray(picked.x, dtype=np.float64).T, np.asarray(picked.y, dtype=np.float64).T


def backprop_steps(scenario: Scenario, data_dir=None) -> list[LessonStep]:
    """Every pass of the lesson (``updates`` of them), each from the weights the last left."""
    spec = scenario.backprop
    net = lesson_network(scenario)
    x, y = lesson_examples(scenario, data_dir)
    steps: list[LessonStep] = []
    for p in range(1, spec.updates + 1):
        trace = trace_backprop(net, x, y, eta=spec.eta)
        if p == 1:
            _check_trace_budget(scenario, trace_bytes(trace), spec.updates)
        steps += trace_lesson_steps(trace, p, len(steps), scenario, titled_by_pass=spec.updates > 1)
        apply_trace_update(net, trace)
    return steps


# Every pass keeps its arrays (the debugger steps back through them), so the
# memory is passes × one pass's arrays: a [784, 2000, 10] net's pass holds about
# 64 MB, and 50 of them 3.2 GB. The first pass is measured, then the rest refused
# before they are built if they would not fit.
TRACE_BUDGET = 512 << 20


def trace_bytes(trace: Trace) -> int:
    """The bytes a recorded pass's arrays hold."""
    return sum(np.asarray(a).nbytes for step in trace.steps for a in step.arrays.values())


def _check_trace_budget(scenario: Scenario, one_pass: int, updates: int) -> None:
    if one_pass * updates > TRACE_BUDGET:
        fits = max(TRACE_BUDGET // max(one_pass, 1), 0)
        raise NnsimError(f"{scenario.label}: [backprop].updates: {updates} passes of this network would keep "
                         f"{one_pass * updates / 2**20:,.0f} MB of recorded arrays, more than the "
                         f"{TRACE_BUDGET >> 20} MB a lesson may use; use at most {fits} updates or a smaller network")


def array_shapes(arrays) -> dict[str, float]:
    """Every array's shape as numbers a narration can quote: ``{nabla_w.rows}×{nabla_w.cols}``
    is 30×784 for the digit network and follows an edit of its sizes."""
    shapes: dict[str, float] = {}
    for name, array in arrays.items():
        shape = np.shape(array)
        if len(shape) == 2:
            shapes[f"{name}.rows"], shapes[f"{name}.cols"] = float(shape[0]), float(shape[1])
    return shapes


def trace_lesson_steps(trace: Trace, pass_number: int = 1, start: int = 0, scenario=None,
                       titled_by_pass: bool = True) -> list[LessonStep]:
    """The steps of one pass, numbered from ``start``, as the lessons layer builds them:
    titles ``"pass 2: backward, layer 2"`` (or the core's title without ``titled_by_pass``),
    ``values`` from :func:`~nnsim.lessons.array_values` plus ``cost_mean`` at the cost step.

    Narration: the scenario's text for the step if it names it (by index, title or
    pattern), its placeholders filled from this step's values, else a sentence for the
    phase and the core's equation.
    """
    steps = []
    for i, ts in enumerate(trace):
        title = f"pass {pass_number}: {ts.title}" if titled_by_pass else ts.title
        values = {"pass": float(pass_number), "layer": float(ts.layer)}
        values.update(array_values(ts.arrays))
        values.update(array_shapes(ts.arrays))
        values.setdefault("m", float(trace.m))  # the mini-batch's size (an update step has its own m)
        if ts.phase == "cost":
            values["cost_mean"] = float(np.mean(ts.arrays["cost"]))
        default = default_narration(ts)
        text = narration_for(scenario, start + i, title, default, values) if scenario is not None else default
        steps.append(LessonStep(index=start + i, title=title, narration=text, kind="trace", data=ts,
                                values=values, context=trace, pass_number=pass_number))
    return steps


def lesson_traces(steps: Sequence[LessonStep]) -> list[Trace]:
    """The distinct traces (passes) of a lesson's steps, in order."""
    traces: list[Trace] = []
    for step in steps:
        if isinstance(step.context, Trace) and (not traces or step.context is not traces[-1]):
            traces.append(step.context)
    return traces


def network_before(trace: Trace) -> Network:
    """The network the pass ran on: the weights and biases its forward steps used."""
    forward = sorted((s for s in trace if s.phase == "forward"), key=lambda s: s.layer)
    weights = [s.arrays["w"].copy() for s in forward]
    biases = [s.arrays["b"].copy() for s in forward]
    return Network.from_arrays(weights, biases)


def network_after(trace: Trace) -> Network:
    """The network the pass's update leaves (the core's ``apply_trace_update``)."""
    net = network_before(trace)
    apply_trace_update(net, trace)
    return net


def examples(trace: Trace) -> tuple[np.ndarray, np.ndarray]:
    """The pass's mini-batch: x (n_in, m) and y (n_out, m) as its input step holds them."""
    first = trace.steps[0]
    return first.arrays["x"], first.arrays["y"]


def can_continue(trace: Trace) -> bool:
    """Whether another pass can follow this one: only a pass that ends with an update."""
    return trace.eta is not None


def next_pass(steps: Sequence[LessonStep], scenario=None) -> list[LessonStep]:
    """The steps of one more pass after the last one: same mini-batch and η, from the
    weights the last pass's update left. Raises NnsimError when the last pass has no update."""
    traces = lesson_traces(steps)
    if not traces:
        raise NnsimError("this lesson has no backprop pass to continue from")
    last = traces[-1]
    if not can_continue(last):
        raise NnsimError("the pass stops at the gradient (no η), so no update follows it")
    one_pass = trace_bytes(last)
    if (len(traces) + 1) * one_pass > TRACE_BUDGET:  # the debugger keeps every pass it has shown
        raise NnsimError(f"{len(traces)} passes of this network already keep "
                         f"{len(traces) * one_pass / 2**20:,.0f} MB of recorded arrays; another would pass the "
                         f"{TRACE_BUDGET >> 20} MB a lesson may use (restart the lesson to go on from the start)")
    x, y = examples(last)
    # NaN and infinity are what the debugger's nan condition is there to catch, not errors.
    with np.errstate(all="ignore"):
        trace = trace_backprop(network_after(last), x, y, eta=last.eta)
    return trace_lesson_steps(trace, len(traces) + 1, len(steps), scenario)


def live_scenario(title: str, description: str = "", name: str = "backprop-trace",
                  conditions: Sequence[Condition] = (Condition("nan"),)) -> Scenario:
    """A scenario for a pass that comes from a running program rather than a file
    (the training screen's mini-batch, a test digit, a drawn digit)."""
    return Scenario(name=name, title=title, description=description, kind="backprop",
                    section=SECTIONS["gradient-descent"], section_id="gradient-descent", path=Path(f"<{name}>"),
                    conditions=tuple(conditions))
