"""The [784, 30, 10] network view (issue #14, second pass): all ten outputs and the answer at
80×24, the pixels the top-k edges read marked in the digit, and a hidden layer of 30 wrapped
into sub-columns with no edge over a number. Real apps driven by Pilot."""

from __future__ import annotations

import numpy as np

from nnsim.core.activations import most_active
from nnsim.lessons import load_scenario
from nnsim.tui.app import NnsimApp
from nnsim.tui.screens.backprop.columns import output_texts
from nnsim.tui.screens.backprop.edges import CHARS
from nnsim.tui.screens.backprop.network_view import DIGIT_SIDE, MARK, NetworkView
from nnsim.tui.style.palette import Palette

EDGE_CHARS = {ch for chars in CHARS.values() for ch in chars}


def _outputs(screen) -> np.ndarray:
    trace = screen.step.context
    return next(s for s in trace if s.phase == "forward" and s.layer == 3).arrays["a"][:, 0]


async def test_all_ten_outputs_and_the_answer_are_shown_at_80x24():
    app = NnsimApp(load_scenario("backprop-digit"), start=3, cursor_blink=False)  # the cost: a³ known
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(NetworkView)
        a = _outputs(screen)
        text = view.text
        lines = text.splitlines()
        for j, cell in enumerate(output_texts(a)):  # " j value" (▶ in front of the selected one)
            assert any(f" {j} {cell}" in line or f"▶{j} {cell}" in line for line in lines), (j, cell)
        answer = int(most_active(a.reshape(-1, 1))[0])
        assert sum(line.count(MARK) for line in text.splitlines() if "most active" not in line) == 1
        assert f"{answer} {output_texts(a)[answer]}{MARK}" in text
        # A wrong answer is not the one marked.
        other = (answer + 1) % 10
        assert f"{other} {output_texts(a)[other]}{MARK}" not in text


async def test_the_pixels_of_the_top_k_edges_are_marked_in_the_digit():
    app = NnsimApp(load_scenario("backprop-digit"), start=1, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(NetworkView)
        edges = next(e for e in view.edges if e.into == 2)
        palette = Palette(view)
        grid = view._draw(palette)
        x = 0  # the digit is the first column
        accent = palette.colour(("accent", 100))
        chosen = [int(p) for p, j in zip(edges.cols, edges.rows) if j == 0]  # neuron 0 is selected
        assert len(chosen) == 3
        for p in chosen:
            r, c = divmod(p, DIGIT_SIDE)
            style = grid.styles[2 + r // 2][x + c]
            assert (style.bgcolor if r % 2 else style.color) == accent, p
        # A pixel no drawn edge reads keeps its grey.
        unused = next(p for p in range(DIGIT_SIDE ** 2) if p not in set(int(k) for k in edges.cols))
        r, c = divmod(unused, DIGIT_SIDE)
        style = grid.styles[2 + r // 2][x + c]
        assert accent not in (style.color, style.bgcolor)
        assert "their pixels coloured" in view.text


async def test_a_wrapped_hidden_layer_has_no_edge_over_its_numbers_at_120x40():
    app = NnsimApp(load_scenario("backprop-digit"), start=2, cursor_blink=False)  # forward into layer 3
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(NetworkView)
        lines = view.text.splitlines()
        rows = [line for line in lines if " 15 " in line]
        assert rows, "neuron 15 starts the second sub-column (30 neurons in two of 15)"
        second = rows[0].index(" 15 ")
        first = rows[0].index(" 0 ")
        for line in lines[2:-1]:
            # The first sub-column's cells (index and value) hold no edge character...
            cells = line[first: first + 9]
            assert not EDGE_CHARS & set(cells), line
            # ...nor do the second's.
            assert not EDGE_CHARS & set(line[second: second + 9]), line
        # Edges still run into the second sub-column: from the gap between the two.
        gap = [line[first + 9: second] for line in lines[2:-1]]
        assert any(EDGE_CHARS & set(g) for g in gap)


async def test_every_step_at_80x24_shows_the_digit_whole_the_ten_outputs_and_the_arrays():
    """At 80 columns the digit panel, the network (its ten outputs with their numbers and ◀)
    and the arrays sit side by side inside the screen, on every step of a pass, as the screen
    draws them (the compositor's lines, so a panel off the edge or lines of an old height fail)."""
    from tests.tui.results_80x24 import screen_lines

    app = NnsimApp(load_scenario("backprop-digit"), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        top = screen.query_one("#bp-top").region
        for i in range(10):  # one pass
            digit, view, arrays = (screen.query_one(q) for q in ("#bp-digit", NetworkView, "#bp-arrays"))
            assert digit.display and top.contains_region(digit.region), (i, digit.region, top)
            assert arrays.region.right <= 80 and arrays.region.width >= 24, (i, arrays.region)
            region = view.content_region
            lines = [line[region.x:region.right] for line in screen_lines(app)[region.y:region.bottom]]
            numbers = view.columns[-1].numbers
            if numbers is not None:
                for j, cell in enumerate(output_texts(numbers)):
                    assert any(f" {j} {cell}" in line or f"▶{j} {cell}" in line for line in lines), (i, j, cell)
                assert sum(line.count(MARK) for line in lines) == 1, (i, lines)
            await pilot.press("n")
            await pilot.pause()


def test_a_short_digit_panel_draws_the_whole_digit_smaller():
    """Given 6 lines (80×24), the 28×28 image is 10×10 block means in 5 lines above its scale:
    the brightest block is where the digit's ink is, and a blank image stays blank."""
    from nnsim.tui.widgets.digit_image import DigitImage

    image = np.zeros((28, 28))
    image[20:28, 0:6] = 1.0  # ink in the bottom-left corner only
    panel = DigitImage(image, "")
    shades = panel._shades(10)
    assert len(shades) == 10 and all(len(row) == 10 for row in shades)
    assert shades[9][0] != shades[0][9]  # the corner with ink differs from the blank one
    assert shades[0][9] == DigitImage(np.zeros((28, 28)), "")._shades(10)[0][9]
