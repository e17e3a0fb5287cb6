"""A lesson that compares (``compare`` expectations: "lower than in chapter-run") shows the run
it is compared with on its chart, beside its own, without the learner asking.

When the lesson's run starts, each compared lesson's run is taken from this app session's
kept runs if one was made with that lesson's settings on the same data; otherwise it is
trained in the background (the same data, the compared lesson's own network, η and seed,
through :func:`nnsim.lessons.expect.compared_run`, the one ``nnsim check`` uses and caches),
kept, and overlaid when it is done. The status line says which it is.
"""

from __future__ import annotations

from typing import Optional

from textual.worker import Worker, WorkerState

from nnsim.errors import NnsimError
from nnsim.lessons import Scenario
from nnsim.lessons.expect import COMPARE_DATA, compared_lessons, compared_run
from nnsim.lessons.runs import RunRecord, compared_record


class Comparing:
    """Part of :class:`~nnsim.tui.screens.train.screen.TrainScreen`: the compared runs overlaid."""

    compared: tuple[RunRecord, ...] = ()
    """The compared lessons' runs overlaid on this run's chart."""
    comparing: tuple[str, ...] = ()
    """Compared lessons still training in the background."""
    compared_for: Optional[Scenario] = None

    def start_comparison(self, scenario: Scenario) -> None:
        """Overlay the runs of the lessons ``scenario`` compares with (see the module)."""
        if scenario == self.compared_for and (self.compared or self.comparing):
            return  # the same lesson and settings: what is overlaid (or training) still holds
        self.compared_for, self.compared, self.comparing = scenario, (), ()
        try:
            others = compared_lessons(scenario)
        except NnsimError as error:
            self.say(f"no comparison run: {error}", "warning")
            return
        if not others:
            return
        data = {k: getattr(scenario.train, k) for k in COMPARE_DATA}
        kept, missing = [], []
        for other in others:
            record = self.shelf.lesson_run(other.variant(scenario.is_quick), data)
            (kept if record is not None else missing).append(record or other)
        self.compared = tuple(kept)
        self.show_chart()
        if kept and not missing:
            self.say(f"compared with {self._names(kept)}: overlaid from this session's runs")
            return
        self.comparing = tuple(other.name for other in missing)
        quick, data_dir = scenario.is_quick, self.data_dir
        self.say(f"training {' and '.join(self.comparing)} in the background, to compare with this run "
                 f"(the same data, its own settings and seed); it is overlaid when done")

        def train_them():
            return scenario, [compared_record(other.variant(quick), compared_run(other, quick, data_dir, data), data)
                              for other in missing]

        self.run_worker(train_them, thread=True, name="compare", group="compare", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Textual calls this beside the screen's own handler (each class's in turn).
        worker = event.worker
        if worker.name != "compare" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if event.state == WorkerState.ERROR:
            if self.comparing:
                self.say(f"could not train {' and '.join(self.comparing)} to compare: {worker.error}", "warning")
            self.comparing = ()
            return
        scenario, records = worker.result
        if scenario != self.compared_for:
            return  # the run it was for has been replaced
        for record in records:
            self.shelf.keep_record(record)
        self.compared, self.comparing = self.compared + tuple(records), ()
        self.show_chart()
        self.say(f"compared with {self._names(records)}: its run is overlaid on the chart (o overlays others)")

    def compared_overlays(self) -> list[tuple[str, tuple]]:
        return [(record.label, record.epochs) for record in self.compared]

    @staticmethod
    def _names(records) -> str:
        return " and ".join(record.lesson for record in records)
