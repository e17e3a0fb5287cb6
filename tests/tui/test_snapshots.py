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
