"""The training screen's widgets on their own: the accuracy chart (with the book's curve
and chance), the confusion matrix, the digit gallery."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App

from nnsim.core.metrics import report_from_answers
from nnsim.core.training import EpochDone
from nnsim.lessons.book_run import BOOK_CORRECT, book_accuracy
from nnsim.tui.screens.train.accuracy_chart import AccuracyChart
from nnsim.tui.screens.train.confusion_matrix import ConfusionMatrix
from nnsim.tui.screens.train.digit_gallery import DigitCard, DigitGallery, GalleryItem
from nnsim.tui.widgets.plot import TextPlot


class Show(App):
    def __init__(self, *widgets):
        super().__init__()
        self.widgets = widgets

    def compose(self):
        yield from self.widgets


def epochs(*correct, total=10000):
    return [EpochDone(e, c, total, 1.0, 0.1) for e, c in enumerate(correct)]


async def test_the_chart_draws_the_live_run_beside_the_books_30_epochs():
    chart = AccuracyChart()
    async with Show(chart).run_test(size=(100, 30)) as pilot:
        chart.show(epochs(9100, 9300, 9250), 30, book_accuracy(), chance=0.1)
        await pilot.pause()
        assert chart.summary == "Epoch 2: 9250 / 10000  92.50%   best 93.00% (epoch 1)   book 92.64%"
        plot = chart.query_one(TextPlot)
        live, book = plot.series[1], plot.series[0]
        assert list(live.x) == [0, 1, 2] and list(live.y) == [91.0, 93.0, 92.5]
        assert book.y == pytest.approx([c / 100 for c in BOOK_CORRECT]) and book.label == "the book's run"
        assert [s.label for s in plot.series] == ["the book's run", "this run"]  # no chance line up here
        assert plot.x_range == (0.0, 29.0) and plot.y_range == (88.0, 100.0)
        assert plot.markers[0].x == 1 and plot.markers[0].label == "best 93.00%"
        assert "9" in plot.render().plain  # drawn


async def test_near_chance_the_chart_shows_the_whole_range_and_the_chance_line():
    chart = AccuracyChart()
    async with Show(chart).run_test(size=(80, 20)) as pilot:
        chart.show(epochs(980, 1010, total=10000), 30, None, chance=0.1)
        await pilot.pause()
        plot = chart.query_one(TextPlot)
        assert plot.y_range == (0.0, 100.0)
        assert plot.series[-1].label == "chance 10%" and list(plot.series[-1].y) == [10.0, 10.0]
        chart.show([], 5)
        assert chart.summary == "no epoch yet: c starts training"


async def test_the_confusion_matrix_shows_counts_accuracy_and_answers_that_name_no_class():
    labels = np.array([0, 0, 1, 1, 2, 2, 2])
    answers = np.array([0, 1, 1, 1, 2, 12, 0])
    report = report_from_answers(np.zeros((4, 7)), labels, answers, n_classes=3)
    matrix = ConfusionMatrix()
    async with Show(matrix).run_test(size=(80, 12)) as pilot:
        matrix.show(report, ["zero", "one", "two"], caption="after epoch 4")
        await pilot.pause()
        lines = matrix.render().plain.splitlines()
        assert lines[0] == "after epoch 4"
        assert lines[2].split() == ["true", "0", "1", "2", "none", "accuracy"]
        assert lines[3].split() == ["zero", "1", "1", "·", "·", "50.00%"]
        assert lines[4].split() == ["one", "·", "2", "·", "·", "100.00%"]
        assert lines[5].split() == ["two", "1", "·", "1", "1", "33.33%"]
        assert lines[6] == "4 / 7 correct (57.14%);  most often: zero read as one (1 times)"


async def test_the_gallery_moves_between_cards_and_reports_the_chosen_one():
    gallery = DigitGallery("nothing yet")
    chosen = []

    class Collect(Show):
        def on_digit_gallery_chosen(self, event: DigitGallery.Chosen) -> None:
            chosen.append((event.control, event.item.key))

    async with Collect(gallery).run_test(size=(100, 40)) as pilot:
        assert str(gallery.note.content) == "nothing yet"
        items = [GalleryItem(np.full(784, k / 10), f"digit {k}", key=100 + k) for k in range(7)]
        gallery.show(items, heading="seven digits")
        await pilot.pause()
        assert len(gallery.cards) == 7 and gallery.columns == 3
        assert str(gallery.note.content) == "seven digits"
        gallery.focus_first()
        await pilot.press("right", "down", "enter")  # card 0 → 1 → 4
        assert chosen == [(gallery, 104)]
        gallery.show(items[:2])  # fewer cards: the rest go, the first ones are reused
        await pilot.pause()
        assert [c.item.key for c in gallery.cards] == [100, 101] and len(gallery.query(DigitCard)) == 2
        await pilot.click(DigitCard, offset=(2, 2))
        assert chosen[-1] == (gallery, 100)


async def test_the_chapters_baselines_are_drawn_where_they_fall_on_the_chart():
    chart = AccuracyChart()
    async with Show(chart).run_test(size=(100, 24)) as pilot:
        chart.show(epochs(980, 1010), 30, None, chance=0.1, darkness=0.2225, svm=0.9435)
        await pilot.pause()
        plot = chart.query_one(TextPlot)
        lines = {s.label: list(s.y) for s in plot.series}
        assert lines["chance 10%"] == [10.0, 10.0]
        assert lines["average darkness 22.25%"] == [22.25, 22.25]
        assert lines["book: default SVM 94.35%"] == pytest.approx([94.35, 94.35])
        assert "book: default SVM 94.35%" in plot.legend().plain
        chart.show(epochs(9100, 9300), 30, None, chance=0.1, darkness=0.2225, svm=0.9435)
        await pilot.pause()
        labels = [s.label for s in chart.query_one(TextPlot).series]
        assert labels == ["this run", "book: default SVM 94.35%"]  # 10% and 22% are below the range


def test_the_baselines_come_from_the_sessions_own_data():
    from types import SimpleNamespace

    from nnsim.core.metrics import BOOK_SVM_ACCURACY, average_darkness_accuracy
    from nnsim.lessons import load_scenario, plan_training
    from nnsim.tui.screens.train.accuracy_chart import chart_baselines

    plan = plan_training(load_scenario("chapter-run"), quick=True)
    darkness, svm = chart_baselines(SimpleNamespace(plan=plan))
    assert darkness == average_darkness_accuracy(plan.training.x, plan.training.labels, plan.test.x,
                                                 plan.test.labels)
    assert 0.15 < darkness < 0.35 and svm == BOOK_SVM_ACCURACY == 0.9435
    assert chart_baselines(None) == (None, None)


def test_a_failed_run_is_said_in_words_even_when_the_error_has_none():
    from nnsim.tui.screens.train.text import failure_text

    assert failure_text(MemoryError()).startswith("out of memory")
    assert failure_text(ValueError("eta must be positive")) == "eta must be positive"
    assert failure_text(RuntimeError()) == "RuntimeError"
