"""DigitView: a 28×28 image (an MNIST digit, or a neuron's 784 weights) in half-blocks."""

from __future__ import annotations

from typing import Optional

import numpy as np
from textual.content import Content
from textual.widget import Widget

from nnsim.tui.style.shading import intensity_shade, signed_colour

SIDE = 28


class DigitView(Widget):
    """28 columns × 14 rows: each character cell is two pixels, the upper one drawn
    as "▀" in the foreground colour, the lower one as the background.

    ``mode="intensity"`` (pixels in [0, 1], ink in the theme's foreground colour)
    suits digits; ``mode="signed"`` (blue positive, red negative, scaled to the
    largest magnitude) suits a hidden neuron's incoming weights.
    """

    DEFAULT_CSS = """
    DigitView {
        width: 28;
        height: 14;
    }
    """

    def __init__(self, pixels=None, *, mode: str = "intensity", id: Optional[str] = None,
                 classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.mode = mode
        self.pixels: Optional[np.ndarray] = None
        if pixels is not None:
            self.pixels = self._as_image(pixels)

    @staticmethod
    def _as_image(pixels) -> np.ndarray:
        a = np.asarray(pixels, dtype=np.float64).reshape(-1)
        if a.size != SIDE * SIDE:
            raise ValueError(f"a digit has {SIDE * SIDE} pixels, got {a.size}")
        return a.reshape(SIDE, SIDE)

    def show(self, pixels, mode: Optional[str] = None) -> None:
        """Show 784 values (any shape numpy can flatten), row by row as MNIST stores them."""
        self.pixels = self._as_image(pixels)
        if mode is not None:
            self.mode = mode
        self.refresh()

    def _colour(self, v: float, scale: float) -> str:
        return signed_colour(v, scale) if self.mode == "signed" else intensity_shade(v)

    def render(self) -> Content:
        if self.pixels is None:
            return Content("")
        img = self.pixels
        finite = img[np.isfinite(img)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
        lines = []
        for r in range(0, SIDE, 2):
            parts = [("▀", f"{_visible(self._colour(img[r, c], scale))} on {self._colour(img[r + 1, c], scale)}")
                     for c in range(SIDE)]
            lines.append(Content.assemble(*parts))
        return Content("\n").join(lines)


def _visible(foreground: str) -> str:
    """Textual reads a 0% foreground as no colour, i.e. the full foreground, which would
    light a blank upper pixel; 1% looks the same as none."""
    return foreground[:-3] + " 1%" if foreground.endswith(" 0%") else foreground
