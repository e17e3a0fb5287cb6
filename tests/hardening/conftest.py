"""Helpers for the hardening tests: ``nnsim`` in a subprocess under a memory cap,
the one-error-line check, a tmpfs mount where the machine allows it, and a
mirror that can send an endless or trickling body (tests.data.conftest's
serves fixed bodies with a Content-Length).

Memory is asserted with RLIMIT_AS on the child, so a regression fails the test
(MemoryError → a different error line, or a kill) rather than the machine.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.data.conftest import fake_mnist, generated, isolated_cache, mirror  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
# The README's budget: any command stays under 1.5 GB beyond the dataset it loads.
# Address space, not resident memory: Python + numpy + requests map ~0.5 GB they never touch.
BUDGET = 1536 << 20
AS_LIMIT = BUDGET + (512 << 20)


def nnsim(*args, env=None, limit=AS_LIMIT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=120, cwd=None):
    """Run ``python -m nnsim ARGS`` with an address-space cap; returns the CompletedProcess."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    full_env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200", **(env or {}))
    return subprocess.run([sys.executable, "-m", "nnsim", *args], env=full_env, stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, preexec_fn=cap, cwd=cwd)


def python(code: str, env=None, limit=AS_LIMIT, timeout=120):
    """Run a Python snippet (with the repository importable) under the same cap."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-c", code], env=full_env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, preexec_fn=cap)


def one_error_line(result) -> str:
    """The single ``nnsim: error:`` line of a failed run (exit 2, no traceback)."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("nnsim: error:")]
    assert len(errors) == 1, result.stderr
    assert "\x1b" not in result.stderr
    return errors[0]


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*")) if Path(folder).exists() else []


@pytest.fixture
def tmpfs():
    """A 1 MB tmpfs (to fill the disk) — root and a kernel that allows it, else skipped."""
    with _mount("size=1m") as where:
        yield where


@contextlib.contextmanager
def _mount(options: str):
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount(8) to make a small tmpfs")
    where = Path(tempfile.mkdtemp(prefix="nnsim-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
        with contextlib.suppress(OSError):
            where.rmdir()


def remount_read_only(where: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only: {done.stderr.decode(errors='replace').strip()}")


class Stream:
    """A real HTTP server on 127.0.0.1 whose body is produced by ``body(write)``:
    endless, trickling, with or without Content-Length."""

    def __init__(self, body, length=None) -> None:
        self.hits = 0
        stream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                stream.hits += 1
                self.send_response(200)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                try:
                    body(self.wfile)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def endless(wfile) -> None:
    block = b"\0" * 65536
    for _ in range(100_000):  # 6.5 GB: far past any cap, and still an end if the cap is gone
        wfile.write(block)


def trickle(wfile) -> None:
    for _ in range(200):
        wfile.write(b"\x1f")
        wfile.flush()
        time.sleep(0.1)


def catalogue_env(src) -> dict:
    """Environment that makes a child process's "mnist" the same fake catalogue as ``src``
    (see :data:`CHILD_PRELUDE`)."""
    import json

    files = {role: [getattr(src, role).name, getattr(src, role).size, getattr(src, role).md5]
             for role in ("train_images", "train_labels", "test_images", "test_labels")}
    return {"NNSIM_TEST_CATALOGUE": json.dumps({"files": files, "mirrors": list(src.mirrors)})}


CHILD_PRELUDE = """
import json, os, sys
from dataclasses import replace
from nnsim.data import sources
from nnsim.data.sources import RemoteFile
spec = json.loads(os.environ["NNSIM_TEST_CATALOGUE"])
sources.SOURCES["mnist"] = replace(sources.MNIST, mirrors=tuple(spec["mirrors"]), pickle_urls=(),
    **{role: RemoteFile(*f) for role, f in spec["files"].items()})
from nnsim.cli import main
"""


def nnsim_with_catalogue(src, *args, env=None, limit=AS_LIMIT, timeout=120):
    """``nnsim ARGS`` in a child whose MNIST catalogue is ``src`` (the fake one of the test)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = CHILD_PRELUDE + f"sys.exit(main({list(args)!r}))\n"
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **catalogue_env(src), **(env or {}))
    return subprocess.Popen([sys.executable, "-c", code], env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=cap)
