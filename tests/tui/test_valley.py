"""The valley (kind gradient-descent): the map, the ball, stepping both ways, editing η."""

from __future__ import annotations

import math

import pytest

from nnsim.core.descent import Cost, descend
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.screens.valley.screen import ValleyScreen
from nnsim.tui.screens.valley.valley_map import ValleyMap
from nnsim.tui.style.format import fmt
from tests.tui.conftest import SIZE, open_from_home


def map_rows(screen) -> list[str]:
    return screen.query_one(ValleyMap).render().plain.split("\n")


def find(rows, glyph):
    return [(r, line.index(glyph)) for r, line in enumerate(rows) if glyph in line]


async def test_the_bowl_opens_on_its_screen_and_steps_both_ways(app):
    moves = list(descend(Cost("bowl", 1.0), (2.0, 1.5), 0.3, 15))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_from_home(pilot, "descent-bowl")
        assert isinstance(screen, ValleyScreen)
        assert str(screen.query_one(ValleyMap).border_title) == "C = ½·a·((v1 − c1)² + (v2 − c2)²)"
        first = map_rows(screen)
        assert len(find(first, "●")) == 1 and len(find(first, "✕")) == 1 and not find(first, "·")
        move = screen.query_one("#move", EquationPanel).text
        assert f"∇C = ({fmt(moves[0].grad[0])}, {fmt(moves[0].grad[1])})" in move
        change = screen.query_one("#change", EquationPanel).text
        assert f"estimate ∇C·Δv = {fmt(moves[0].estimate)}" in change
        assert f"actual ΔC = {fmt(moves[0].actual)}" in change
        for _ in range(3):
            await pilot.press("n")
        assert screen.step.title == "step 4"
        assert len(find(map_rows(screen), "·")) == 3  # the path so far
        # The ball ends nearer the minimum than it started.
        ball, minimum = find(map_rows(screen), "●")[0], find(map_rows(screen), "✕")[0]
        start = find(first, "○")[0]
        assert math.dist(ball, minimum) < math.dist(start, minimum)
        change = screen.query_one("#change", EquationPanel).text
        assert f"actual ΔC = {fmt(moves[3].actual)}" in change
        await pilot.press("b", "b", "b")
        assert screen.step.title == "step 1" and map_rows(screen) == first


async def test_the_overshoot_says_the_cost_went_up(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_from_home(pilot, "descent-overshoot")
        assert str(screen.query_one("#change").border_title) == "the change of C: it went UP"


async def test_the_steepest_step_shows_the_sampled_directions(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_from_home(pilot, "descent-steepest")
        text = screen.query_one("#directions", EquationPanel).text
        v = screen.step.values
        assert f"36 directions sampled; best at {fmt(v['best_angle'])}°: ΔC = {fmt(v['best_dC'])}" in text
        assert v["gradient_advantage"] > 0 and v["linear_advantage"] > 0


async def test_editing_eta_reruns_the_descent(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_from_home(pilot, "descent-valley")
        screen.apply_parameters({"η": 0.05})
        await pilot.pause()
        assert screen.scenario.descent.eta == 0.05
        want = list(descend(Cost("valley", 1.0, 10.0), (-4.0, 1.0), 0.05, 20))
        assert [s.data.v_next for s in screen.stepper.steps] == [s.v_next for s in want]
        assert screen.step.values["eta"] == pytest.approx(0.05)


@pytest.mark.parametrize("name, screen", [
    ("four-bits", "BackpropScreen"), ("four-bits-solution", "BackpropScreen"),
    ("sigmoid-simulates-perceptron", "SigmoidScreen"), ("sigmoid-simulates-perceptron-fails", "SigmoidScreen"),
    ("no-hidden-layer", "TrainScreen"), ("online-learning", "TrainScreen"),
    ("descent-valley", "ValleyScreen"), ("descent-overshoot", "ValleyScreen"),
])
async def test_each_new_lesson_opens_from_home_on_its_screen(app, name, screen):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        opened = await open_from_home(pilot, name)
        assert type(opened).__name__ == screen
        assert opened.scenario.name == name


async def test_the_four_bit_exercise_is_solved_in_the_app(app):
    """Enter the worked solution's weights neuron by neuron, as a learner would, and check."""
    from nnsim.lessons import load_scenario

    solution = load_scenario("four-bits-solution").network
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_from_home(pilot, "four-bits")
        results, _ = screen.check_lesson()
        assert not all(r.passed for r in results)
        await pilot.press("n")  # the forward step of layer 2: its neurons are selectable
        for j in range(4):
            if j:
                await pilot.press("down")  # the next output neuron, as the learner selects it
            assert [p.name for p in screen.parameters()][:2] == [f"b2_{j}", f"w2_{j}_0"]
            values = {f"b2_{j}": solution.biases[0][j]}
            values.update({f"w2_{j}_{k}": w for k, w in enumerate(solution.weights[0][j])})
            screen.apply_parameters(values)
            await pilot.pause()
        results, _ = screen.check_lesson()
        assert results and all(r.passed for r in results)
