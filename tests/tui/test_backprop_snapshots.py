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


# The network view joined by its weights (issue #14): the [2, 3, 2] pass at a forward, a
# backward and an update step, at 80×24 (every neuron keeps its value) and 120×40 (the
# diagram grows); the digit pass with its top-k edges.

def _by_hand(start):
    return NnsimApp(load_scenario("backprop-by-hand"), start=start, cursor_blink=False)


def test_network_view_forward_into_layer_2_80x24(snap_compare):
    assert snap_compare(_by_hand(1), terminal_size=(80, 24))


def test_network_view_forward_into_layer_2_120x40(snap_compare):
    assert snap_compare(_by_hand(1), terminal_size=(120, 40))


def test_network_view_bp2_into_hidden_neuron_1_80x24(snap_compare):
    assert snap_compare(_by_hand(6), press=["down"], terminal_size=(80, 24))


def test_network_view_bp2_into_hidden_neuron_1_120x40(snap_compare):
    assert snap_compare(_by_hand(6), press=["down"], terminal_size=(120, 40))


def test_network_view_update_of_layer_3_80x24(snap_compare):
    assert snap_compare(_by_hand(9), terminal_size=(80, 24))


def test_network_view_update_of_layer_3_120x40(snap_compare):
    assert snap_compare(_by_hand(9), terminal_size=(120, 40))


def test_network_view_digit_pass_top_k_120x40(snap_compare):
    app = NnsimApp(load_scenario("backprop-digit"), start=1, cursor_blink=False)
    assert snap_compare(app, terminal_size=(120, 40))


def test_network_view_digit_pass_top_k_80x24(snap_compare):
    app = NnsimApp(load_scenario("backprop-digit"), start=1, cursor_blink=False)
    assert snap_compare(app, terminal_size=(80, 24))


def test_network_view_digit_outputs_and_answer_80x24(snap_compare):
    # At the cost step all ten outputs are known: each with its value, the most active marked ◀.
    app = NnsimApp(load_scenario("backprop-digit"), start=3, cursor_blink=False)
    assert snap_compare(app, terminal_size=(80, 24))


def test_network_view_in_presenter_mode_120x40(snap_compare):
    app = NnsimApp(load_scenario("backprop-by-hand"), start=6, cursor_blink=False, present=True)
    assert snap_compare(app, press=["down"], terminal_size=(120, 40))
