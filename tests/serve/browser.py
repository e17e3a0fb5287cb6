"""Real processes for the serve tests: ``nnsim serve`` and headless Chromium driven over DevTools.

Both start in a session (process group) of their own, so that the ``finally``
of their context managers ends everything they started, children included
(Chromium's renderers, the app process of every browser tab), by group id.

Chromium is driven through the DevTools protocol on a websocket, with aiohttp's
client (aiohttp comes with textual-serve). textual-serve's page draws the
terminal on a canvas with xterm.js, so the page's text is read from the
terminal's own buffer: a script run before the page's own code catches the
xterm ``Terminal`` object when textual.js stores it (``this.terminal = …``)
and ``terminal_text()`` reads its visible rows.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import AsyncIterator, Iterator

import aiohttp
import pytest
import requests

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")

# Runs in the page before textual.js: the first object to set a ``terminal`` property
# holding something with ``loadAddon`` is textual.js's wrapper storing its xterm Terminal.
CATCH_TERMINAL = """
(() => {
  window.__terminals = [];
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
      if (value && typeof value.loadAddon === "function") window.__terminals.push(value);
    },
  });
})();
"""

READ_TERMINAL = """
(() => {
  const t = window.__terminals && window.__terminals[0];
  if (!t) return null;
  const buffer = t.buffer.active, lines = [];
  for (let row = 0; row < t.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate)
        if path:
            return path
    return None


CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it), "
           "so the app cannot be loaded in a real browser here",
)
"""The browser tests' one skip: the reason says how to get Chromium."""

PAGE_TEXT = "document.body ? document.body.innerText : ''"
"""The page's visible text (the app draws in a canvas, so this is the HTML pages' text)."""


def _end_group(process: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the process group this test started, then SIGKILL whatever is left of it."""
    try:
        pgid = os.getpgid(process.pid)
    except ProcessLookupError:
        pgid = None
    if pgid is not None and pgid == process.pid:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
    else:
        process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    # Children (app sessions, renderers) may outlive the leader: the group goes in any case.
    if pgid is not None and pgid == process.pid:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)


class ServeProcess:
    """A running ``nnsim serve``: its URL and everything it has printed so far."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = 20.0) -> re.Match:
        """The first printed line matching ``pattern``; fails with all output after ``timeout``."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self._changed:
            while True:
                for line in self.lines:
                    if match := regex.search(line):
                        return match
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"nnsim serve printed no line matching {pattern!r}; "
                                         f"exit {self.process.poll()}, output:\n" + "\n".join(self.lines))
                self._changed.wait(min(left, 0.2))

    def count(self, pattern: str) -> int:
        regex = re.compile(pattern)
        with self._changed:
            return sum(1 for line in self.lines if regex.search(line))


@contextlib.contextmanager
def nnsim_serve(*args: str, cwd: Path | None = None, env: dict | None = None) -> Iterator[tuple[str, ServeProcess]]:
    """Start ``nnsim serve --port 0 ARGS`` on loopback; yield (URL it printed, process).
    ``env`` adds to (or, with None values, takes from) the server's environment."""
    env = {k: v for k, v in dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="120", **(env or {})).items()
           if v is not None}
    process = subprocess.Popen(
        [sys.executable, "-m", "nnsim", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
        cwd=cwd, env=env, start_new_session=True,
    )
    served = ServeProcess(process)
    try:
        url = served.wait_for_line(r"open (http://127\.0\.0\.1:\d+)").group(1)
        yield url, served
    finally:
        _end_group(process)


class DevTools:
    """Just enough of the Chrome DevTools protocol: numbered calls on one page's websocket."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self._next_id = 0

    async def call(self, method: str, timeout: float = 20.0, **params) -> dict:
        self._next_id += 1
        call_id = self._next_id
        await self.websocket.send_json({"id": call_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"DevTools {method} did not answer in {timeout} s")
            message = await self.websocket.receive_json(timeout=left)
            if message.get("id") == call_id:  # anything else is an event nobody asked for
                if "error" in message:
                    raise AssertionError(f"DevTools {method} failed: {message['error']}")
                return message.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, predicate, timeout: float = 30.0, what: str = "the page"):
        """Evaluate ``expression`` until ``predicate(value)`` holds; fail with the last value."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if predicate(value):
                return value
            await asyncio.sleep(0.25)
        raise AssertionError(f"{what} did not show what was expected within {timeout} s; last read:\n{value}")

    async def press(self, key: str) -> None:
        """Type one printable key into the page's terminal, as a keyboard would."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        for kind in ("keyDown", "keyUp"):
            params = {"type": kind, "key": key, "code": f"Key{key.upper()}",
                      "windowsVirtualKeyCode": ord(key.upper())}
            if kind == "keyDown":
                params["text"] = key
            await self.call("Input.dispatchKeyEvent", **params)

    async def type_text(self, text: str) -> None:
        """Type ``text`` into the page's terminal (as an input method would: any characters)."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        # A few characters at a time, as fingers do: a long run at once reaches the app as one
        # chunk, which Textual's input parser drops.
        for start in range(0, len(text), 8):
            await self.call("Input.insertText", text=text[start:start + 8])

    async def press_key(self, key: str, code: str, key_code: int, text: str | None = None) -> None:
        """Press a named key (Enter, Backspace …) in the page's terminal."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        for kind in ("keyDown", "keyUp"):
            params = {"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code}
            if kind == "keyDown" and text is not None:
                params["text"] = text
            await self.call("Input.dispatchKeyEvent", **params)

    async def press_enter(self) -> None:
        await self.press_key("Enter", "Enter", 13, "\r")

    async def allow_downloads(self, folder: Path) -> None:
        """Files this page downloads land in ``folder`` (as in a student's Downloads)."""
        await self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder),
                        eventsEnabled=False)

    async def screenshot(self, path: Path) -> Path:
        result = await self.call("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(result["data"]))
        return path


class Chromium:
    """One headless Chromium with a fresh profile and DevTools on a free loopback port."""

    def __init__(self, executable: str, width: int = 1280, height: int = 800) -> None:
        self.executable = executable
        self.width, self.height = width, height
        self.profile = Path(tempfile.mkdtemp(prefix="nnsim-chromium-"))
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen(
            [self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-extensions",
             "--disable-dev-shm-usage", f"--user-data-dir={self.profile}",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        # With port 0 Chromium picks a free port and writes it to the profile.
        active = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"chromium exited at start with status {self.process.returncode}")
            with contextlib.suppress(OSError, ValueError, IndexError):
                self.port = int(active.read_text().split()[0])
                return
            time.sleep(0.1)
        raise AssertionError(f"chromium wrote no DevTools port within {timeout} s")

    def stop(self) -> None:
        if self.process is not None:
            _end_group(self.process)
        shutil.rmtree(self.profile, ignore_errors=True)

    @contextlib.asynccontextmanager
    async def new_page(self) -> AsyncIterator[DevTools]:
        """A fresh tab that catches the xterm terminal of whatever page it then loads."""
        assert self.port is not None
        base = f"http://127.0.0.1:{self.port}"
        target = requests.put(f"{base}/json/new?about:blank", timeout=10).json()
        try:
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as websocket:
                    page = DevTools(websocket)
                    await page.call("Page.enable")
                    await page.call("Runtime.enable")
                    await page.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
                    yield page
        finally:
            with contextlib.suppress(requests.RequestException):
                requests.get(f"{base}/json/close/{target['id']}", timeout=5)


@contextlib.contextmanager
def chromium(executable: str) -> Iterator[Chromium]:
    browser = Chromium(executable)
    try:
        browser.start()
        yield browser
    finally:
        browser.stop()
