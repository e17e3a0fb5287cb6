"""Editing gates never pushes a circuit past its panel: XOR and the half adder stay
whole at 80×24, every wire value and output on screen, however wide the numbers."""

from __future__ import annotations

from hypothesis import given, strategies as st

from nnsim.lessons import load_scenario
from nnsim.lessons.diagrams import circuit_layout
from nnsim.lessons.scenario.edit import with_gate
from nnsim.tui.app import NnsimApp
from nnsim.tui.screens.gates.circuit import SHORT_TYPE, CircuitDiagram, draw_circuit, fit_circuit

# 80 columns less the drawing's one-column left padding: under 30 rows the panel has no frame.
ROOM_80 = 79
MAGNITUDE = 1_000_000.0  # the loader's bound on any lesson number

# Numbers a learner may type: extreme, negative, with decimals (the widest fmt writes).
numbers = st.one_of(
    st.sampled_from([-12.5, 100.0, -0.000123, -999999.5, 1e-7, -123456.789]),
    st.floats(-MAGNITUDE, MAGNITUDE, allow_nan=False),
)


def edited(name: str, data) -> object:
    scenario = load_scenario(name)
    for gate in scenario.circuit.gates:
        if data.draw(st.booleans(), label=f"edit {gate.name}"):
            weights = [data.draw(numbers, label=f"{gate.name} w") for _ in gate.inputs]
            scenario = with_gate(scenario, gate.name, weights, data.draw(numbers, label=f"{gate.name} b"))
    return scenario


def assert_whole(circuit, width: int) -> None:
    layout = circuit_layout(circuit)
    squeeze = fit_circuit(circuit, layout, width)
    for row in ((0,) * len(circuit.inputs), (1,) * len(circuit.inputs)):
        run = circuit.evaluate(row)
        text = draw_circuit(circuit, layout, run.wires, circuit.gates[-1].name, squeeze).render().plain
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= width, text
        for output in circuit.outputs:
            assert f"{output} = {run.wires[output]}" in text, text
        for gate in circuit.gates:
            assert f"{gate.name} = {run.wires[gate.name]}" in text, text  # each gate's value in its box
        assert sum(line.count("┤") for line in lines) == sum(len(g.inputs) for g in circuit.gates)


@given(st.data())
def test_xor_edited_anyhow_fits_80_columns(data):
    assert_whole(edited("xor", data).circuit, ROOM_80)


@given(st.data())
def test_the_half_adder_edited_anyhow_fits_80_columns(data):
    assert_whole(edited("half-adder", data).circuit, ROOM_80)


def test_a_drawing_squeezes_only_as_much_as_it_must():
    scenario = load_scenario("xor")
    circuit = scenario.circuit
    assert fit_circuit(circuit, circuit_layout(circuit), ROOM_80) == 0  # the book's drawing, as is
    wide = with_gate(scenario, "n1", [-12.5, -0.25], 100).circuit
    layout = circuit_layout(wide)
    text = draw_circuit(wide, layout, {}, None, fit_circuit(wide, layout, 120)).render().plain
    assert "n1 w=(−12.5, −0.25) b=100" in text  # a wide panel (120×40) has room for the numbers
    text = draw_circuit(wide, layout, {}, None, fit_circuit(wide, layout, ROOM_80)).render().plain
    assert f"n1 {SHORT_TYPE}" in text and "n2 NAND" in text and "w=(" not in text
    assert fit_circuit(wide, layout, None) == 0  # no panel width known: nothing squeezed


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def edit_every_gate(pilot, app, values) -> None:
    lab = app.screen
    for _ in lab.scenario.circuit.gates:
        gate = lab.step.data.gate
        await pilot.press("e")
        dialog = app.screen
        for j in range(1, len(gate.inputs) + 1):
            dialog.query_one(f"#edit-w{j}").value = values[0]
        dialog.query_one("#edit-b").value = values[1]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is lab and "recomputed" in lab.status, lab.status
        await pilot.press("n")


async def test_at_80x24_every_gate_edited_leaves_the_outputs_on_screen():
    for name, outputs in (("xor", ("sum",)), ("half-adder", ("sum", "carry"))):
        app = NnsimApp(load_scenario(name), cursor_blink=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await edit_every_gate(pilot, app, ("-12.5", "100.125"))
            lab = app.screen
            # To the last gate of the last row: every wire has its value.
            while lab.stepper.position < len(lab.stepper.steps) - 1:
                await pilot.press("n")
            await pilot.pause()
            diagram = lab.query_one(CircuitDiagram)
            room = lab.query_one("#circuit-scroll").scrollable_content_region.width
            assert diagram.outer_size.width <= room == 80
            assert (lab.query_one("#circuit-scroll").border_subtitle or "") == ""  # nothing to scroll
            shown = "\n".join(screen_lines(app)[: diagram.outer_size.height + 1])
            for output in outputs:
                assert f"{output} = {lab.step.wires[output]}" in shown, shown
            assert "sum = " in shown and f"n1 {SHORT_TYPE}" in shown


# A full adder of nine NANDs (two half adders and an OR of their carries): bigger than
# the half adder, so at 80×24 it may scroll.
FULL_ADDER = """
title = "A full adder of NAND gates"
description = "Two half adders in a row."
kind = "circuit"

[circuit]
inputs = ["a", "b", "cin"]
outputs = ["sum", "cout"]
""" + "".join(f"""
[[circuit.gate]]
name = "{name}"
gate = "NAND"
inputs = [{", ".join(f'"{i}"' for i in inputs)}]
""" for name, inputs in (("n1", ("a", "b")), ("n2", ("a", "n1")), ("n3", ("b", "n1")), ("h", ("n2", "n3")),
                         ("n4", ("h", "cin")), ("n5", ("h", "n4")), ("n6", ("cin", "n4")), ("sum", ("n5", "n6")),
                         ("cout", ("n4", "n1"))))


async def test_a_larger_circuit_scrolls_by_the_keys_its_panel_names(tmp_path):
    from tests.tui.conftest import write_lesson

    scenario = load_scenario(str(write_lesson(tmp_path, FULL_ADDER)))
    assert [out for _, out in scenario.circuit.truth_table()][-1] == (1, 1)  # 1 + 1 + 1 = 11
    app = NnsimApp(scenario, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        lab = app.screen
        scroll = lab.query_one("#circuit-scroll")
        diagram = lab.query_one(CircuitDiagram)
        room = scroll.scrollable_content_region
        assert diagram.outer_size.width > room.width or diagram.outer_size.height > room.height
        assert scroll.border_subtitle == "shift+arrows scroll"
        assert "shift+arrows scroll" in "\n".join(screen_lines(app))  # the hint is on screen
        key, attribute = ("shift+right", "scroll_x") if diagram.outer_size.width > room.width \
            else ("shift+down", "scroll_y")
        await pilot.press(key)
        await pilot.pause()
        assert getattr(scroll, attribute) > 0
