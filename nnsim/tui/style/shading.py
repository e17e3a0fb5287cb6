"""Shades for values: the background of a cell says the sign and size of a number.

Styles use the theme's variables (``$primary`` for positive, ``$error`` for
negative, ``$foreground`` for intensities), so shading follows the light, dark
and presenter themes without recomputing colours.
"""

from __future__ import annotations

import math

# The strongest shade behind text: stronger would make numbers hard to read.
TEXT_SHADE_MAX = 55

# Secondary text in a Content span. Not "$text-muted": in Textual 8.2.8 that variable is
# "auto 60%", and inside Content spans the alpha is lost, so it renders at full contrast.
MUTED = "$foreground 60%"


def signed_shade(value: float, scale: float, strongest: int = TEXT_SHADE_MAX) -> str:
    """A background for ``value`` among values up to ``scale`` in size: positive in
    the theme's primary colour, negative in its error colour, stronger when larger."""
    if not math.isfinite(value):
        return "bold $error"
    if scale <= 0 or value == 0:
        return ""
    pct = max(4, round(strongest * min(1.0, abs(value) / scale)))
    return f"on $primary {pct}%" if value > 0 else f"on $error {pct}%"


def intensity_shade(value: float, lo: float = 0.0, hi: float = 1.0) -> str:
    """A colour for an intensity in [lo, hi] (a pixel, an activation): from the
    background (lo) to the foreground (hi). Returned without "on", for use as
    either the foreground or (prefixed with "on ") the background."""
    if not math.isfinite(value):
        return "$error"
    t = 0.0 if hi <= lo else min(1.0, max(0.0, (value - lo) / (hi - lo)))
    # Never 0%: Textual reads a 0% colour as the full colour; 1% looks like none.
    return f"$foreground {max(1, round(100 * t))}%"


def signed_colour(value: float, scale: float) -> str:
    """Like :func:`signed_shade` but full range and without "on": for heat maps
    drawn with block characters, where no text sits on top."""
    if not math.isfinite(value):
        return "$error"
    if scale <= 0 or value == 0:
        return "$foreground 1%"  # not 0%: Textual reads that as the full colour
    pct = max(6, round(100 * min(1.0, abs(value) / scale)))
    return f"$primary {pct}%" if value > 0 else f"$error {pct}%"
