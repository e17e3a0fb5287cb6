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
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Mapping, Optional, TextIO

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from nnsim.errors import NnsimError
from nnsim.serve.guard import Guard, cap_size
from nnsim.serve.hub import STUDENT, TEACHER, Hub
from nnsim.serve.links import Lessons, LinkError, Start, Tickets, parse_start
from nnsim.serve.pages import app_page, full_page, message_page
from nnsim.serve.sandbox import SANDBOX_ENV, landlock_abi
from nnsim.serve.service import SessionService, quit_session
from nnsim.serve.session import MEMORY_ENV

log = logging.getLogger("nnsim.serve")

# Close code for a websocket turned away: RFC 6455 "try again later".
TRY_AGAIN_LATER = 1013
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
# The most a websocket message from a browser may carry (keystrokes, a paste).
MAX_MESSAGE_BYTES = 64 * 1024
# Keyboard (and mouse) input a session gets: on average (far beyond typing and a mouse's reports)
# and at once (a paste; a longer one is cut there).
STDIN_BYTES_PER_SECOND = 2 * 1024
MAX_STDIN_BYTES = 8 * 1024
DEFAULT_MEMORY_MB = 1024
# The browser terminal's font (px): textual-serve's 16, 24 for a projector (presenter mode), and
# the bounds of a page's own ?fontsize=.
FONT_PX, PRESENTER_FONT_PX, MIN_FONT_PX, MAX_FONT_PX = 16, 24, 8, 48


def session_command(lesson: str | None = None, step: int | None = None, present: bool = False) -> str:
    """The shell command each browser connection runs: this Python, so it works in any environment.
    ``lesson`` is a lesson's name from the server's table (checked before this is called)."""
    argv = [sys.executable, "-m", "nnsim.serve.session"]
    if lesson is not None:
        argv += ["--lesson", lesson]
    if step is not None:
        argv += ["--step", str(int(step))]
    if present:
        argv.append("--present")
    # textual-serve starts commands through /bin/sh; ``exec`` makes the app the process
    # it tracks, so stopping a session stops the app rather than orphaning it.
    return ("exec " if os.name == "posix" else "") + shlex.join(argv)


class ClassroomServer(Server):
    """Serve ``command`` to browsers, at most ``max_sessions`` at once."""

    def __init__(self, command: str = "", *, host: str = "127.0.0.1", port: int = 8000, max_sessions: int = 30,
                 title: str = "nnsim", out: TextIO | None = None, lessons: Optional[Mapping[str, Path]] = None,
                 start: Start = Start(), allow_origins: Iterable[str] = (), memory_mb: int = DEFAULT_MEMORY_MB,
                 follow: bool = False, teacher_token: Optional[str] = None, data_dir: Optional[str] = None,
                 sandbox: bool = True) -> None:
        super().__init__(command or session_command(), host=host, port=port, title=title)
        if max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {max_sessions}")
        from nnsim.tui.host import lesson_table

        self.max_sessions = max_sessions
        self.out = out if out is not None else sys.stdout
        self.sockets: set[web.WebSocketResponse] = set()
        self.turned_away = 0
        self._stop: asyncio.Event | None = None
        self.lessons = Lessons(lessons if lessons is not None else lesson_table())
        self.start = start
        self.guard = Guard(allow_origins)
        self.memory_mb = memory_mb
        self.tickets = Tickets()
        self.refused = 0
        self.data_dir = data_dir
        self.hub = Hub() if follow else None
        self.teacher_token = teacher_token if follow else None
        # Where the kernel offers Landlock, every session is confined by it (nnsim.serve.sandbox).
        self.sandbox_abi, self.sandbox_why = landlock_abi() if sandbox else (0, "turned off")
        # Private to the teacher's account: the hub's socket and every session's scratch folder.
        self.root = Path(tempfile.mkdtemp(prefix="nnsim-serve-"))
        os.chmod(self.root, 0o700)

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
        if self.hub is not None:
            await self.hub.start(str(self.root / "hub.sock"))
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
            if self.hub is not None:
                await self.hub.stop()
            shutil.rmtree(self.root, ignore_errors=True)

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
        base = self.base_url
        example = "xor" if "xor" in self.lessons.table else next(iter(self.lessons.table), "LESSON")
        self._say(f"  a link to a lesson and step, in presenter mode: {base}/?lesson={example}&step=2&present=1")
        if self.teacher_token is not None:
            self._say(f"  follow the teacher: open {base}/?teacher={self.teacher_token} yourself (keep it private); "
                      f"students' tabs follow it")
        if self.sandbox_abi:
            self._say(f"  sessions sandboxed (Linux Landlock ABI {self.sandbox_abi}): each writes only in its own "
                      f"scratch folder; the data cache is read-only to it, and your other folders closed")
        else:
            self._say(f"  data cache protected by policy only: {self.sandbox_why}")
        word = "tab" if self.max_sessions == 1 else "tabs"
        self._say(f"  at most {self.max_sessions} browser {word} at once; press Ctrl+C to stop")

    @property
    def base_url(self) -> str:
        return _url(socket.gethostname() if self.host in WILDCARD_HOSTS else self.host, self.port)

    # -- the web application -------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_get("/full", self.handle_full, name="full")
        app.router.add_get("/out-of-memory", self.handle_out_of_memory, name="out-of-memory")
        app.router.add_get("/ws/{ticket}", self.handle_websocket, name="websocket-ticket")
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

    def _page(self, request: web.Request, title: str, text: str, status: int) -> web.Response:
        return web.Response(text=message_page(title=title, text=text, static_url=self._static_url(request)),
                            status=status, content_type="text/html")

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        static = self._static_url(request)
        if not self.guard.known_host(request.host):
            return self._page(request, "nnsim: not this server's address",
                              "This page was asked for under a name that is not this server's. "
                              "Open the address nnsim serve printed.", 403)
        try:
            start = parse_start(request.query, self.lessons, self.start, self.teacher_token)
        except LinkError as error:
            return self._page(request, "nnsim: this link cannot be opened",
                              f"This link cannot be opened: {error}.", 400)
        if self.full:
            self._turned_away("page")
            return web.Response(text=full_page(max_sessions=self.max_sessions, static_url=static),
                                status=503, content_type="text/html", headers={"Retry-After": "30"})
        scheme = "wss" if request.secure else "ws"
        path = request.app.router["websocket-ticket"].url_for(ticket=self.tickets.issue(start))
        websocket_url = f"{scheme}://{request.host}{path}"
        html = app_page(title=self.title, static_url=static, websocket_url=websocket_url,
                        font_size=font_size(request.query.get("fontsize"), start.present),
                        fit_font=start.present and not request.query.get("fontsize"), normal_font=FONT_PX)
        return web.Response(text=html, content_type="text/html")

    async def handle_download(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """textual-serve's download route, for this server's own pages only (a page elsewhere, or a
        rebinding name, gets nothing even with a key)."""
        headers = request.headers
        if not self.guard.same_site_fetch(headers.get("Origin"), headers.get("Sec-Fetch-Site"), request.host,
                                          request.secure):
            self.refused += 1
            self._say(f"refused a download asked for by {_printable(headers.get('Origin') or headers.get('Referer'))} "
                      f"(not this server's pages)")
            return web.Response(status=403, text="nnsim: download refused: not from this server's page")
        return await super().handle_download(request)

    async def handle_out_of_memory(self, request: web.Request) -> web.Response:
        return self._page(request, "nnsim: this session ran out of memory",
                          f"This tab's nnsim session used all the memory one session may have "
                          f"({self.memory_mb} MB), so it was ended; the others go on. Start again "
                          f"(a smaller network or mini-batch fits), or ask your teacher to raise "
                          f"nnsim serve --memory-limit (if this happens as soon as a tab opens, "
                          f"the limit is too low for the app to start on this computer).", 200)

    async def handle_full(self, request: web.Request) -> web.Response:
        return web.Response(text=full_page(max_sessions=self.max_sessions, static_url=self._static_url(request)),
                            content_type="text/html")

    def _turned_away(self, what: str) -> None:
        self.turned_away += 1
        self._say(f"turned a {what} away: all {self.max_sessions} session(s) in use")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE_BYTES)
        # Refused before anything starts: a page elsewhere must not drive this server.
        if not self.guard.same_origin(request.headers.get("Origin"), request.host, request.secure):
            self.refused += 1
            self._say(f"refused a websocket from origin {_printable(request.headers.get('Origin'))} "
                      f"(not this server's pages; --allow-origin adds one)")
            return web.Response(status=403, text="nnsim: websocket refused: not this server's page")
        ticket = request.match_info.get("ticket")
        start = self.start if ticket is None else self.tickets.take(ticket)
        if start is None:
            return web.Response(status=404, text="nnsim: this page is too old; reload it")
        if self.full:
            self._turned_away("browser tab")
            await websocket.prepare(request)
            # textual.js opens this URL in the tab, so the student reads why instead of "Session ended".
            await websocket.send_str(json.dumps(["open_url", {"url": "/full", "new_tab": False}]))
            await websocket.close(code=TRY_AGAIN_LATER, message=b"classroom full")
            return websocket

        self.sockets.add(websocket)  # counted before the first await: the cap holds under a rush
        app_service: SessionService | None = None
        scratch = Path(tempfile.mkdtemp(prefix="session-", dir=self.root))
        key = None
        watcher = None
        try:
            environment = self.session_environment(scratch)
            if self.hub is not None:
                key = self.hub.register(TEACHER if start.teacher else STUDENT)
                environment.update(NNSIM_FOLLOW=str(self.root / "hub.sock"), NNSIM_FOLLOW_KEY=key,
                                   NNSIM_FOLLOW_ROLE=TEACHER if start.teacher else STUDENT)
            await websocket.prepare(request)
            app_service = SessionService(
                session_command(start.lesson, start.step, start.present), environment=environment, say=self._say,
                write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager, debug=self.debug,
            )
            await app_service.start(*cap_size(request.query.get("width"), request.query.get("height")))
            self._say(f"session opened ({len(self.sockets)} of {self.max_sessions} in use)"
                      + (" by the teacher" if start.teacher else ""))
            watcher = asyncio.create_task(self._watch(app_service, websocket))
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("session failed")
        finally:
            self.sockets.discard(websocket)
            if watcher is not None:
                watcher.cancel()
            if app_service is not None:
                await quit_session(app_service)
            shutil.rmtree(scratch, ignore_errors=True)  # the session's scratch space goes with it
            if key is not None and self.hub is not None:
                self.hub.forget(key)
            if app_service is not None:
                self._say(f"session closed ({len(self.sockets)} of {self.max_sessions} in use)")
            if not websocket.closed:
                await websocket.close()
        return websocket

    def session_environment(self, scratch: Path) -> dict[str, str]:
        from nnsim.tui.host import SCRATCH_ENV, SERVED_ENV, TABLE_ENV

        environment = {SERVED_ENV: "1", SCRATCH_ENV: str(scratch), MEMORY_ENV: str(self.memory_mb),
                       "HOME": str(scratch), "TMPDIR": str(scratch),
                       # The teacher's own settings folders are not the session's.
                       **{name: str(scratch / folder) for name, folder in (
                           ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                           ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache"))},
                       TABLE_ENV: json.dumps({name: str(path) for name, path in self.lessons.table.items()}),
                       # A lesson's matrices are small: a second BLAS thread per session gains little and
                       # spins a core that the class shares (measured: 2× slower per epoch under load).
                       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        if self.sandbox_abi:
            environment[SANDBOX_ENV] = "landlock"
        if self.data_dir is not None:  # the session's HOME is its scratch folder; the cache stays the teacher's
            environment["NNSIM_DATA_DIR"] = self.data_dir
        return environment

    async def _watch(self, app_service: SessionService, websocket: web.WebSocketResponse) -> None:
        """An app process that ends without a word (killed, crashed) still ends its tab."""
        task = app_service._task
        if task is None:
            return
        try:
            await asyncio.shield(task)
            await app_service.tell_if_out_of_memory()
            if not websocket.closed:
                await websocket.close()
        except Exception:
            log.exception("watching a session failed")

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """textual.js's messages, with every size capped, typing paced and anything malformed ignored."""
        pace = Pace(STDIN_BYTES_PER_SECOND, MAX_STDIN_BYTES)
        async for message in websocket:
            if message.type != web.WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, KeyError, IndexError):
                continue
            if kind == "stdin" and isinstance(data, str):
                keys = data.encode("utf-8", "replace")
                if len(keys) > MAX_STDIN_BYTES:  # cut on a character's edge
                    keys = keys[:MAX_STDIN_BYTES].decode("utf-8", "ignore").encode("utf-8")
                await pace.wait(len(keys))  # a flood waits here; the browser's socket then waits too
                await app_service.send_bytes(keys)
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(*cap_size(data.get("width"), data.get("height")))
            elif kind == "ping" and isinstance(data, (str, int, float)):
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()


class Pace:
    """A token bucket: ``rate`` bytes a second on average, ``burst`` at once. The app turns every
    byte of keyboard input into an event it queues, so input sent faster than it can handle would
    only grow the session; what is beyond typing, a paste and a mouse's reports is held back."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.when = burst, time.monotonic()

    async def wait(self, size: int) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.when) * self.rate)
        self.when = now
        self.tokens -= size
        if self.tokens < 0:
            await asyncio.sleep(-self.tokens / self.rate)


def font_size(asked: Optional[str], present: bool) -> int:
    """The browser terminal's font size in px: ``?fontsize=`` (within bounds), else larger in
    presenter mode (the most: the page fits it to its window, see :func:`~nnsim.serve.pages.app_page`),
    so a projected tab shows fewer, bigger cells and the app fills the screen."""
    default = PRESENTER_FONT_PX if present else FONT_PX
    return min(max(to_int(asked, default), MIN_FONT_PX), MAX_FONT_PX) if asked else default


def _printable(text: Optional[str]) -> str:
    """A client's header for the teacher's console: printable, and short."""
    if text is None:
        return "(none)"
    return repr("".join(c if c.isprintable() else "?" for c in text[:80]))


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
