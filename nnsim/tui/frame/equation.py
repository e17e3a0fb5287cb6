"""EquationPanel: an equation, then the same equation with this step's numbers in it."""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from nnsim.tui.style.format import substitute


class EquationPanel(Widget):
    """A formula written out with numbers, line by line.

    The first line is the formula in symbols (``z = w·x + b``), in bold; the
    following lines are templates whose ``{name}`` placeholders (in the formula too)
    are filled from a step's
    ``values`` (see :func:`~nnsim.tui.style.format.substitute`), e.g.
    ``"= ({w1})·{x1} + ({w2})·{x2} + {b}"`` and ``"= {z}"``. The panel only
    formats: every number comes from the ``values`` given.

    Example (the backprop screen's BP1 for neuron 0)::

        panel.show("δᴸ = (aᴸ − y) ⊙ σ′(zᴸ)",
                   ["δ[0] = ({a[0]} − {y[0]}) · {sigma_prime[0]}", "     = {delta[0]}"],
                   step.values, title="BP1, neuron 0")
    """

    DEFAULT_CSS = """
    EquationPanel {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.formula = ""
        self.lines: list[str] = []
        self.values: Mapping[str, float] = {}

    def show(self, formula: str, lines: Sequence[str] = (), values: Optional[Mapping[str, float]] = None,
             title: Optional[str] = None) -> None:
        """Show ``formula`` and the ``lines`` with ``values`` substituted; ``title`` goes on the border."""
        before = self._extent()
        self.formula = formula
        self.lines = list(lines)
        self.values = dict(values or {})
        if title is not None:
            self.border_title = Content(title)  # plain text, not markup
        if self._extent() != before:  # a new layout only when the content's size changed
            self.clear_cached_dimensions()
            self.refresh(layout=True)
        else:
            self.refresh()

    def _extent(self) -> tuple[Optional[int], Optional[int]]:
        """(lines, widest line) of what the panel shows, where its height and width
        follow the content (``auto``); None where a style fixes them."""
        content = self.render()
        rows = content.plain.split("\n")
        width, height = self.styles.width, self.styles.height
        lines = None
        if height is None or height.is_auto:
            # Wrapped lines, not logical ones: a longer line that wraps once more needs a new layout.
            room = self.content_region.width
            lines = content.get_height(self.styles, room) if room > 0 else len(rows)
        return (lines, max(cell_len(row) for row in rows) if width is not None and width.is_auto else None)

    @property
    def text(self) -> str:
        """The panel as plain text (what the learner reads)."""
        return self.render().plain

    def render(self) -> Content:
        # No formula (a screen put it in the title): the numbers only.
        out = [substitute(self.formula, self.values).stylize_before("bold")] if self.formula else []
        out.extend(substitute(line, self.values) for line in self.lines)
        return Content("\n").join(out)
