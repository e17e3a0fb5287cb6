"""The gate lab, driven as a learner would; every number checked against the core."""

from __future__ import annotations

from nnsim.core.circuit import xor_from_nands, half_adder
from nnsim.core.perceptron import NAND, Perceptron
from nnsim.tui.frame.dialogs import EditDialog
from nnsim.tui.screens.gates.circuit import CircuitDiagram
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.frame.expectations import ExpectationList
from nnsim.tui.screens.gates.perceptron import PerceptronDiagram
from nnsim.tui.screens.gates.truth_table import TruthTable
from tests.tui.conftest import SIZE, open_from_home, write_lesson


def table_cells(table: TruthTable) -> list[list[str]]:
    columns = table.input_columns + table.result_columns
    return [[table.cell_text(r, c) for c in columns] for r in range(len(table.rows))]


def shown(value) -> str:
    """How the lab prints a number the core gives (integers without a decimal point)."""
    v = float(value)
    return (str(int(v)) if v == int(v) else f"{v:.6g}").replace("-", "−")


async def test_stepping_fills_the_truth_table_row_by_row(app):
    core_rows = NAND.truth_table()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "nand")
        table = lab.query_one(TruthTable)
        for k, row in enumerate(core_rows):
            assert lab.query_one("#step-counter").text.strip() == f"step {k + 1} / 4"
            assert table.current == k
            cells = table_cells(table)
            assert cells[k] == [str(x) for x in row.inputs] + [shown(row.z), str(row.output)]
            assert all(c[-1] == "·" for c in cells[k + 1:])  # rows not reached yet
            diagram = lab.query_one(PerceptronDiagram).text
            assert f"x1 = {row.inputs[0]}" in diagram and f"x2 = {row.inputs[1]}" in diagram
            assert f"z = {shown(row.z)}" in diagram and f"output = {row.output}" in diagram
            equation = lab.query_one(EquationPanel).text
            assert f"(−2)·{row.inputs[0]} + (−2)·{row.inputs[1]} + 3" in equation
            assert f"= {shown(row.z)} " in equation
            await pilot.press("n")
        # n on the last step stays there and says so; b and ← go back.
        assert lab.stepper.position == 3 and "last step" in lab.status
        await pilot.press("b")
        assert lab.stepper.position == 2
        await pilot.press("left")
        assert lab.stepper.position == 1
        assert table.current == 1 and table_cells(table)[2][-1] == "·"
        await pilot.press("right", "r")
        assert lab.stepper.position == 0


async def test_breakpoint_then_continue_stops_there(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "xor")
        await pilot.press("n", "n", "n", "n", "n", "n")  # step 7: input 01, gate n3
        assert lab.stepper.position == 6
        await pilot.press("space")
        assert 6 in lab.stepper.breakpoints
        assert lab.query_one("#step-counter").text == "step 7 / 16 ●"
        await pilot.press("r", "c")
        assert lab.stepper.position == 6
        assert lab.status == "stopped: breakpoint at step 7"
        await pilot.press("c")
        assert lab.stepper.position == 15 and lab.status == "stopped: end of the lesson"
        await pilot.press("b", "space")  # breakpoints toggle off too
        assert 14 in lab.stepper.breakpoints
        await pilot.press("space")
        assert 14 not in lab.stepper.breakpoints


async def test_circuit_shows_every_wire_the_core_computed(app):
    circuit = xor_from_nands()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "xor")
        diagram = lab.query_one(CircuitDiagram)
        for x, _ in circuit.truth_table():
            run = circuit.evaluate(x)
            known = dict(zip(circuit.inputs, x))
            for gate_step in run.steps:
                known[gate_step.gate.name] = gate_step.output
                assert diagram.current == gate_step.gate.name
                assert diagram.wires == known
                for wire, value in known.items():
                    assert f"{wire}={value}" in diagram.text or f"{wire} = {value}" in diagram.text
                equation = lab.query_one(EquationPanel).text
                assert f"= {shown(gate_step.z)} " in equation
                await pilot.press("n")
        table = lab.query_one(TruthTable)
        assert [c[-1] for c in table_cells(table)] == [str(out[0]) for _, out in circuit.truth_table()]


async def test_half_adder_table_gets_a_row_when_the_rows_last_gate_fires(app):
    circuit = half_adder()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "half-adder")
        table = lab.query_one(TruthTable)
        assert table.result_columns == ["sum", "carry"]
        await pilot.press(*["n"] * 4)  # the first row's fifth and last gate
        assert table.filled == 1 and table.current == 0
        assert table_cells(table)[0] == ["0", "0"] + [str(v) for v in circuit((0, 0))]
        await pilot.press("n")
        assert table.filled == 1 and table.current == 1


async def test_editing_the_bias_recomputes_the_table_and_the_expectations(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "nand")
        expectations = lab.query_one(ExpectationList)
        # At step 1 the table is not filled in yet: every expectation waits for its step.
        assert expectations.summary() == "0 of 3 hold, 3 pending"
        assert "— at step 4" in expectations.render().plain
        await pilot.press("n", "n", "n")
        assert expectations.passed == 3 and expectations.summary() == "3 of 3 hold"
        await pilot.press("down", "down")  # w1 → w2 → b
        assert lab.selected_parameter.name == "b"
        await pilot.press("e")
        assert isinstance(app.screen, EditDialog)
        assert app.focused.id == "edit-b"
        await pilot.press(*"5", "enter")  # the input's text was selected: typing replaces it
        await pilot.pause()
        assert app.screen is lab
        want = Perceptron((-2, -2), 5).truth_table()
        table = lab.query_one(TruthTable)
        table.filled = len(table.rows)  # look at every row, not only those reached
        assert table_cells(table) == [[str(x) for x in r.inputs] + [shown(r.z), str(r.output)] for r in want]
        assert lab.scenario.perceptron == Perceptron((-2, -2), 5)
        assert "b = 5: recomputed" in lab.status
        # 11 now gives 1: the truth table, the output for 11 and z at 11 all fail.
        assert expectations.passed == 0 and len(expectations.results) == 3
        assert "✗ truth table 1, 1, 1, 0" in expectations.render().plain
        assert lab.query_one(PerceptronDiagram).text.count("b = 5") == 1


async def test_an_invalid_number_keeps_the_dialog_open(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "nand")
        await pilot.press("e", "x", "enter")
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        assert "w1: expected a number, got 'x'" in dialog.query_one("#edit-error").render().plain
        await pilot.press("escape")
        assert app.screen is lab and lab.status == "edit cancelled"
        assert lab.scenario.perceptron == NAND


async def test_locked_parameters_say_so(app, tmp_path):
    path = write_lesson(tmp_path, """
title = "Locked NAND"
description = "Only the bias may change."
kind = "perceptron"

[perceptron]
weights = [-2, -2]
bias = 3

[controls]
editable = ["perceptron.bias"]
""")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.open_lesson(__import__("nnsim.lessons", fromlist=["x"]).load_scenario(path)) == ""
        await pilot.pause()
        lab = app.screen
        await pilot.press("e")
        assert "w1 is locked in this lesson" in lab.status
        dialog = app.screen
        assert dialog.query_one("#edit-w1").disabled and not dialog.query_one("#edit-b").disabled
        assert app.focused.id == "edit-b"
        await pilot.press("escape")


async def test_a_lesson_with_every_number_locked(app, tmp_path):
    path = write_lesson(tmp_path, """
title = "Fixed AND"
description = "Nothing to change."
kind = "perceptron"

[perceptron]
weights = [2, 2]
bias = -3

[controls]
locked = ["perceptron.weights", "perceptron.bias", "perceptron.inputs"]
""")
    from nnsim.lessons import load_scenario

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_lesson(load_scenario(path))
        await pilot.pause()
        lab = app.screen
        await pilot.press("e")
        assert app.screen is lab
        assert "locked" in lab.status


async def test_editing_a_gate_of_a_circuit(app, tmp_path):
    from nnsim.lessons import load_scenario

    xor = load_scenario("xor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_lesson(xor)
        await pilot.pause()
        lab = app.screen
        # The last gate, sum = NAND(n2, n3), becomes AND: the circuit now computes XNOR.
        await pilot.press("n", "n", "n")
        assert lab.step.data.gate.name == "sum"
        await pilot.press("e")
        dialog = app.screen
        for name, value in (("w1", "2"), ("w2", "2"), ("b", "-3")):
            dialog.query_one(f"#edit-{name}").value = value
        await pilot.press("enter")
        await pilot.pause()
        circuit = lab.scenario.circuit
        assert [out for _, out in circuit.truth_table()] == [(1,), (0,), (0,), (1,)]
        table = lab.query_one(TruthTable)
        table.filled = len(table.rows)
        assert [c[-1] for c in table_cells(table)] == ["1", "0", "0", "1"]
        assert "gate sum is now AND" in lab.status
        assert lab.query_one(ExpectationList).passed == 0


async def test_clicking_a_truth_table_row_jumps_to_its_step(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "half-adder")
        table = lab.query_one(TruthTable)
        # The panel's border and padding come first; row 2 (input 10) is the fourth line inside.
        await pilot.click(TruthTable, offset=(3, 1 + 3))
        await pilot.pause()
        assert lab.step.title == "input 10, gate sum"  # the row's last gate: its outputs are known
        assert table.current == 2 and table.filled == 3
        assert lab.status == "jumped to input 10"


async def test_a_value_the_loader_refuses_is_one_line_and_changes_nothing(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lab = await open_from_home(pilot, "nand")
        await pilot.press("e", *"1e9", "enter")
        await pilot.pause()
        assert lab.status.startswith("scenarios/nand.toml: [perceptron].weights: expected")
        assert lab.scenario.perceptron == NAND
        assert [r.passed for r in lab.query_one(ExpectationList).results] == [True] * 3


def _footer_line(app) -> str:
    return [strip.text for strip in app.screen._compositor.render_strips()][-1]


async def test_the_footer_keeps_every_key_label_at_80_columns_and_the_first_step_is_drawn_once(monkeypatch):
    from nnsim.lessons import load_scenario
    from nnsim.tui.app import NnsimApp
    from nnsim.tui.frame import lesson

    mounted = []
    original = lesson.LessonScreen.on_mount
    monkeypatch.setattr(lesson.LessonScreen, "on_mount", lambda self: (mounted.append(self), original(self))[1])
    for name, label in (("nand", "v Plane"), ("xor", "v Planes"), ("sigmoid-vs-step", "v Plane")):
        mounted.clear()
        app = NnsimApp(load_scenario(name), cursor_blink=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            line = _footer_line(app)
            assert line.rstrip().endswith(label), line  # the last key's label whole, not cut
            for key in ("n Step", "b Back", "c Continue", "r Restart", "spc Break", "e Edit", "? Help", "q Home"):
                assert key in line
            assert "palette" not in line  # what gave way (ctrl+p still opens it)
            await pilot.resize_terminal(120, 40)
            await pilot.pause()
            assert label in _footer_line(app) and "^p palette" in _footer_line(app)
        # Textual runs LessonScreen.on_mount itself: once per screen, not once more from a subclass.
        assert len(mounted) == 1, name
