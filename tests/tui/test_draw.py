"""The draw screen with real mouse events and keys: painting, erasing, the same pixels from the
keyboard, the live reading, the debugger on the drawn digit, a gradient step and undo."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.network import Network
from nnsim.lessons.drawing import one_hot
from nnsim.lessons.networks import Found, ReaderPlan, ReaderTrained, train_reader
from nnsim.lessons.trace_view import input_gradient
from nnsim.tui.screens.draw.app import DrawApp
from nnsim.tui.screens.draw.screen import DrawScreen

SIZE = (120, 40)


@pytest.fixture(scope="module")
def reader() -> Network:
    done = list(train_reader(ReaderPlan("sample", 10), seed=0, save=False))[-1]
    assert isinstance(done, ReaderTrained)
    return done.network


def cell(pixel):
    """The canvas cell (x, y) over pixel (row, column): two columns a pixel, two pixels a row."""
    r, c = pixel
    return 2 * c, r // 2


async def started(pilot) -> DrawScreen:
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DrawScreen)
    return screen


async def drag(pilot, canvas, pixels, button=1):
    await pilot.mouse_down(canvas, offset=cell(pixels[0]), button=button)
    for p in pixels[1:]:
        await pilot.hover(canvas, offset=cell(p))
    await pilot.mouse_up(canvas, offset=cell(pixels[-1]))
    await pilot.pause()


async def test_a_drag_paints_the_pixels_under_it_and_the_right_button_erases_them(reader):
    app = DrawApp(Found(reader, "test"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        canvas = screen.canvas
        path = [(10, c) for c in range(6, 21, 2)]  # hover every other pixel: the gaps are filled in
        await drag(pilot, canvas, path)
        ink = canvas.drawing.ink
        assert all(ink[10, c] == 1.0 for c in range(6, 21))  # under the pointer, and between events
        assert ink[9, 12] > 0.5 and ink[11, 12] > 0.5  # the soft pen's width
        assert ink[10, 3] == 0.0 and ink[13, 12] == 0.0 and ink[:8].sum() == 0.0
        await drag(pilot, canvas, [(10, 4), (10, 22)], button=3)
        assert canvas.drawing.ink.sum() == 0.0
        # Shift with the left button erases too.
        await drag(pilot, canvas, path)
        await pilot.mouse_down(canvas, offset=cell((10, 6)), shift=True)
        await pilot.hover(canvas, offset=cell((10, 12)))
        await pilot.mouse_up(canvas, offset=cell((10, 12)))
        assert canvas.drawing.ink[10, 6:13].sum() == 0.0 and canvas.drawing.ink[10, 14:21].min() == 1.0


async def test_keyboard_drawing_paints_the_same_pixels_as_the_mouse(reader):
    corner = [(6, 8), (6, 9), (6, 10), (6, 11), (6, 12), (8, 12), (10, 12), (12, 12), (14, 12)]
    app = DrawApp(Found(reader, "test"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await drag(pilot, screen.canvas, corner)
        by_mouse = screen.canvas.drawing.ink.copy()
        await pilot.press("c")
        assert screen.canvas.drawing.ink.sum() == 0.0
        r, c = screen.canvas.cursor
        await pilot.press(*(["up"] * (r - 6) + ["left"] * (c - 8)))
        assert screen.canvas.cursor == (6, 8)
        await pilot.press("space", *["shift+right"] * 4, *["shift+down"] * 8)
        np.testing.assert_array_equal(screen.canvas.drawing.ink, by_mouse)
        await pilot.press("x")  # the cursor ends at (14, 12): x rubs it out
        assert screen.canvas.drawing.ink[14, 12] == 0.0


def one_strokes():
    return [(r, 14) for r in range(4, 24)]


async def test_the_reading_follows_the_drawing_and_a_step_moves_it_and_undo_returns(reader):
    app = DrawApp(Found(reader, "test"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert screen.reading is None
        await drag(pilot, screen.canvas, one_strokes())
        await pilot.pause(0.1)  # the reading is throttled
        x = screen.input_column()
        np.testing.assert_array_equal(screen.query_one("#draw-input").pixels.reshape(-1, 1), x)
        expected = reader.feedforward(x).ravel()
        np.testing.assert_allclose(screen.reading.outputs, expected)
        assert screen.reading.digit == 1 == int(np.argmax(expected))
        assert "reads 1" in str(screen.query_one("#draw-reading").render())
        await pilot.press("s")
        assert "label" in screen.message and screen.steps_taken == 0  # a label first
        await pilot.press("7", "s")
        assert screen.steps_taken == 1
        after = screen.network.feedforward(x).ravel()
        assert after[7] > expected[7] and screen.before is not None
        np.testing.assert_allclose(screen.query_one("#draw-bars").before, expected)
        assert "went from" in screen.message
        await pilot.press("u")
        np.testing.assert_array_equal(screen.network.feedforward(x).ravel(), reader.feedforward(x).ravel())
        assert screen.steps_taken == 0


async def test_the_debugger_on_a_drawn_digit_is_backprop_on_that_input(reader):
    from nnsim.tui.screens.backprop.screen import BackpropScreen

    app = DrawApp(Found(reader, "test"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await drag(pilot, screen.canvas, one_strokes())
        await pilot.press("1", "d")
        await pilot.pause()
        debugger = app.screen
        assert isinstance(debugger, BackpropScreen)
        x = screen.input_column().astype(reader.dtype)
        trace = debugger.trace
        np.testing.assert_array_equal(trace[0].arrays["x"], x)
        nabla_b, nabla_w = reader.backprop(x, one_hot(1).astype(reader.dtype))
        got_b, got_w = trace.gradients()
        for a, b in zip(got_b + got_w, nabla_b + nabla_w):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
        # Time travel to BP2 of layer 2, then the ∂C/∂x image (w cycles the images).
        target = next(i for i, s in enumerate(debugger.stepper.steps) if s.title == "backward, layer 2")
        await pilot.press(*["n"] * target)
        await pilot.press("w", "w", "w")
        panel = debugger.query_one("#bp-digit")
        grad, _ = input_gradient(trace)
        np.testing.assert_allclose(panel.pixels.ravel(), grad[:, 0])
        assert str(panel.border_title) == "∂C/∂x = (w²)ᵀδ²"
        assert "BP2 taken one layer further back" in debugger.status
        await pilot.press("b")
        assert str(panel.border_title).startswith("∂C/∂x: after")
        gradient_step = next(s for s in debugger.stepper.steps if s.title == "gradient, layer 2")
        assert "∂C/∂x" in gradient_step.narration
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen


async def test_with_no_network_it_offers_to_train_one_and_does(tmp_path):
    app = DrawApp(None, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert screen.network is None and "t trains one now on the offline sample" in screen.message
        await pilot.press("t")
        for _ in range(200):
            await pilot.pause(0.05)
            if screen.network is not None:
                break
        assert screen.network is not None and screen.network.sizes == [784, 30, 10]
        assert "offline sample" in screen.message and "test digits" in screen.message
    from nnsim.lessons.networks import READER_FILE, config_dir, find_network

    assert (config_dir() / READER_FILE).is_file()
    assert find_network().network.sizes == [784, 30, 10]  # ... kept for next time


async def test_home_screen_opens_the_canvas_with_d():
    from nnsim.tui.app import NnsimApp

    app = NnsimApp(cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DrawScreen)


async def test_saving_writes_the_file_and_remembers_it(reader, tmp_path, monkeypatch):
    from nnsim.lessons.networks import last_saved, load_checked

    monkeypatch.chdir(tmp_path)
    app = DrawApp(Found(reader, "test"), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("w")
        saved = tmp_path / "nnsim-784-30-10-drawn.npz"
        assert saved.is_file() and last_saved() == saved.resolve()
        np.testing.assert_array_equal(load_checked(saved).weights[0], reader.weights[0])
        assert str(saved.resolve()) in screen.message
