"""One browser tab's app: ``python -m nnsim.serve.session [--lesson NAME] [--step N] [--present]``.

textual-serve runs this once per browser connection, with Textual's web driver
selected through the environment. Before anything else it takes on the limits
of an untrusted session:

- a memory limit (``resource.setrlimit``, ``NNSIM_SERVE_MEMORY_MB``, see
  :mod:`nnsim.serve.limits`): a runaway session fails alone, on any thread, and
  exits with :data:`OUT_OF_MEMORY` so the server can tell the tab why it ended;
- its private scratch folder (``NNSIM_SCRATCH``, made and deleted by the
  server) as working folder, ``HOME`` and ``TMPDIR``, so nothing lands in the
  teacher's folders; where the server found Landlock (``NNSIM_SANDBOX``), the
  kernel then refuses the session every write outside that folder, TCP and
  signals to other processes (:mod:`nnsim.serve.sandbox`);
- a :class:`~nnsim.tui.host.ServedHost`: lesson names only, files as downloads.

The server has already checked the lesson and step, so a failure here is
unexpected: one line on stderr, which textual-serve shows on the teacher's console.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from nnsim.errors import NnsimError
from nnsim.serve.limits import LimitTooLow, limit_memory, watch_workers
from nnsim.serve.sandbox import SANDBOX_ENV, SandboxError, confine_session, session_reads
from nnsim.tui.host import OUT_OF_MEMORY, out_of_memory

MEMORY_ENV = "NNSIM_SERVE_MEMORY_MB"


def enter_scratch(folder: str) -> None:
    os.chdir(folder)
    os.environ["HOME"] = folder
    os.environ["TMPDIR"] = folder
    import tempfile

    tempfile.tempdir = folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnsim.serve.session",
                                     description="Run the nnsim app for one browser session.")
    parser.add_argument("--lesson", help="lesson name to open")
    parser.add_argument("--step", type=int, help="step to open at, counted from 1")
    parser.add_argument("--present", action="store_true", help="start in presenter mode")
    args = parser.parse_args(argv)
    from nnsim.tui.host import SCRATCH_ENV

    started_in = os.getcwd()  # the server's working folder, which is the teacher's
    if os.environ.get(SCRATCH_ENV):
        enter_scratch(os.environ[SCRATCH_ENV])
    try:
        from nnsim.tui.app import NnsimApp, start_point
        from nnsim.tui.follow import follower_from_environment
        from nnsim.tui.host import ServedHost

        host = ServedHost.from_environment()
        if os.environ.get(SANDBOX_ENV) and os.environ.get(SCRATCH_ENV):
            from nnsim.data.cache import cache_root

            # From now on it writes only in scratch, and reads only what a session needs.
            scratch = Path(os.environ[SCRATCH_ENV])
            # ``python -m`` put the working folder first on sys.path; nnsim is imported by now
            # (its modules are found through its package), so the teacher's folder is not needed.
            sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != started_in]
            confine_session(scratch, session_reads(scratch, host.table.values(), cache_root()))
        # After the imports: the limit is on what the session grows to, not on the libraries
        # every session maps (which the system shares between them).
        if os.environ.get(MEMORY_ENV):
            limit_memory(int(os.environ[MEMORY_ENV]))
        scenario, start, steps = start_point(args.lesson, args.step, host)
        app = NnsimApp(scenario, start=start, steps=steps, present=args.present, settle_gc=True, host=host)
        app.follow = follower_from_environment(app)
        watch_workers(app)
        app.run()
        return int(app.return_code or 0)
    except SandboxError as error:  # the server found Landlock: a session without it does not start
        sys.stderr.write(f"nnsim: error: this session could not be sandboxed: {error}\n")
        return 2
    except LimitTooLow as error:
        sys.stderr.write(f"nnsim: error: {error}\n")
        return OUT_OF_MEMORY
    except NnsimError as error:
        sys.stderr.write(f"nnsim: error: {error}\n")
        return 2
    except Exception as error:
        if out_of_memory(error):
            return OUT_OF_MEMORY
        raise


if __name__ == "__main__":
    raise SystemExit(main())
