"""The runs of one app session, kept to compare: each finished or stopped run with its
settings and epochs, and the latest session of each lesson, to find again on coming back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from nnsim.core import EpochDone, EtaChanged

MAX_RUNS = 12
"""Runs kept per app session (the oldest go first): each holds a few numbers per epoch."""


@dataclass(frozen=True)
class RunRecord:
    """A run to overlay: ``label`` says what set it apart, ``epochs`` its epoch events
    (test outputs dropped), ``eta_changes`` the η changes it was steered with."""

    label: str
    settings: dict
    epochs: tuple[EpochDone, ...]
    eta_changes: tuple[EtaChanged, ...] = ()
    state: str = ""
    lesson: str = ""
    """The lesson the run was made in (its name), to find it again for a comparison."""


def run_label(settings: dict) -> str:
    """What a run is, in a few words: ``[784, 30, 10] · η 3 · seed 0`` (and ``4 outputs``)."""
    parts = [str(list(settings.get("sizes", []))).replace(" ", ""), f"η {settings.get('eta', 0):g}"]
    if settings.get("outputs") == "binary":
        parts.append("4 outputs")
    parts.append(f"seed {settings.get('seed')}")
    return " · ".join(parts)


def record_of(session, label: Optional[str] = None) -> RunRecord:
    """A :class:`RunRecord` of a :class:`~nnsim.lessons.session.TrainingSession`."""
    epochs = tuple(r.event._replace(outputs=None, answers=None) for r in session.results)
    return RunRecord(label or run_label(session.settings), dict(session.settings), epochs,
                     tuple(session.eta_changes), session.state, getattr(session.scenario, "name", "") or "")


COMPARED_KEYS = ("sizes", "mini_batch_size", "eta", "dataset", "outputs")
"""What makes a kept run the run of a lesson compared against: its settings on these."""


def lesson_settings(scenario) -> dict:
    """The settings a run of ``scenario`` has (as a plan records them), on :data:`COMPARED_KEYS`."""
    train = scenario.train
    return dict(sizes=list(scenario.network.sizes), mini_batch_size=train.mini_batch_size, eta=train.eta,
                dataset=train.dataset, outputs=train.outputs)


def compared_record(other, steps, data: Optional[dict] = None) -> RunRecord:
    """A :class:`RunRecord` of lesson ``other``'s run trained to compare with (its steps,
    from :func:`nnsim.lessons.expect.compared_run`, on ``data`` if given)."""
    settings = dict(lesson_settings(other), epochs=other.train.epochs, seed=other.train.seed)
    settings.update({k: v for k, v in (data or {}).items() if k in COMPARED_KEYS})
    epochs = tuple(step.data for step in steps if step.kind == "epoch")
    state = "diverged" if any(step.kind == "diverged" for step in steps) else "finished"
    return RunRecord(f"{other.name}: {run_label(settings)}", settings, epochs, (), state, other.name)


@dataclass
class RunShelf:
    """Kept runs (oldest first) and, per lesson name, the session last open there."""

    runs: list[RunRecord] = field(default_factory=list)
    sessions: dict[str, tuple] = field(default_factory=dict)

    def keep(self, session) -> Optional[RunRecord]:
        """Keep a run that has at least one epoch; the same session is kept once (updated)."""
        if not session.results:
            return None
        record = record_of(session)
        key = id(session)
        self.runs = [r for r in self.runs if r.settings.get("_session") != key]
        record.settings["_session"] = key
        self.runs.append(record)
        del self.runs[:-MAX_RUNS]
        return record

    def keep_record(self, record: RunRecord) -> None:
        """Keep a run made elsewhere (a compared lesson's, trained in the background)."""
        self.runs.append(record)
        del self.runs[:-MAX_RUNS]

    def lesson_run(self, lesson, data: dict) -> Optional[RunRecord]:
        """The latest kept run of the lesson ``lesson`` (a scenario) with its own settings
        on ``data`` (its dataset replaced as in ``data``), if any."""
        wanted = dict(lesson_settings(lesson), **{k: v for k, v in data.items() if k in COMPARED_KEYS})
        for record in reversed(self.runs):
            if (record.lesson == lesson.name and record.epochs and record.state in ("finished", "diverged")
                    and all(record.settings.get(k) == v for k, v in wanted.items())):
                return record
        return None

    def others(self, session) -> list[RunRecord]:
        """The kept runs other than ``session``'s own."""
        key = id(session) if session is not None else None
        return [r for r in self.runs if r.settings.get("_session") != key]

    def park(self, name: str, scenario, session) -> None:
        """Remember the lesson ``name``'s session, to adopt on coming back."""
        self.sessions[name] = (scenario, session)

    def parked(self, name: str) -> Optional[tuple]:
        return self.sessions.get(name)
