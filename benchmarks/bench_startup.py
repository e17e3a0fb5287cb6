"""Startup of the app: from the command to its first frame, in a real terminal (a pty).

Runs ``nnsim`` (the home screen) and ``nnsim open nand`` (a lesson) in a
pseudo-terminal of 100×30 and times how long each takes until the first frame's
text has been written (the home screen's first section title; the lesson's step
counter), then quits the app with ctrl+q. In the same invocation it times two
references the same way: ``python -c pass`` (the interpreter alone) and
``python -c "import textual.app"`` (the framework's own import), so the figures
can be read as ratios on whatever machine runs them. Target: under 1.5 s.

Finally ``python -X importtime`` lists what the app's import costs most.

    python benchmarks/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import termios
import time

COLUMNS, ROWS = 100, 30
TARGET_SECONDS = 1.5


def spawn_in_pty(argv: list[str]) -> tuple[subprocess.Popen, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS))
    env.pop("TEXTUAL", None)  # no devtools

    def become_terminal_owner() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                               preexec_fn=become_terminal_owner)
    os.close(slave)
    return process, master


def read_until(master: int, pattern: re.Pattern | None, process: subprocess.Popen, timeout: float = 30.0) -> float:
    """Seconds until ``pattern`` appears in the output (or, with None, until the process ends)."""
    start = time.perf_counter()
    seen = b""
    while time.perf_counter() - start < timeout:
        ready, _, _ = select.select([master], [], [], 0.01)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                chunk = b""
            if chunk:
                seen += chunk
                # The text of a frame is split by escape sequences; look at the text alone.
                if pattern is not None and pattern.search(strip_escapes(seen)):
                    return time.perf_counter() - start
        if pattern is None and process.poll() is not None:
            return time.perf_counter() - start
        if pattern is not None and process.poll() is not None and not ready:
            raise RuntimeError(f"{process.args} exited ({process.returncode}) before its first frame:\n"
                               f"{strip_escapes(seen)[-2000:]}")
    raise TimeoutError(f"{process.args}: no {pattern.pattern if pattern else 'exit'} within {timeout} s")


_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[PX^_].*?\x1b\\|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Z]|\x1b[=>78]")


def strip_escapes(data: bytes) -> str:
    return _ESCAPES.sub(b"", data).decode("utf-8", "replace")


def time_to_first_frame(argv: list[str], marker: str) -> float:
    process, master = spawn_in_pty(argv)
    start = time.perf_counter()
    try:
        read_until(master, re.compile(re.escape(marker)), process)
        elapsed = time.perf_counter() - start
        os.write(master, b"\x11")  # ctrl+q
        read_until(master, None, process, timeout=10)
        return elapsed
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)


def time_to_exit(argv: list[str]) -> float:
    process, master = spawn_in_pty(argv)
    start = time.perf_counter()
    try:
        read_until(master, None, process)
        return time.perf_counter() - start
    finally:
        process.wait()
        os.close(master)


def nnsim_command() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "nnsim")
    if os.path.exists(script):
        return [script]
    found = shutil.which("nnsim")
    return [found] if found else [sys.executable, "-m", "nnsim"]


def import_costs(module: str, top: int = 10) -> list[tuple[float, str]]:
    """The slowest imports near the top of the tree (cumulative seconds, including what
    each imports) when ``module`` is imported, from -X importtime."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                            capture_output=True, text=True, check=True)
    rows = []
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            depth = (len(name) - len(name.lstrip())) // 2
            if depth <= 3 and int(parts[1]) >= 20_000:
                rows.append((int(parts[1]) / 1e6, name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    args = parser.parse_args()

    nnsim = nnsim_command()
    cases = [
        ("python -c pass", lambda: time_to_exit([sys.executable, "-c", "pass"])),
        ("python -c 'import textual.app'", lambda: time_to_exit([sys.executable, "-c", "import textual.app"])),
        ("nnsim → home screen", lambda: time_to_first_frame(nnsim, "Perceptrons")),
        ("nnsim open nand → lesson", lambda: time_to_first_frame(nnsim + ["open", "nand"], "step 1 / 4")),
    ]
    time_to_exit([sys.executable, "-c", "import textual.app, numpy"])  # warm the file cache once
    results = {}
    for name, run in cases:
        times = [run() for _ in range(args.runs)]
        results[name] = times
    textual_import = statistics.median(results["python -c 'import textual.app'"])
    interpreter = statistics.median(results["python -c pass"])
    print(f"Startup in a {COLUMNS}×{ROWS} pty, {args.runs} runs each (median, min, max in seconds):")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"  {name:34s} {median:6.3f}  {min(times):6.3f}  {max(times):6.3f}   "
              f"×{median / interpreter:4.1f} python, ×{median / textual_import:4.2f} import textual.app")
    worst = max(statistics.median(results[n]) for n in results if n.startswith("nnsim"))
    verdict = "within" if worst < TARGET_SECONDS else "OVER"
    print(f"Command to first frame: {worst:.3f} s, {verdict} the {TARGET_SECONDS} s target.")
    print("Slowest imports of nnsim.tui.app (cumulative, one run):")
    for seconds, module in import_costs("nnsim.tui.app"):
        print(f"  {seconds:6.3f} s  {module}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
