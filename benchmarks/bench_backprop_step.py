"""Issue #6's benchmark: one step of the backprop debugger on [784, 30, 10].

A step is what a key press costs the app: moving the cursor (``n`` or ``b``,
or ``↓`` to another neuron) and drawing the screen again (every changed widget
updated, laid out and rendered to the terminal's cells). It is timed as CPU
time in a headless app driven by Pilot (``App.run_test``), from the key press
until the app is idle again, and set against references measured in the same
process:

- the core recording the whole pass, ``trace_backprop`` on the same digit
  (what the debugger shows in one step is one entry of it);
- the same step-and-draw on the gate lab's NAND lesson, a small screen;
- the [2, 3, 2] lesson, where every edge is drawn with its numbers;
- a key bound to nothing (Pilot's and the event loop's own cost per press).

    python benchmarks/bench_backprop_step.py [--steps 60] [--size 120x40]

Target (issue #14, with the network drawn with its edges): median ≤ 30 ms and 95th
percentile ≤ 50 ms per step. The app is timed as ``nnsim`` runs it, with the
garbage collector settled once the first screen is drawn
(:func:`nnsim.tui.app.settle_garbage_collector`); runs with Python's default
collector and with the collector paused say how much of the slow tail is
collection pauses.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnsim.core.trace import trace_backprop  # noqa: E402
from nnsim.lessons import build_steps, lesson_network, load_scenario  # noqa: E402
from nnsim.lessons.kinds.backprop import examples  # noqa: E402
from nnsim.tui.app import NnsimApp  # noqa: E402

TARGET_MS = 50.0
TARGET_MEDIAN_MS = 30.0


async def time_steps(lesson: str, keys: list[str], size: tuple[int, int], rounds: int,
                     settle_gc: bool = True) -> list[float]:
    """CPU seconds per key press: the action, and everything the app then does until it
    is idle again (layout, rendering every changed widget, composing the frame).

    Pilot waits for the app to go idle by sleeping; process time leaves the sleeps out,
    so what is counted is the app's own work, on a busy machine too.
    """
    app = NnsimApp(load_scenario(lesson), cursor_blink=False, settle_gc=settle_gc)
    times = []
    thresholds = gc.get_threshold()
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for i in range(rounds):
                start = time.process_time()
                await pilot.press(keys[i % len(keys)])
                times.append(time.process_time() - start)
    finally:  # the next run starts from Python's defaults again
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))

    scenario = load_scenario("backprop-digit")
    steps = build_steps(scenario)
    net = lesson_network(scenario)
    x, y = examples(steps[0].context)
    core = []
    for _ in range(max(20, args.steps)):
        start = time.perf_counter()
        trace_backprop(net, x, y, eta=scenario.backprop.eta)
        core.append(time.perf_counter() - start)

    # Forward through the lesson's 20 steps and back, with neuron moves in between.
    digit_keys = ["n"] * 19 + ["down"] * 5 + ["b"] * 19 + ["down"] * 5
    digit = asyncio.run(time_steps("backprop-digit", digit_keys, size, args.steps))
    # The same with Python's default collector, and with the collector paused: how much
    # of the slow tail is collection pauses rather than drawing.
    default_gc = asyncio.run(time_steps("backprop-digit", digit_keys, size, args.steps, settle_gc=False))
    gc.collect()
    gc.disable()
    try:
        no_gc = asyncio.run(time_steps("backprop-digit", digit_keys, size, args.steps, settle_gc=False))
    finally:
        gc.enable()
    gate = asyncio.run(time_steps("nand", ["n", "n", "n", "b", "b", "b"], size, args.steps))
    # The [2, 3, 2] pass, where the view draws every edge with its numbers.
    small = asyncio.run(time_steps("backprop-by-hand", ["n"] * 9 + ["down"] * 2 + ["b"] * 9, size, args.steps))
    # A key bound to nothing: what Pilot and the event loop cost per press on their own.
    idle = asyncio.run(time_steps("backprop-digit", ["z"], size, args.steps))

    med_core, med_digit, med_gate, med_idle = (statistics.median(t) for t in (core, digit, gate, idle))
    p95_digit = float(np.percentile(digit, 95))
    print(f"backprop debugger step on [784, 30, 10], {size[0]}×{size[1]}, {len(digit)} steps")
    print(f"  debugger step (move + draw)  median {ms(med_digit)}   95th percentile {ms(p95_digit)}"
          f"   max {ms(max(digit))}")
    print(f"  the same, default collector  median {ms(statistics.median(default_gc))}   95th percentile "
          f"{ms(float(np.percentile(default_gc, 95)))}   max {ms(max(default_gc))}")
    print(f"  the same, collector paused   median {ms(statistics.median(no_gc))}   95th percentile "
          f"{ms(float(np.percentile(no_gc, 95)))}")
    print(f"  core trace_backprop (pass)   median {ms(med_core)}")
    print(f"  [2, 3, 2] debugger step      median {ms(statistics.median(small))}   95th percentile "
          f"{ms(float(np.percentile(small, 95)))}")
    print(f"  gate lab step (NAND)         median {ms(med_gate)}")
    print(f"  a key bound to nothing       median {ms(med_idle)}   (Pilot and the event loop alone)")
    print(f"  ratios: debugger step / core pass = {med_digit / med_core:.1f}×, "
          f"debugger step / gate lab step = {med_digit / med_gate:.1f}×")
    for what, value, target in (("median", med_digit, TARGET_MEDIAN_MS), ("95th percentile", p95_digit, TARGET_MS)):
        verdict = "under" if value <= target / 1000 else "OVER"
        print(f"  target {target:.0f} ms: {what} {verdict} ({value / (target / 1000):.0%} of it)")


if __name__ == "__main__":
    main()
