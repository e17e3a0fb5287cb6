"""SVG snapshots of the backprop debugger (pytest-textual-snapshot). After an intended
change of the look, review the new pictures with ``pytest tests/tui --snapshot-update``."""

from __future__ import annotations

from nnsim.lessons import load_scenario
from nnsim.tui.app import NnsimApp


def test_backprop_by_hand_forward_into_the_hidden_layer(snap_compare):
    app = NnsimApp(load_scenario("backprop-by-hand"), start=1, cursor_blink=False)
    assert snap_compare(app, terminal_size=(100, 32))


def test_backprop_by_hand_bp2_for_hidden_neuron_1(snap_compare):
    app = NnsimApp(load_scenario("backprop-by-hand"), start=6, cursor_blink=False)
    assert snap_compare(app, press=["down"], terminal_size=(100, 32))


def test_backprop_digit_bp2_with_the_input_digit(snap_compare):
    app = NnsimApp(load_scenario("backprop-digit"), start=6, cursor_blink=False)
    assert snap_compare(app, terminal_size=(100, 32))
