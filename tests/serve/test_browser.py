"""``nnsim serve`` in a real browser: headless Chromium loads the page and the app appears in it.

Every test starts its own ``nnsim serve`` (port 0, loopback) and its own
Chromium with a fresh profile; both are ended, with everything they started,
when the test ends, pass or fail. Screenshots are kept as artifacts in
``$NNSIM_ARTIFACT_DIR`` when set (CI can collect them), else in the test's tmp_path.
"""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import aiohttp
import pytest

from nnsim.lessons.scenario import bundled_scenarios, load_scenario
from tests.serve.browser import CHROMIUM, PAGE_TEXT, READ_TERMINAL, chromium, needs_chromium, nnsim_serve

pytestmark = needs_chromium



@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("NNSIM_ARTIFACT_DIR") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def first_lesson():
    return bundled_scenarios()[0]


def assert_png(path: Path, min_bytes: int = 5_000) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert len(data) > min_bytes, f"{path} is only {len(data)} bytes: an empty page?"


def session_processes(server_pid: int) -> list[int]:
    """Live processes whose parent is the server: its app sessions."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server_pid and fields[0] != "Z":
            children.append(int(entry.name))
    return children


async def test_the_home_screen_reaches_the_browser(artifacts):
    lesson = first_lesson()
    with nnsim_serve() as (url, served), chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/")
            text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and lesson.title in t,
                                       what="the app's home screen in the browser")
            shot = await page.screenshot(artifacts / "serve-home.png")
        served.wait_for_line(r"session opened \(1 of 30 in use\)")
    # The home screen: the app's name, and the lessons under the chapter's section titles.
    assert "nnsim" in text
    assert lesson.section in text
    assert_png(shot)


async def test_a_lesson_name_starts_every_session_on_that_lesson(artifacts):
    lesson = load_scenario("xor")
    with nnsim_serve("xor", "--step", "2") as (url, served), chromium(CHROMIUM) as browser:
        served.wait_for_line(f"every session starts on: {re.escape(lesson.title)}$")
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and lesson.title in t and "step 2 /" in t,
                                what="the xor lesson at step 2 in the browser")
            await page.screenshot(artifacts / "serve-lesson-xor-step-2.png")

            # p, typed in the browser, reaches the app: presenter mode draws the step counter in
            # three-row digits, so the plain "step 2 / 16" gives way to a caption row under them.
            await page.press("p")
            text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 2 /" not in t
                                       and re.search(r"step +\S.*/", t) is not None,
                                       what="presenter mode in the browser")
            await page.screenshot(artifacts / "serve-lesson-xor-presenting.png")
            assert lesson.title in text


async def test_the_session_cap_turns_a_second_tab_away_with_a_message(artifacts):
    lesson = first_lesson()
    with nnsim_serve("--max-sessions", "1") as (url, served), chromium(CHROMIUM) as browser:
        server_pid = served.process.pid
        async with browser.new_page() as first:
            await first.call("Page.navigate", url=url + "/")
            await first.wait_for(READ_TERMINAL, lambda t: bool(t) and lesson.title in t,
                                 what="the first tab's app")
            served.wait_for_line(r"session opened \(1 of 1 in use\)")
            assert len(session_processes(server_pid)) == 1

            # The second tab, while the first holds the only place, gets the "full" page.
            async with browser.new_page() as second:
                await second.call("Page.navigate", url=url + "/")
                text = await second.wait_for(PAGE_TEXT, lambda t: "classroom is full" in (t or ""),
                                             what="the second tab")
                await second.screenshot(artifacts / "serve-classroom-full.png")
                assert "The one session of this nnsim server is in use" in text
                assert "nnsim serve --max-sessions N" in text
                served.wait_for_line(r"turned a page away: all 1 session\(s\) in use")

            # A websocket that arrives once the cap is reached (its page loaded while a place was
            # free) starts no app: the tab is sent to /full and the socket closed "try again later".
            async with aiohttp.ClientSession() as client:
                async with client.ws_connect(url.replace("http", "ws") + "/ws?width=80&height=24",
                                       origin=url) as ws:
                    message = await ws.receive(timeout=10)
                    assert json.loads(message.data) == ["open_url", {"url": "/full", "new_tab": False}]
                    closing = await ws.receive(timeout=10)
                    assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1013
            served.wait_for_line(r"turned a browser tab away")
            assert len(session_processes(server_pid)) == 1

        # Closing the first tab ends its app and frees the place for someone else.
        served.wait_for_line(r"session closed \(0 of 1 in use\)")
        assert session_processes(server_pid) == []
        async with browser.new_page() as third:
            await third.call("Page.navigate", url=url + "/")
            await third.wait_for(READ_TERMINAL, lambda t: bool(t) and lesson.title in t,
                                 what="a tab opened after the first closed")


async def test_ctrl_c_stops_the_server_and_every_session():
    with nnsim_serve() as (url, served), chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "nnsim" in t, what="the app")
            sessions = session_processes(served.process.pid)
            assert len(sessions) == 1
            os.kill(served.process.pid, signal.SIGINT)  # the server alone, as Ctrl+C in its terminal
            assert served.process.wait(timeout=20) == 0
            served.wait_for_line(r"stopping: closing 1 session\(s\)")
            served.wait_for_line(r"session closed \(0 of 30 in use\)")
            assert not any(_alive(pid) for pid in sessions)
            # The student's tab says the session ended rather than freezing.
            await page.wait_for("document.body.classList.contains('-closed')", bool, what="the tab")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
