"""What a step's result is, and whether the screen shows it (tests/tui/test_every_result_80x24.py).

A step's result is what its narration names, read as values: every number the
sentence writes that is one of the step's own values (so "eq. 5" is not a result,
σ(z) = 0.622459 is). It is shown when the same value is written somewhere on the
screen outside the narration panel, to the digits each side writes. A backprop
step's result is also the arrays it computes (``trace_view.RESULT_ARRAYS``, whole,
every line of them) and the step's equation (every line, uncut); a gate lab's is
every expectation line and the truth table. "Shown" includes what the keys the
screen names (pgdn) bring into view.
"""

from __future__ import annotations

import math
import re

import numpy as np
from dataclasses import dataclass, field

from nnsim.core.trace import TraceStep
from nnsim.lessons.text import MINUS, parse_number
from nnsim.lessons.trace_view import RESULT_ARRAYS, array_label
from nnsim.tui.frame.equation import EquationPanel
from nnsim.tui.frame.expectations import ExpectationList
from nnsim.tui.frame.narration import NarrationPanel

NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?(?![\w.]*\d)")
PAGES = 24  # pgdn presses tried to bring a result into view (a 30-row column takes a few)


def unit_of(text: str) -> float:
    """Half the uncertainty of a written number: one unit of its last digit; an integer is exact."""
    digits = text.strip().lstrip(MINUS + "+-")
    mantissa, _, exponent = digits.partition("e")
    if "." not in mantissa:
        return 0.0 if not exponent else 10.0 ** int(exponent.replace(MINUS, "-"))
    decimals = len(mantissa.split(".")[1])
    return 10.0 ** (int(exponent.replace(MINUS, "-") or 0) - decimals)


def same(a: str, b: str) -> bool:
    """Two written numbers name the same value, up to the rounding of each."""
    x, y = parse_number(a), parse_number(b)
    if not (math.isfinite(x) and math.isfinite(y)):
        return x == y
    return abs(x - y) <= (unit_of(a) + unit_of(b)) / 2 * (1 + 1e-9) + 1e-12 * max(abs(x), abs(y))


def named_values(step) -> list[str]:
    """The numbers the step's narration writes that are values of the step (its result and
    the numbers it is computed from)."""
    out = []
    for text in NUMBER.findall(step.narration):
        q, half = parse_number(text), unit_of(text) / 2 * (1 + 1e-9)
        if any(math.isfinite(v) and abs(q - v) <= half + 1e-12 * abs(v) for v in step.values.values()):
            out.append(text)
    return out


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def outside(app, widget) -> list[str]:
    """The screen's lines with ``widget``'s rows and the footer left out."""
    region = widget.region
    lines = screen_lines(app)
    return [line for y, line in enumerate(lines[:-1]) if not region.y <= y < region.bottom]


@dataclass
class Seen:
    """What one step's screen shows, over every pgdn position."""

    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def numbers(self) -> list[str]:
        return NUMBER.findall(self.text)


async def seen_at_step(pilot) -> Seen:
    """The screen outside the narration, then the arrays panel at every position pgdn
    takes it to (the key's own action, :meth:`ArraysView.page`, drawn line by line: a
    screen per press would make the walk slow), then back where the step put it."""
    app = pilot.app
    narration = app.screen.query_one(NarrationPanel)
    seen = Seen(outside(app, narration))
    views = [v for v in app.screen.query("ArraysView") if v.display]
    for view in views:
        start = view.top
        for _ in range(PAGES):
            # Cropped as the screen crops them (and to what of the panel is on the screen).
            width = max(0, min(view.size.width, app.size.width - view.content_region.x))
            lines = [view.render_line(y).crop(0, width).text for y in range(view.size.height)]
            seen.lines += lines
            if "(pgdn)" not in lines[-1]:
                break
            view.page(1)
        view.top = start
        view.refresh()
    return seen


def _flat(text: str) -> str:
    return " ".join(text.split())


def panel_text(app, widget, seen_lines: list[str] | None = None) -> str:
    """What of ``widget`` is on screen (its content region cropped out of the screen's lines),
    with line breaks and runs of spaces as single spaces, so wrapped lines read whole."""
    region = widget.content_region
    lines = screen_lines(app)[region.y:region.bottom]
    return _flat(" ".join(line[region.x:region.right] for line in lines))


def missing(app, step, seen: Seen) -> list[str]:
    """What of ``step``'s result the screen does not show (empty: all of it)."""
    problems = []
    narration = app.screen.query_one(NarrationPanel)
    if narration.max_scroll_y > 0:
        problems.append(f"the narration is cut ({narration.max_scroll_y} lines hidden)")
    shown = seen.numbers()
    for text in named_values(step):
        if not any(same(text, s) for s in shown):
            problems.append(f"the narration names {text}; no panel shows it")
    text = seen.text
    ascii_minus = re.findall(r"(?:^|[\s(=,\[])-\d[\d.e]*", text, re.M)
    if ascii_minus:
        problems.append(f"an ASCII hyphen as a minus sign: {sorted(set(ascii_minus))[:3]}")
    for panel in app.screen.query(EquationPanel):
        if panel.display:
            on_screen = panel_text(app, panel)
            for line in panel.text.split("\n"):
                if _flat(line) not in on_screen:
                    problems.append(f"equation line cut: {line.strip()!r}")
    for panel in app.screen.query(ExpectationList):
        if not panel.display or panel.region.area == 0:
            problems.append("the expectations are hidden")
            continue
        on_screen = panel_text(app, panel)
        for line in panel.render().plain.split("\n"):
            if _flat(line) not in on_screen:
                problems.append(f"expectation not shown: {line.strip()!r}")
    if isinstance(step.data, TraceStep):
        from nnsim.tui.screens.backprop.arrays_view import ArraysView, NumberTable

        view = app.screen.query_one(ArraysView)
        for name in RESULT_ARRAYS.get(step.data.phase, ()):
            if name not in step.data.arrays:
                continue
            label = array_label(name, step.data.layer)
            rows, cols = np.shape(step.data.arrays[name]) if np.ndim(step.data.arrays[name]) == 2 else (1, 1)
            # A table's head reads "δ²  (3×1)", a heat map's "∂C/∂w²  30×784".
            if f"{label} ({rows}×{cols})" in text and "too long to list" in _flat(text):
                continue  # listed in the panel's note: the image and the network view show it
            if f"{label}  ({rows}×{cols})" not in text and f"{label}  {rows}×{cols}" not in text:
                problems.append(f"result array {label} not shown")
                continue
            table = next((t for kind, b, _ in view._blocks_laid
                          for t in (b if kind == "row" else [b]) if isinstance(t, NumberTable) and t.name == label),
                         None)
            if table is not None:
                for row in table.cells:
                    cells = "".join(row).strip()
                    if cells not in text:
                        problems.append(f"result array {label}: row {cells!r} not shown")
    return problems
