"""Issue #15's benchmark: drawing on the canvas stays smooth while the network reads along.

A drag is a stream of mouse moves. Each is timed as CPU time in a headless app driven by
Pilot (``App.run_test``), from the move until the app is idle again, on three screens:

- the draw screen with a [784, 30, 10] network reading the drawing (preprocessing,
  feedforward, bars, the preprocessed image), throttled to one reading per 50 ms;
- the same screen with no network (the reference: the pen and the canvas alone);
- the same with the reading done on every move (no throttle), for comparison;
- the pointer moving with no button held (Pilot's and the event loop's own cost per move).

    python benchmarks/bench_draw.py [--moves 120] [--size 120x40]

Target: a move with the live reading costs at most 1.5× a move on the bare canvas, and
well under 16 ms (a 60 Hz pointer).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnsim.core.network import Network  # noqa: E402
from nnsim.lessons.networks import Found  # noqa: E402
import nnsim.tui.screens.draw.screen as draw_screen  # noqa: E402
from nnsim.tui.screens.draw.app import DrawApp  # noqa: E402


async def moves(found, n: int, size, press: bool = True) -> list[float]:
    app = DrawApp(found, cursor_blink=False)
    times = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        canvas = app.screen.canvas
        if press:
            await pilot.mouse_down(canvas, offset=(10, 2))
        for i in range(n):
            x, y = 10 + (i * 3) % 40, 2 + (i // 13) % 11
            t0 = time.process_time()
            await pilot.hover(canvas, offset=(x, y))
            await pilot.pause()
            times.append(time.process_time() - t0)
        if press:
            await pilot.mouse_up(canvas, offset=(10, 2))
    return times


def report(name: str, times: list[float]) -> float:
    med = statistics.median(times)
    p90 = sorted(times)[int(0.9 * len(times))]
    print(f"{name:<34} median {med * 1000:6.2f} ms   p90 {p90 * 1000:6.2f} ms")
    return med


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=120)
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    net = Network([784, 30, 10], seed=0)
    idle = report("pointer moving, nothing drawn", asyncio.run(moves(None, args.moves, size, press=False)))
    bare = report("bare canvas (no network)", asyncio.run(moves(None, args.moves, size)))
    live = report("live reading, throttled 50 ms", asyncio.run(moves(Found(net, "bench"), args.moves, size)))
    draw_screen.THROTTLE = 1e-6
    every = report("reading on every move", asyncio.run(moves(Found(net, "bench"), args.moves, size)))
    print(f"ratio live/bare {live / bare:.2f} (target ≤ 1.5); every-move/bare {every / bare:.2f}; "
          f"drawing's own cost per move (minus Pilot's) {max(live - idle, 0) * 1000:.2f} ms (target < 16 ms)")


if __name__ == "__main__":
    main()
