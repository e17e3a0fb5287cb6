"""AccuracyChart: test accuracy after each epoch, the live run beside the book's and any kept
runs overlaid, η changes marked; below it the training and test cost per epoch."""

from __future__ import annotations

from typing import Optional, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from nnsim.core.dataset import row_sums
from nnsim.core.metrics import BOOK_SVM_ACCURACY, average_darkness_accuracy
from nnsim.core.training import EpochDone, EtaChanged
from nnsim.tui.widgets.plot import Marker, Series, TextPlot

LIVE_STYLE = "$primary"
BOOK_STYLE = "$text-muted"
CHANCE_STYLE = "$error"
BASELINE_STYLE = "$warning"
SVM_STYLE = "$success"
BEST_STYLE = "$accent"
ETA_STYLE = "$warning"
TRAIN_COST_STYLE = "$primary"
TEST_COST_STYLE = "$success"
OVERLAY_STYLES = ("$secondary", "$success", "$warning", "$error")

# Below this accuracy (in %) the chart shows the whole range down to 0 and the chance line.
LOW = 50.0


class AccuracyChart(Vertical):
    """A line over the epochs (x) of the test accuracy in % (y), with a summary line
    above it: the last epoch as the seed prints it (``Epoch 3: 9357 / 10000``), its
    percentage, the best epoch so far and, when given, the book's figure for the
    same epoch.

    The book's curve is drawn beside the live one when :meth:`show` receives it
    (runs with the book's settings); the chance level when the run is near it.
    """

    DEFAULT_CSS = """
    AccuracyChart {
        height: 1fr;
        width: 1fr;
    }
    AccuracyChart > #accuracy-summary {
        height: 1;
        padding: 0 1;
    }
    AccuracyChart > TextPlot {
        height: 1fr;
    }
    AccuracyChart > #cost-plot {
        height: 2fr;
        max-height: 10;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.epochs: list[EpochDone] = []
        self.book: Optional[list[float]] = None
        self.chance: Optional[float] = None
        self.baselines: list[tuple[str, float, str]] = []
        self.total_epochs = 1
        self.eta_changes: list[EtaChanged] = []
        self.batches = 1
        self.overlays: list[tuple[str, Sequence[EpochDone]]] = []
        self.live_label = "this run"

    def compose(self) -> ComposeResult:
        yield Static("no epoch yet: c starts training", id="accuracy-summary", markup=False)
        yield TextPlot(id="accuracy-plot")
        yield TextPlot(id="cost-plot")

    @property
    def summary(self) -> str:
        return str(self.query_one("#accuracy-summary", Static).content)

    def show(self, epochs: Sequence[EpochDone], total_epochs: int, book: Optional[Sequence[float]] = None,
             chance: Optional[float] = None, darkness: Optional[float] = None, svm: Optional[float] = None,
             eta_changes: Sequence[EtaChanged] = (), overlays: Sequence[tuple[str, Sequence[EpochDone]]] = (),
             batches: int = 1, live_label: str = "this run") -> None:
        """Draw ``epochs`` (the core's events, in order) of a run of ``total_epochs``;
        ``book`` is the book's accuracy per epoch (fractions) to draw beside them,
        ``chance`` the accuracy of guessing, ``darkness`` the average-darkness baseline
        measured on this run's data, ``svm`` the book's SVM figure (reference lines
        where they fall inside the chart's range), ``eta_changes`` the run's η changes
        (a marker each, where in the epoch of ``batches`` mini-batches it happened),
        ``overlays`` kept runs as (label, epochs) drawn beside this one with a legend, in
        which this run is ``live_label``."""
        self.live_label = live_label
        self.baselines = ([(f"average darkness {darkness:.2%}", darkness, BASELINE_STYLE)] if darkness is not None
                          else []) + ([(f"book: default SVM {svm:.2%}", svm, SVM_STYLE)] if svm is not None else [])
        self.epochs = [e for e in epochs if e.total]
        self.total_epochs = max(1, total_epochs)
        self.book = list(book) if book is not None else None
        self.chance = chance
        self.eta_changes = list(eta_changes)
        self.batches = batches
        self.overlays = [(label, [e for e in runs if e.total]) for label, runs in overlays]
        self.query_one("#accuracy-summary", Static).update(self._summary(), layout=False)
        self._plot()

    def _summary(self) -> str:
        if not self.epochs:
            return "no epoch yet: c starts training"
        last = self.epochs[-1]
        best = max(self.epochs, key=lambda e: (e.correct, -e.epoch))
        text = f"{last.log_line()}  {last.accuracy:.2%}"
        if best is not last:
            text += f"   best {best.accuracy:.2%} (epoch {best.epoch})"
        if self.book is not None and last.epoch < len(self.book):
            text += f"   book {self.book[last.epoch]:.2%}"
        return text

    def _plot(self) -> None:
        series, markers = [], []
        x_max = float(max(self.total_epochs - 1, 1))
        values = [100 * e.accuracy for e in self.epochs]
        if self.book is not None:
            book = [100 * a for a in self.book]
            series.append(Series(list(range(len(book))), book, "the book's run", BOOK_STYLE))
            values += book
            x_max = max(x_max, float(len(book) - 1))
        for (label, runs), style in zip(self.overlays, OVERLAY_STYLES * 3):
            if runs:
                series.append(Series([e.epoch for e in runs], [100 * e.accuracy for e in runs], label, style))
                values += [100 * e.accuracy for e in runs]
                x_max = max(x_max, float(runs[-1].epoch))
        if self.epochs:
            series.append(Series([e.epoch for e in self.epochs], [100 * e.accuracy for e in self.epochs],
                                 self.live_label, LIVE_STYLE))
            best = max(self.epochs, key=lambda e: (e.correct, -e.epoch))
            markers.append(Marker(best.epoch, 100 * best.accuracy, f"best {best.accuracy:.2%}", BEST_STYLE))
        low = not values or min(values) < LOW
        if self.chance is not None and low:
            chance = 100 * self.chance
            series.append(Series([0.0, x_max], [chance, chance], f"chance {self.chance:.0%}", CHANCE_STYLE))
        if low:
            y_range = (0.0, 100.0)
        else:
            # Room below the lowest point, so the curves do not sit on the axis.
            bottom = max(0.0, min(values) - 2.0)
            y_range = (float(int(bottom)), 100.0)
        for label, value, style in self.baselines:
            if y_range[0] <= 100 * value <= y_range[1]:
                series.append(Series([0.0, x_max], [100 * value, 100 * value], label, style))
        for change in self.eta_changes:
            markers.append(Marker(eta_x(change, self.batches), None, f"η {change.eta:g}", ETA_STYLE))
        self.query_one("#accuracy-plot", TextPlot).plot(series, markers, x_range=(0.0, x_max), y_range=y_range,
                                                        x_label="epoch")
        self._plot_costs(x_max)

    def _plot_costs(self, x_max: float) -> None:
        """Mean quadratic cost per epoch: over the training examples (during the epoch)
        and over the test set (after it)."""
        runs = [e for e in self.epochs if e.mean_cost == e.mean_cost]
        series = []
        if runs:
            series.append(Series([e.epoch for e in runs], [e.mean_cost for e in runs], "train cost", TRAIN_COST_STYLE))
            tested = [e for e in runs if e.test_cost is not None]
            if tested:
                series.append(Series([e.epoch for e in tested], [e.test_cost for e in tested], "test cost",
                                     TEST_COST_STYLE))
        markers = [Marker(eta_x(c, self.batches), None, "", ETA_STYLE) for c in self.eta_changes]
        values = [v for s in series for v in s.y if v == v and v != float("inf")]
        top = max(values) * 1.05 if values else 1.0
        self.query_one("#cost-plot", TextPlot).plot(series, markers, x_range=(0.0, x_max), y_range=(0.0, top),
                                                    x_label="epoch")


def eta_x(change: EtaChanged, batches: int) -> float:
    """Where on the epoch axis an η change falls. The point at x = e is the accuracy
    after epoch e, so epoch e trains between e − 1 and e: a change at mini-batch i
    of ``batches`` sits at e − 1 + i / batches."""
    return max(0.0, change.epoch - 1 + change.index / max(batches, 1))


def chart_baselines(session) -> tuple[Optional[float], Optional[float]]:
    """(average darkness on the session's data, the book's SVM figure) for :meth:`AccuracyChart.show`:
    the darkness is measured once per plan (the core's function), the SVM line only for
    digits (it is the chapter's MNIST figure)."""
    if session is None:
        return None, None
    plan = session.plan
    cached = getattr(plan, "_darkness", None)
    if cached is None or cached[0] is not plan.training:
        # Row sums as one column: the darkness the function sums, without a float64 copy of 50,000 images.
        darkness = average_darkness_accuracy(row_sums(plan.training.x)[:, None], plan.training.labels,
                                             row_sums(plan.test.x)[:, None], plan.test.labels)
        cached = (plan.training, darkness)
        plan._darkness = cached
    digits = plan.settings.get("dataset") in ("mnist", "sample")
    return cached[1], (BOOK_SVM_ACCURACY if digits else None)
