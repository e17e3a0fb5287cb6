"""SVG snapshots of the app (pytest-textual-snapshot). After an intended change of
the look, review the new pictures with ``pytest tests/tui --snapshot-update``."""

from __future__ import annotations

import pytest

from nnsim.lessons import SECTIONS, load_scenario
from nnsim.tui.app import NnsimApp


# The home screen shows whatever lessons and screens exist; its pictures use a fixed
# set, so that a new lesson or a new screen in the tree does not change them.
HOME_LESSONS = ("nand", "and", "or", "not", "xor", "half-adder", "input-perceptron", "sigmoid-vs-step",
                "small-changes", "ten-outputs", "backprop-by-hand", "backprop-mini-batch", "chapter-run",
                "eta-too-large")
HOME_SCREENS = ("perceptron", "circuit", "sigmoid")


@pytest.fixture
def fixed_home(monkeypatch):
    import nnsim.lessons
    from nnsim.tui import screens

    lessons = [load_scenario(name) for name in HOME_LESSONS]
    sections = list(SECTIONS)
    lessons.sort(key=lambda s: (sections.index(s.section_id), s.order, s.name))
    monkeypatch.setattr(nnsim.lessons, "bundled_scenarios", lambda: lessons)
    monkeypatch.setattr(screens, "SCREENS", {k: v for k, v in screens.SCREENS.items() if k in HOME_SCREENS})


def test_home_80x24(snap_compare, fixed_home):
    assert snap_compare(NnsimApp(cursor_blink=False), terminal_size=(80, 24))


def test_home_on_a_circuit_100x32(snap_compare, fixed_home):
    app = NnsimApp(cursor_blink=False)
    assert snap_compare(app, press=["down"] * 4, terminal_size=(100, 32))


def test_gate_lab_perceptron_mid_lesson(snap_compare):
    app = NnsimApp(load_scenario("nand"), start=2, cursor_blink=False)
    assert snap_compare(app, press=["down"], terminal_size=(80, 24))


def test_gate_lab_half_adder_mid_lesson(snap_compare):
    app = NnsimApp(load_scenario("half-adder"), start=7, cursor_blink=False)
    assert snap_compare(app, press=["space"], terminal_size=(100, 32))


def test_sigmoid_lab_scaled_and_nudged(snap_compare):
    app = NnsimApp(load_scenario("sigmoid-vs-step"), start=11, cursor_blink=False)
    assert snap_compare(app, press=["plus"], terminal_size=(100, 32))


def test_sigmoid_lab_light_theme_80x24(snap_compare):
    app = NnsimApp(load_scenario("small-changes"), start=2, cursor_blink=False)
    assert snap_compare(app, press=["t"], terminal_size=(80, 24))


# Circuits with wires and the decision plane (issue #14).

def test_xor_circuit_mid_evaluation_80x24(snap_compare):
    app = NnsimApp(load_scenario("xor"), start=6, cursor_blink=False)  # input 01, gate n3
    assert snap_compare(app, terminal_size=(80, 24))


def test_xor_circuit_mid_evaluation_120x40(snap_compare):
    app = NnsimApp(load_scenario("xor"), start=6, cursor_blink=False)
    assert snap_compare(app, terminal_size=(120, 40))


def test_xor_circuit_in_presenter_mode_120x40(snap_compare):
    # Presenter mode (issue #14): the circuit grows with the high-contrast theme.
    app = NnsimApp(load_scenario("xor"), start=6, cursor_blink=False, present=True)
    assert snap_compare(app, terminal_size=(120, 40))


def test_half_adder_circuit_mid_evaluation_80x24(snap_compare):
    app = NnsimApp(load_scenario("half-adder"), start=8, cursor_blink=False)  # input 01, gate carry
    assert snap_compare(app, terminal_size=(80, 24))


def test_half_adder_circuit_mid_evaluation_120x40(snap_compare):
    app = NnsimApp(load_scenario("half-adder"), start=8, cursor_blink=False)
    assert snap_compare(app, terminal_size=(120, 40))


def test_xor_decision_planes_120x40(snap_compare):
    app = NnsimApp(load_scenario("xor"), start=3, cursor_blink=False)
    assert snap_compare(app, press=["v"], terminal_size=(120, 40))


def _nand_made_or(pilot):
    """Edit NAND's weights and bias into OR's (2, 2, −1) through the edit dialog."""
    async def run():
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        for name, value in (("w1", "2"), ("w2", "2"), ("b", "-1")):
            field = pilot.app.screen.query_one(f"#edit-{name}")
            field.value = value
        await pilot.press("enter")
        await pilot.pause()
    return run()


def test_nand_decision_plane_80x24(snap_compare):
    app = NnsimApp(load_scenario("nand"), start=3, cursor_blink=False)
    assert snap_compare(app, press=["v"], terminal_size=(80, 24))


def test_nand_decision_plane_after_an_edit_80x24(snap_compare):
    app = NnsimApp(load_scenario("nand"), start=3, cursor_blink=False)

    async def edit(pilot):
        await pilot.press("v")
        await _nand_made_or(pilot)
    assert snap_compare(app, run_before=edit, terminal_size=(80, 24))


def test_nand_decision_plane_120x40(snap_compare):
    app = NnsimApp(load_scenario("nand"), start=3, cursor_blink=False)
    assert snap_compare(app, terminal_size=(120, 40))


def test_nand_decision_plane_after_an_edit_120x40(snap_compare):
    app = NnsimApp(load_scenario("nand"), start=3, cursor_blink=False)
    assert snap_compare(app, run_before=_nand_made_or, terminal_size=(120, 40))
