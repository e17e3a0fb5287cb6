"""Deep links and what a session starts on.

``http://HOST:PORT/?lesson=xor&step=5&present=1`` opens that tab on the lesson
``xor`` at step 5, in presenter mode. The page's query is checked when the page
is asked for (a bad value gets a page saying what is wrong, and no app starts);
a good one is kept on the server under a random *ticket*, and the page's
websocket URL carries only the ticket (textual.js adds its own query to that
URL). So what a session starts on is always something the server checked, and
nothing a client sends reaches the session's command line unchecked.

The teacher link of ``--follow`` is ``/?teacher=TOKEN``; its sessions lead.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from nnsim.errors import NnsimError

TRUE = ("1", "true", "yes", "on", "")
FALSE = ("0", "false", "no", "off")
# Tickets live long enough for a slow page to open its websocket; a flood of page loads
# keeps at most MAX_TICKETS of them.
TICKET_SECONDS = 600.0
MAX_TICKETS = 2000
KNOWN_PARAMETERS = {"lesson", "step", "present", "teacher", "fontsize", "delay"}


class LinkError(ValueError):
    """A deep link's value that cannot be served (the message is for the page)."""


@dataclass(frozen=True)
class Start:
    """What one session opens on."""

    lesson: Optional[str] = None
    step: Optional[int] = None
    present: bool = False
    teacher: bool = False


class Lessons:
    """The lessons a served session may open, by name, and how many steps each has."""

    def __init__(self, table: Mapping[str, Path]) -> None:
        self.table = dict(table)
        self._steps: dict[str, Optional[int]] = {}

    def step_count(self, name: str) -> Optional[int]:
        """How many steps the lesson has (None for a kind whose screen is still to come)."""
        if name not in self._steps:
            from nnsim.lessons import load_scenario
            from nnsim.tui.screens import screen_class

            scenario = load_scenario(self.table[name])
            cls = screen_class(scenario.kind)
            self._steps[name] = len(cls.lesson_steps(scenario)) if cls is not None else None
        return self._steps[name]

    def check(self, name: str, step: Optional[int]) -> None:
        """LinkError if the lesson is not served or the step is not in it."""
        if name not in self.table:
            raise LinkError(f"there is no lesson called {name!r} here")
        if step is not None:
            try:
                count = self.step_count(name)
            except NnsimError:
                raise LinkError(f"the lesson {name!r} cannot be opened on this server") from None
            if count is not None and not 1 <= step <= count:
                raise LinkError(f"the lesson {name!r} has steps 1 to {count}, not {step}")


def parse_start(query: Mapping[str, str], lessons: Lessons, default: Start,
                teacher_token: Optional[str] = None) -> Start:
    """The session a page's query asks for (LinkError with what is wrong)."""
    unknown = sorted(set(query) - KNOWN_PARAMETERS)
    if unknown:
        raise LinkError(f"unknown link parameter {unknown[0][:40]!r} (a link may say lesson, step and present)")
    lesson, step, present = default.lesson, default.step, default.present
    if "lesson" in query:
        lesson = query["lesson"].strip()
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", lesson):
            raise LinkError("a lesson is named by letters, digits, - and _ (such as lesson=xor)")
        step = None
    if "step" in query:
        text = query["step"].strip()
        if not re.fullmatch(r"[0-9]{1,6}", text):
            raise LinkError("step is a whole number counted from 1 (such as step=5)")
        step = int(text)
        if lesson is None:
            raise LinkError("a step needs a lesson (such as ?lesson=xor&step=5)")
    if "present" in query:
        value = query["present"].strip().lower()
        if value not in TRUE + FALSE:
            raise LinkError("present is 1 (presenter mode) or 0")
        present = value in TRUE
    teacher = False
    if "teacher" in query:
        if teacher_token is None or not hmac.compare_digest(query["teacher"].encode(), teacher_token.encode()):
            raise LinkError("this teacher link is not this server's (it changes every time nnsim serve starts)")
        teacher = True
    if lesson is not None:
        lessons.check(lesson, step)
    return Start(lesson, step, present, teacher)


class Tickets:
    """Checked starts, each under a random ticket the page's websocket URL carries."""

    def __init__(self) -> None:
        self._tickets: dict[str, tuple[float, Start]] = {}

    def issue(self, start: Start) -> str:
        now = time.monotonic()
        for key in [k for k, (t, _) in self._tickets.items() if now - t > TICKET_SECONDS]:
            del self._tickets[key]
        while len(self._tickets) >= MAX_TICKETS:
            del self._tickets[next(iter(self._tickets))]
        ticket = secrets.token_urlsafe(18)
        self._tickets[ticket] = (now, start)
        return ticket

    def take(self, ticket: str) -> Optional[Start]:
        """The start a ticket was issued for, once: a ticket opens one session. (A page that is
        loaded again gets a new one; a teacher page's ticket copied out of its HTML opens nothing.)"""
        entry = self._tickets.pop(ticket, None)
        if entry is None or time.monotonic() - entry[0] > TICKET_SECONDS:
            return None
        return entry[1]
