"""``nnsim serve`` as a hostile student would try it, and as a teacher leads with it.

Real server on 127.0.0.1, raw websocket clients (aiohttp) for what a browser
would never send, headless Chromium for what a student does in a tab.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import aiohttp
import pytest
import requests

from nnsim.lessons import build_steps, bundled_scenarios, load_scenario
from nnsim.tui.host import UNKNOWN_LESSON
from tests.serve.browser import CHROMIUM, READ_TERMINAL, chromium, needs_chromium, nnsim_serve
from tests.serve.test_browser import session_processes



def websocket_url(url: str, query: str = "") -> str:
    page = requests.get(url + "/" + query, timeout=10)
    assert page.status_code == 200, page.text
    return re.search(r'data-session-websocket-url="([^"]+)"', page.text).group(1)


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


async def test_foreign_origins_and_names_are_refused_before_an_app_starts_and_sizes_are_capped():
    with nnsim_serve("--allow-origin", "http://proxy.example:9000") as (url, served):
        server = served.process.pid
        ws = websocket_url(url)
        port = url.rsplit(":", 1)[1]
        async with aiohttp.ClientSession() as client:
            for origin, host in [("http://evil.example", None),              # a page elsewhere
                                 (None, None),                               # no Origin at all
                                 (f"http://evil.example:{port}", f"evil.example:{port}"),  # DNS rebinding
                                 ("null", None)]:                            # a sandboxed frame
                headers = {"Host": host} if host else {}
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(ws + "?width=80&height=24", origin=origin, headers=headers)
                assert refused.value.status == 403
            served.wait_for_line(r"refused a websocket from origin 'http://evil\.example'")
            assert session_processes(server) == []
            # The page itself, asked for under a rebinding name, is refused too.
            assert requests.get(url + "/", headers={"Host": f"evil.example:{port}"}, timeout=10).status_code == 403

            # The allowed origin starts a session; a 20000×20000 terminal is capped at 300×120.
            async with client.ws_connect(ws + "?width=20000&height=20000", origin="http://proxy.example:9000") as sock:
                served.wait_for_line(r"session opened \(1 of 30 in use\)")
                (pid,) = session_processes(server)
                env = environ(pid)
                assert (env["COLUMNS"], env["ROWS"]) == ("300", "120")
                assert env["NNSIM_SERVED"] == "1" and env["HOME"] == env["NNSIM_SCRATCH"] != str(Path.home())
                scratch = Path(env["NNSIM_SCRATCH"])
                assert scratch.is_dir()
                # Malformed and oversized messages are ignored; the session lives on.
                await sock.send_str("not json")
                await sock.send_str('["resize", {"width": 99999999999999999999, "height": "x"}]')
                await sock.send_str('["stdin", 5]')
                await sock.send_json(["ping", "still here"])
                while True:
                    message = await sock.receive(timeout=20)
                    if message.type == aiohttp.WSMsgType.TEXT and "pong" in message.data:
                        break
            served.wait_for_line(r"session closed \(0 of 30 in use\)")
            assert not scratch.exists()  # the scratch space went with the session


def test_lessons_and_steps_are_checked_before_serving(tmp_path):
    import subprocess
    import sys

    def serve(*args):
        return subprocess.run([sys.executable, "-m", "nnsim", "serve", "--port", "0", *args],
                              capture_output=True, text=True, timeout=60)

    result = serve("nand", "--step", "999")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "nnsim: error: scenarios/nand.toml: step 999: the lesson has 4 steps\n" or \
        re.fullmatch(r"nnsim: error: scenarios/nand\.toml: step 999: the lesson has \d+ steps\n", result.stderr)
    result = serve("--lessons", str(tmp_path / "missing"))
    assert result.returncode == 2 and result.stderr.startswith("nnsim: error: --lessons ") and "no such folder" in result.stderr
    (tmp_path / "broken.toml").write_text("kind = \n")
    result = serve("--lessons", str(tmp_path))
    assert result.returncode == 2 and result.stderr.startswith("nnsim: error: ") and "broken.toml" in result.stderr
    result = serve("--allow-origin", "evil.example")
    assert result.returncode == 2 and "--allow-origin evil.example: expected an origin" in result.stderr


def test_deep_link_values_that_cannot_be_served_get_a_page_that_says_why():
    with nnsim_serve() as (url, served):
        served.wait_for_line(r"a link to a lesson and step, in presenter mode: http://127\.0\.0\.1:\d+/\?lesson=xor&step=2&present=1")
        for query, words in [("?lesson=xor&step=999", "the lesson 'xor' has steps 1 to 16, not 999"),
                             ("?lesson=../../etc/passwd", "a lesson is named by letters, digits"),
                             ("?lesson=no-such", "there is no lesson called 'no-such' here"),
                             ("?step=3", "a step needs a lesson"),
                             ("?lesson=xor&step=two", "step is a whole number"),
                             ("?lesson=xor&present=maybe", "present is 1"),
                             ("?teacher=guess", "this teacher link is not this server's")]:
            page = requests.get(url + "/" + query, timeout=10)
            assert page.status_code == 400, query
            assert words.replace("'", "&#x27;") in page.text, (query, page.text)
            assert "data-session-websocket-url" not in page.text  # no app for a bad link
        assert session_processes(served.process.pid) == []
        # An old or made-up ticket starts nothing either.
        ws = websocket_url(url).rsplit("/", 1)[0] + "/made-up"
        assert requests.get(ws.replace("ws:", "http:"), headers={"Origin": url}, timeout=10).status_code in (403, 404)


@needs_chromium
async def test_a_deep_link_opens_its_lesson_and_step_in_presenter_mode():
    lesson = load_scenario("xor")
    step5 = build_steps(lesson)[4]
    with nnsim_serve() as (url, served), chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/?lesson=xor&step=5&present=1")
            text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and lesson.title in t and step5.title in t,
                                       what="xor at step 5")
            # Presenter mode draws the step counter in big digits: the plain "step 5 / 16" is gone.
            assert "step 5 /" not in text
            await page.press("p")  # back to the normal counter, which says the step in words
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 5 / " in t, what="the step counter")


@needs_chromium
async def test_open_a_file_reveals_nothing_about_server_paths(tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text('title = "the teacher\'s own file"\n')
    with nnsim_serve() as (url, served), chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/")
            first = bundled_scenarios()[0].title
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and first in t and "Enter opens it" in t,
                                what="the home screen's lessons")
            answers = []
            for probe in (str(secret), str(tmp_path / "missing.toml"), "/etc/passwd", "~/.ssh/authorized_keys"):
                if not answers:  # o moves to the box, which keeps the focus after each answer
                    await page.press("o")
                    await asyncio.sleep(0.5)
                await page.type_text(probe)
                await page.wait_for(READ_TERMINAL, lambda t: bool(t) and f"Open a file: {probe}" in t,
                                    what=f"the typed path {probe}")
                await page.press_enter()
                text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "under nnsim serve" in t,
                                           what=f"the answer to {probe}")
                answers.append([line for line in text.splitlines() if "under nnsim serve" in line])
                for _ in probe:  # clear the box for the next probe
                    await page.press_key("Backspace", "Backspace", 8)
                await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "Open a file: a lesson's name" in t,
                                    what="the cleared box")
            assert all(answer == answers[0] for answer in answers), answers
            assert UNKNOWN_LESSON[:60] in answers[0][0]
            assert "secret" not in answers[0][0] and str(tmp_path) not in text


@needs_chromium
async def test_a_save_and_an_export_arrive_as_browser_downloads_and_nothing_lands_on_the_server(tmp_path):
    home, work, downloads = tmp_path / "home", tmp_path / "work", tmp_path / "downloads"
    for folder in (home, work, downloads):
        folder.mkdir()
    (home / "keep.txt").write_text("the teacher's")

    def files() -> set[Path]:
        return {p for root in (home, work) for p in root.rglob("*")}

    before = files()
    with nnsim_serve("--lessons", str(Path(__file__).with_name("lessons")), cwd=work,
                     env={"HOME": str(home), "NNSIM_DATA_DIR": None}) as (url, served), \
            chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.allow_downloads(downloads)
            await page.call("Page.navigate", url=url + "/?lesson=backprop-by-hand&step=2")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 2 /" in t, what="the backprop lesson")
            await page.press("x")
            text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "to your browser as downloads" in t,
                                       what="the export's message")
            assert str(work) not in text and "/tmp" not in text
            await _wait_for_files(downloads, {"backprop-by-hand-trace.jsonl", "backprop-by-hand-handout.md"})

            await page.call("Page.navigate", url=url + "/?lesson=quick-train")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "quick" in t.lower(), what="the training lesson")
            await page.press("c")  # one epoch on the bundled sample
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "1 of 1 done" in t, what="the trained network")
            await page.press("w")
            text = await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "to your browser as a download" in t,
                                       what="the save's message")
            saved = await _wait_for_files(downloads, {"nnsim-784-10-10-seed0.npz"}, partial=True)
    from nnsim.core.network import load_network

    assert load_network(downloads / saved["nnsim-784-10-10-seed0.npz"]).sizes == [784, 10, 10]
    assert (downloads / "backprop-by-hand-trace.jsonl").read_text().startswith('{"trace":')
    assert files() == before, files() - before


async def _wait_for_files(folder: Path, names: set[str], partial: bool = False, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        present = {p.name for p in folder.iterdir() if not p.name.endswith(".crdownload")}
        found = {name: name for name in names if name in present}
        if partial:  # a browser may number a name it already has: model (1).npz
            found = {name: next((p for p in present if p.startswith(Path(name).stem)), None) for name in names}
            found = {k: v for k, v in found.items() if v}
        if len(found) == len(names):
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"downloads {names} did not arrive in {folder}: {sorted(p.name for p in folder.iterdir())}")


@needs_chromium
async def test_students_follow_the_teacher_within_a_second_and_one_leaves_and_rejoins():
    with nnsim_serve("--follow") as (url, served), chromium(CHROMIUM) as browser:
        token = served.wait_for_line(r"follow the teacher: open http://\S+/\?teacher=(\S+) ").group(1)
        async with browser.new_page() as teacher, browser.new_page() as ann, browser.new_page() as bob:
            for student in (ann, bob):
                await student.call("Page.navigate", url=url + "/")
                await student.wait_for(READ_TERMINAL, lambda t: bool(t) and "following the teacher" in t,
                                       what="a student's home screen")
            await teacher.call("Page.navigate", url=f"{url}/?teacher={token}&lesson=xor")
            await teacher.wait_for(READ_TERMINAL, lambda t: bool(t) and "teacher: 2 following, 0 on their own" in t,
                                   what="the teacher's status line")
            for student in (ann, bob):
                await student.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 1 / 16" in t, what="xor, step 1")

            await teacher.press("n")
            await teacher.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 2 / 16" in t, what="the teacher's step")
            for student in (ann, bob):
                await student.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 2 / 16" in t, timeout=1.0,
                                       what="a student following the teacher to step 2")

            await ann.press("j")  # Ann goes exploring
            await ann.wait_for(READ_TERMINAL, lambda t: bool(t) and "on your own — j to rejoin" in t, what="Ann")
            await teacher.wait_for(READ_TERMINAL, lambda t: bool(t) and "teacher: 1 following, 1 on their own" in t,
                                   what="the teacher's count")
            await teacher.press("n")
            await teacher.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 3 / 16" in t, what="the teacher's step")
            await bob.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 3 / 16" in t, timeout=1.0, what="Bob")
            assert "step 2 / 16" in await ann.evaluate(READ_TERMINAL)  # Ann stays where she is

            await ann.press("j")  # and rejoins
            await ann.wait_for(READ_TERMINAL, lambda t: bool(t) and "step 3 / 16" in t
                               and "following the teacher" in t, timeout=1.5, what="Ann rejoining")
            await teacher.wait_for(READ_TERMINAL, lambda t: bool(t) and "teacher: 2 following, 0 on their own" in t,
                                   what="the teacher's count")

