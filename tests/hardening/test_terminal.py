"""Text from outside (lesson files, file names, mirror replies, URLs) reaches the
terminal with its control characters made visible, and credentials never do."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from nnsim.sanitize import redact_url, sanitize
from tests.hardening.conftest import nnsim, one_error_line

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "\\u001b]52;c;aGVsbG8=\\u0007 \\u001b]0;pwned\\u0007 \\u009b2J \\u001b[2J"
RAW = ("\x1b", "\x07", "\x9b")


def evil_lesson(tmp_path) -> Path:
    text = (ROOT / "scenarios" / "small-changes.toml").read_text()
    text = text.replace('title = "Eq. 5: small changes in, small changes out"', f'title = "Eq. 5 {HOSTILE}"')
    text = text.replace("The reason sigmoid neurons can learn", f"The reason {HOSTILE} sigmoid neurons can learn")
    text = text.replace("Δb = −0.06 takes", f"Δb {HOSTILE} = −0.06 takes")
    path = tmp_path / "evil.toml"
    path.write_text(text)
    return path


def test_the_one_function():
    assert sanitize("a\x1b]52;c;x\x07b\n\tc\x9bd\x7f") == "a\\x1b]52;c;x\\x07b\n\tc\\x9bd\\x7f"
    assert sanitize("two\nlines\tand tab", single_line=True) == "two\\nlines and tab"
    assert sanitize("ünïcödé ∂σ′ Δ") == "ünïcödé ∂σ′ Δ"  # only controls change
    assert redact_url("https://alice:s3cret@host:8080/mnist/") == "https://***@host:8080/mnist/"
    assert redact_url("https://host/mnist/") == "https://host/mnist/"


@pytest.mark.parametrize("command", ["run", "check"])
def test_lesson_text_is_sanitized_in_run_and_check(command, tmp_path):
    result = nnsim(command, str(evil_lesson(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert not any(c in result.stdout + result.stderr for c in RAW)
    if command == "run":
        assert result.stdout.startswith("Eq. 5 \\x1b]52;c;aGVsbG8=\\x07 \\x1b]0;pwned\\x07 \\x9b2J \\x1b[2J  [sigmoid")


def test_json_output_escapes_c1_codes_and_stays_json(tmp_path):
    result = nnsim("run", "--json", str(evil_lesson(tmp_path)))
    assert result.returncode == 0 and not any(c in result.stdout for c in RAW)
    first = json.loads(result.stdout.splitlines()[0])
    assert first["title"] == "Eq. 5 \x1b]52;c;aGVsbG8=\x07 \x1b]0;pwned\x07 \x9b2J \x1b[2J"  # the data, intact


def test_a_file_name_with_escapes_is_sanitized_in_the_error_line(tmp_path):
    line = one_error_line(nnsim("run", str(tmp_path / "\x1b]0;pwned\x07x.toml")))
    assert "\\x1b]0;pwned\\x07x.toml" in line


def test_mirror_replies_and_credentials_never_reach_the_terminal_raw(tmp_path):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(404, "Gone \x1b]52;c;aGk=\x07 \x1b[2J")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://alice:s3cret@127.0.0.1:{server.server_address[1]}/mnist/"
        result = nnsim("data", "download", "--mirror", url, env={"NNSIM_DATA_DIR": str(tmp_path / "c")})
    finally:
        server.shutdown()
        server.server_close()
    line = one_error_line(result)
    assert "s3cret" not in result.stderr and "alice" not in result.stderr
    assert f"http://***@127.0.0.1:{server.server_address[1]}/mnist/: HTTP 404 Gone \\x1b]52;c;aGk=\\x07 \\x1b[2J" \
        in line


async def test_the_app_shows_lesson_text_sanitized(tmp_path):
    from nnsim.lessons import load_scenario
    from nnsim.tui.app import NnsimApp
    from nnsim.tui.frame.narration import NarrationPanel

    app = NnsimApp(load_scenario(evil_lesson(tmp_path)), cursor_blink=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(NarrationPanel)
        assert not any(c in str(panel.border_title) + panel.text for c in RAW)
        panel.show("step \x1b]0;pwned\x07", "Δb \x1b[2J = −0.06 \x9b2J takes")
        assert str(panel.border_title) == "step \\x1b]0;pwned\\x07"
        assert panel.text == "Δb \\x1b[2J = −0.06 \\x9b2J takes"
        app.screen.say("from a mirror: \x1b]52;c;aGk=\x07")
        assert app.screen.status == "from a mirror: \\x1b]52;c;aGk=\\x07"


async def test_the_save_box_with_a_user_that_does_not_exist_says_so_and_keeps_running(tmp_path, monkeypatch):
    from tests.tui.test_train import SIZE, sample_app, settle

    monkeypatch.setenv("NNSIM_DATA_DIR", str(tmp_path / "cache"))
    app = sample_app(epochs=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("c")
        await settle(pilot)
        screen.query_one("#set-save", Input).value = "~nosuchuser/model.npz"
        screen.action_save()
        await settle(pilot)
        assert screen.status == "save to ~nosuchuser/model.npz: cannot expand ~nosuchuser: no such user (or no home folder)"
        screen.query_one("#set-save", Input).value = str(tmp_path / "model.npz")
        screen.action_save()
        await settle(pilot)
        assert "saved the network (after 1 epoch)" in screen.status and (tmp_path / "model.npz").is_file()
