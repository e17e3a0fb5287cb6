"""Issue #7's benchmark: training inside the app against ``nnsim train --headless``.

In one process, alternately:

1. ``nnsim train --headless`` (``nnsim.cli.main``) with the given dataset, epochs
   and seed, stdout captured;
2. the app (``TrainingApp``, headless through ``App.run_test``) on the training
   screen with the same settings: ``c`` is sent and the clock stops when the
   screen has the session's "finished" report. The screen's worker thread
   trains while Textual's loop draws the throttled progress, each epoch's log
   line, chart and look inside.

Each run is timed three ways: its training (the epochs' own seconds, summed:
no start-up, no data loading), its total from the start command to the end of
the last epoch (loading the data included), and the CPU seconds of all the
process's threads meanwhile (the app's drawing included). Prints each run, the
medians and the ratios app / headless (the target is at most 1.15), after checking that both runs counted the same correct
test images in every epoch (the same run, number for number).

Then, in a run of its own (so that it does not weigh on the timings), it
measures how long a key takes to be answered while the app trains: the key that
switches panels is posted, and the time until the panel has switched is taken
(median and worst, target under 100 ms).

    python benchmarks/bench_train_screen.py                      # Fashion-MNIST from Debian, the book's 30 epochs
    python benchmarks/bench_train_screen.py --dataset sample --epochs 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402

from nnsim.cli import main  # noqa: E402
from nnsim.lessons.kinds.train import train_scenario  # noqa: E402
from nnsim.lessons.session import FINISHED  # noqa: E402
from nnsim.tui.screens.train.screen import TrainingApp  # noqa: E402

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"
EPOCH_LINE = re.compile(r"^Epoch (\d+): (\d+) / (\d+)  .*?([\d.]+) s$")


class Run(NamedTuple):
    total: float
    """Seconds from the start command to the end of the last epoch, data loading included."""
    cpu: float
    """CPU seconds of all the process's threads meanwhile."""
    training: float
    """The epochs' own seconds, summed: training and evaluation, no start-up or loading."""
    correct: list[int]


def headless(args) -> Run:
    command = ["train", "--headless", "--dataset", args.dataset, "--epochs", str(args.epochs),
               "--seed", str(args.seed)]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    out, err = io.StringIO(), io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(command)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if status != 0:
        raise SystemExit(f"nnsim train --headless failed: {err.getvalue().strip()}")
    epochs = [m for m in map(EPOCH_LINE.match, out.getvalue().splitlines()) if m]
    return Run(seconds, cpu, sum(float(m.group(4)) for m in epochs), [int(m.group(2)) for m in epochs])


async def in_app(args) -> Run:
    """Seconds from sending ``c`` to the screen's handling of the "finished" report,
    and the CPU seconds all the process's threads used meanwhile."""
    scenario = train_scenario(dataset=args.dataset, epochs=args.epochs, seed=args.seed)
    app = TrainingApp(scenario, cursor_blink=False, data_dir=args.data_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        finished = asyncio.Event()
        handled = screen.run_stopped
        end = []

        def run_stopped(stopped):  # the screen's own handler, then the time it was done
            handled(stopped)
            if stopped.state == FINISHED:
                end.append((time.perf_counter(), time.process_time()))
                finished.set()

        screen.run_stopped = run_stopped
        start, cpu = time.perf_counter(), time.process_time()
        app.post_message(events.Key("c", "c"))
        await finished.wait()  # no polling: the wait itself takes no time from training
        results = screen.session.results
        await app.workers.wait_for_complete()
    return Run(end[0][0] - start, end[0][1] - cpu, sum(r.event.seconds for r in results),
               [r.event.correct for r in results])


async def key_latencies(args, presses: int = 20) -> list[float]:
    """While the app trains, switch panels ``presses`` times; seconds each took to show."""
    scenario = train_scenario(dataset=args.dataset, epochs=max(args.epochs, 2), seed=args.seed)
    app = TrainingApp(scenario, cursor_blink=False, data_dir=args.data_dir)
    latencies = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        app.post_message(events.Key("c", "c"))
        while not screen.busy:
            await asyncio.sleep(0.01)
        views = screen.query_one("#views")
        while screen.busy and len(latencies) < presses:
            target, key = ("classes", "2") if views.active != "classes" else ("accuracy", "1")
            sent = time.perf_counter()
            app.post_message(events.Key(key, key))
            while views.active != target:
                await asyncio.sleep(0.0005)
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(0.1)
        screen.session.request_stop()
        await app.workers.wait_for_complete()
    return latencies


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="fashion-mnist", choices=("fashion-mnist", "mnist", "sample"))
    parser.add_argument("--data-dir", default=None, help=f"default for fashion-mnist: {DEBIAN_FASHION}")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.dataset == "fashion-mnist" and args.data_dir is None:
        if not Path(DEBIAN_FASHION).is_dir():
            raise SystemExit(f"no {DEBIAN_FASHION}: apt-get install -y dataset-fashion-mnist, or use --dataset sample")
        args.data_dir = DEBIAN_FASHION
    os.chdir(tempfile.mkdtemp())  # nothing the runs write lands in the checkout
    print(f"dataset {args.dataset}{' from ' + args.data_dir if args.data_dir else ''}, [784, 30, 10], "
          f"{args.epochs} epochs, mini-batch 10, eta 3.0, seed {args.seed}; {args.repeats} runs each, alternating")
    runs_headless, runs_app = [], []
    for i in range(args.repeats):
        h = headless(args)
        a = asyncio.run(in_app(args))
        if a.correct != h.correct:
            raise SystemExit(f"the runs differ: headless {h.correct}, app {a.correct}")
        runs_headless.append(h)
        runs_app.append(a)
        print(f"run {i + 1}: headless {h.training:6.2f} s training, {h.total:6.2f} s total ({h.cpu:.2f} s CPU)   "
              f"app {a.training:6.2f} s training, {a.total:6.2f} s total ({a.cpu:.2f} s CPU)   "
              f"ratio training {a.training / h.training:.3f}, total {a.total / h.total:.3f}", flush=True)
    print(f"correct per epoch, the same in every run: {runs_app[-1].correct}")
    # On a shared machine one run can be slowed by others; the fastest of each is the
    # least disturbed, the CPU time says what each did whatever the machine's load.
    for what, pick in (("training, median", lambda runs: statistics.median(r.training for r in runs)),
                       ("training, fastest", lambda runs: min(r.training for r in runs)),
                       ("total, median", lambda runs: statistics.median(r.total for r in runs)),
                       ("CPU, median", lambda runs: statistics.median(r.cpu for r in runs))):
        hs, as_ = pick(runs_headless), pick(runs_app)
        print(f"{what + ':':18} headless {hs:6.2f} s, app {as_:6.2f} s; app / headless = {as_ / hs:.3f} "
              f"(target ≤ 1.15)")
    ms = sorted(1000 * t for t in asyncio.run(key_latencies(args)))
    print(f"key answered while training ({len(ms)} presses): median {statistics.median(ms):.1f} ms, "
          f"worst {ms[-1]:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main_()
