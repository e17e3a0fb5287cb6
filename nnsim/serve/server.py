"""The classroom web server: textual-serve's ``Server`` with a session cap.

Every websocket a browser opens starts one app process (textual-serve's
``AppService``), so live websockets are the sessions to count. The count is
taken and raised with no ``await`` in between, so two tabs arriving together
can never both take the last place. A tab turned away is told so in words:

- the page itself, when the cap is already reached as it loads, is the
  "classroom full" page (HTTP 503) instead of the app;
- a websocket that arrives after the cap was reached (the page loaded while a
  place was free) gets textual.js's ``open_url`` message pointing its tab at
  ``/full``, then a close with code 1013 ("try again later").

Page URLs are built from the address each browser used (its ``Host`` header),
not from ``--host``: with ``--host 0.0.0.0`` textual-serve would otherwise send
students a websocket URL of ``ws://0.0.0.0:…``, which their browsers cannot reach.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shlex
import signal
import socket
import sys
from typing import TextIO

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from nnsim.errors import NnsimError
from nnsim.serve.pages import app_page, full_page

log = logging.getLogger("nnsim.serve")

# Close code for a websocket turned away: RFC 6455 "try again later".
TRY_AGAIN_LATER = 1013
# How long a session's app gets to quit before its process is killed.
QUIT_SECONDS = 5.0
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def session_command(lesson: str | None = None, step: int | None = None, present: bool = False) -> str:
    """The shell command each browser connection runs: this Python, so it works in any environment."""
    argv = [sys.executable, "-m", "nnsim.serve.session"]
    if lesson is not None:
        argv += ["--lesson", lesson]
    if step is not None:
        argv += ["--step", str(step)]
    if present:
        argv.append("--present")
    # textual-serve starts commands through /bin/sh; ``exec`` makes the app the process
    # it tracks, so stopping a session stops the app rather than orphaning it.
    return ("exec " if os.name == "posix" else "") + shlex.join(argv)


class ClassroomServer(Server):
    """Serve ``command`` to browsers, at most ``max_sessions`` at once."""

    def __init__(self, command: str, *, host: str = "127.0.0.1", port: int = 8000, max_sessions: int = 30,
                 title: str = "nnsim", out: TextIO | None = None) -> None:
        super().__init__(command, host=host, port=port, title=title)
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {max_sessions}")
        self.max_sessions = max_sessions
        self.out = out if out is not None else sys.stdout
        self.sockets: set[web.WebSocketResponse] = set()
        self.turned_away = 0
        self._stop: asyncio.Event | None = None

    @property
    def full(self) -> bool:
        return len(self.sockets) >= self.max_sessions

    # -- running -------------------------------------------------------------------------

    def run(self) -> int:
        """Serve until Ctrl+C or SIGTERM; a port that cannot be had is an NnsimError."""
        self.initialize_logging()
        # One line per HTTP request would bury the session lines a teacher wants to see.
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
        asyncio.run(self._serve())
        return 0

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, self._stop.set)
            except (NotImplementedError, RuntimeError):  # not on this platform / not the main thread
                pass
        runner = web.AppRunner(await self._make_app(), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as error:
                reason = os.strerror(error.errno).lower() if error.errno else str(error)
                raise NnsimError(f"cannot listen on {self.host} port {self.port}: {reason} "
                                 f"(choose another with --port, or --port 0 for any free one)") from None
            self.port = _bound_port(runner, self.port)
            self._say_hello()
            await self._stop.wait()
            self._say(f"stopping: closing {len(self.sockets)} session(s)")
        finally:
            await runner.cleanup()

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def _say_hello(self) -> None:
        if self.host in WILDCARD_HOSTS:
            url = _url(socket.gethostname(), self.port)
            self._say(f"nnsim serve: open {url} in a web browser "
                      f"(or http://<this computer's IP address>:{self.port})")
            self._say("  listening on every network address of this computer")
        else:
            self._say(f"nnsim serve: open {_url(self.host, self.port)} in a web browser")
            if self.host.startswith("127.") or self.host in ("localhost", "::1"):
                self._say("  this computer only; use --host 0.0.0.0 to let other devices on the network in")
        if self.title != "nnsim":
            self._say(f"  every session starts on: {self.title.removeprefix('nnsim: ')}")
        word = "tab" if self.max_sessions == 1 else "tabs"
        self._say(f"  at most {self.max_sessions} browser {word} at once; press Ctrl+C to stop")

    # -- the web application -------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_get("/full", self.handle_full, name="full")
        return app

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner here; nnsim prints its URL once the port is bound."""

    async def on_shutdown(self, app: web.Application) -> None:
        # Closing each websocket ends its handler, which quits that session's app.
        await asyncio.gather(*(ws.close(code=1001, message=b"server stopping") for ws in list(self.sockets)),
                             return_exceptions=True)

    @staticmethod
    def _static_url(request: web.Request) -> str:
        return str(request.app.router["static"].url_for(filename="/")).rstrip("/") + "/"

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        static = self._static_url(request)
        if self.full:
            self._turned_away("page")
            return web.Response(text=full_page(max_sessions=self.max_sessions, static_url=static),
                                status=503, content_type="text/html", headers={"Retry-After": "30"})
        scheme = "wss" if request.secure else "ws"
        websocket_url = f"{scheme}://{request.host}{request.app.router['websocket'].url_for()}"
        html = app_page(title=self.title, static_url=static, websocket_url=websocket_url,
                        font_size=to_int(request.query.get("fontsize", "16"), 16))
        return web.Response(text=html, content_type="text/html")

    async def handle_full(self, request: web.Request) -> web.Response:
        return web.Response(text=full_page(max_sessions=self.max_sessions, static_url=self._static_url(request)),
                            content_type="text/html")

    def _turned_away(self, what: str) -> None:
        self.turned_away += 1
        self._say(f"turned a {what} away: all {self.max_sessions} session(s) in use")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        if self.full:
            self._turned_away("browser tab")
            await websocket.prepare(request)
            # textual.js opens this URL in the tab, so the student reads why instead of "Session ended".
            await websocket.send_str(json.dumps(["open_url", {"url": "/full", "new_tab": False}]))
            await websocket.close(code=TRY_AGAIN_LATER, message=b"classroom full")
            return websocket

        self.sockets.add(websocket)  # counted before the first await: the cap holds under a rush
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = AppService(
                self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager, debug=self.debug,
            )
            await app_service.start(to_int(request.query.get("width", "80"), 80),
                                    to_int(request.query.get("height", "24"), 24))
            self._say(f"session opened ({len(self.sockets)} of {self.max_sessions} in use)")
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("session failed")
        finally:
            self.sockets.discard(websocket)
            if app_service is not None:
                await _quit(app_service)
                self._say(f"session closed ({len(self.sockets)} of {self.max_sessions} in use)")
            if not websocket.closed:
                await websocket.close()
        return websocket


async def _quit(app_service: AppService) -> None:
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


def _bound_port(runner: web.AppRunner, asked: int) -> int:
    """The port actually bound (``--port 0`` asks the system for a free one)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return asked


def _url(host: str, port: int) -> str:
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{port}"
