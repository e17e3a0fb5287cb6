"""The data cache and the teacher's folders are read-only to a served session, by the kernel
(Linux Landlock) where it can, and the server says which protection is in force."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from nnsim.serve.sandbox import landlock_abi
from tests.serve.browser import CHROMIUM, READ_TERMINAL, chromium, needs_chromium, nnsim_serve
from tests.serve.test_browser import session_processes

ABI, WHY = landlock_abi()
needs_landlock = pytest.mark.skipif(ABI < 1, reason=f"no Landlock on this machine: {WHY}")

# What the session runs first (nnsim.serve.session), then what a hostile student would have it do.
ATTEMPTS = r"""
import json, os, socket, sys
from pathlib import Path
from nnsim.serve.sandbox import confine_session, session_reads
cache, home, work, scratch, port, parent, lesson = sys.argv[1:8]
confine_session(Path(scratch), session_reads(Path(scratch), [Path(lesson)], Path(cache)))
results = {}
def attempt(name, action):
    try:
        action()
        results[name] = "done"
    except OSError as error:
        results[name] = error.errno
attempt("write in the cache", lambda: open(os.path.join(cache, "planted.gz"), "wb").write(b"x"))
attempt("overwrite a cached file", lambda: open(os.path.join(cache, "train.gz"), "r+b").write(b"x"))
attempt("truncate a cached file", lambda: os.truncate(os.path.join(cache, "train.gz"), 0))
attempt("rename a cached file", lambda: os.rename(os.path.join(cache, "train.gz"), os.path.join(scratch, "t.gz")))
attempt("remove a cached file", lambda: os.remove(os.path.join(cache, "train.gz")))
attempt("make a folder in the cache", lambda: os.mkdir(os.path.join(cache, "decoded")))
attempt("write in HOME", lambda: open(os.path.join(home, ".bashrc"), "a").write("evil"))
attempt("write in the working folder", lambda: open(os.path.join(work, "out.npz"), "wb").write(b"x"))
attempt("link into the cache", lambda: os.symlink("/etc/passwd", os.path.join(cache, "link")))
attempt("connect over TCP", lambda: socket.create_connection(("127.0.0.1", int(port)), timeout=5))
attempt("signal the server", lambda: os.kill(int(parent), 0))
attempt("write in scratch", lambda: open(os.path.join(scratch, "mine.txt"), "w").write("ok"))
attempt("read the cache", lambda: open(os.path.join(cache, "train.gz"), "rb").read())
attempt("read a lesson", lambda: open(lesson).read())
attempt("read in HOME", lambda: open(os.path.join(home, ".bashrc")).read())
attempt("list HOME", lambda: os.listdir(home))
attempt("read in the working folder", lambda: open(os.path.join(work, "notes.txt")).read())
attempt("import a module not imported yet", lambda: __import__("decimal"))
print(json.dumps(results))
"""


@needs_landlock
def test_a_confined_session_writes_only_in_its_scratch_folder_and_reads_only_what_it_needs(tmp_path):
    cache, home, work, scratch = (tmp_path / name for name in ("cache", "home", "work", "scratch"))
    for folder in (cache, home, work, scratch):
        folder.mkdir()
    (cache / "train.gz").write_bytes(b"the teacher's data")
    (home / ".bashrc").write_text("# the teacher's\n")
    (work / "notes.txt").write_text("the teacher's")
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "mine.toml").write_text('title = "a lesson"\n')
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        result = subprocess.run([sys.executable, "-c", ATTEMPTS, str(cache), str(home), str(work), str(scratch),
                                 str(listener.getsockname()[1]), str(os.getpid()), str(lessons / "mine.toml")],
                                capture_output=True, text=True, timeout=60, cwd=work)
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    refused = {name: code for name, code in results.items() if code != "done"}
    allowed = {"write in scratch", "read the cache", "read a lesson", "import a module not imported yet"}
    assert all(results[name] == "done" for name in allowed), results
    assert set(refused) == set(results) - allowed, results
    assert {code for name, code in refused.items() if name != "signal the server"} == {13}  # EACCES
    assert refused["signal the server"] == 1  # EPERM: outside the session's Landlock domain
    assert (cache / "train.gz").read_bytes() == b"the teacher's data"
    assert sorted(p.name for p in cache.iterdir()) == ["train.gz"]
    assert (home / ".bashrc").read_text() == "# the teacher's\n" and sorted(work.iterdir()) == [work / "notes.txt"]
    assert (scratch / "mine.txt").read_text() == "ok"


def test_the_server_says_which_protection_the_data_cache_has():
    with nnsim_serve() as (url, served):
        if ABI >= 1:
            served.wait_for_line(rf"sessions sandboxed \(Linux Landlock ABI {ABI}\): each writes only in its own "
                                 r"scratch folder; the data cache is read-only to it, and your other folders closed")
        else:
            served.wait_for_line(r"data cache protected by policy only: " + WHY)


# Put on the server's PYTHONPATH, this runs in every Python it starts: in a session's process
# (the only one with NNSIM_SANDBOX) it makes the real confinement also try, right after it, what a
# student who found a way to steer a write would try, and say how each attempt went on stderr
# (which textual-serve prints on the server's console when the session ends).
PROBE = r"""
import json, os, sys
if os.environ.get("NNSIM_SANDBOX"):
    import nnsim.serve.sandbox as sandbox
    real = sandbox.confine_session
    def confine_session(scratch, *args, **kwargs):
        abi = real(scratch, *args, **kwargs)
        results = {}
        for name, path in (("cache", os.path.join(os.environ["NNSIM_DATA_DIR"], "mnist", "planted.gz")),
                           ("home", os.path.join(os.environ["PROBE_HOME"], "planted")),
                           ("work", os.path.join(os.environ["PROBE_WORK"], "planted")),
                           ("scratch", os.path.join(str(scratch), "mine"))):
            try:
                with open(path, "w") as f:
                    f.write("x")
                results[name] = "written"
            except OSError as error:
                results[name] = error.errno
        for name, path in (("read home", os.path.join(os.environ["PROBE_HOME"], "secret.txt")),
                           ("read work", os.path.join(os.environ["PROBE_WORK"], "notes.txt"))):
            try:
                open(path).read()
                results[name] = "read"
            except OSError as error:
                results[name] = error.errno
        sys.stderr.write("PROBE " + json.dumps(results) + "\n")
        return abi
    sandbox.confine_session = confine_session
"""


@needs_landlock
@needs_chromium
async def test_a_served_session_is_refused_writes_outside_its_scratch_and_still_trains(tmp_path):
    """The real session process, confined as served, tries to write into the data cache, the
    teacher's HOME and the server's working folder: each is refused; it trains on the sample."""
    cache, home, work, probe = (tmp_path / name for name in ("cache", "home", "work", "probe"))
    for folder in (cache / "mnist", home, work, probe):
        folder.mkdir(parents=True)
    (cache / "mnist" / "notes.txt").write_text("the teacher's")
    (probe / "sitecustomize.py").write_text(PROBE)
    (home / "secret.txt").write_text("the teacher's")
    (work / "notes.txt").write_text("the teacher's")

    def files() -> set[str]:
        return {str(p) for root in (cache, home, work) for p in root.rglob("*")}

    before = files()
    lessons = Path(__file__).with_name("lessons")
    env = {"NNSIM_DATA_DIR": str(cache), "HOME": str(home), "PROBE_HOME": str(home), "PROBE_WORK": str(work),
           "PYTHONPATH": os.pathsep.join([str(probe), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    with nnsim_serve("--lessons", str(lessons), cwd=work, env=env) as (url, served), chromium(CHROMIUM) as browser:
        async with browser.new_page() as page:
            await page.call("Page.navigate", url=url + "/?lesson=quick-train")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "c starts training" in t, timeout=60,
                                what="the training screen")
            (pid,) = session_processes(served.process.pid)
            assert "NoNewPrivs:\t1" in Path(f"/proc/{pid}/status").read_text()
            await page.press("c")
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "1 of 1 done" in t, timeout=60,
                                what="the run on the sample")
            await page.press("q")  # home, then q again ends the session: its stderr reaches the console
            await page.wait_for(READ_TERMINAL, lambda t: bool(t) and "Enter opens it" in t, what="the home screen")
            await page.press("q")
            results = json.loads(served.wait_for_line(r"PROBE (\{.*\})", timeout=30).group(1))
    assert results == {"cache": 13, "home": 13, "work": 13, "scratch": "written", "read home": 13,
                       "read work": 13}, results
    assert files() == before, files() - before


def test_without_landlock_the_server_says_the_cache_is_protected_by_policy_only(monkeypatch, tmp_path):
    import io
    import shutil

    import nnsim.serve.server as server_module

    monkeypatch.setattr(server_module, "landlock_abi", lambda: (0, "this kernel has no Landlock (Linux 5.13 or later)"))
    out = io.StringIO()
    server = server_module.ClassroomServer(out=out, port=8123)
    try:
        server._say_hello()
        assert "  data cache protected by policy only: this kernel has no Landlock (Linux 5.13 or later)\n" in out.getvalue()
        assert "NNSIM_SANDBOX" not in server.session_environment(tmp_path)  # sessions start without it
        assert server.session_environment(tmp_path)["OPENBLAS_NUM_THREADS"] == "1"  # a class shares the cores
    finally:
        shutil.rmtree(server.root, ignore_errors=True)
