"""Numbers as a learner reads them, and formulas with a step's numbers put in.

Formatting only: every number passed in was computed by the core or the lesson.
"""

from __future__ import annotations

from typing import Mapping

from textual.content import Content

from nnsim.lessons.text import fill_parts, fit, number, signed


def fmt(value: float, digits: int = 6) -> str:
    """3, −2, 0.5, 0.731059, 1.2e−07; never "1" for a number that is only close to 1.

    The one rule for numbers everywhere in nnsim (screens, handouts, ``nnsim
    run``): :func:`nnsim.lessons.text.number`.
    """
    return number(value, digits)


def fmt_signed(value: float, digits: int = 6) -> str:
    """Like :func:`fmt`, with a sign always shown: +0.01, −0.02, 0."""
    return signed(value, digits)


def fmt_fixed(value: float, width: int, decimals: int = 3) -> str:
    """A number in a cell of ``width`` characters: :func:`nnsim.lessons.text.fit`."""
    return fit(value, width, decimals)


def bits(row) -> str:
    """An input row as the lesson titles write it: (0, 1) → "01"."""
    return "".join(str(int(x)) for x in row)


def substitute(template: str, values: Mapping[str, float], style: str = "bold $text-accent",
               missing: str = "?") -> Content:
    """A formula with its placeholders filled by :func:`nnsim.lessons.text.fill`'s rule,
    the numbers styled (``style``) so they stand out from the symbols.

    Names are looked up exactly as written, so ``{delta[0]}`` and ``{w[1,0]}`` name
    the flat keys of a :class:`~nnsim.lessons.LessonStep`'s ``values``; ``{name:p}``
    puts a negative number in parentheses, as in ``(−2)·1 + 3``; a name with no value
    shows as ``missing``. Text between placeholders is literal (no markup).
    """
    return Content.assemble(*[(text, style) if is_number else text
                              for text, is_number in fill_parts(template, values, missing)])
