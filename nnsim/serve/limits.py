"""A served session's memory limit, and what happens when the session reaches it.

The limit is ``RLIMIT_AS`` (address space), set in the session's process once its
imports are done. Reaching it shows up in three ways, and each one ends the session
with :data:`~nnsim.tui.host.OUT_OF_MEMORY`, which the server turns into a page in
the student's tab that says so in words:

- a ``MemoryError`` on the app's own thread (``NnsimApp._handle_exception``);
- a ``MemoryError`` in a worker thread (a training run, loading a plan, a save):
  a screen says "training failed: out of memory", and :func:`watch_workers`
  then ends the app, since nothing more can be trusted to fit;
- a thread that cannot start ("can't start new thread": no room to map its
  stack), which under a tight limit comes before any ``MemoryError``;
- a library that gives up on its own: OpenBLAS, whose per-thread buffer cannot
  be mapped, prints "OpenBLAS error: Memory allocation still failed …" and ends
  the process with status 1, which Python never sees. The server keeps the end
  of each session's stderr, and :func:`ended_out_of_memory` reads it.

A limit below what the app needs just to start (its libraries alone take about
160 MB of address space here, more with many BLAS threads) would fail before the
first frame, so :func:`limit_memory` checks the room left first and the session
exits at once with a line for the teacher's console. ``nnsim serve`` refuses
limits below :data:`MIN_MEMORY_MB` outright.
"""

from __future__ import annotations

import sys
from typing import Optional

from nnsim.tui.host import OUT_OF_MEMORY, out_of_memory

# The smallest --memory-limit nnsim serve takes (nnsim.cli.serve keeps its own copy, to stay light):
# the app starts (about 180 MB of address space, measured on Linux x86-64, Python 3.11, 2 cores)
# and trains a small network on the sample (about 360 MB), with room to spare.
MIN_MEMORY_MB = 400
# What the app still maps after its imports to draw its first frame (threads' stacks and arenas,
# Textual's first screen): measured 170 MB fails, 180 MB starts, after imports at about 163 MB.
START_ROOM_MB = 48


# What a library that ran out of the session's memory and ended the process prints as it goes.
OUT_OF_MEMORY_SIGNS = (b"OpenBLAS error: Memory allocation", b"\nMemoryError", b"Cannot allocate memory")


def ended_out_of_memory(code: Optional[int], stderr_tail: bytes) -> bool:
    """Whether a session's process that ended with ``code``, having last said ``stderr_tail``
    on stderr, ran out of its memory."""
    if code == OUT_OF_MEMORY:
        return True
    return code not in (None, 0) and code > 0 and any(sign in stderr_tail for sign in OUT_OF_MEMORY_SIGNS)


class LimitTooLow(Exception):
    """The limit leaves the session no room to start (the message is for the teacher's console)."""


def address_space_mb() -> Optional[float]:
    """This process's address space now, in MB (None where /proc is not there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes``; numpy's big allocations then fail
    with MemoryError. LimitTooLow if that leaves too little to start the app."""
    try:
        import resource
    except ImportError:  # not on this platform: the session cap and the size cap still hold
        return
    used = address_space_mb()
    if used is not None and megabytes < used + START_ROOM_MB:
        raise LimitTooLow(f"this session's memory limit ({megabytes} MB) is below what the app needs to start "
                          f"on this computer (about {used + START_ROOM_MB:.0f} MB); "
                          f"raise nnsim serve --memory-limit")
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def watch_workers(app) -> None:
    """End ``app`` with OUT_OF_MEMORY when any of its workers runs out of memory.

    Workers that do not exit on error keep their failure to themselves (the screen that
    started one says what went wrong), so the app's worker manager is where every
    worker's end can be seen; its end-of-worker callback is the one place to look."""
    from textual.worker_manager import WorkerManager

    class Watched(WorkerManager):
        def _remove_worker(self, worker) -> None:
            super()._remove_worker(worker)
            if worker.error is not None and out_of_memory(worker.error):
                sys.stderr.write(f"nnsim: a session ran out of memory ({worker.name or 'a worker'})\n")
                app.exit(return_code=OUT_OF_MEMORY)

    app._workers = Watched(app)
