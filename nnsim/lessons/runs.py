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
                     tuple(session.eta_changes), session.state)


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

    def others(self, session) -> list[RunRecord]:
        """The kept runs other than ``session``'s own."""
        key = id(session) if session is not None else None
        return [r for r in self.runs if r.settings.get("_session") != key]

    def park(self, name: str, scenario, session) -> None:
        """Remember the lesson ``name``'s session, to adopt on coming back."""
        self.sessions[name] = (scenario, session)

    def parked(self, name: str) -> Optional[tuple]:
        return self.sessions.get(name)
