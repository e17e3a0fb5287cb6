"""One browser tab's app: ``python -m nnsim.serve.session [--lesson PATH] [--step N] [--present]``.

textual-serve runs this once per browser connection, with Textual's web driver
selected through the environment. It is a module of its own, rather than
``nnsim open``, so that the classroom options (``--present`` above all) reach
``nnsim.tui.app.run`` whether or not a lesson is named. The server has already
checked the lesson, so a failure here is unexpected: one line on stderr, which
textual-serve shows on the teacher's console.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from nnsim.errors import NnsimError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnsim.serve.session",
                                     description="Run the nnsim app for one browser session.")
    parser.add_argument("--lesson", help="scenario file to open")
    parser.add_argument("--step", type=int, help="step to open at, counted from 1")
    parser.add_argument("--present", action="store_true", help="start in presenter mode")
    args = parser.parse_args(argv)
    try:
        from nnsim.tui.app import run

        return int(run(lesson=args.lesson, step=args.step, present=args.present) or 0)
    except NnsimError as error:
        sys.stderr.write(f"nnsim: error: {error}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
