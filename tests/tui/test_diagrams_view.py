"""The diagrams in the app (issue #14): the network joined by its weights, circuits with
wires, the decision plane. Real Textual apps driven by Pilot."""

from __future__ import annotations

import numpy as np

from nnsim.lessons import load_scenario
from nnsim.lessons.diagrams import plane_grid
from nnsim.tui.app import NnsimApp
from nnsim.tui.screens.backprop.network_view import NetworkView, layer_texts
from nnsim.tui.screens.gates.circuit import CircuitDiagram
from nnsim.tui.style.format import fmt, fmt_fixed
from nnsim.tui.widgets.decision_plane import DecisionPlane
from tests.tui.conftest import write_lesson


async def test_every_neuron_of_2_3_2_shows_its_value_at_80x24_and_the_step_lights_its_edges():
    app = NnsimApp(load_scenario("backprop-by-hand"), start=1, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(NetworkView)
        text = view.text
        a1 = screen.step.data.arrays["a_prev"][:, 0]
        a2 = screen.step.data.arrays["a"][:, 0]
        for column in (a1, a2):  # each layer's values written as one column
            assert all(cell.strip() in text for cell in layer_texts(column))
        assert view.flow.into == 2 and view.flow.symbol == "w" and "lit: w ▸" in text
        assert text.count("▸") >= 3  # an arrowhead into each hidden neuron
        assert len(view.edges) == 2 and [len(e) for e in view.edges] == [6, 6]
        # BP2: δ flows back from layer 3, each edge scaled by its weight.
        await pilot.press("n", "n", "n", "n", "n")
        assert screen.step.data.phase == "backward"
        assert view.flow.into == 3 and view.flow.backward and "lit: w·δ ◂" in view.text
        np.testing.assert_allclose(view.flow.values,
                                   screen.step.data.arrays["w_next"] * screen.step.data.arrays["delta_next"][:, :1])


async def test_the_diagram_grows_at_120x40_with_z_and_the_selected_neurons_weights():
    app = NnsimApp(load_scenario("backprop-by-hand"), start=1, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(NetworkView)
        assert view.size.width >= 70 and view.size.height >= 20
        text = view.text
        z = screen.step.data.arrays["z"][:, 0]
        for value in z:
            assert fmt_fixed(float(value), 7, 3).strip() in text
        w = screen.step.data.arrays["w"]
        for k in range(2):  # neuron 0 is selected: its incoming weights are written on its edges
            assert fmt(float(w[0, k]), 2) in text
        rows = [r for r, line in enumerate(text.splitlines()) if " 0.5 " in line or " 0.9 " in line]
        assert rows[-1] - rows[0] >= 4  # the inputs spread over the height


async def test_the_digit_pass_draws_the_digit_and_the_top_k_edges():
    app = NnsimApp(load_scenario("backprop-digit"), start=1, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(NetworkView)
        text = view.text
        assert "top-3 |w| into each neuron" in text
        assert [len(e) for e in view.edges] == [90, 30]
        assert text.count("▀") >= 28 * 10  # the 28×28 digit in half-blocks
        assert not app.screen.query_one("#bp-digit").display  # the panel opens for weights (w)
        await pilot.press("w")
        assert app.screen.query_one("#bp-digit").display


CIRCUIT = """
title = "Majority of three"
description = "Two ANDs and a threshold gate."
kind = "circuit"

[circuit]
inputs = ["a", "b", "c"]
outputs = ["maj"]

[[circuit.gate]]
name = "maj"
weights = [1, 1, 1]
bias = -1.5
inputs = ["ab", "bc", "c"]

[[circuit.gate]]
name = "bc"
gate = "AND"
inputs = ["b", "c"]

[[circuit.gate]]
name = "ab"
gate = "AND"
inputs = ["a", "b"]
"""


async def test_a_new_circuit_is_drawn_with_a_wire_into_every_gate_input(tmp_path):
    path = write_lesson(tmp_path, CIRCUIT)
    app = NnsimApp(load_scenario(str(path)), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        diagram = app.screen.query_one(CircuitDiagram)
        lines = diagram.text.splitlines()
        assert lines[0].split() == ["inputs", "layer", "1", "layer", "2"]
        text = diagram.text
        for name in ("a = 0", "b = 0", "c = 0", "ab AND", "bc AND", "maj = 0"):
            assert name in text or name.replace(" = 0", " = ·") in text
        assert sum(line.count("┤") for line in lines) == 7  # one port per gate input
        # Editing the first gate never breaks the drawing: every gate is still there.
        screen = app.screen
        screen.apply_parameters({"w1": -2, "w2": 2, "b": 0})
        await pilot.pause()
        text = diagram.text
        assert "bc w=(−2, 2) b=0" in text and "ab AND" in text and "maj" in text
        assert sum(line.count("┤") for line in text.splitlines()) == 7


async def test_wires_are_dim_before_their_value_and_show_it_after():
    app = NnsimApp(load_scenario("xor"), start=0, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        diagram = app.screen.query_one(CircuitDiagram)
        first = diagram.text
        assert "n1 = 1" in first and "n2 = " not in first  # only n1 has fired
        await pilot.press("n", "n", "n")
        assert "n2 = 1" in diagram.text and "n3 = 1" in diagram.text and "sum = 0" in diagram.text


async def test_the_nand_plane_follows_every_edit_and_becomes_or():
    app = NnsimApp(load_scenario("nand"), start=3, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        plane = app.screen.query_one(DecisionPlane)
        assert plane.display and plane.size.width >= 27 and plane.size.height >= 16
        assert "00→1 01→1 10→1 11→0" in plane.text
        before = plane_grid(plane.maps[0].weights, plane.maps[0].bias)
        app.screen.apply_parameters({"w1": 2.0, "w2": 2.0, "b": -1.0})
        await pilot.pause()
        m = plane.maps[0]
        assert (m.weights, m.bias) == ((2.0, 2.0), -1.0)
        assert "00→0 01→1 10→1 11→1" in plane.text  # OR
        after = plane_grid(m.weights, m.bias)
        assert (before.values != after.values).any()


async def test_the_plane_opens_with_v_at_80x24():
    app = NnsimApp(load_scenario("nand"), start=3, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plane = app.screen.query_one(DecisionPlane)
        assert not plane.display
        await pilot.press("v")
        assert plane.display and "11→0" in plane.text


async def test_scaling_by_c_sharpens_the_sigmoid_ramp_into_a_step():
    app = NnsimApp(load_scenario("sigmoid-vs-step"), cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        plane = app.screen.query_one("#sig-plane", DecisionPlane)
        assert plane.display

        def soft_cells():
            m = plane.maps[0]
            g = plane_grid(m.weights, m.bias, "sigmoid")
            return int(((g.values > 0.05) & (g.values < 0.95)).sum())

        ramp = soft_cells()
        await pilot.press("s", "s", "s", "s")  # c = 100
        assert app.screen.c == 100 and soft_cells() < ramp / 5


async def test_the_xor_planes_dialog_shows_why_one_line_is_not_enough():
    app = NnsimApp(load_scenario("xor"), cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        planes = list(app.screen.query(DecisionPlane))
        titles = [p.maps[0].title for p in planes]
        assert titles[0].startswith("sum: the circuit") and planes[0].maps[0].weights is None
        assert any(t.startswith("n1 = NAND") for t in titles) and any(t.startswith("sum = NAND(n2, n3)") for t in titles)
        await pilot.press("escape")


def test_edge_characters_carry_sign_and_size_without_colour():
    from nnsim.tui.screens.backprop.edges import CHARS, level, line_cells

    # Sign: solid against dashed in every direction; size: heavy lines for the strongest.
    for heavy in (False, True):
        assert not set(CHARS[(False, heavy)]) & set(CHARS[(True, heavy)])
    assert CHARS[(False, True)][0] == "━" and CHARS[(False, False)][0] == "─"
    assert [level(v, 3.0) for v in (0.5, 1.5, 2.5, -3.0, float("nan"))] == [0, 1, 2, 2, 2]
    # A line reaches both ends and never skips a row (steep lines go row by row).
    for y1 in (0, 3, 9, -9):
        cells = line_cells(0, 0, 6, y1)
        assert (cells[0][0], cells[0][1]) == (0, 0) and (cells[-1][0], cells[-1][1]) == (6, y1)
        rows = sorted({r for _, r, _ in cells})
        assert rows == list(range(min(0, y1), max(0, y1) + 1))


WIDE_CIRCUIT = """
title = "A long chain of NOTs"
description = "Eight layers: wider than the panel at 80×24."
kind = "circuit"

[circuit]
inputs = ["x1"]
outputs = ["g8"]
""" + "".join(f"""
[[circuit.gate]]
name = "g{k}"
gate = "NOT"
inputs = ["{'x1' if k == 1 else f'g{k - 1}'}"]
""" for k in range(1, 9))


async def test_a_circuit_wider_than_the_panel_scrolls_by_keys(tmp_path):
    path = write_lesson(tmp_path, WIDE_CIRCUIT)
    app = NnsimApp(load_scenario(str(path)), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scroll = app.screen.query_one("#circuit-scroll")
        diagram = app.screen.query_one(CircuitDiagram)
        assert diagram.size.width > scroll.size.width  # it does not fit, and it does not wrap
        assert len(diagram.text.splitlines()) <= 4
        assert scroll.scroll_x == 0 and scroll.border_subtitle == "shift+arrows scroll"
        await pilot.press("shift+right")
        await pilot.pause()
        assert scroll.scroll_x > 0
        await pilot.press("shift+left")
        await pilot.pause()
        assert scroll.scroll_x == 0
