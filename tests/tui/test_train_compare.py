"""A lesson with ``compare`` expectations shows the compared lesson's run on its chart (Pilot):
trained in the background the first time, found among the session's kept runs after that."""

from __future__ import annotations

from textual.widgets import Input

from nnsim.lessons import load_scenario
from nnsim.lessons.expect import check_expectations, compared_lessons, compared_run, epoch_accuracy
from nnsim.tui.screens.train import compare
from nnsim.tui.screens.train.accuracy_chart import AccuracyChart
from nnsim.tui.screens.train.screen import TrainingApp
from nnsim.tui.widgets.plot import TextPlot

from tests.tui.test_train import empty_cache, settle  # noqa: F401  (empty_cache is autouse)

SIZE = (120, 36)


def lesson_app(name: str) -> TrainingApp:
    return TrainingApp(load_scenario(name).variant(True), cursor_blink=False)  # on the offline sample


def legend(screen) -> str:
    return str(screen.query_one("#accuracy-plot", TextPlot).legend())


async def test_a_comparing_lesson_overlays_the_lesson_it_is_compared_with(monkeypatch):
    app = lesson_app("eta-too-large")
    said = []
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        original = screen.say
        monkeypatch.setattr(screen, "say", lambda text, *a, **k: (said.append(text), original(text, *a, **k)))
        await pilot.press("c")
        await settle(pilot)
        assert any("training chapter-run in the background, to compare with this run" in s for s in said)
        assert not screen.comparing
        (record,) = screen.compared
        assert record.lesson == "chapter-run" and record.settings["dataset"] == "sample"
        assert record.label == "chapter-run: [784,30,10] · η 3 · seed 0"
        chart = screen.query_one("#chart", AccuracyChart)
        assert [label for label, _ in chart.overlays] == [record.label]
        assert chart.live_label == "this run: eta-too-large"
        assert "⣿ chapter-run: [784,30,10] · η 3 · seed 0" in legend(screen)
        assert "⣿ this run: eta-too-large" in legend(screen)
        assert any(s.startswith("compared with chapter-run: its run is overlaid on the chart") for s in said)
        # The very run nnsim check compares against: the same cache, the same accuracies.
        chapter = load_scenario("chapter-run")
        steps = compared_run(chapter, True)
        assert [e.correct for e in record.epochs] == [int(s.values["correct"]) for s in steps if s.kind == "epoch"]
        assert len(record.epochs) == chapter.variant(True).train.epochs
        assert record.epochs[-1].accuracy == epoch_accuracy(steps, len(record.epochs))
        assert record.epochs[-1].accuracy > 0.5 > screen.session.results[-1].event.accuracy  # η = 100 learns nothing
        results = check_expectations(load_scenario("eta-too-large"), quick=True)
        assert all(r.passed for r in results)

        # A new run with other settings: the compared run is found among the kept runs, not retrained.
        def no_training(*args, **kwargs):
            raise AssertionError("the compared run was trained again")

        monkeypatch.setattr(compare, "compared_run", no_training)
        said.clear()
        screen.query_one("#set-epochs", Input).value = "3"
        await pilot.press("c")
        await settle(pilot)
        assert screen.session.plan.epochs == 3
        assert screen.compared == (record,)
        assert any("compared with chapter-run: overlaid from this session's runs" in s for s in said)
        assert [label for label, _ in screen.query_one("#chart", AccuracyChart).overlays] == [record.label]


async def test_a_lesson_without_compare_expectations_overlays_nothing():
    app = lesson_app("chapter-run")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert compared_lessons(screen.scenario) == []
        await pilot.press("c")
        await settle(pilot)
        assert screen.compared == () and screen.query_one("#chart", AccuracyChart).overlays == []
        assert screen.query_one("#chart", AccuracyChart).live_label == "this run"
