"""DigitImage: any 784-vector as a 28×28 half-block image, with a title and its colour scale."""

from __future__ import annotations

from typing import Optional

import numpy as np
from rich.segment import Segment
from textual.strip import Strip

from nnsim.tui.widgets.digit import SIDE, DigitView
from nnsim.tui.style.format import fmt
from nnsim.tui.style.palette import MUTED, LineCache, Palette, Shade, intensity, signed, strip

LEGEND_BLOCKS = 4
MARK: Shade = ("accent", 100)


class DigitImage(LineCache, DigitView):
    """A :class:`~nnsim.tui.widgets.digit.DigitView` that says what it shows.

    Above the image an optional title ("w²: neuron 17's weights"), below it the
    colour scale with its end values, so a learner can read the shades:

    - ``mode="intensity"``: values from 0 to ``scale`` (default 1) as ink, as
      MNIST pixels are;
    - ``mode="signed"``: blue positive, red negative, symmetric around 0 up to
      ``scale`` (default: the largest finite magnitude), for weights and gradients;
    - ``mode="auto"`` (default): intensity when every finite value is in [0, 1],
      signed otherwise.

    Give two images the same ``scale`` to compare them (weights before and after
    an update). NaN and infinite pixels show in the error colour and are counted
    under the scale. ``mark`` picks out one pixel (an index 0–783) in the accent
    colour. Drawn with the line API and redrawn only when something changed:
    showing the same digit again costs nothing.
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
        image = self._as_image(values)
        title = self.title if title is None else title
        mode = self.mode if mode is None else mode
        same = (self.pixels is not None and np.array_equal(image, self.pixels, equal_nan=True)
                and (title, mode, scale, mark) == (self.title, self.mode, self.scale, self.mark))
        if same:
            return
        resized = (title == "") != (self.title == "") or self.pixels is None
        self.pixels, self.title, self.mode, self.scale, self.mark = image, title, mode, scale, mark
        self.invalidate_lines()
        if resized:
            self.clear_cached_dimensions()
        self.refresh(layout=resized)

    # -- what the image is drawn with ------------------------------------------------------

    @property
    def signed(self) -> bool:
        """Whether the current values are drawn blue/red around 0 (else as ink)."""
        if self.mode != "auto":
            return self.mode == "signed"
        if self.pixels is None:
            return False
        finite = self.pixels[np.isfinite(self.pixels)]
        return bool(finite.size) and bool(finite.min() < 0 or finite.max() > 1)

    @property
    def colour_scale(self) -> float:
        """The value drawn at full strength: ±scale when signed, scale as ink."""
        if self.scale is not None:
            return float(self.scale)
        if not self.signed or self.pixels is None:
            return 1.0
        finite = self.pixels[np.isfinite(self.pixels)]
        return float(np.max(np.abs(finite))) if finite.size else 0.0

    def _shades(self, half_rows: int = SIDE) -> list[list[Shade]]:
        """Each pixel's shade, row by row; with fewer ``half_rows`` than 28, each the mean of
        the pixel rows it covers (a panel shorter than the image shows all of it, coarser)."""
        img, scale = self.pixels, self.colour_scale
        groups = [(h * SIDE // half_rows, (h + 1) * SIDE // half_rows) for h in range(half_rows)]
        if half_rows < SIDE:  # columns too, so the digit keeps its shape (a half-block is square)
            img = np.array([[img[a:b, c:d].mean() for c, d in groups] for a, b in groups])
        if self.signed:
            shades = [[signed(float(v), scale) for v in row] for row in img]
        else:
            shades = [[intensity(float(v), 0.0, scale or 1.0) for v in row] for row in img]
        if self.mark is not None:
            r, c = (next(h for h, (a, b) in enumerate(groups) if a <= v < b) for v in divmod(int(self.mark), SIDE))
            shades[r][c] = MARK
        return shades

    def get_content_width(self, container, viewport) -> int:
        return SIDE

    def on_resize(self) -> None:
        self.invalidate_lines()  # the image's lines follow the height it is given
        self.refresh()

    def get_content_height(self, container, viewport, width: int) -> int:
        return (1 if self.title else 0) + (SIDE // 2 + 1 if self.pixels is not None else 0)

    def build_lines(self, palette: Palette) -> list[Strip]:
        lines = []
        if self.title:
            lines.append(strip([palette.text(self.title[:SIDE], bold=True)]))
        if self.pixels is None:
            return lines
        # Given fewer rows than the image wants (the backprop debugger at 80×24): the whole
        # digit, smaller (block means, centred), rather than its top half cut off.
        lines_for_image = SIDE // 2
        if self.size.height:
            lines_for_image = max(1, min(SIDE // 2, self.size.height - len(lines) - 1))
        side = 2 * lines_for_image
        shades = self._shades(side)
        pad = [Segment(" " * ((SIDE - side) // 2))] if side < SIDE else []
        for r in range(0, side, 2):
            top, bottom = shades[r], shades[r + 1]
            lines.append(strip(pad + [Segment("▀", palette.style(top[c], bottom[c])) for c in range(side)]))
        lines.append(strip(self._legend(palette)))
        return lines

    def _legend_parts(self) -> tuple[str, list[Shade], str, int]:
        signed_, scale = self.signed, self.colour_scale
        if signed_:
            values = np.linspace(-scale, scale, 2 * LEGEND_BLOCKS + 1)
            blocks = [signed(float(v), scale) for v in values]
            low, high = f"-{fmt(scale, 2)}", f"+{fmt(scale, 2)}"
        else:
            top = scale or 1.0
            blocks = [intensity(float(v), 0.0, top) for v in np.linspace(0.0, top, 2 * LEGEND_BLOCKS + 1)]
            low, high = "0", fmt(top, 2)
        bad = int(np.count_nonzero(~np.isfinite(self.pixels)))
        return low, blocks, high, bad

    def _legend(self, palette: Palette) -> list[Segment]:
        low, blocks, high, bad = self._legend_parts()
        segments = [palette.text(low + " ", MUTED)]
        segments += [Segment("█", palette.style(shade)) for shade in blocks]
        segments.append(palette.text(" " + high, MUTED))
        if bad:
            segments.append(palette.text(f" {bad} NaN/inf", ("error", 100), bold=True))
        return segments

    @property
    def text(self) -> str:
        """The title and the scale as plain text (the image itself has no text)."""
        lines = [self.title] if self.title else []
        if self.pixels is not None:
            low, blocks, high, bad = self._legend_parts()
            lines.append(f"{low} {'█' * len(blocks)} {high}" + (f" {bad} NaN/inf" if bad else ""))
        return "\n".join(lines)
