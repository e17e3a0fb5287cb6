"""Getting a run's data in the training screen: from the cache or a folder, else the
download dialog (or the offline sample, when that was the answer before), then the plan
made in a worker thread."""

from __future__ import annotations

from typing import Optional

from nnsim.errors import NnsimError
from nnsim.lessons import Scenario
from nnsim.lessons.kinds.train import DATASET_TITLES, load_plan, replan
from nnsim.lessons.scenario import with_changes
from nnsim.lessons.session import TrainingSession


class DataLoading:
    """Part of :class:`~nnsim.tui.screens.train.screen.TrainScreen`: data, then a session."""

    def begin(self, scenario: Scenario, then: str = "run") -> None:
        """Start a new run of ``scenario``: data first (download if needed), then train."""
        from nnsim.data import is_cached

        dataset = scenario.train.dataset
        if dataset != "sample" and self.data_dir is None and not is_cached(dataset):
            if not self.app.host.may_download:  # nnsim serve: the data cache is read-only
                self._after_download("sample", scenario, then)
                return
            from nnsim.tui.screens.train.download import DownloadDialog
            from nnsim.tui.screens.train.preferences import kept_where, remembered_dataset_choice

            title = DATASET_TITLES.get(dataset, dataset)
            preferences = self.app.host.preferences
            if remembered_dataset_choice(dataset, preferences) == "sample":
                sample = self.sample_variant(scenario)
                if sample is not None:
                    self.scenario = sample
                    self.fill_settings(sample)
                    self.say(f"{title} is not in the cache: training on the offline sample, as you chose before "
                             f"({kept_where(preferences)}; 'nnsim data download' fetches {title})")
                    self.load(sample, then)
                    return
            self.say(f"{title} is not in the cache: download it, or train on the offline sample")
            self.app.push_screen(DownloadDialog(dataset, title, self.mirror),
                                 lambda answer: self._after_download(answer, scenario, then))
            return
        self.load(scenario, then)

    def _after_download(self, answer: Optional[str], scenario: Scenario, then: str) -> None:
        if answer is not None:
            from nnsim.tui.screens.train.preferences import remember_dataset_choice

            remember_dataset_choice(scenario.train.dataset, "sample" if answer == "sample" else "download",
                                    self.app.host.preferences)
        if answer is None:
            self.say("not started: the data is not here (the offline sample always is)", "warning")
            return
        if answer == "sample":
            scenario = self.sample_variant(scenario)
            if scenario is None:
                return
            self.scenario = scenario
            self.fill_settings(scenario)
            self.say("training on the offline sample of MNIST digits")
        self.load(scenario, then)

    def sample_variant(self, scenario: Scenario) -> Optional[Scenario]:
        """The lesson on the offline sample: its quick variant, or the dataset switched."""
        if scenario.has_quick and not scenario.is_quick and scenario.quick.dataset == "sample":
            return scenario.variant(True)
        try:
            return with_changes(scenario, {"train.dataset": "sample"})
        except NnsimError as error:
            self.say(str(error), "error")
            return None

    def load(self, scenario: Scenario, then: str = "run") -> None:
        """Make the plan (reusing loaded data when only the learning settings changed)."""
        old = self.session
        if old is not None and self.session_scenario is not None:
            plan = replan(old.plan, self.session_scenario, scenario)
            if plan is not None:
                self.new_session(scenario, TrainingSession(plan, scenario, self.clock, self.throttle), then)
                return
        self._loading = True
        self.set_state("loading")
        self.say(f"loading {DATASET_TITLES.get(scenario.train.dataset, scenario.train.dataset)}…")
        self.run_worker(lambda: (scenario, then, load_plan(scenario, data_dir=self.data_dir)), thread=True,
                        name="plan", group="plan", exit_on_error=False)

