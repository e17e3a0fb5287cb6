"""The shared widgets on their own: formatting, substitution, and each widget in a small app
(the backprop and training screens reuse them)."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App

from nnsim.tui.widgets.digit import DigitView
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.style.format import fmt, fmt_fixed, fmt_signed, substitute
from nnsim.tui.widgets.plot import Marker, Series, TextPlot
from nnsim.tui.screens.gates.truth_table import TruthTable


@pytest.mark.parametrize("value, text", [
    (3.0, "3"), (-2, "−2"), (0.5, "0.5"), (0.7310585786300049, "0.731059"), (1.2e-7, "1.2e−07"),
    (0.9999999999999065, "0.999999999999907"),  # σ(30): not the step function's 1
    (1.0, "1"), (-0.0, "0"), (float("nan"), "nan"), (float("-inf"), "−inf"),
])
def test_fmt(value, text):
    assert fmt(value) == text


def test_fmt_signed_and_fixed():
    assert [fmt_signed(v) for v in (0.01, -0.02, 0.0)] == ["+0.01", "−0.02", "0"]
    assert fmt_fixed(0.5, 7) == "  0.500" and fmt_fixed(-2.0, 7) == "     −2"
    assert len(fmt_fixed(123456.789, 7)) == 7 and float(fmt_fixed(123456.789, 7)) == pytest.approx(123456.789, 1e-2)
    assert fmt_fixed(1.5e-9, 7).strip() == "1.5e−09"
    assert fmt_fixed(5e-4, 7).strip() == "0.0005" and fmt_fixed(0.0001234, 7).strip() == "0.00012"


def test_substitute_puts_the_steps_numbers_in():
    values = {"w1": -2.0, "x1": 1.0, "b": 3.0, "delta[0]": 0.125, "w[1,0]": -0.5}
    assert substitute("{w1:p}·{x1} + {b:p}", values).plain == "(−2)·1 + 3"
    assert substitute("δ = {delta[0]}, w = {w[1,0]}, {missing}", values).plain == "δ = 0.125, w = −0.5, ?"
    spans = substitute("z = {b}", values).spans
    assert [(s.start, s.end) for s in spans] == [(4, 5)]  # the number is styled apart from the symbols


class Gallery(App):
    def __init__(self, *widgets):
        super().__init__()
        self.widgets = widgets

    def compose(self):
        yield from self.widgets


async def test_digit_view_draws_28x28_pixels_as_14_rows_of_half_blocks():
    ring = np.zeros((28, 28))
    ring[4:24, 4] = ring[4:24, 23] = ring[4, 4:24] = ring[23, 4:24] = 1.0
    view = DigitView(ring.reshape(784))
    async with Gallery(view).run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        rows = view.render().plain.splitlines()
        assert len(rows) == 14 and all(row == "▀" * 28 for row in rows)
        assert view.region.size == (28, 14)
        with pytest.raises(ValueError, match="784 pixels"):
            view.show(np.zeros(10))


async def test_text_plot_fills_its_size_and_marks_points():
    plot = TextPlot()
    xs = np.linspace(-1, 1, 41)
    async with Gallery(plot).run_test(size=(60, 12)) as pilot:
        plot.plot([Series(xs, xs ** 2, "x²")], [Marker(0.5, 0.25, "here")], y_range=(0, 1))
        await pilot.pause()
        lines = plot.render().plain.splitlines()
        assert len(lines) == plot.content_size.height
        assert all(len(line) <= plot.content_size.width for line in lines)
        assert lines[0].strip().startswith("⣿ x²") and "● here" in lines[0]  # no border: legend inside
        assert "●" in "".join(lines[1:]) and "┊" in "".join(lines[1:])
        assert lines[-1].strip().startswith("└−1") and lines[-1].rstrip().endswith("1")


async def test_equation_panel_and_truth_table_text():
    panel = EquationPanel()
    table = TruthTable()
    async with Gallery(panel, table).run_test(size=(60, 12)) as pilot:
        panel.show("z = {z}", ["  = {w1:p}·{x1} + {b}"], {"z": -1.0, "w1": -2.0, "x1": 1.0, "b": 1.0})
        table.set_rows(["x1"], ["out"], [((0,), (1,)), ((1,), (0,))], filled=1, current=1)
        await pilot.pause()
        assert panel.text == "z = −1\n  = (−2)·1 + 1"
        assert table.render().plain.splitlines() == [" x1 │ out ", "  0 │   1 ", "  1 │   · "]


def test_shades_never_ask_for_a_0_percent_colour():
    """Textual 8.2.8 reads "$colour 0%" as the full colour: a blank pixel or a zero weight
    would light up."""
    from nnsim.tui.style.shading import intensity_shade, signed_colour, signed_shade

    assert intensity_shade(0.0) == "$foreground 1%" and intensity_shade(1.0) == "$foreground 100%"
    assert signed_colour(0.0, 1.0) == "$foreground 1%" and signed_colour(0.5, 0.0) == "$foreground 1%"
    assert signed_colour(-1.0, 2.0) == "$error 50%" and signed_colour(3.0, 2.0) == "$primary 100%"
    assert signed_shade(0.0, 1.0) == "" and signed_shade(0.001, 1.0) == "on $primary 4%"
