"""The backprop debugger's widgets on their own, each in a small app: the 28×28 image,
the heat map, the network's columns and the arrays panel."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App

from nnsim.tui.screens.backprop.arrays_view import ArrayItem, ArraysView, NumberTable
from nnsim.tui.widgets.digit_image import DigitImage
from nnsim.tui.screens.backprop.heatmap import HeatGrid, HeatMap, block_starts, pool_signed
from nnsim.tui.screens.backprop.network_view import LayerColumn, NetworkView, layer_texts
from nnsim.tui.style.palette import intensity, signed


class One(App):
    """A widget alone on a screen."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self):
        yield self.widget


def test_shades():
    assert signed(0.5, 1.0) == ("primary", 50) and signed(-2.0, 1.0) == ("error", 100)
    assert signed(1e-9, 1.0) == ("primary", 6)  # never invisible unless exactly 0
    assert signed(0.0, 1.0) == ("foreground", 0) and signed(float("nan"), 1.0) == ("error", 100)
    assert intensity(0.25) == ("foreground", 25) and intensity(7.0) == ("foreground", 100)


def test_pool_signed_keeps_the_largest_magnitude_of_each_block():
    a = np.arange(24, dtype=float).reshape(4, 6) - 11.5  # -11.5 … 11.5
    pooled = pool_signed(a, 2, 3)
    # independently: each 2×2 block's entry of largest |value|
    want = [[max(a[r:r + 2, c:c + 2].ravel(), key=abs) for c in (0, 2, 4)] for r in (0, 2)]
    np.testing.assert_array_equal(pooled, want)
    a[3, 5] = np.nan
    assert np.isnan(pool_signed(a, 2, 3)[1, 2]) and not np.isnan(pool_signed(a, 2, 3)[0, 0])
    assert list(block_starts(784, 40)[:3]) == [0, 19, 39]


def test_heat_grid_of_a_30x784_matrix_says_it_shows_blocks():
    w = np.random.default_rng(0).standard_normal((30, 784))
    grid = HeatGrid("w²", w, max_width=40, max_height=8, mark=(17, 500))
    text = grid.text
    assert text.splitlines()[0] == "w²  30×784"
    assert "a cell: max |v| of 2×20" in text
    scale = float(np.max(np.abs(w)))
    assert f"−{scale:.3g} " in text or f"−{scale:.3}" in text  # the Unicode minus, as every number
    kinds = [kind for kind, _ in grid.spec]
    assert kinds == ["head", "column"] + ["cells"] * 8 + ["note", "legend"]
    marked = [parts[0] for kind, parts in grid.spec if kind == "cells"]
    row = int(np.searchsorted(block_starts(30, 16), 17, "right") - 1)  # 30 rows in 16 blocks
    assert marked.count(True) == 1 and marked.index(True) == row // 2
    assert grid.spec[1][1][0] == int(np.searchsorted(block_starts(784, 40), 500, "right") - 1)


async def test_heat_map_widget_sizes_itself():
    heat = HeatMap(max_width=20, max_height=4)
    async with One(heat).run_test(size=(60, 20)) as pilot:
        heat.show(np.eye(3), name="I")
        await pilot.pause()
        # the name, two lines of cells (rows 0–1 and row 2) and the scale
        assert heat.size.width == heat.get_content_width(None, None) and heat.size.height == 4
        heat.show(np.full((2, 2), np.nan), name="bad")
        await pilot.pause()
        assert "4 NaN/inf" in heat.text


async def test_digit_image_modes_scale_and_redraws_only_on_change():
    x = np.zeros(784)
    x[100:200] = np.linspace(0, 1, 100)
    image = DigitImage(title="x")
    async with One(image).run_test(size=(40, 20)) as pilot:
        image.show(x, "input")
        await pilot.pause()
        assert not image.signed and image.colour_scale == 1.0
        assert image.text == "input\n0 █████████ 1"
        assert image.size.height == 1 + 14 + 1
        w = np.linspace(-2.5, 1.0, 784)
        image.show(w, "", mark=3)
        await pilot.pause()
        assert image.signed and image.colour_scale == 2.5 and image.mark == 3
        assert image.text == "-2.5 █████████ +2.5" and image.size.height == 15
        strips = image._strips
        image.show(w.copy(), "", mark=3)  # the same picture: nothing is redrawn
        assert image._strips is strips
        w[5] = np.inf
        image.show(w, "", mode="signed", scale=1.0, mark=3)
        assert image.colour_scale == 1.0 and image.text.endswith("1 NaN/inf")
        with pytest.raises(ValueError, match="784 pixels"):
            image.show(np.zeros(10))


def columns(hidden=3, deltas=False, reached=3):
    rng = np.random.default_rng(1)
    sizes = [2, hidden, 2]
    out = []
    for layer, n in enumerate(sizes, 1):
        a = rng.random(n) if layer <= reached else None
        d = (rng.random(n) - 0.5) if deltas and layer > 1 else None
        out.append(LayerColumn(f"layer {layer}", n, a, d, f"a{layer}", deltas and layer > 1))
    return out


async def test_network_view_prints_every_number_of_a_small_net():
    view = NetworkView()
    async with One(view).run_test(size=(70, 14)) as pilot:
        cols = columns(reached=2)
        view.show(cols, current=1, direction="forward", selected=(1, 2))
        await pilot.pause()
        text = view.text
        for j, a in enumerate(cols[1].activations):
            assert f"{a:.3f}" in text
        assert "▶2" in text.replace(" ", "")
        assert text.count("·") >= 2  # layer 3 not reached yet


async def test_network_view_shows_a_big_layer_as_bars_and_summarises_784_inputs():
    view = NetworkView()
    x = np.zeros(784)
    x[:50] = 0.5
    a = np.linspace(0, 1, 30)
    d = np.linspace(-1, 1, 10)
    cols = [LayerColumn("layer 1", 784, x, None, "a1"), LayerColumn("layer 2", 30, a, None, "a2"),
            LayerColumn("layer 3", 10, np.full(10, 0.5), d, "d3", True)]
    async with One(view).run_test(size=(44, 16)) as pilot:
        view.show(cols, current=1, direction="backward", selected=(1, 7))
        await pilot.pause()
        text = view.text
        assert "784 inputs" in text and "max  0.5" in text and "50 not 0" in text
        assert f"7: {a[7]:.3g}" in text  # the bars' selected neuron, written out
        rows = text.splitlines()[2:-1]
        for j in range(10):  # the output δ, every one printed (spread over the height)
            # a layer's numbers are one column: one format for all ten (nnsim.lessons.text.column)
            assert any(row.rstrip().removesuffix("◀").endswith(layer_texts(d)[j].strip()) and f" {j} ▄ " in row
                       for row in rows)
        # Ten outputs are read as a classifier: the most active (all 0.5: the first, as argmax reads ties) is marked.
        assert "".join(rows).count("◀") == 1 and any(f" 0 ▄ " in row and row.rstrip().endswith("◀") for row in rows)
        assert text.splitlines()[-1].endswith("◀ most active")  # the legend says what the mark means
        assert "▐▌" in text  # its selected neuron (the pass's direction is drawn on lit edges, see test_diagrams_view)


async def test_arrays_view_puts_vectors_side_by_side_and_keeps_the_selection_in_view():
    view = ArraysView()
    z = np.arange(30.0).reshape(-1, 1) / 10
    w = np.ones((30, 784))
    async with One(view).run_test(size=(60, 12)) as pilot:
        view.show([ArrayItem("w²", w, (25, 3)), ArrayItem("z²", z, (25, 0)), ArrayItem("a²", z, (25, 0))])
        await pilot.pause()
        lines = view.text.splitlines()
        assert lines[0] == "w²  30×784"  # the heat map first, then the vectors side by side
        head = next(i for i, line in enumerate(lines) if line.startswith("z²  (30×1)"))
        assert "a²  (30×1)" in lines[head] and lines[head + 26].split()[0] == "2.5"  # z²[25]
        assert view.top < head + 26 < view.top + 12  # row 25 of z² is on screen
        assert set(view.arrays) == {"w²", "z²", "a²"}
        np.testing.assert_array_equal(view.arrays["z²"], z)


def test_number_table_prints_like_the_tensor_view():
    table = NumberTable("δ³", [[-0.110766], [0.139423]], highlight=(1, 0))
    # formatted as a whole: one format, one width, the Unicode minus
    assert table.cells == [[" −0.1108 "], ["  0.1394 "]]
    assert table.head == ("δ³", "  (2×1)") and table.height == 3 and table.width == 9


def test_strip_rows_hand_over_only_the_rows_that_changed():
    from rich.style import Style

    from nnsim.tui.style.canvas import StripCanvas, StripRows

    red, blue = Style(color="red"), Style(color="blue")
    grid = StripCanvas(6, 3)
    grid.write(1, 0, "ab", red)
    rows = StripRows()
    assert rows.update(grid, Style(bgcolor="black")) == [0, 1, 2]
    again = StripCanvas(6, 3)
    again.write(1, 0, "ab", red)
    assert rows.update(again, Style(bgcolor="black")) == []  # nothing new: nothing to redraw
    again.write(2, 3, "c", blue)
    assert rows.update(again, Style(bgcolor="black")) == [2]
    assert rows.strips[2].text == "   c  " and rows.strips[1].text == "ab    "
    # The widget's own style merged into each cell: a new one (a theme, presenter mode) redraws all.
    assert rows.update(again, Style(bgcolor="white")) == [0, 1, 2]
    assert all(seg.style.bgcolor.name == "white" for seg in rows.strips[1])
    assert [seg.style.color.name for seg in rows.strips[1] if seg.text.strip()] == ["red"]
