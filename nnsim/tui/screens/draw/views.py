"""What the network sees and what it says: the preprocessed input and the ten output bars."""

from __future__ import annotations

from typing import Optional

import numpy as np
from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from nnsim.lessons.drawing import SIDE
from nnsim.tui.style.palette import MUTED, LineCache, Palette, intensity, strip

BAR_CELLS = 10
EIGHTHS = " ▏▎▍▌▋▊▉█"


class InputView(LineCache, Widget):
    """The network's 784 inputs as a 28×28 half-block image (28×14 cells), or, ``compact``,
    as a 14×7 thumbnail of 2×2-pixel averages for narrow terminals."""

    DEFAULT_CSS = """
    InputView {
        width: 28;
        height: 14;
    }
    InputView.-compact {
        width: 14;
        height: 7;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.pixels = np.zeros((SIDE, SIDE))
        self.compact = False

    def show(self, pixels) -> None:
        image = np.asarray(pixels, dtype=float).reshape(SIDE, SIDE)
        if np.array_equal(image, self.pixels):
            return
        self.pixels = image
        self.invalidate_lines()
        self.refresh()

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.set_class(compact, "-compact")
            self.invalidate_lines()
            self.refresh(layout=True)

    def build_lines(self, palette: Palette) -> list[Strip]:
        img = self.pixels
        if self.compact:  # each cell: two rows of 2×2 averages
            img = img.reshape(SIDE // 2, 2, SIDE // 2, 2).mean(axis=(1, 3))
        lines = []
        for r in range(0, img.shape[0], 2):
            lines.append(strip(Segment("▀", palette.style(intensity(float(img[r, c])), intensity(float(img[r + 1, c]))))
                               for c in range(img.shape[1])))
        return lines


class OutputBars(LineCache, Widget):
    """The ten output activations a⁽ᴸ⁾ as labelled bars, the digit read in bold, the true
    label (when chosen) marked with ◂, and ``before`` (the outputs before a gradient step)
    as a second number."""

    DEFAULT_CSS = """
    OutputBars {
        width: auto;
        height: 10;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.outputs: Optional[np.ndarray] = None
        self.before: Optional[np.ndarray] = None
        self.label: Optional[int] = None
        self.compact = False
        """Narrow terminals: no "was" column (the status line says what a step changed)."""

    def show(self, outputs, label: Optional[int] = None, before=None) -> None:
        width = self.get_content_width(None, None)
        self.outputs = None if outputs is None else np.asarray(outputs, dtype=float).ravel()
        self.before = None if before is None else np.asarray(before, dtype=float).ravel()
        self.label = label
        self.invalidate_lines()
        # Laying the screen out again costs more than the reading: only when the width changes.
        self.refresh(layout=self.get_content_width(None, None) != width)

    def get_content_width(self, container, viewport) -> int:
        return 2 + BAR_CELLS + 1 + 4 + (9 if self.shows_before else 0) + 2

    @property
    def shows_before(self) -> bool:
        return self.before is not None and not self.compact

    def get_content_height(self, container, viewport, width: int) -> int:
        return 10

    @staticmethod
    def bar(value: float) -> str:
        """A value in [0, 1] as BAR_CELLS cells of eighth-blocks."""
        eighths = int(round(min(max(value, 0.0), 1.0) * BAR_CELLS * 8))
        full, part = divmod(eighths, 8)
        return ("█" * full + (EIGHTHS[part] if part else "")).ljust(BAR_CELLS)

    def text_lines(self) -> list[str]:
        """The bars as plain text (what the tests and the status line read)."""
        if self.outputs is None:
            return []
        lines = []
        for k, v in enumerate(self.outputs):
            was = f" was {self.before[k]:.2f}" if self.shows_before else ""
            mark = " ◂" if k == self.label else ""
            lines.append(f"{k} {self.bar(v)} {v:.2f}{was}{mark}")
        return lines

    def build_lines(self, palette: Palette) -> list[Strip]:
        if self.outputs is None:
            return [strip([palette.text("no network", MUTED)])]
        read = int(np.argmax(self.outputs))
        lines = []
        for k, v in enumerate(self.outputs):
            strong = k == read
            colour = ("success", 100) if strong else ("primary", 100)
            segments = [palette.text(f"{k} ", bold=strong),
                        Segment(self.bar(float(v)), palette.style(colour, ("foreground", 8))),
                        palette.text(f" {v:.2f}", bold=strong)]
            if self.shows_before:
                segments.append(palette.text(f" was {self.before[k]:.2f}", MUTED))
            if k == self.label:
                segments.append(palette.text(" ◂", ("warning", 100), bold=True))
            lines.append(strip(segments))
        return lines
