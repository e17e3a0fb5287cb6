"""The backprop debugger, driven with Pilot: what it shows is the core's trace.

Every expected number is computed here from the core directly (a fresh
``trace_backprop`` on the lesson's network), not read back from the screen's
own steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.activations import sigmoid_prime
from nnsim.core.network import Network
from nnsim.core.trace import trace_backprop
from nnsim.lessons import lesson_network, load_scenario
from nnsim.lessons.trace_export import read_traces
from nnsim.tui.app import NnsimApp
from nnsim.tui.screens.backprop.screen import BackpropScreen, open_network, open_trace
from nnsim.tui.screens.backprop.gradient_check import GradientCheckDialog
from nnsim.tui.screens.backprop.arrays_view import ArraysView
from nnsim.tui.widgets.digit_image import DigitImage
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.style.format import fmt
from nnsim.tui.screens.backprop.network_view import NetworkView
from tests.tui.conftest import SIZE


def core_trace(name: str, pass_number: int = 1):
    """The lesson's pass computed from the core alone."""
    scenario = load_scenario(name)
    net = lesson_network(scenario)
    x, y = np.array(scenario.backprop.x, dtype=float).T, np.array(scenario.backprop.y, dtype=float).T
    for _ in range(pass_number - 1):
        net.update_batch(x, y, scenario.backprop.eta)
    return trace_backprop(net, x, y, eta=scenario.backprop.eta)


def shown_arrays(screen: BackpropScreen) -> dict[str, np.ndarray]:
    """The arrays the panel shows, by their label."""
    return screen.query_one(ArraysView).arrays


async def step_to(pilot, screen: BackpropScreen, title: str, key: str = "n") -> None:
    for _ in range(len(screen.stepper)):
        if screen.step.title == title:
            return
        await pilot.press(key)
    pytest.fail(f"never reached {title!r}")


async def test_backward_then_back_to_forward_shows_the_cores_numbers():
    want = core_trace("backprop-by-hand")
    backward = next(s for s in want if s.phase == "backward" and s.layer == 2)
    forward = next(s for s in want if s.phase == "forward" and s.layer == 2)
    app = NnsimApp(load_scenario("backprop-by-hand"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BackpropScreen)
        await step_to(pilot, screen, "backward, layer 2")
        await pilot.press("down")  # hidden neuron 1
        await pilot.pause()
        shown = shown_arrays(screen)
        for name, label in (("delta", "δ²"), ("z", "z²"), ("sigmoid_prime", "σ′(z²)"), ("delta_next", "δ³"),
                            ("w_next", "w³")):
            np.testing.assert_array_equal(shown[label].reshape(backward.arrays[name].shape), backward.arrays[name])
        view = screen.query_one(NetworkView)
        hidden, output = view.columns[1], view.columns[2]
        np.testing.assert_array_equal(hidden.deltas, backward.arrays["delta"][:, 0])
        np.testing.assert_array_equal(output.deltas, want[4].arrays["delta"][:, 0])
        assert hidden.show_deltas and view.current == 1 and view.direction == "backward"
        assert view.selected == (1, 1)
        text = screen.query_one(EquationPanel).text
        w3 = backward.arrays["w_next"]
        d3 = backward.arrays["delta_next"][:, 0]
        assert (f"δ²₁ = ({fmt(w3[0, 1])}·({fmt(d3[0])}) + {fmt(w3[1, 1])}·{fmt(d3[1])}) · "
                f"{fmt(backward.arrays['sigmoid_prime'][1, 0])}") in text.replace("(−0.5)", "−0.5")
        assert f"= {fmt(backward.arrays['delta'][1, 0])}" in text
        assert "δ²₁" in text and "0.0345092" in text  # the seed's δ²₁ = 0.0345092480374

        await step_to(pilot, screen, "forward, layer 2", key="b")
        shown = shown_arrays(screen)
        for name, label in (("z", "z²"), ("a", "a²"), ("b", "b²"), ("w", "w²")):
            np.testing.assert_array_equal(shown[label].reshape(forward.arrays[name].shape), forward.arrays[name])
        view = screen.query_one(NetworkView)
        np.testing.assert_array_equal(view.columns[1].activations, forward.arrays["a"][:, 0])
        # Back in time: the output layer and every δ are not computed yet.
        assert view.columns[2].activations is None and all(c.deltas is None for c in view.columns)
        assert view.direction == "forward" and view.selected == (1, 1)
        text = screen.query_one(EquationPanel).text
        assert "z²₁" in text and "(−0.3)·0.5 + 0.2·0.9 + (−0.2)" in text and "= −0.17" in text


async def test_mini_batch_examples_sums_and_passes_beyond_the_lesson():
    scenario = load_scenario("backprop-mini-batch")
    app = NnsimApp(scenario, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        want = core_trace("backprop-mini-batch")
        await step_to(pilot, screen, "pass 1: output error, layer 3")
        for e in range(4):
            eq = screen.query_one(EquationPanel)
            assert eq.values["d"] == float(want[4].arrays["delta"][0, e])
            assert screen.query_one(NetworkView).columns[2].deltas[0] == want[4].arrays["delta"][0, e]
            await pilot.press("m")
        assert screen.example == 0
        await step_to(pilot, screen, "pass 1: gradient, layer 3")
        shown = shown_arrays(screen)
        delta = want[5].arrays["delta"]
        np.testing.assert_array_equal(shown["δ³"], delta)  # each example's δ, one column each
        np.testing.assert_allclose(shown["∂C/∂b³"][:, 0], delta.sum(axis=1), rtol=1e-12)  # the sum

        # The lesson has 5 passes; n at its end computes the 6th from the 5th's update.
        screen.stepper.goto(len(screen.stepper) - 1)
        screen.refresh_step()
        await pilot.press("n")
        assert screen.step.title == "pass 6: input, layer 1" and len(screen.stepper) == 60
        assert screen.status.startswith("pass 6: computed")
        sixth = core_trace("backprop-mini-batch", 6)
        await pilot.press("n")
        shown = shown_arrays(screen)
        np.testing.assert_allclose(shown["w²"], sixth[1].arrays["w"], rtol=1e-12)
        np.testing.assert_allclose(shown["z²"], sixth[1].arrays["z"], rtol=1e-12)
        # and back across the update into pass 5
        await pilot.press("b", "b")
        assert screen.step.title == "pass 5: update, layer 3"


async def test_a_nan_breakpoint_stops_where_a_huge_eta_overflows():
    net = Network([2, 3, 2], seed=1, dtype=np.float32)
    x, y = np.array([0.5, 0.9]), np.array([1.0, 0.0])
    app = NnsimApp(cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = open_network(app, net, x, y, eta=1e40, title="η = 1e40 in float32")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("c")
        # η/m = 1e40 does not fit a float32: the update multiplies by infinity.
        assert screen.step.title == "update, layer 2"
        assert screen.status.startswith("stopped: NaN or infinity in ")
        w_after = screen.step.data.arrays["w_after"]
        assert not np.all(np.isfinite(w_after))
        assert np.all(np.isfinite(net.weights[0]))  # the network given is left alone
        # Off, c runs to the end of the pass instead.
        await pilot.press("r", "1", "c")
        assert screen.status == "stopped: end of the lesson" and screen.stepper.at_end


async def test_condition_keys_switch_saturation_and_vanishing():
    app = NnsimApp(load_scenario("backprop-digit"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("c")  # the lesson's own breakpoint: saturation σ′(z) < 0.001
        saturated = int(np.sum(sigmoid_prime(screen.step.data.arrays["z"]) < 1e-3))
        assert saturated > 0
        assert screen.status.startswith(f"stopped: σ′(z²) < 0.001 at pass 1: backward, layer 2: {saturated} of 30")
        await pilot.press("r", "2", "3", "c")  # saturation off, vanishing |δ| < 1e−05 on
        assert screen.status.startswith("stopped: |δ³| < 1e−05 at pass 1: output error, layer 3")
        delta = screen.step.data.arrays["delta"]
        assert np.min(np.abs(delta)) < 1e-5
        keys = str(screen.query_one("#bp-keys").render())
        assert "1○NaN/inf" in keys and "2○σ′<0.001" in keys and "3●|δ|<1e−05" in keys


async def test_gradient_check_of_a_float64_net_is_below_1e_6():
    app = NnsimApp(load_scenario("backprop-by-hand"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await step_to(pilot, screen, "backward, layer 2")
        await pilot.press("down", "down", "g")
        dialog = app.screen
        assert isinstance(dialog, GradientCheckDialog)
        assert [r.name for r in dialog.results] == ["b2[2]", "w2[2,0]", "w2[2,1]"]
        assert all(r.relative_error < 1e-6 for r in dialog.results)
        # backprop's numbers are the seed's: ∂C/∂b²₂ = δ²₂ = -0.00205268946495
        assert dialog.results[0].backprop == pytest.approx(-0.00205268946495, abs=1e-12)
        assert "all 3 below 1e-06" in dialog.text
        await pilot.press("a")
        assert len(dialog.results) == 17 and dialog.worst < 1e-6 and "all 17 below 1e-06" in dialog.text
        await pilot.press("escape")
        assert app.screen is screen


async def test_export_writes_jsonl_and_a_handout_that_parse(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = NnsimApp(load_scenario("backprop-by-hand"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("n", "x")
        jsonl = tmp_path / "backprop-by-hand-trace.jsonl"
        markdown = tmp_path / "backprop-by-hand-handout.md"
        assert screen.status == ("exported 1 pass to backprop-by-hand-trace.jsonl and "
                                 f"backprop-by-hand-handout.md in {tmp_path.resolve()}")
        (back,) = read_traces(jsonl.read_text(encoding="utf-8"))
        want = core_trace("backprop-by-hand")
        for got, expected in zip(back, want):
            for name, array in expected.arrays.items():
                np.testing.assert_allclose(got.arrays[name], array, rtol=1e-15, atol=0)
        md = markdown.read_text(encoding="utf-8")
        assert md.count("\n### Step ") == 10 and "δ³₀ = (0.552076 − 1) · 0.247288 = −0.110766" in md
        # Unwritable: one error line, nothing written.
        screen.export_dir = tmp_path / "backprop-by-hand-handout.md" / "sub"
        await pilot.press("x")
        assert screen.status.startswith("cannot export to ")


async def test_the_digit_image_shows_the_input_then_a_neurons_weights_and_gradient():
    app = NnsimApp(load_scenario("backprop-digit"), cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        trace = screen.step.context
        x = trace.steps[0].arrays["x"][:, 0]
        image = screen.query_one("#bp-digit", DigitImage)
        np.testing.assert_array_equal(image.pixels.reshape(-1), x)
        assert not image.signed and image.border_title.startswith("input x: a ")
        await step_to(pilot, screen, "pass 1: gradient, layer 2")
        await pilot.press("down", "down", "down", "w")  # hidden neuron 3's weights
        w = trace.steps[1].arrays["w"]
        np.testing.assert_array_equal(image.pixels.reshape(-1), w[3])
        assert image.signed and image.border_title == "w² into neuron 3"
        assert image.mark == int(np.argmax(x))  # the brightest pixel, whose weight the equation shows
        await pilot.press("right_square_bracket", "w")
        np.testing.assert_array_equal(image.pixels.reshape(-1), screen.step.data.arrays["nabla_w"][3])
        assert image.mark == int(np.argmax(x)) + 1
        eq = screen.query_one(EquationPanel)
        assert eq.values["nw"] == float(screen.step.data.arrays["nabla_w"][3, int(np.argmax(x)) + 1])


async def test_open_trace_of_a_pass_without_update_cannot_go_further():
    net = Network([3, 4, 2], seed=0, dtype=np.float64)
    trace = trace_backprop(net, np.array([0.1, 0.5, 0.9]), np.array([0.0, 1.0]))  # no η: no update
    app = NnsimApp(cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = open_trace(app, trace, title="A test example through the trained network", name="mistake")
        await pilot.pause()
        assert screen.query_one("#lesson-title").render().plain == "A test example through the trained network"
        await pilot.press("c")
        assert screen.step.title == "gradient, layer 2"
        await pilot.press("n")
        assert screen.status == "this pass ends at the gradient (no η, no update), so no pass follows it"
        await pilot.press("e")
        assert screen.status == "this lesson has no numbers to edit"


async def test_editing_eta_recomputes_the_update():
    app = NnsimApp(load_scenario("backprop-by-hand"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await step_to(pilot, screen, "update, layer 3")
        screen.apply_parameters({"eta": 0.5})
        await pilot.pause()
        step = screen.step.data
        before, nabla = step.arrays["w_before"], step.arrays["nabla_w"]
        np.testing.assert_allclose(step.arrays["w_after"], before - 0.5 * nabla, rtol=1e-15)
        assert screen.step.title == "update, layer 3" and screen.status == "eta = 0.5: the pass is recomputed"


async def test_e_edits_the_selected_neurons_weight_and_the_pass_is_recomputed():
    app = NnsimApp(load_scenario("backprop-by-hand"), start=6, cursor_blink=False)  # backward, layer 2
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "right_square_bracket", "e")  # hidden neuron 1, its weight from input 1
        dialog = app.screen
        assert dialog.focused.id == "edit-w2_1_1"
        dialog.focused.value = "0.65"
        await pilot.press("enter")
        screen = app.screen
        assert screen.status == "w2_1_1 = 0.65: the pass is recomputed"
        assert screen.scenario.network.weights[0][1] == (-0.3, 0.65)
        # z²₁ = -0.3·0.5 + 0.65·0.9 − 0.2, from the core on the edited network
        forward = screen.stepper.steps[1].data
        assert forward.arrays["z"][1, 0] == pytest.approx(-0.3 * 0.5 + 0.65 * 0.9 - 0.2, abs=1e-15)
        assert screen.step.title == "backward, layer 2"
