"""Follow the teacher, the app's side (the hub is :mod:`nnsim.serve.hub`).

A session of ``nnsim serve --follow`` gets the hub's socket, its role and its
key in the environment. The teacher's app tells the hub where it is (lesson
and step) whenever that changes; a student's app moves there while it is
following. ``j`` leaves to explore and rejoins. A line at the top of every
screen says which: "following the teacher", "on your own — j to rejoin", or,
for the teacher, how many follow and how many are on their own.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Optional

from textual.screen import ModalScreen
from textual.widgets import Static

FOLLOW_ENV = "NNSIM_FOLLOW"
ROLE_ENV = "NNSIM_FOLLOW_ROLE"
KEY_ENV = "NNSIM_FOLLOW_KEY"
TICK = 0.2  # seconds between looks at where the teacher (or this student) is

FOLLOWING = "following the teacher"
ON_OWN = "on your own — j to rejoin"


def follower_from_environment(app) -> Optional["Follow"]:
    path, role, key = (os.environ.get(name) for name in (FOLLOW_ENV, ROLE_ENV, KEY_ENV))
    if not (path and role in ("teacher", "student") and key):
        return None
    return Follow(app, path, role, key)


def position(app) -> tuple[Optional[str], Optional[int]]:
    """(lesson name, step counted from 1) of the lesson open in ``app``; (None, None) at home."""
    for screen in reversed(app.screen_stack):
        stepper = getattr(screen, "stepper", None)
        scenario = getattr(screen, "scenario", None)
        if stepper is not None and scenario is not None:
            return scenario.name, stepper.position + 1
    return None, None


class Follow:
    def __init__(self, app, path: str, role: str, key: str) -> None:
        self.app, self.path, self.role, self.key = app, path, role, key
        self.following = True
        self.target: Optional[tuple[Optional[str], Optional[int]]] = None
        self.counts = (0, 0)
        self.sent: Optional[tuple] = None
        self.writer: Optional[asyncio.StreamWriter] = None
        self.connected = False

    @property
    def teacher(self) -> bool:
        return self.role == "teacher"

    @property
    def status(self) -> str:
        if self.teacher:
            following, own = self.counts
            return f"teacher: {following} following, {own} on their own"
        return FOLLOWING if self.following else ON_OWN

    def start(self) -> None:
        self.app.run_worker(self.run(), name="follow", group="follow", exit_on_error=False)
        self.app.set_interval(TICK, self.tick)

    async def run(self) -> None:
        reader, self.writer = await asyncio.open_unix_connection(self.path)
        self.send({"hello": self.key})
        self.connected = True
        while line := await reader.readline():
            message = json.loads(line)
            if "goto" in message:
                lesson, step = message["goto"]
                self.target = (lesson, step)
                self.tick()
            elif "class" in message:
                self.counts = tuple(message["class"])
                self.show()
        self.connected = False

    def send(self, message: dict) -> None:
        if self.writer is not None:
            self.writer.write((json.dumps(message) + "\n").encode())

    def toggle(self) -> None:
        if self.teacher:
            return
        self.following = not self.following
        self.send({"following": self.following})
        self.tick()

    def tick(self) -> None:
        if self.teacher:
            here = position(self.app)
            if here != self.sent and self.connected:
                self.sent = here
                self.send({"at": list(here)})
        elif self.following and self.target is not None:
            self.go(*self.target)
        self.show()

    def go(self, lesson: Optional[str], step: Optional[int]) -> None:
        """Move this app to the teacher's lesson and step (home if the teacher is there)."""
        from nnsim.errors import NnsimError
        from nnsim.tui.screens.home.screen import HomeScreen

        here = position(self.app)
        if here == (lesson, step):
            return
        top = next((s for s in reversed(self.app.screen_stack) if getattr(s, "stepper", None) is not None), None)
        if top is not None and lesson is not None and top.scenario.name == lesson and step is not None:
            while self.app.screen is not top:  # a dialog on top goes: the teacher moved on
                self.app.pop_screen()
            top.stepper.goto(min(max(step - 1, 0), len(top.stepper.steps) - 1))
            top.refresh_step()
            return
        while len(self.app.screen_stack) > 1 and not isinstance(self.app.screen, HomeScreen):
            self.app.pop_screen()
        if lesson is None:
            return
        try:
            scenario = self.app.host.open_lesson(lesson)
        except NnsimError:
            return  # a lesson this student cannot open stays the teacher's
        self.app.open_lesson(scenario, start=max((step or 1) - 1, 0))

    def show(self) -> None:
        screen = self.app.screen
        if isinstance(screen, ModalScreen):
            return
        bars = screen.query("#follow-bar")
        if bars:
            bar = bars.first(Static)
        else:
            bar = Static("", id="follow-bar", markup=False)
            bar.styles.dock = "top"
            bar.styles.height = 1
            bar.styles.padding = (0, 1)
            bar.styles.text_style = "bold"
            screen.mount(bar)
        text = self.status if self.connected else "follow the teacher: not connected"
        if str(bar.content) != text:
            bar.update(text)
