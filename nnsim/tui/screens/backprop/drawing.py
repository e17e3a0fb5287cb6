"""Drawing the backprop debugger's panels for a step: the network, the arrays, the 28×28 image.

A mixin of :class:`~nnsim.tui.screens.backprop.screen.BackpropScreen`: what each panel
shows comes from the trace through the lessons layer (``trace_view``, ``diagrams``);
the widgets place it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from nnsim.core.trace import sup
from nnsim.lessons import LessonStep
from nnsim.lessons.diagrams import network_edges, pass_weights, known_z, step_flow
from nnsim.lessons.kinds.backprop import examples
from nnsim.lessons.trace_view import (
    PANEL_ARRAYS, RESULT_ARRAYS, array_label, direction, input_gradient, known_at, target_label,
)
from nnsim.tui.screens.backprop.arrays_view import ArrayItem, ArraysView
from nnsim.tui.screens.backprop.network_view import SUMMARY_ABOVE, LayerColumn, NetworkView
from nnsim.tui.widgets.digit import SIDE
from nnsim.tui.widgets.digit_image import DigitImage

PIXELS = SIDE * SIDE
MATRICES = frozenset({"w", "w_next", "nabla_w", "w_before", "w_after"})
DIGIT_PANEL_WIDTH = 32  # backprop.tcss: #bp-digit


@dataclass(frozen=True)
class Focus:
    """The neuron the screen writes out: ``neuron`` j in layer ``layer`` (book numbering),
    ``source`` k in the layer before it, ``example`` the mini-batch column."""

    layer: int
    neuron: int
    source: int
    example: int


class BackpropDrawing:
    """The panels of a step (mixed into the debugger screen)."""

    _edges_for = None
    _edges = ()

    def pass_edges(self, trace):
        """The edges the network view draws for a pass (its weights do not change within it)."""
        if self._edges_for is not trace:
            self._edges_for = trace
            self._edges = network_edges(pass_weights(trace))
        return self._edges

    def draw_network(self, step: LessonStep, focus: Focus) -> None:
        data, trace = step.data, step.context
        known = known_at(trace, data.index)
        zs = known_z(trace, data.index)
        backward = data.phase in ("output_error", "backward", "gradient", "update")
        e = focus.example
        columns = []
        for layer, n in enumerate(trace.sizes, 1):
            a = known.activations.get(layer)
            d = known.deltas.get(layer)
            z = zs.get(layer)
            show_deltas = backward and d is not None
            symbol = (f"δ{sup(layer)}" if show_deltas else f"a{sup(layer)}") + (" = x" if layer == 1 else "")
            columns.append(LayerColumn(
                f"layer {layer}", n, None if a is None else a[:, e], None if d is None else d[:, e],
                symbol, show_deltas, None if z is None else z[:, e]))
        view = self.query_one("#bp-network", NetworkView)
        view.input_beside = bool(self.query_one("#bp-digit").display)  # the 28×28 panel is the input layer
        view.show(columns, current=focus.layer - 1, direction=direction(data),
                  selected=(focus.layer - 1, focus.neuron), edges=self.pass_edges(trace),
                  flow=step_flow(data, e))
        m = trace.m
        _title(view, f"network {trace.sizes}" + (f" · example {e + 1} of {m}" if m > 1 else ""))

    def draw_arrays(self, step: LessonStep, focus: Focus) -> None:
        """The step's arrays with their shapes, the selected neuron's entries highlighted."""
        data = step.data
        items, omitted = [], []
        for name in PANEL_ARRAYS[data.phase]:
            a = np.asarray(data.arrays[name])
            label = array_label(name, data.layer)
            if name not in MATRICES and a.shape[0] > SUMMARY_ABOVE:
                omitted.append(f"{label} ({a.shape[0]}×{a.shape[1]})")
                continue
            items.append(ArrayItem(label, a, self._mark(name, data.phase, focus, a.shape),
                                   result=name in RESULT_ARRAYS[data.phase]))
        notes = [", ".join(omitted) + ": too long to list (the image and the network show them)"] if omitted else []
        arrays = self.query_one("#bp-arrays", ArraysView)
        arrays.show(items, notes)
        _title(arrays, f"arrays of {data.title}")

    @staticmethod
    def _mark(name: str, phase: str, focus: Focus, shape: tuple[int, int]) -> Optional[tuple[int, int]]:
        """Which entry of an array belongs to the selection: (row, column), or None."""
        e = min(focus.example, shape[1] - 1)
        if name in ("w", "nabla_w", "w_before", "w_after"):
            return focus.neuron, focus.source
        if name == "a_prev":
            return focus.source, e
        if name == "cost":
            return 0, e
        if name in ("w_next", "delta_next") or (name == "y" and phase == "input"):
            return None  # the layer after: the equation panel lists the entries used
        return focus.neuron, e

    def draw_image(self, step: LessonStep, focus: Focus) -> None:
        """The 28×28 panel: the input digit, or hidden neuron j's 784 incoming weights or
        their gradient (j the neuron selected in layer 2, k the selected pixel)."""
        panel = self.query_one("#bp-digit", DigitImage)
        trace, data = step.context, step.data
        e = focus.example
        j = self.neurons.get(2, 0)
        k = self.source_of(2, e)
        x, y = examples(trace)
        if self.image == "weights":
            w = next(s for s in trace if s.phase == "forward" and s.layer == 2).arrays["w"]
            panel.show(w[j], "", mode="signed", mark=k)
            _title(panel, f"w² into neuron {j}")
        elif self.image == "input_gradient":
            grad, known_from = input_gradient(trace)
            if known_from <= data.index:
                panel.show(grad[:, e], "", mode="signed")
                _title(panel, "∂C/∂x = (w²)ᵀδ²")
            else:
                panel.show(np.zeros(PIXELS), "", mode="signed")
                _title(panel, "∂C/∂x: after δ² is known")
        elif self.image == "gradient":
            gradient = next(s for s in trace if s.phase == "gradient" and s.layer == 2)
            if gradient.index <= data.index:
                panel.show(gradient.arrays["nabla_w"][j], "", mode="signed", mark=k)
                _title(panel, f"∂C/∂w² of neuron {j}")
            else:
                panel.show(np.zeros(PIXELS), "", mode="signed")
                _title(panel, f"∂C/∂w² of {j}: after BP4")
        else:
            label = target_label(y[:, e])
            title = f"input x: a {label}" if label is not None else "input x"
            if trace.m > 1:
                title += f" ({e + 1} of {trace.m})"
            uses_weight = focus.layer == 2 and data.phase in ("gradient", "update")
            panel.show(x[:, e], "", mode="intensity", mark=k if uses_weight else None)
            _title(panel, title)



def _title(widget, title: str) -> None:
    """Set a border title only when it changes (setting one redraws the widget)."""
    if str(widget.border_title or "") != title:
        widget.border_title = title
