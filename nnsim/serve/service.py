"""One browser tab's app process, as the classroom server runs it.

textual-serve's ``AppService`` starts the app command for a websocket and
relays its output; :class:`SessionService` adds what a classroom needs: the
session's own environment (scratch folder, limits, sandbox), the end of the
process's stderr kept for why it ended, and a tab told in words, with a page of
its own, when its session ran out of memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Mapping

from textual_serve.app_service import AppService

from nnsim.serve.limits import ended_out_of_memory

log = logging.getLogger("nnsim.serve")

# How long a session's app gets to quit before its process is killed.
QUIT_SECONDS = 5.0


class SessionService(AppService):
    """textual-serve's AppService with the session's own environment, and a tab told why
    its session ended when it ran out of memory."""

    def __init__(self, command: str, *, environment: Mapping[str, str], say=None, **kwargs) -> None:
        super().__init__(command, **kwargs)
        self.extra_environment = dict(environment)
        self.say = say
        self.told = False
        self._closing: asyncio.Task | None = None
        self._telling: asyncio.Future | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24):
        process = await super()._open_app_process(width, height)
        # textual-serve reads the app's stderr into a buffer of its own; the last of it is kept
        # here too, for what a process that a library ended (not Python) said as it went.
        process.stderr = _Tail(process.stderr)
        return process

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.update(self.extra_environment)
        return environment

    async def tell_if_out_of_memory(self) -> None:
        """If the process ended out of memory, send the tab to the page that says so (once: the
        app's "exit" and the end of its process both ask)."""
        if self._telling is None:
            self._telling = asyncio.ensure_future(self._tell_if_out_of_memory())
        await asyncio.shield(self._telling)

    async def _tell_if_out_of_memory(self) -> None:
        process = self._process
        if process is None:
            return
        try:
            code = await asyncio.wait_for(process.wait(), 3.0)
        except asyncio.TimeoutError:
            self._telling = None  # still running: a later ask looks again
            return
        await asyncio.sleep(0)  # the last of its stderr, read by textual-serve's own task
        tail = process.stderr.tail if isinstance(process.stderr, _Tail) else b""
        if ended_out_of_memory(code, tail):
            self.told = True
            if self.say is not None:
                self.say("a session ran out of its memory (--memory-limit); its tab was told so")
            try:
                await self.remote_write_str(json.dumps(["open_url", {"url": "/out-of-memory", "new_tab": False}]))
            except (ConnectionError, RuntimeError):
                pass  # the tab is already gone

    async def on_meta(self, data: bytes) -> None:
        try:
            kind = json.loads(data).get("type")
        except (ValueError, AttributeError):
            return
        if kind == "exit":
            # The app is ending. Waiting for its process here would stop the reading of its output,
            # which it may be blocked writing, so the tab is told and closed from a task of its own.
            self._closing = asyncio.create_task(self._close_after_exit())
            return
        await super().on_meta(data)

    async def _close_after_exit(self) -> None:
        await self.tell_if_out_of_memory()  # if memory ended it, the tab hears so before it closes
        await self.remote_close()


class _Tail:
    """A process's stderr stream that keeps the last few KB read from it."""

    KEEP = 4096

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tail = b""

    async def read(self, n: int = -1) -> bytes:
        data = await self.stream.read(n)
        self.tail = (self.tail + data)[-self.KEEP:]
        return data

    def __getattr__(self, name: str):
        return getattr(self.stream, name)



async def quit_session(app_service: AppService) -> None:
    """Ask the session's app to quit; kill its process if it does not within QUIT_SECONDS."""
    try:
        await asyncio.wait_for(app_service.stop(), QUIT_SECONDS)
    except (asyncio.TimeoutError, asyncio.CancelledError, ConnectionError):
        pass
    # AppService keeps its process private; a hung app must not outlive its tab.
    process = getattr(app_service, "_process", None)
    if process is not None and process.returncode is None:
        process.kill()
        try:
            await asyncio.wait_for(process.wait(), QUIT_SECONDS)
        except asyncio.TimeoutError:
            log.error("session process %s did not exit after SIGKILL", process.pid)
