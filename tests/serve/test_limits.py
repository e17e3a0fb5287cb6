"""A served session's caps: its memory limit (on every thread, and too low to start) and
its terminal size on every resize, with a real ``nnsim serve`` and a real browser."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
import requests
from textual.app import App

from nnsim.cli.serve import MIN_MEMORY_MB as CLI_MIN
from nnsim.serve.limits import MIN_MEMORY_MB, watch_workers
from nnsim.tui.host import OUT_OF_MEMORY
from tests.serve.browser import CHROMIUM, PAGE_TEXT, READ_TERMINAL, chromium, needs_chromium, nnsim_serve
from tests.serve.test_browser import session_processes

# A wide layer on whole-sample mini-batches: about 340 MB of address space to train even headless
# (measured with prlimit), so more than a session under --memory-limit 400 has once the app is up.
TOO_BIG = """\
title = "Too big for one session"
description = "A 4096-wide layer on mini-batches of the whole sample."
kind = "train"
section = "implementing"
order = 91

[network]
sizes = [784, 300, 4096, 100, 10]
seed = 0

[train]
dataset = "sample"
epochs = 1
mini_batch_size = 1500
eta = 3.0
"""


def test_nnsim_serve_refuses_a_memory_limit_a_session_cannot_start_under():
    assert CLI_MIN == MIN_MEMORY_MB
    result = subprocess.run([sys.executable, "-m", "nnsim", "serve", "--port", "0", "--memory-limit", "150"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("nnsim: error: argument --memory-limit: expected a memory limit in MB "
                                    f"from {MIN_MEMORY_MB} to")
    assert "Traceback" not in result.stderr


def test_a_session_whose_limit_leaves_no_room_to_start_says_so_and_exits_as_out_of_memory(tmp_path):
    """The child's own check (another computer's libraries may need more than this one's)."""
    env = dict(os.environ, NNSIM_SERVED="1", NNSIM_SCRATCH=str(tmp_path), NNSIM_SERVE_MEMORY_MB="120",
               TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver", COLUMNS="80", ROWS="24")
    result = subprocess.run([sys.executable, "-m", "nnsim.serve.session"], capture_output=True, timeout=60,
                            env=env, stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert result.returncode == OUT_OF_MEMORY
    assert re.fullmatch(rb"nnsim: error: this session's memory limit \(120 MB\) is below what the app needs to "
                        rb"start on this computer \(about \d+ MB\); raise nnsim serve --memory-limit\n", result.stderr)
    assert b"__GANGLION__" not in result.stdout  # it never started, rather than hanging half-started


class Worked(App):
    def __init__(self, work) -> None:
        super().__init__()
        self.work = work

    def on_mount(self) -> None:
        self.run_worker(self.work, thread=True, name="train", exit_on_error=False)


async def test_a_worker_thread_out_of_memory_ends_the_app_as_out_of_memory():
    def train():
        raise MemoryError()

    app = Worked(train)
    watch_workers(app)
    async with app.run_test() as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            if app.return_code is not None:
                break
    assert app.return_code == OUT_OF_MEMORY

    def fails():  # any other failure is the screen's to say; the session goes on
        raise ValueError("not memory")

    app = Worked(fails)
    watch_workers(app)
    async with app.run_test() as pilot:
        await pilot.pause(0.3)
        assert app.return_code is None and app.is_running


@needs_chromium
async def test_a_training_run_past_the_memory_limit_ends_in_a_page_that_says_so(tmp_path):
    (tmp_path / "too-big.toml").write_text(TOO_BIG)
    with nnsim_serve("--lessons", str(tmp_path), "--memory-limit", str(MIN_MEMORY_MB)) as (url, served), \
            chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/?lesson=too-big")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "c starts training" in t, what="the training screen")
            await page.press("c")
            # The run's worker thread runs out first (here OpenBLAS, mapping its buffer, gives up
            # and ends the process; numpy's own allocations raise MemoryError in the thread).
            text = await page.wait_for(PAGE_TEXT, lambda t: "ran out of memory" in (t or ""), timeout=60,
                                       what="the out-of-memory page")
            assert f"used all the memory one session may have ({MIN_MEMORY_MB} MB)" in text
            assert (await page.evaluate("window.location.pathname")) == "/out-of-memory"
            served.wait_for_line(r"a session ran out of its memory \(--memory-limit\); its tab was told so")
            served.wait_for_line(r"session closed \(0 of 30 in use\)")
            assert session_processes(served.process.pid) == []


def cursor_rows_and_columns(data: bytes) -> tuple[int, int]:
    """The largest row and column the app moved its cursor to (Textual draws each line at
    ``ESC [ row ; col H``), so the size it believes its terminal has."""
    moves = [(int(r), int(c)) for r, c in re.findall(rb"\x1b\[(\d+);(\d+)H", data)]
    return max((r for r, _ in moves), default=0), max((c for _, c in moves), default=0)


async def test_a_later_huge_resize_is_capped_in_the_app():
    with nnsim_serve() as (url, served):
        page = requests.get(url + "/", timeout=10).text
        ws = re.search(r'data-session-websocket-url="([^"]+)"', page).group(1)
        async with aiohttp.ClientSession() as client, \
                client.ws_connect(ws + "?width=80&height=24", origin=url, max_msg_size=0) as sock:

            async def drawn_for(seconds: float) -> bytes:
                data, deadline = b"", time.monotonic() + seconds
                while (left := deadline - time.monotonic()) > 0:
                    try:
                        message = await sock.receive(timeout=left)
                    except asyncio.TimeoutError:
                        break
                    if message.type == aiohttp.WSMsgType.BINARY:
                        data += message.data
                    elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        break
                return data

            first = await drawn_for(8.0)
            assert cursor_rows_and_columns(first)[0] == 24  # the first frame fills 24 rows
            await sock.send_json(["resize", {"width": 20000, "height": 20000}])
            rows, _ = cursor_rows_and_columns(await drawn_for(6.0))
            assert rows == 120, rows  # redrawn at the cap, not at 20000 rows
            await sock.send_json(["resize", {"width": 100, "height": 30}])
            rows, _ = cursor_rows_and_columns(await drawn_for(4.0))
            assert rows == 30  # and a sane size still reaches it
            (pid,) = session_processes(served.process.pid)
            status = Path(f"/proc/{pid}/status").read_text()
            rss_mb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
            assert rss_mb < 200, rss_mb  # 36,000 cells drawn, not 400 million


def test_what_counts_as_running_out_of_memory():
    from textual.worker import WorkerFailed

    from nnsim.serve.limits import ended_out_of_memory
    from nnsim.tui.host import out_of_memory

    assert out_of_memory(MemoryError()) and out_of_memory(RuntimeError("can't start new thread"))
    assert out_of_memory(WorkerFailed(MemoryError()))
    assert not out_of_memory(RuntimeError("something else")) and not out_of_memory(WorkerFailed(ValueError("x")))
    assert ended_out_of_memory(OUT_OF_MEMORY, b"")
    assert ended_out_of_memory(1, b"...\nOpenBLAS error: Memory allocation still failed after 10 retries, giving up.\n")
    assert not ended_out_of_memory(1, b"Traceback ...\nValueError: no\n")
    assert not ended_out_of_memory(0, b"OpenBLAS error: Memory allocation")  # it ended well after all
    assert not ended_out_of_memory(-9, b"")  # killed (by the server closing a tab), not out of memory
