"""SVG snapshots of the valley (pytest-textual-snapshot); review with --snapshot-update."""

from __future__ import annotations

from nnsim.lessons import load_scenario
from nnsim.tui.app import NnsimApp


def test_valley_zig_zag_80x24(snap_compare):
    app = NnsimApp(load_scenario("descent-valley"), start=5, cursor_blink=False)
    assert snap_compare(app, terminal_size=(80, 24))


def test_valley_steepest_step_100x32(snap_compare):
    app = NnsimApp(load_scenario("descent-steepest"), start=2, cursor_blink=False)
    assert snap_compare(app, terminal_size=(100, 32))
