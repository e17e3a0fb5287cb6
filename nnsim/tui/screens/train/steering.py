"""Steering a run from the training screen: its pace (slow motion to full speed), one epoch
per key press, η while it trains, kept runs overlaid on the chart, and the run found again
after a round trip to the home screen."""

from __future__ import annotations

import weakref
from typing import Optional

from textual.widgets import Input, Static

from nnsim.core import EtaChanged
from nnsim.errors import NnsimError
from nnsim.lessons.runs import RunShelf
from nnsim.lessons.session import PAUSED, TrainingSession
from nnsim.tui.screens.train.text import pace_text, slow_motion_text

PACES = (None, 1000.0, 300.0, 100.0, 30.0, 10.0, 3.0, 1.0)
"""Mini-batches per second, fastest first (None: as fast as it goes)."""

_SHELVES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def shelf_for(app) -> RunShelf:
    """The kept runs of this app (one per app, so per ``nnsim serve`` session too)."""
    shelf = _SHELVES.get(app)
    if shelf is None:
        shelf = _SHELVES[app] = RunShelf()
    return shelf


class Steering:
    """Part of :class:`~nnsim.tui.screens.train.screen.TrainScreen`: pace, η, overlays, round trips."""

    pace: Optional[float] = None
    overlay: Optional[int] = None
    """Which kept run is overlaid: None for none, an index into the others, or -1 for all."""

    @property
    def shelf(self) -> RunShelf:
        return shelf_for(self.app)

    # -- pace ---------------------------------------------------------------------------------

    def set_pace(self, pace: Optional[float]) -> None:
        self.pace = pace
        if self.session is not None:
            self.session.pace = pace
        self.say(f"pace: {pace_text(pace)}" + (" (each mini-batch shown; n takes one, N one epoch)"
                                               if pace is not None else ""))
        self.show_pace()

    def action_slower(self) -> None:
        i = PACES.index(self.pace) if self.pace in PACES else 0
        self.set_pace(PACES[min(i + 1, len(PACES) - 1)])

    def action_faster(self) -> None:
        i = PACES.index(self.pace) if self.pace in PACES else 0
        self.set_pace(PACES[max(i - 1, 0)])

    def show_pace(self) -> None:
        p = self.session.progress() if self.session is not None else None
        text = slow_motion_text(p) if p is not None else f"pace {pace_text(self.pace)} (+ faster, - slower)"
        self.query_one("#pace-line", Static).update(text, layout=False)

    def action_one_epoch(self) -> None:
        """Train to the end of the epoch in progress, then pause."""
        session = self.session
        if self.busy:
            self.say("training is running: s pauses it first")
            return
        if session is None or session.state not in (PAUSED, "ready"):
            if session is not None and session.is_over:
                self.say(f"the run is over ({session.state}): c starts a new one")
                return
            self._one_epoch_on_start = True
            self.action_continue()
            return
        self.follow_latest()
        self.start_worker(lambda post: session.run(post, max_epochs=1))

    # -- η while training ---------------------------------------------------------------------

    def change_eta_live(self, text: str) -> None:
        session = self.session
        try:
            eta = float(text)
            session.change_eta(eta)
        except ValueError:
            self.say(f"eta: expected a positive number, got {text!r}", "error")
            return
        except NnsimError as error:
            self.say(str(error), "error")
            return
        self.say(f"η = {eta:g} from the next mini-batch (the change is recorded; a replay repeats it)")

    def eta_changed(self, change: EtaChanged) -> None:
        self.write_log(f"η → {change.eta:g} from mini-batch {change.index + 1:,} of epoch {change.epoch}")
        self.query_one("#set-eta", Input).value = f"{change.eta:g}"
        self.show_chart()
        self.show_pace()

    # -- kept runs ----------------------------------------------------------------------------

    def keep_run(self, session: Optional[TrainingSession]) -> None:
        if session is not None:
            self.shelf.keep(session)

    def overlays(self) -> list[tuple[str, tuple]]:
        """The runs drawn beside this one: a comparing lesson's compared runs (always), then
        what ``o`` chose."""
        compared = self.compared_overlays()
        others = self.shelf.others(self.session)
        if self.overlay is None or not others:
            chosen = []
        elif self.overlay == -1:
            chosen = [(r.label, r.epochs) for r in others]
        else:
            r = others[self.overlay % len(others)]
            chosen = [(r.label, r.epochs)]
        return compared + [c for c in chosen if c not in compared]

    def action_overlay(self) -> None:
        """Cycle the overlay: none → each kept run in turn → all of them → none."""
        others = self.shelf.others(self.session)
        if not others:
            self.overlay = None
            self.say("no other run kept yet: each finished or stopped run is kept to compare", "warning")
            return
        if self.overlay is None:
            self.overlay = 0
        elif self.overlay == -1:
            self.overlay = None
        elif self.overlay + 1 < len(others):
            self.overlay += 1
        else:
            self.overlay = -1 if len(others) > 1 else None
        compared = self.compared_overlays()  # shown whatever o chooses
        shown = [o for o in self.overlays() if o not in compared]
        self.say("overlay: none" if not shown else
                 f"overlay: {'all ' + str(len(shown)) + ' kept runs' if len(shown) > 1 else shown[0][0]} (o for more)")
        self.show_chart()

    # -- round trips --------------------------------------------------------------------------

    def park_run(self) -> None:
        """Keep this lesson's session for when the screen opens again in this app."""
        if self.session is not None:
            self.keep_run(self.session)
            self.shelf.park(self.scenario.name, self.session_scenario, self.session)

    def adopt_parked_run(self) -> bool:
        """Show the session this lesson had when it was left, if any."""
        parked = self.shelf.parked(self.scenario.name)
        if parked is None:
            return False
        scenario, session = parked
        self.new_session(scenario, session, then="keep")
        self.say(f"back to the run you left ({session.state}, {len(session.results)} epochs); "
                 f"c starts a new one, o overlays kept runs")
        return True
