"""Successive backprop passes as lesson steps: more passes on demand, from any network.

A backprop lesson's steps (:func:`nnsim.lessons.build_steps`) carry their core
:class:`~nnsim.core.trace.Trace` as ``context``. From those alone this module
rebuilds what the debugger needs to go further in time: the network each pass
started from (the weights its forward steps used), the mini-batch (its input
step's x and y), and the next pass, computed by the core's ``trace_backprop``
from the weights the last pass's update left (``apply_trace_update``).

:func:`trace_lesson_steps` also turns a trace of a live network (the training
screen's) into lesson steps, so the debugger can open on it without a scenario file.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnsim.core.network import Network
from nnsim.core.trace import Trace, apply_trace_update, trace_backprop
from nnsim.errors import NnsimError
from nnsim.lessons.play import LessonStep, array_values, narration_for
from nnsim.lessons.trace_view import narration as default_narration


def trace_lesson_steps(trace: Trace, pass_number: int = 1, start: int = 0, scenario=None,
                       titled_by_pass: bool = True) -> list[LessonStep]:
    """The steps of one pass, numbered from ``start``, as the lessons layer builds them:
    titles ``"pass 2: backward, layer 2"`` (or the core's title without ``titled_by_pass``),
    ``values`` from :func:`~nnsim.lessons.array_values` plus ``cost_mean`` at the cost step.

    Narration: the scenario's text for the step if it names it (by index, title or
    pattern), else a sentence for the phase and the core's equation. (A lesson's text
    for an earlier pass is not reused: it may quote that pass's numbers.)
    """
    steps = []
    for i, ts in enumerate(trace):
        title = f"pass {pass_number}: {ts.title}" if titled_by_pass else ts.title
        values = {"pass": float(pass_number), "layer": float(ts.layer)}
        values.update(array_values(ts.arrays))
        if ts.phase == "cost":
            values["cost_mean"] = float(np.mean(ts.arrays["cost"]))
        default = default_narration(ts)
        text = narration_for(scenario, start + i, title, default) if scenario is not None else default
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
    net = Network(trace.sizes, seed=0, dtype=weights[0].dtype)
    net.weights, net.biases = weights, biases
    return net


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
    x, y = examples(last)
    # NaN and infinity are what the debugger's nan condition is there to catch, not errors.
    with np.errstate(all="ignore"):
        trace = trace_backprop(network_after(last), x, y, eta=last.eta)
    return trace_lesson_steps(trace, len(traces) + 1, len(steps), scenario)
