"""``nnsim serve`` without a browser: arguments, the missing extra, the port, the pages' URLs."""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys

import pytest
import requests

from nnsim.cli import main
from nnsim.serve.server import session_command
from tests.serve.browser import nnsim_serve


def run_nnsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnsim", *args], capture_output=True, text=True, timeout=60)


def test_without_textual_serve_it_says_how_to_install_and_exits_2(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # makes `import textual_serve` fail
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err == ("nnsim: error: serving in the browser needs textual-serve, which is not installed; "
                   "install it with: pip install 'nnsim[web]'\n")


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "argument --port: expected a port number from 0 to 65535, got 70000"),
    (["--port", "http"], "argument --port: expected a port number from 0 to 65535, got 'http'"),
    (["--max-sessions", "0"], "argument --max-sessions: expected a whole number ≥ 1, got 0"),
    (["--step", "3"], "--step needs a LESSON to start on"),
    (["no-such-lesson"], "no-such-lesson: no such scenario file or bundled lesson"),
])
def test_bad_arguments_are_one_line_and_exit_2(args, message):
    result = run_nnsim("serve", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnsim: error: ") and message in lines[0], result.stderr


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_nnsim("serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == (f"nnsim: error: cannot listen on 127.0.0.1 port {port}: address already in use "
                             f"(choose another with --port, or --port 0 for any free one)\n")


def test_session_command_runs_this_python_on_the_chosen_lesson():
    command = session_command(lesson="/tmp/a lesson.toml", step=5, present=True)
    assert shlex.split(command) == ["exec", sys.executable, "-m", "nnsim.serve.session",
                                    "--lesson", "/tmp/a lesson.toml", "--step", "5", "--present"]
    assert shlex.split(session_command()) == ["exec", sys.executable, "-m", "nnsim.serve.session"]


def test_binds_loopback_and_builds_page_urls_from_the_address_the_browser_used():
    with nnsim_serve("--max-sessions", "3") as (url, served):
        assert url.startswith("http://127.0.0.1:")
        served.wait_for_line(r"this computer only; use --host 0\.0\.0\.0")
        served.wait_for_line(r"at most 3 browser tabs at once; press Ctrl\+C to stop")
        port = int(url.rsplit(":", 1)[1])
        # The server listens on loopback only: the same port on another local address is closed.
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.2", port)) != 0
        # A student who typed the teacher's LAN address gets a websocket URL with that address
        # (only the Host header says so: no packet goes anywhere but loopback).
        page = requests.get(url + "/", headers={"Host": "192.0.2.7:8000"}, timeout=10)
        assert page.status_code == 200
        assert re.search(r'data-session-websocket-url="ws://192\.0\.2\.7:8000/ws/[A-Za-z0-9_-]{24}"', page.text)
        # Nothing in the page points a student's browser at another site.
        assert "googleapis" not in page.text
        references = _references(page.text)
        assert len(references) >= 4 and all(ref.startswith("/static/") for ref in references), references
        assert requests.get(url + "/static/js/textual.js", timeout=10).status_code == 200


def _references(html: str) -> list[str]:
    return re.findall(r'\s(?:href|src)="([^"]+)"', html) + re.findall(r'url\("([^"]+)"\)', html)
