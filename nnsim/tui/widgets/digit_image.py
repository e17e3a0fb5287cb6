"""DigitImage: any 784-vector as a 28×28 half-block image, with a title and its colour scale."""

from __future__ import annotations

from typing import Optional

import numpy as np
from textual.content import Content

from nnsim.tui.widgets.digit import SIDE, DigitView
from nnsim.tui.widgets.format import fmt
from nnsim.tui.widgets.shading import intensity_shade, signed_colour

LEGEND_BLOCKS = 6


class DigitImage(DigitView):
    """A :class:`~nnsim.tui.widgets.digit.DigitView` that says what it shows.

    Above the image a title ("input x, a 7", "w²₁₇: neuron 17's weights"), below
    it the colour scale with its end values, so a learner can read the shades:

    - ``mode="intensity"``: values from 0 to ``scale`` (default 1) as ink, as
      MNIST pixels are;
    - ``mode="signed"``: blue positive, red negative, symmetric around 0 up to
      ``scale`` (default: the largest finite magnitude), for weights and gradients;
    - ``mode="auto"`` (default): intensity when every finite value is in [0, 1],
      signed otherwise.

    Give two images the same ``scale`` to compare them (weights before and after
    an update). NaN and infinite pixels show in the error colour and are counted
    under the scale. ``mark`` outlines one pixel (an index 0–783).
    """

    DEFAULT_CSS = """
    DigitImage {
        width: 28;
        height: auto;
    }
    """

    def __init__(self, values=None, title: str = "", *, mode: str = "auto", scale: Optional[float] = None,
                 id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(values, mode=mode, id=id, classes=classes)
        self.title = title
        self.scale = scale
        self.mark: Optional[int] = None

    def show(self, values, title: Optional[str] = None, *, mode: Optional[str] = None,
             scale: Optional[float] = None, mark: Optional[int] = None) -> None:
        """Show 784 values (any shape numpy can flatten) row by row, as MNIST stores them."""
        if title is not None:
            self.title = title
        self.scale = scale
        self.mark = mark
        self.clear_cached_dimensions()
        super().show(values, mode)

    # -- what the image is drawn with ------------------------------------------------------

    @property
    def signed(self) -> bool:
        """Whether the current values are drawn blue/red around 0 (else as ink)."""
        if self.mode != "auto":
            return self.mode == "signed"
        if self.pixels is None:
            return False
        finite = self.pixels[np.isfinite(self.pixels)]
        return bool(finite.size) and (finite.min() < 0 or finite.max() > 1)

    @property
    def colour_scale(self) -> float:
        """The value drawn at full strength: ±scale when signed, scale as ink."""
        if self.scale is not None:
            return float(self.scale)
        if not self.signed or self.pixels is None:
            return 1.0
        finite = self.pixels[np.isfinite(self.pixels)]
        return float(np.max(np.abs(finite))) if finite.size else 0.0

    def _shade(self, value: float, signed: bool, scale: float) -> str:
        return signed_colour(value, scale) if signed else intensity_shade(value, 0.0, scale or 1.0)

    def render(self) -> Content:
        lines: list[Content] = []
        if self.title:
            lines.append(Content.styled(self.title, "bold").truncate(SIDE, ellipsis=True))
        if self.pixels is None:
            return Content("\n").join(lines)
        img = self.pixels
        signed, scale = self.signed, self.colour_scale
        mark = divmod(self.mark, SIDE) if self.mark is not None else None
        for r in range(0, SIDE, 2):
            cells = []
            for c in range(SIDE):
                top, bottom = self._shade(img[r, c], signed, scale), self._shade(img[r + 1, c], signed, scale)
                char = "▀"
                if mark is not None and mark[1] == c and mark[0] in (r, r + 1):
                    # The marked pixel: a bold accent dot on the half it sits in.
                    char = "▘" if mark[0] == r else "▖"
                    top = "$accent" if mark[0] == r else top
                    bottom = "$accent" if mark[0] == r + 1 else bottom
                cells.append((char, f"{top} on {bottom}"))
            lines.append(Content.assemble(*cells))
        lines.append(self._legend(signed, scale))
        return Content("\n").join(lines)

    def _legend(self, signed: bool, scale: float) -> Content:
        if signed:
            steps = np.linspace(-scale, scale, 2 * LEGEND_BLOCKS + 1)
            low, high = f"-{fmt(scale, 2)}", f"+{fmt(scale, 2)}"
        else:
            steps = np.linspace(0.0, scale or 1.0, 2 * LEGEND_BLOCKS + 1)
            low, high = "0", fmt(scale or 1.0, 2)
        blocks = [("█", self._shade(float(v), signed, scale)) for v in steps]
        legend = Content.assemble((low + " ", "$text-muted"), *blocks, (" " + high, "$text-muted"))
        bad = int(np.count_nonzero(~np.isfinite(self.pixels)))
        if bad:
            legend += Content.styled(f" {bad} NaN/inf", "bold $text-error")
        return legend.truncate(SIDE)

    @property
    def text(self) -> str:
        """The title and the scale as plain text (the image itself has no text)."""
        plain = self.render().plain.splitlines()
        return "\n".join(line for line in plain if line.strip("▀▘▖ "))

