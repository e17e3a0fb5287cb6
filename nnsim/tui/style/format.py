"""Numbers as a learner reads them, and formulas with a step's numbers put in.

Formatting only: every number passed in was computed by the core or the lesson.
"""

from __future__ import annotations

import math
import re
from typing import Mapping, Optional

from textual.content import Content

from nnsim.lessons.trace_view import number

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def fmt(value: float, digits: int = 6) -> str:
    """3, -2, 0.5, 0.731059, 1.2e-07; never "1" for a number that is only close to 1.

    The one rule for numbers everywhere in nnsim (screens, handouts, ``nnsim
    run``): :func:`nnsim.lessons.trace_view.number`.
    """
    return number(value, digits)


def fmt_signed(value: float, digits: int = 6) -> str:
    """Like :func:`fmt`, with a sign always shown: +0.01, -0.02, 0."""
    text = fmt(value, digits)
    return text if text.startswith("-") or text in ("0", "nan") else "+" + text


def fmt_fixed(value: float, width: int, decimals: int = 3) -> str:
    """A number in a column of ``width`` characters: an exact integer as it is, else
    fixed decimals when they fit and are within 1% of the number, else the most
    precise general form that fits (never wider than ``width`` unless nothing fits)."""
    v = float(value)
    if not math.isfinite(v):
        return fmt(v).rjust(width)
    if v == int(v) and abs(v) < 10 ** (width - 1):
        return str(int(v)).rjust(width)
    text = f"{v:.{decimals}f}"
    # Fixed decimals when they fit and keep the number (0.0005 must not read 0.001).
    if len(text) <= width and abs(float(text) - v) <= 0.01 * abs(v):
        return text.rjust(width)
    for precision in range(width, 0, -1):
        text = f"{v:.{precision}g}"
        if len(text) <= width:
            return text.rjust(width)
    return text


def bits(row) -> str:
    """An input row as the lesson titles write it: (0, 1) → "01"."""
    return "".join(str(int(x)) for x in row)


def substitute(template: str, values: Mapping[str, float], style: str = "bold $text-accent",
               missing: str = "?") -> Content:
    """A formula with ``{name}`` placeholders replaced by ``values[name]``, formatted.

    Names are looked up exactly as written, so ``{delta[0]}`` and ``{w[1,0]}`` name
    the flat keys of a :class:`~nnsim.lessons.LessonStep`'s ``values``. ``{name:p}``
    puts a negative number in parentheses, as in ``(-2)·1 + 3``. The numbers
    put in are styled (``style``) so they stand out from the symbols; a name with
    no value shows as ``missing``. Text between placeholders is literal (no markup).
    """
    parts: list[tuple[str, str] | str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(template[last:match.start()])
        name, _, spec = match.group(1).partition(":")
        value: Optional[float] = values.get(name)
        text = missing if value is None else fmt(value)
        if spec == "p" and text.startswith("-"):
            text = f"({text})"
        parts.append((text, style))
        last = match.end()
    parts.append(template[last:])
    return Content.assemble(*[p for p in parts if p])
