"""What a hostile student might try on ``nnsim serve`` beyond the issue's list, against a real
server with raw websocket clients: a replayed ticket, an oversized message, a keystroke flood."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import aiohttp
import pytest
import requests

from tests.serve.test_browser import session_processes
from tests.serve.browser import nnsim_serve


def websocket_url(url: str, query: str = "") -> str:
    page = requests.get(url + "/" + query, timeout=10)
    assert page.status_code == 200, page.text
    return re.search(r'data-session-websocket-url="([^"]+)"', page.text).group(1)


def rss_mb(pid: int) -> float:
    return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024


async def first_frame(sock: aiohttp.ClientWebSocketResponse, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = await sock.receive(timeout=deadline - time.monotonic())
        if message.type == aiohttp.WSMsgType.BINARY and len(message.data) > 100:
            return
    raise AssertionError("no first frame")


async def test_a_ticket_opens_one_session_only():
    with nnsim_serve() as (url, served):
        ws = websocket_url(url, "?lesson=xor&step=3")
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(ws + "?width=80&height=24", origin=url) as sock:
                await first_frame(sock)
                # The same URL again (a copied page, a teacher page's ticket read out of its HTML):
                with pytest.raises(aiohttp.WSServerHandshakeError) as replayed:
                    await client.ws_connect(ws + "?width=80&height=24", origin=url)
                assert replayed.value.status == 404
                assert len(session_processes(served.process.pid)) == 1


async def test_an_oversized_message_ends_only_that_session():
    with nnsim_serve() as (url, served):
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(websocket_url(url) + "?width=80&height=24", origin=url) as sock:
                await first_frame(sock)
                await sock.send_json(["stdin", "x" * 100_000])  # more than the 64 KB a message may carry
                while True:
                    message = await sock.receive(timeout=20)
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                        break
                assert sock.close_code == 1009  # "message too big"
            served.wait_for_line(r"session closed \(0 of 30 in use\)")
            # The server goes on: the next tab gets a session.
            async with client.ws_connect(websocket_url(url) + "?width=80&height=24", origin=url) as sock:
                await first_frame(sock)


async def test_a_keystroke_flood_is_held_back_not_buffered():
    """A client sending keys as fast as it can is held to 2 KB a second (8 KB at once): the app
    makes an event of every key it is sent and redraws for it, so without the pace a 5 s flood
    grew the session from 54 to 290 MB (measured; at 4,000 keys a second it still grows, at 2,000
    the app keeps up). The server waits, aiohttp stops reading that websocket, and the flooding client
    is slowed down by TCP; nothing piles up in the server, and other tabs are served."""
    with nnsim_serve() as (url, served):
        server = served.process.pid
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(websocket_url(url) + "?width=80&height=24", origin=url) as sock:
                await first_frame(sock)
                (session,) = session_processes(server)
                before = rss_mb(server), rss_mb(session)
                chunk = ["stdin", "j" * 60_000]
                sent = 0

                async def flood() -> None:
                    nonlocal sent
                    while True:
                        await sock.send_json(chunk)
                        sent += 60_000

                flooding = asyncio.create_task(flood())
                await asyncio.sleep(5.0)
                # Meanwhile another student's tab opens and draws.
                async with client.ws_connect(websocket_url(url) + "?width=80&height=24", origin=url) as other:
                    await first_frame(other, timeout=30)
                after = rss_mb(server), rss_mb(session)
                flooding.cancel()
        print(f"flood: {sent / 1e6:.0f} MB offered; server RSS {before[0]:.0f} -> {after[0]:.0f} MB, "
              f"session {before[1]:.0f} -> {after[1]:.0f} MB")
        assert after[0] - before[0] < 40, (before, after)
        # MBs offered, at most 8 KB + 5 s × 2 KB let through: about 18,000 key events, which the app
        # may still be working through on a loaded machine (+22 to +51 MB measured), not +240 MB.
        assert after[1] - before[1] < 80, (before, after)
