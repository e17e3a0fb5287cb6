"""Widgets shared by the lesson screens, one module per widget.

- :mod:`~nnsim.tui.widgets.tensor` — ``TensorView``: a vector or matrix, values shaded by sign and size.
- :mod:`~nnsim.tui.widgets.truth_table` — ``TruthTable``: rows filled in as a lesson reaches them.
- :mod:`~nnsim.tui.widgets.equation` — ``EquationPanel``: a formula, then the step's numbers in it.
- :mod:`~nnsim.tui.widgets.plot` — ``TextPlot`` (with ``Series``, ``Marker``): braille line plots.
- :mod:`~nnsim.tui.widgets.digit` — ``DigitView``: a 28×28 image in half-blocks (digits, weights).
- :mod:`~nnsim.tui.widgets.perceptron` — ``PerceptronDiagram``: one neuron with its numbers.
- :mod:`~nnsim.tui.widgets.circuit` — ``CircuitDiagram``: gates in layers, a value on every wire.
- :mod:`~nnsim.tui.widgets.expectations` — ``ExpectationList``: a lesson's checks, passed or failed.
- :mod:`~nnsim.tui.widgets.narration`, :mod:`~nnsim.tui.widgets.step_counter`,
  :mod:`~nnsim.tui.widgets.status` — the frame every lesson screen has.
- :mod:`~nnsim.tui.widgets.format` (``fmt``, ``substitute``), :mod:`~nnsim.tui.widgets.shading`,
  :mod:`~nnsim.tui.widgets.canvas` — helpers the widgets share.

Import from the module (``from nnsim.tui.widgets.tensor import TensorView``): this
package imports nothing itself, so a screen pays only for the widgets it uses.
Widgets format numbers; they never compute them.
"""
