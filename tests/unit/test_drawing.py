"""Drawn digits: MNIST's preprocessing against a reference written here, the round trip of
real sample digits, a sample-trained network reading drawn digits, ∂C/∂x against central
differences, and one gradient step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnsim.core.network import Network
from nnsim.core.trace import trace_backprop
from nnsim.data.sample import load_sample
from nnsim.lessons.drawing import SIDE, Drawing, gradient_step, one_hot, preprocess, read_digit
from nnsim.lessons.networks import ReaderPlan, ReaderTrained, train_reader
from nnsim.lessons.trace_view import input_gradient


# -- an independent reference: loops, straight from LeCun's description -----------------------

def reference_preprocess(ink, threshold=0.02):
    ink = [[float(v) for v in row] for row in np.asarray(ink).reshape(SIDE, SIDE)]
    rows = [r for r in range(SIDE) if any(v > threshold for v in ink[r])]
    cols = [c for c in range(SIDE) if any(ink[r][c] > threshold for r in range(SIDE))]
    top, bottom, left, right = rows[0], rows[-1], cols[0], cols[-1]
    h, w = bottom - top + 1, right - left + 1
    s = 20 / max(h, w)  # the longer side becomes 20, the aspect ratio is kept
    out_h, out_w = max(1, round(h * s)), max(1, round(w * s))

    def tent(n_in, n_out, i):
        # The source pixels output pixel i averages, with their weights (a linear filter
        # as wide as one output pixel when shrinking, one source pixel when enlarging).
        scale = n_out / n_in
        width = max(1.0, 1 / scale)
        centre = (i + 0.5) / scale - 0.5
        weights = {j: max(0.0, 1 - abs(j - centre) / width) for j in range(n_in)}
        total = sum(weights.values())
        return {j: v / total for j, v in weights.items() if v > 0}

    fitted = [[0.0] * out_w for _ in range(out_h)]
    for i in range(out_h):
        for j in range(out_w):
            fitted[i][j] = min(1.0, max(0.0, sum(
                wr * wc * ink[top + r][left + c]
                for r, wr in tent(h, out_h, i).items() for c, wc in tent(w, out_w, j).items())))
    mass = sum(map(sum, fitted))
    com_r = sum(i * v for i, row in enumerate(fitted) for v in row) / mass
    com_c = sum(j * v for row in fitted for j, v in enumerate(row)) / mass
    # Whole-pixel shift putting the centre of mass nearest the field's centre, pixel (14, 14).
    # A symmetric shape's centre of mass is a half exactly, up to rounding: either shift will do.
    def shifts(com):
        if abs((14 - com) % 1 - 0.5) < 1e-9:
            return {math.floor(14 - com), math.floor(14 - com) + 1}
        return {math.floor(14 - com + 0.5)}

    fields = []
    for dr in shifts(com_r):
        for dc in shifts(com_c):
            field = np.zeros((SIDE, SIDE))
            for i in range(out_h):
                for j in range(out_w):
                    if 0 <= i + dr < SIDE and 0 <= j + dc < SIDE:
                        field[i + dr, j + dc] = fitted[i][j]
            fields.append(field)
    return fields


def drawn(*strokes) -> Drawing:
    d = Drawing()
    for points in strokes:
        d.stroke(points)
    return d


def ellipse(cr, cc, rr, rc, n=48):
    return [(cr + rr * math.sin(t), cc + rc * math.cos(t)) for t in np.linspace(0, 2 * math.pi, n)]


SHAPES = {
    "small 1 in a corner": drawn([(2, 3), (9, 3)]),
    "wide 7": drawn([(4, 2), (4, 25), (20, 12)]),
    "tall thin 0": drawn(ellipse(14, 10, 12, 4)),
    "big 0": drawn(ellipse(13.3, 14.2, 11, 10)),
    "a single dab": drawn([(20, 20)]),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_preprocessing_equals_the_reference(name):
    ink = SHAPES[name].ink
    ours = preprocess(ink)
    assert any(np.allclose(ours, reference, rtol=0, atol=1e-12) for reference in reference_preprocess(ink))
    # And what the description promises, measured on the result:
    rows = np.flatnonzero(ours.max(axis=1) > 0.02)
    cols = np.flatnonzero(ours.max(axis=0) > 0.02)
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) in (19, 20, 21)
    r, c = np.indices(ours.shape)
    assert abs((r * ours).sum() / ours.sum() - 14) <= 0.5 + 1e-9
    assert abs((c * ours).sum() / ours.sum() - 14) <= 0.5 + 1e-9


def test_preprocessing_keeps_the_aspect_ratio_and_a_blank_sheet_blank():
    tall = preprocess(drawn([(2, 5), (25, 5)]).ink)  # a vertical bar 3 wide, 26 tall
    rows = np.flatnonzero(tall.max(axis=1) > 0.02)
    cols = np.flatnonzero(tall.max(axis=0) > 0.02)
    assert rows[-1] - rows[0] + 1 == 20
    assert cols[-1] - cols[0] + 1 <= 3  # 3 × 20/26 rounds to 2, plus the filter's edge
    assert not preprocess(np.zeros((SIDE, SIDE))).any()


def test_a_real_digit_redrawn_pixel_for_pixel_comes_out_as_it_went_in():
    test = load_sample().test
    worst = 0.0
    for i in range(0, 500, 25):
        original = test.x[i].reshape(SIDE, SIDE)
        d = Drawing()
        for r in range(SIDE):
            for c in range(SIDE):
                if original[r, c]:
                    d.set_pixel(r, c, original[r, c])
        worst = max(worst, float(np.abs(preprocess(d.ink) - original).max()))
    assert worst <= 1e-6  # MNIST's digits already are 20 tall or wide, centred on pixel 14


def test_the_soft_pen_inks_like_a_pen_not_single_pixels():
    d = drawn([(14, 14)])
    assert d.ink[14, 14] == 1.0
    assert 0.3 < d.ink[13, 14] < 1.0 and 0.0 < d.ink[13, 13] < d.ink[13, 14]
    assert d.ink[11, 14] == 0.0
    d.stroke([(14, 14), (14, 14)])
    assert d.ink[13, 14] == drawn([(14, 14)]).ink[13, 14]  # going over a stroke does not thicken it


@pytest.fixture(scope="module")
def sample_reader() -> Network:
    events = list(train_reader(ReaderPlan("sample", 30), seed=0, save=False))
    done = events[-1]
    assert isinstance(done, ReaderTrained) and 0.75 < done.accuracy < 0.95
    assert "offline sample" in done.note and f"{done.accuracy:.1%}" in done.note
    return done.network


def test_a_sample_trained_network_reads_a_drawn_1_and_a_drawn_0(sample_reader):
    one = drawn([(4, 15), (23, 13)])
    zero = drawn(ellipse(14, 14, 9, 6))
    r1, r0 = read_digit(sample_reader, one.input()), read_digit(sample_reader, zero.input())
    assert (r1.digit, r0.digit) == (1, 0)
    assert r1.margin > 0.3 and r0.margin > 0.3
    assert r1.margin == pytest.approx(float(np.sort(r1.outputs)[-1] - np.sort(r1.outputs)[-2]))
    # A wrong answer is told apart: the same network does not read the 0 as a 1.
    assert read_digit(sample_reader, zero.input()).digit != 1


def test_input_gradient_equals_central_differences(sample_reader):
    net = sample_reader.astype(np.float64)
    x = drawn(ellipse(14, 14, 9, 6)).input()
    y = one_hot(6)
    trace = trace_backprop(net, x, y)
    grad, known_from = input_gradient(trace)
    assert grad.shape == (784, 1)
    assert trace[known_from].phase == "backward" and trace[known_from].layer == 2

    def cost(v):
        return 0.5 * float(np.sum((net.feedforward(v) - y) ** 2))

    inked = np.flatnonzero(x[:, 0] > 0.5)
    for k in list(inked[:4]) + [0, 405]:  # some inked pixels, a corner, a blank one
        h = 1e-5
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        numeric = (cost(up) - cost(down)) / (2 * h)
        assert grad[k, 0] == pytest.approx(numeric, rel=1e-5, abs=1e-10)
    # ... and it is not something else with the right shape: δ² alone, or the wrong sign.
    assert not np.allclose(grad, -grad)


def test_one_gradient_step_moves_the_output_toward_the_label_and_leaves_the_network(sample_reader):
    x = drawn(ellipse(14, 14, 9, 6)).input()
    before = sample_reader.feedforward(x).ravel().copy()
    stepped = gradient_step(sample_reader, x, 6, eta=3.0)
    after = stepped.feedforward(x).ravel()
    y = one_hot(6).ravel()
    assert 0.5 * np.sum((after - y) ** 2) < 0.5 * np.sum((before - y) ** 2)  # the cost on this digit falls
    assert after[0] < before[0]  # the wrong answer it gave (0) weakens
    np.testing.assert_array_equal(sample_reader.feedforward(x).ravel(), before)
    nb, nw = sample_reader.backprop(x.astype(np.float32), one_hot(6).astype(np.float32))
    np.testing.assert_allclose(stepped.weights[0], sample_reader.weights[0] - 3.0 * nw[0], rtol=1e-6, atol=1e-7)
