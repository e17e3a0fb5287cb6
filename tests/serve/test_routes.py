"""The classroom server's HTTP side beyond the websocket: downloads only for its own pages,
and the browser terminal's font in presenter mode (real server, raw clients, Chromium)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import aiohttp
import requests

from nnsim.serve.pages import FIT_COLUMNS, FIT_ROWS
from nnsim.tui.style.presenter import ROOMY_ROWS
from tests.serve.browser import CHROMIUM, READ_TERMINAL, chromium, needs_chromium, nnsim_serve

LESSONS = str(Path(__file__).with_name("lessons"))


def page_and_websocket(url: str, query: str = "") -> tuple[str, str]:
    page = requests.get(url + "/" + query, timeout=10)
    assert page.status_code == 200, page.text
    return page.text, re.search(r'data-session-websocket-url="([^"]+)"', page.text).group(1)


async def test_a_download_is_served_only_to_this_servers_own_pages():
    with nnsim_serve("--lessons", LESSONS) as (url, served):
        _, ws = page_and_websocket(url, "?lesson=backprop-by-hand&step=2")
        port = url.rsplit(":", 1)[1]
        async with aiohttp.ClientSession() as client, \
                client.ws_connect(ws + "?width=120&height=40", origin=url, max_msg_size=0) as sock:
            keys: list[str] = []
            drawn = b""
            deadline = time.monotonic() + 30
            pressed = False
            while len(keys) < 2 and time.monotonic() < deadline:
                try:
                    message = await sock.receive(timeout=1.0)
                except asyncio.TimeoutError:
                    message = None
                if message is not None and message.type == aiohttp.WSMsgType.BINARY:
                    drawn += message.data
                elif message is not None and message.type == aiohttp.WSMsgType.TEXT:
                    envelope = json.loads(message.data)
                    if envelope[0] == "deliver_file_start":
                        keys.append(envelope[1])
                if not pressed and b"step 2 /" in drawn:
                    await sock.send_json(["stdin", "x"])  # export the trace and the handout
                    pressed = True
            assert len(keys) == 2, (pressed, keys)
            download = f"{url}/download/{keys[0]}"
            for headers in ({"Origin": "http://evil.example"},                      # a page elsewhere
                            {"Sec-Fetch-Site": "cross-site"},                       # a link on another site
                            {"Host": f"evil.example:{port}"},                       # DNS rebinding
                            {"Origin": "null"}):                                    # a sandboxed frame
                refused = requests.get(download, headers=headers, timeout=10)
                assert refused.status_code == 403, (headers, refused.status_code)
                assert "download refused" in refused.text and "trace" not in refused.text
            served.wait_for_line(r"refused a download asked for by 'http://evil\.example' \(not this server's pages\)")
            # The app's own page: a same-origin navigation, as the download link in the tab makes.
            mine = requests.get(download, headers={"Sec-Fetch-Site": "same-origin"}, timeout=10)
            assert mine.status_code == 200
            assert mine.headers["Content-Disposition"] == "attachment; filename=backprop-by-hand-trace.jsonl"
            assert mine.text.startswith('{"trace":')


def test_the_page_asks_for_a_bigger_font_in_presenter_mode():
    with nnsim_serve() as (url, served):
        def font(query: str) -> int:
            return int(re.search(r'data-font-size="(\d+)"', page_and_websocket(url, query)[0]).group(1))

        assert font("") == 16
        assert font("?lesson=xor&present=1") == 24  # the most; the page fits it to its window
        assert font("?lesson=xor&present=0") == 16
        assert font("?present=1&fontsize=30") == 30  # the page's own choice, within bounds
        assert font("?fontsize=100000") == 48 and font("?fontsize=1") == 8 and font("?fontsize=big") == 16
    with nnsim_serve("--present") as (url, served):
        assert int(re.search(r'data-font-size="(\d+)"', page_and_websocket(url)[0]).group(1)) == 24


TERMINAL_FONT = """
(() => {
  const t = window.__terminals && window.__terminals[0];
  return t ? {font: Number(t.options.fontSize), cols: t.cols, rows: t.rows} : null;
})()
"""


async def _terminal_size(browser, url: str, width: int, height: int) -> dict:
    async with browser.new_page() as page:
        await page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                        mobile=False)
        await page.call("Page.navigate", url=url)
        await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "XOR" in t, what=url)
        return await page.evaluate(TERMINAL_FONT)


@needs_chromium
async def test_presenter_mode_fills_a_projected_tab_with_bigger_cells_that_still_hold_the_app():
    with nnsim_serve() as (url, served), chromium(CHROMIUM) as browser:
        normal = await _terminal_size(browser, url + "/?lesson=xor", 1280, 800)
        laptop = await _terminal_size(browser, url + "/?lesson=xor&present=1", 1280, 800)
        projector = await _terminal_size(browser, url + "/?lesson=xor&present=1", 1920, 1080)
    assert normal["font"] == 16 and projector["font"] == 24, (normal, projector)
    # A 1080p projector: cells 1.5 times as big as the normal page's, and room for the app's
    # 80 columns and the rows presenter mode draws its big step counter in.
    assert projector["cols"] >= FIT_COLUMNS and projector["rows"] >= ROOMY_ROWS == FIT_ROWS, projector
    # A smaller window: the biggest font that still holds them, bigger than normal.
    assert 16 < laptop["font"] < 24 and laptop["cols"] >= FIT_COLUMNS and laptop["rows"] >= ROOMY_ROWS, laptop
    assert laptop["rows"] < normal["rows"] and laptop["cols"] < normal["cols"], (laptop, normal)
