"""The sigmoid lab: scaling, nudging, the plots' marks; numbers checked against the core."""

from __future__ import annotations

import pytest

from nnsim.core.activations import sigmoid, sigmoid_prime, step
from nnsim.core.perceptron import Perceptron
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.frame.narration import NarrationPanel
from nnsim.tui.style.format import fmt, fmt_signed
from nnsim.tui.widgets.plot import TextPlot
from tests.tui.conftest import SIZE, open_from_home

# sigmoid-vs-step.toml's neuron
WEIGHTS, BIAS, X = (0.6, -0.4), -0.1, (1.0, 0.5)


def neuron_z(c: float = 1.0, weights=WEIGHTS, bias=BIAS) -> float:
    return Perceptron(tuple(c * w for w in weights), c * bias).weighted_sum(X)


async def test_stepping_through_samples_marks_z_on_both_plots(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "sigmoid-vs-step")
        for z in (-5, -2, -1, -0.5, 0, 0.5, 1, 2, 5):
            sigma_plot = lab.query_one("#sigma-plot", TextPlot)
            step_plot = lab.query_one("#step-plot", TextPlot)
            assert [m.x for m in sigma_plot.markers] == [z] == [m.x for m in step_plot.markers]
            assert sigma_plot.markers[0].y == pytest.approx(float(sigmoid(z)), abs=0)
            assert step_plot.markers[0].y == float(step(z))
            text = lab.query_one(EquationPanel).text
            assert f"σ({fmt(z)}) = {fmt(float(sigmoid(z)))}" in text
            assert f"σ′({fmt(z)}) = {fmt(float(sigmoid_prime(z)))}" in text
            assert f"perceptron: {1 if z > 0 else 0}" in text
            await pilot.press("n")
        # Then the scale steps: c = 1 carries a breakpoint in the lesson file.
        assert lab.step.title == "scale c = 1"
        assert lab.query_one("#step-counter").text == "step 10 / 14 ●"


async def test_scaling_by_c_brings_the_sigmoid_to_the_step(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "sigmoid-vs-step")
        await pilot.press("c")  # to the breakpoint on "scale c = 1"
        assert lab.status == "stopped: breakpoint at step 10"
        gaps = []
        for c in (1, 2, 5, 10, 100):
            assert lab.c == c
            z = neuron_z(c)
            want_sigma = float(sigmoid(z))
            plot = lab.query_one("#sigma-plot", TextPlot)
            assert plot.markers[0].x == pytest.approx(neuron_z(1.0))
            assert plot.markers[0].y == pytest.approx(want_sigma, rel=1e-15)
            # The curve drawn is σ(c·z) over z before scaling.
            curve = plot.series[-1]
            assert list(curve.y) == pytest.approx([float(sigmoid(c * v)) for v in curve.x], rel=1e-15)
            title = str(plot.border_title)
            assert title.endswith(f"= {fmt(want_sigma)}")
            assert f"= {fmt(z)}" in lab.query_one(EquationPanel).text
            gaps.append(abs(want_sigma - float(step(z))))
            await pilot.press("n")
        assert gaps == sorted(gaps, reverse=True) and gaps[-1] < 1e-12


async def test_s_cycles_the_scale_without_stepping(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "sigmoid-vs-step")
        position = lab.stepper.position
        for c in (2, 5, 10, 100, 1):
            await pilot.press("s")
            assert lab.c == c and lab.stepper.position == position
            assert lab.scaled.sigma == pytest.approx(float(sigmoid(neuron_z(c))), rel=1e-15)
            # The narration follows the lab (the issue: it kept σ(z) = 0.574443 after s).
            narration = lab.query_one(NarrationPanel).text
            assert f"σ(c·z) = {fmt(lab.scaled.sigma)}" in narration and f"c = {fmt(c)}" in narration
            assert f"c·z = {fmt(lab.scaled.z)}" in lab.status
        assert "σ(c·z) =" in lab.status


async def test_nudging_a_weight_compares_eq5_with_the_actual_change(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "sigmoid-vs-step")
        assert lab.selected_parameter.name == "w1"
        await pilot.press("d")  # Δ: 0.1 → 0.5
        assert lab.nudge_size == 0.5
        await pilot.press("plus", "plus")  # w1 + 1.0
        z0 = neuron_z()
        z1 = Perceptron((WEIGHTS[0] + 1.0, WEIGHTS[1]), BIAS).weighted_sum(X)
        actual = float(sigmoid(z1)) - float(sigmoid(z0))
        estimate = float(sigmoid_prime(z0)) * X[0] * 1.0
        r = lab.nudged
        assert (r.param, r.delta) == ("w1", 1.0)
        assert r.actual == pytest.approx(actual, rel=1e-12)
        assert r.estimate == pytest.approx(estimate, rel=1e-12)
        text = lab.query_one("#nudge").render().plain
        assert f"actual Δoutput = {fmt_signed(r.actual)}" in text
        assert f"= {fmt_signed(r.estimate)}" in text
        assert "stays at 1" in text  # z goes from 0.3 to 1.3: the perceptron keeps 1
        assert str(lab.query_one("#nudge").border_title) == f"nudge Δw1 = +1: z {fmt(z0)} → {fmt(z1)}"
        await pilot.press("0")
        assert lab.nudged is None


async def test_a_bias_nudge_that_flips_the_perceptron(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "small-changes")
        await pilot.press("n", "n")  # the lesson's "nudge b by -0.06"
        assert lab.step.title == "nudge b by −0.06"
        assert lab.selected_parameter.name == "b"
        weights, bias, x = (0.8, -0.5), 0.1, (0.5, 0.9)
        z0 = Perceptron(weights, bias).weighted_sum(x)
        z1 = Perceptron(weights, bias - 0.06).weighted_sum(x)
        text = lab.query_one("#nudge").render().plain
        assert f"actual Δoutput = {fmt_signed(float(sigmoid(z1)) - float(sigmoid(z0)))}" in text
        assert f"σ′(z)·Δb = {fmt(float(sigmoid_prime(z0)))}·(−0.06) = " in text
        assert "flips 1 → 0" in text
        # The nudge plot marks both z's: before and after.
        assert [m.x for m in lab.query_one("#sigma-plot", TextPlot).markers] == pytest.approx([z0, z1])
        # x1 cannot be nudged (it is an input, not a parameter of the neuron).
        await pilot.press("down", "plus")
        assert lab.selected_parameter.name == "x1"
        assert "nudge a weight or the bias" in lab.status


async def test_editing_the_neuron_rebuilds_the_lesson(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "sigmoid-vs-step")
        await pilot.press("c")
        await pilot.press("e")
        app.screen.query_one("#edit-w2").value = "0.4"
        await pilot.press("enter")
        await pilot.pause()
        assert lab.scenario.sigmoid.weights == (0.6, 0.4)
        assert lab.step.title == "scale c = 1"
        z = Perceptron((0.6, 0.4), BIAS).weighted_sum(X)
        assert lab.scaled.z == pytest.approx(z) and lab.scaled.sigma == pytest.approx(float(sigmoid(z)))
        assert "w2 = 0.4: recomputed" in lab.status
