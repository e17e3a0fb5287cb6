"""SVG snapshots of the app (pytest-textual-snapshot). After an intended change of
the look, review the new pictures with ``pytest tests/tui --snapshot-update``."""

from __future__ import annotations

from nnsim.lessons import load_scenario
from nnsim.tui.app import NnsimApp


def test_home_80x24(snap_compare):
    assert snap_compare(NnsimApp(cursor_blink=False), terminal_size=(80, 24))


def test_home_on_a_circuit_100x32(snap_compare):
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
