"""80×24 is a first-class size: every step's result on screen without a mouse, presenter
mode hiding nothing normal mode shows, narration agreeing with the panels after edits,
and the keys reaching the screen the footer describes. Snapshots of the steps the issue
names, plus assertions on the screen's text (a picture alone proves little)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from nnsim.lessons import load_scenario
from nnsim.lessons.text import column
from nnsim.tui.app import NnsimApp
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.frame.expectations import ExpectationList
from nnsim.tui.frame.narration import NarrationPanel
from nnsim.tui.screens.backprop.arrays_view import ArraysView

SIZE = (80, 24)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def lesson_app(name: str, step: int = 0) -> NnsimApp:
    return NnsimApp(load_scenario(name), start=step, cursor_blink=False)


# -- every result in view ------------------------------------------------------------------

async def test_bp2_shows_its_sum_and_the_new_delta_at_80x24():
    app = lesson_app("backprop-by-hand", 6)  # step 7: backward, layer 2
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "= −0.0312499" in text  # the BP2 sum's result, in the equation panel
        delta = column([-0.0312498989138, 0.0345092480374, -0.00205268946495])
        assert all(entry in text for entry in delta)  # δ², the step's result, in the arrays panel
        assert "δ²  (3×1)" in text


async def test_presenter_mode_keeps_the_bp2_result_at_80x24():
    app = lesson_app("backprop-by-hand", 6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        normal = app.screen.query_one(EquationPanel).region.height
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.has_class("-presenter")
        assert app.screen.query_one(EquationPanel).region.height == normal
        assert "= −0.0312499" in screen_text(app)


async def test_the_update_steps_after_matrices_are_reached_with_keys():
    app = lesson_app("backprop-by-hand", 9)  # update, layer 3
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArraysView)
        assert "w³ after" in screen_text(app)  # what the step computes comes first
        seen = screen_text(app)
        for _ in range(4):
            await pilot.press("pagedown")
            await pilot.pause()
            seen += screen_text(app)
        assert "b³ after" in seen and "0.2323" in seen  # b³ after, reached without a mouse
        await pilot.press("tab")
        assert app.focused is view  # the panel takes the focus; the footer shows its keys
        assert "pgdn" in screen_text(app)


async def test_the_half_adder_shows_every_expectation_and_pending_until_its_step():
    app = lesson_app("half-adder", 18)  # step 19: the carry of 11
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(ExpectationList)
        assert panel.summary() == "1 of 3 hold, 2 pending"
        text = screen_text(app)
        # (The circuit drawing now takes 11 rows at 80×24, so the panel shows its first line;
        # its title counts them all.)
        assert "expectations: 1 of 3 hold, 2 pending" in text and "— at step 20" in text
        assert "sum = 0" not in app.screen.query_one(NarrationPanel).text  # not computed yet
        await pilot.press("n")
        await pilot.pause()
        assert panel.summary() == "3 of 3 hold" and "✓ truth table" in screen_text(app)


# -- narration after edits -------------------------------------------------------------------

async def test_nand_narration_follows_an_edit_of_w1():
    app = lesson_app("nand", 3)  # input 11
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e", "2", "enter")  # w1 = 2
        await pilot.pause()
        equation = app.screen.query_one(EquationPanel).text
        narration = app.screen.query_one(NarrationPanel).text
        assert "2·1 + (−2)·1 + 3" in equation and "= 3 > 0" in equation
        assert narration.startswith("Input 11: 2·1 + (−2)·1 + 3 = 3 is positive, so the output is 1.")


# -- focus -----------------------------------------------------------------------------------

async def test_after_opening_a_file_and_coming_home_q_is_not_typed(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"nand", "enter")
        await pilot.pause()
        assert app.screen.step.title == "input 00"
        await pilot.press("q")  # home
        await pilot.pause()
        home = app.screen
        assert isinstance(app.focused, OptionList)  # the list the footer describes
        box = home.query_one("#path", Input)
        before = box.value
        await pilot.press("t")  # a home key (light/dark), not a letter for the file box
        await pilot.pause()
        assert box.value == before


# -- snapshots ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, step, keys", [
    ("backprop-by-hand", 6, []),               # step 7: the BP2 sum and δ²
    ("backprop-by-hand", 6, ["p"]),            # the same in presenter mode
    ("backprop-by-hand", 9, []),               # the update: the "after" matrices first
    ("half-adder", 18, []),                    # step 19: three expectation lines, two pending
    ("nand", 3, ["e", "2", "enter"]),          # w1 = 2: the narration follows
    ("sigmoid-vs-step", 9, ["s", "s"]),        # scaled by s: c·z named apart from z
], ids=["bp2", "bp2-presenter", "update", "half-adder-19", "nand-edited", "sigmoid-scaled"])
def test_snapshot_80x24(snap_compare, name, step, keys):
    assert snap_compare(lesson_app(name, step), press=keys, terminal_size=SIZE)


# -- layouts that do not jump ------------------------------------------------------------------

async def test_a_quantity_keeps_its_width_over_a_pass():
    """w³ (forward), w³ before and w³ after, b³ likewise: one width per quantity over the pass,
    the widest (w³ after's four decimals), so stepping moves no column of the arrays panel."""
    from nnsim.tui.screens.backprop.arrays_view import NumberTable, quantity

    app = lesson_app("backprop-by-hand")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArraysView)
        region = view.region
        widths: dict[str, set] = {}
        for _ in range(len(app.screen.stepper.steps)):
            view.render_line(0)
            for kind, block, _ in view._blocks_laid:
                for table in (block if kind == "row" else [block]):
                    if isinstance(table, NumberTable):
                        widths.setdefault(quantity(table.name), set()).add(
                            tuple(len(cell) for row in table.cells for cell in row))
            assert view.region == region  # the panel itself stays put
            await pilot.press("n")
            await pilot.pause()
        assert {"w³", "b³", "w²", "b²", "δ²", "a²"} <= set(widths)
        for name, seen in widths.items():
            cells = {w for shape in seen for w in shape}
            assert len(cells) == 1, (name, seen)  # every number of a quantity, one width, at every step
        # Without the reservation w³ (0.7, −0.5 …) would be narrower than w³ after (0.9076 …).
        assert NumberTable("w³", view.items[0].array).cell == 0


async def test_a_settings_error_focuses_its_field_and_the_title_shows_the_new_sizes_at_80x24():
    from tests.tui.test_train import sample_app, settle

    app = sample_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.pause()
        await pilot.press("e")
        screen.query_one("#set-sizes", Input).value = "784, 40, 10"
        screen.query_one("#set-eta", Input).value = "abc"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.status == "eta: expected a number, got 'abc'"
        assert app.focused.id == "set-eta"  # the keys go on fixing the value the error names
        await pilot.press(*["backspace"] * 3, "3", "enter")
        await settle(pilot)
        assert screen.session.plan.eta == 3.0 and list(screen.session.plan.network.sizes) == [784, 40, 10]
        title = screen_text(app).split("\n")[0]
        assert title.startswith(" Training [784, 40, 10] on the offline sample")  # in view at 80 columns
        assert screen.save_path == "nnsim-784-40-10-seed0.npz"


async def test_the_valleys_formulas_move_into_the_titles_under_30_rows_and_back():
    app = lesson_app("descent-bowl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        move = app.screen.query_one("#move", EquationPanel)
        assert move.formula == "" and str(move.border_title) == "step 1: the move · Δv = −η∇C"
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        await pilot.pause()
        assert move.formula == "Δv = −η∇C" and str(move.border_title) == "step 1: the move"


async def test_a_narration_longer_than_its_panel_takes_the_focus_and_scrolls_with_keys(tmp_path):
    text = (load_scenario("nand").path.read_text(encoding="utf-8")
            + '\n[[narration]]\nstep = "input 01"\ntext = """' + "A long sentence of the lesson. " * 40 + '"""\n')
    path = tmp_path / "long.toml"
    path.write_text(text, encoding="utf-8")
    app = NnsimApp(load_scenario(path), start=1, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        narration = app.screen.query_one(NarrationPanel)
        assert narration.max_scroll_y > 0 and narration.can_focus
        assert "more: Tab, then pgdn" in screen_text(app)  # the panel says how to read on
        for _ in range(4):
            if app.focused is narration:
                break
            await pilot.press("tab")
        assert app.focused is narration
        assert "pgdn" in screen_text(app).split("\n")[-1]  # the footer shows the keys
        await pilot.press("pagedown")
        await pilot.pause()
        assert narration.scroll_y > 0
        await pilot.press("escape")  # the lesson's keys still work: Escape goes home
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"


async def test_a_narration_that_fits_is_not_a_stop_for_tab():
    app = lesson_app("nand")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not app.screen.query_one(NarrationPanel).can_focus
