"""ConfusionMatrix: which class the network read each test example as, with accuracy per class."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from textual.content import Content
from textual.widget import Widget

from nnsim.core.metrics import ClassReport
from nnsim.tui.style.shading import TEXT_SHADE_MAX

CELL = 5


class ConfusionMatrix(Widget):
    """Rows are the true classes, columns the network's answers; the diagonal holds
    the correct answers. Mistakes are shaded by how often they happen, so the
    pairs the network confuses (a 4 read as a 9) stand out. The last column is
    the accuracy of each class; a column for answers that name no class appears
    when there are any (a four-output network can spell 10 to 15).

    Every number comes from a :class:`~nnsim.core.metrics.ClassReport`.
    """

    DEFAULT_CSS = """
    ConfusionMatrix {
        width: auto;
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.report: Optional[ClassReport] = None
        self.names: Optional[Sequence[str]] = None
        self.caption = ""

    def show(self, report: ClassReport, names: Optional[Sequence[str]] = None, caption: str = "") -> None:
        """Show ``report``; ``names`` label the classes (digits by default)."""
        same_size = (self.report is not None and report.n_classes == self.report.n_classes
                     and bool(report.unclassified.sum()) == bool(self.report.unclassified.sum())
                     and names == self.names and len(caption) == len(self.caption))
        self.report = report
        self.names = names
        self.caption = caption
        if same_size:  # the next epoch's numbers: no layout pass (it would redo the whole screen)
            self.refresh()
        else:
            self.clear_cached_dimensions()
            self.refresh(layout=True)

    def clear(self, caption: str = "") -> None:
        self.report = None
        self.caption = caption
        self.clear_cached_dimensions()
        self.refresh(layout=True)

    def name_of(self, c: int) -> str:
        return self.names[c] if self.names is not None and c < len(self.names) else str(c)

    def render(self) -> Content:
        r = self.report
        if r is None:
            return Content.styled(self.caption or "after the first epoch: which digits the network confuses",
                                  "$text-muted")
        n = r.n_classes
        label_width = max([len("true") + 1] + [len(self.name_of(c)) + 1 for c in range(n)])
        extra = bool(r.unclassified.sum())
        pair = r.most_confused
        worst = pair[2] if pair else 0
        muted = "$text-muted"
        lines = []
        if self.caption:
            lines.append(Content.styled(self.caption, "bold"))
        lines.append(Content.styled("true class (rows) read as (columns)".rjust(label_width + 1 + n * CELL), muted))
        head = Content.styled("true".ljust(label_width + 1), muted)
        head += Content.assemble(*[(str(c).rjust(CELL), "bold") for c in range(n)])
        if extra:
            head += Content.styled("  none".rjust(CELL + 1), muted)
        head += Content.styled("  accuracy", muted)
        lines.append(head)
        for t in range(n):
            parts = [(self.name_of(t).rjust(label_width) + " ", "bold")]
            for a in range(n):
                count = int(r.confusion[t, a])
                text = (str(count) if count else "·").rjust(CELL)
                if t == a:
                    style = "bold $text-success"
                elif count:
                    pct = max(8, round(TEXT_SHADE_MAX * count / worst)) if worst else 0
                    style = f"on $error {pct}%"
                else:
                    style = muted
                parts.append((text, style))
            if extra:
                count = int(r.unclassified[t])
                parts.append(((str(count) if count else "·").rjust(CELL + 1), "$text-warning" if count else muted))
            accuracy = r.per_class[t]
            parts.append(("  " + ("   –" if np.isnan(accuracy) else f"{accuracy:7.2%}"), ""))
            lines.append(Content.assemble(*parts))
        total = f"{r.correct} / {r.total} correct ({r.accuracy:.2%})"
        if pair:
            t, a, count = pair
            total += f";  most often: {self.name_of(t)} read as {self.name_of(a)} ({count} times)"
        lines.append(Content.styled(total, muted))
        return Content("\n").join(lines)
