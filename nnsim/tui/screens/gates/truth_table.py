"""TruthTable: input rows and their outputs, filled in as a lesson steps through them."""

from __future__ import annotations

from typing import Optional, Sequence

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from nnsim.tui.style.format import fmt


class TruthTable(Widget):
    """A table of rows: input columns, a separator, result columns.

    Only the first ``filled`` rows show their results (the rows a lesson has
    reached); later rows show their inputs and a dot. The ``current`` row is
    highlighted. Clicking a row posts :class:`TruthTable.RowClicked`, so a
    screen can jump to that row's step.
    """

    DEFAULT_CSS = """
    TruthTable {
        height: auto;
        width: auto;
        padding: 0 1;
    }
    """

    CURRENT_STYLE = "bold on $accent 40%"
    """How the current row stands out."""
    HEADER_STYLE = "bold underline"
    """The column names' style."""

    class RowClicked(Message):
        """A row of the table was clicked."""

        def __init__(self, table: "TruthTable", row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row
            """The row's index, from 0."""

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.input_columns: list[str] = []
        self.result_columns: list[str] = []
        self.rows: list[tuple[tuple, tuple]] = []
        self.filled = 0
        self.current: Optional[int] = None
        self._extent: Optional[tuple] = None

    def set_rows(self, input_columns: Sequence[str], result_columns: Sequence[str],
                 rows: Sequence[tuple[Sequence, Sequence]], filled: Optional[int] = None,
                 current: Optional[int] = None) -> None:
        """Set the whole table.

        Args:
            input_columns: names of the input columns, e.g. ["x1", "x2"].
            result_columns: names of the result columns, e.g. ["z", "output"].
            rows: (inputs, results) per row; results are numbers from the core.
            filled: how many rows show their results (all when None).
            current: the row to highlight, or None.
        """
        self.input_columns = list(input_columns)
        self.result_columns = list(result_columns)
        self.rows = [(tuple(i), tuple(r)) for i, r in rows]
        self.filled = len(self.rows) if filled is None else filled
        self.current = current
        extent = (len(self.input_columns), len(self.result_columns), len(self.rows), tuple(self._widths()))
        if extent != self._extent:  # a new layout only when the table's size changes
            self._extent = extent
            self.clear_cached_dimensions()
            self.refresh(layout=True)
        else:
            self.refresh()

    def cell_text(self, row: int, column: str) -> str:
        """What the table shows in one cell ("·" for a result not reached yet)."""
        inputs, results = self.rows[row]
        if column in self.input_columns:
            return fmt(inputs[self.input_columns.index(column)])
        if row >= self.filled:
            return "·"
        return fmt(results[self.result_columns.index(column)])

    def _widths(self) -> list[int]:
        columns = self.input_columns + self.result_columns
        widths = []
        for c in columns:
            cells = [self.cell_text(r, c) for r in range(len(self.rows))]
            widths.append(max([len(c)] + [len(t) for t in cells]))
        return widths

    def render(self) -> Content:
        if not self.rows:
            return Content("")
        widths = self._widths()
        n_in = len(self.input_columns)

        def line(cells: list[str]) -> str:
            left = " ".join(t.rjust(w) for t, w in zip(cells[:n_in], widths[:n_in]))
            right = " ".join(t.rjust(w) for t, w in zip(cells[n_in:], widths[n_in:]))
            return f" {left} │ {right} "

        columns = self.input_columns + self.result_columns
        lines = [Content(line(columns)).stylize(self.HEADER_STYLE)]
        for r in range(len(self.rows)):
            text = Content(line([self.cell_text(r, c) for c in columns]))
            if r == self.current:
                text = text.stylize(self.CURRENT_STYLE)
            lines.append(text)
        return Content("\n").join(lines)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # None on the border or padding
        if offset is None:
            return
        row = offset.y - 1  # the header takes the first line
        if 0 <= row < len(self.rows):
            self.post_message(self.RowClicked(self, row))
