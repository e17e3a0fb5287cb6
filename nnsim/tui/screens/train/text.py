"""The training screen's sentences about a run: one formatter for each figure shown."""

from __future__ import annotations

import math
from typing import Optional

from nnsim.lessons.session import PAUSED, READY, RUNNING, Progress
from nnsim.lessons.text import epoch_name, epochs_span


def clock_text(seconds: Optional[float]) -> str:
    """4.2 s, 0:42, 1:02:03; "–" when unknown. Tenths below ten seconds: a run on the
    sample takes well under one, and "0:00 elapsed" would say nothing."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    if seconds < 9.95:
        return f"{max(seconds, 0.0):.1f} s"
    s = int(round(seconds))
    h, m = divmod(s, 3600)
    m, s = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def progress_text(p: Progress) -> str:
    """One line: where the run is and how fast it goes (figures from the session)."""
    if p.epoch >= p.epochs:
        parts = [f"all {p.epochs} epochs done", f"{p.examples_done:,} examples"]
    else:
        parts = [f"{epoch_name(p.epoch)} of {epochs_span(p.epochs)}", f"mini-batch {p.batch:,} / {p.batches:,}"]
    if p.examples_per_second:
        parts.append(f"{p.examples_per_second:,.0f} examples/s")
    parts.append(f"{clock_text(p.elapsed)} elapsed")
    if p.state in (RUNNING, PAUSED, READY) and p.seconds_left is not None:
        parts.append(f"about {clock_text(p.seconds_left)} left")
    return " · ".join(parts)



BARS = "▁▂▃▄▅▆▇█"


def sparkline(values) -> str:
    """Values as bars from ▁ (the least) to █ (the most); "" for none."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    return "".join(BARS[min(len(BARS) - 1, int((v - low) / span * len(BARS)))] if math.isfinite(v) else "!"
                   for v in values)


def pace_text(pace: Optional[float]) -> str:
    return "as fast as it goes" if pace is None else f"{pace:g} mini-batch{'es' if pace != 1 else ''}/s"


def slow_motion_text(p: Progress) -> str:
    """The pace line: the pace, η, and in slow motion the mini-batch counter and a
    sparkline of the recent mini-batches' costs (mean per example)."""
    parts = [f"pace {pace_text(p.pace)} (+ faster, - slower)"]
    if p.eta is not None:
        parts.append(f"η {p.eta:g}")
    if p.pace is not None and p.recent_costs:
        parts.append(f"mini-batch {p.batch:,} / {p.batches:,}")
        parts.append(f"recent costs {sparkline(p.recent_costs)} {p.recent_costs[-1]:.3f}")
    return " · ".join(parts)


def failure_text(error: BaseException) -> str:
    """Why a run failed, in words even when the exception has none (a MemoryError has no message)."""
    if isinstance(error, MemoryError):
        return "out of memory (this process's memory limit was reached); try a smaller network or dataset"
    return str(error) or type(error).__name__
