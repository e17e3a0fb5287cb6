"""The backprop debugger's gradient check (``g``): backprop against finite differences."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from nnsim.core.gradcheck import GradientCheck, gradient_check, sample_parameters
from nnsim.core.network import Network
from nnsim.tui.style.format import fmt

# A relative error below this is a pass: float64 central differences with ε = 1e-5
# agree with backprop to about 1e-9 on these networks.
TOLERANCE = 1e-6
# The "every parameter" check samples this many on networks with more.
SAMPLE = 200
# Rows listed in full; beyond this the dialog lists the worst ones.
MAX_ROWS = 120


class GradientCheckDialog(ModalScreen[None]):
    """A table of parameters: backprop's ∂C/∂θ, the central difference (C(θ+ε) − C(θ−ε))/2ε
    and their relative error, all from the core's :func:`~nnsim.core.gradcheck.gradient_check`.

    ``a`` checks every parameter of the network instead (a sample of
    :data:`SAMPLE` on big networks). Escape closes.
    """

    CSS_PATH = Path(__file__).with_name("backprop.tcss")
    BINDINGS = [
        Binding("escape,q,g", "close", "Close", key_display="Esc"),
        Binding("a", "check_all", "All parameters", tooltip="Check every parameter (a sample on big networks)"),
    ]

    def __init__(self, network: Network, x: np.ndarray, y: np.ndarray,
                 params: Sequence[tuple[str, int, tuple[int, int]]], what: str) -> None:
        """
        Args:
            network: the network as the pass found it (not changed).
            x, y: the pass's mini-batch, columns are examples.
            params: ``(kind, layer, (j, k))`` as :func:`gradient_check` takes them.
            what: which parameters these are, for the title.
        """
        super().__init__()
        self.network = network
        self.x, self.y = x, y
        self.what = what
        self.results: list[GradientCheck] = gradient_check(network, x, y, list(params))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="gc-box") as box:
            box.border_title = "Gradient check: backprop against finite differences"
            box.border_subtitle = "a: every parameter · Esc closes"
            yield Static(self.body(), id="gc-text")

    @property
    def worst(self) -> float:
        """The largest relative error (0 with no results)."""
        return max((r.relative_error for r in self.results), default=0.0)

    @property
    def text(self) -> str:
        return self.body().plain

    def body(self) -> Content:
        results = self.results
        failed = [r for r in results if not r.relative_error < TOLERANCE]
        verdict = (Content.styled(f"all {len(results)} below {TOLERANCE:g}", "bold $text-success") if not failed
                   else Content.styled(f"{len(failed)} of {len(results)} at or above {TOLERANCE:g}", "bold $text-error"))
        lines = [
            Content(f"{self.what}: {len(results)} parameter{'s' if len(results) != 1 else ''}, in float64, "
                    "ε = 1e-5."),
            Content.assemble("largest relative error ", (fmt(self.worst, 3), "bold"), ": ", verdict),
            Content.styled("relative error = |backprop − numeric| / max(|backprop|, |numeric|, 1e-4)",
                           "$text-muted"),
            Content(""),
            Content.styled(f"{'parameter':<14}{'backprop':>16}{'numeric':>16}{'rel. error':>12}", "bold"),
        ]
        shown = results
        if len(results) > MAX_ROWS:
            shown = sorted(results, key=lambda r: -r.relative_error)[:MAX_ROWS]
            lines.append(Content.styled(f"the {MAX_ROWS} largest errors of {len(results)}:", "$text-muted"))
        for r in shown:
            ok = r.relative_error < TOLERANCE
            lines.append(Content.assemble(
                f"{r.name:<14}{fmt(r.backprop):>16}{fmt(r.numeric):>16}",
                (f"{fmt(r.relative_error, 2):>12}", "" if ok else "bold $text-error"),
                (" ✓" if ok else " ✗", "$text-success" if ok else "bold $text-error")))
        return Content("\n").join(lines)

    def action_check_all(self) -> None:
        count = self.network.parameter_count
        params = sample_parameters(self.network, SAMPLE, seed=0) if count > SAMPLE else None
        self.results = gradient_check(self.network, self.x, self.y, params)
        self.what = (f"every parameter of {self.network.sizes}" if params is None
                     else f"{SAMPLE} of the {count:,} parameters of {self.network.sizes}, sampled")
        self.query_one("#gc-text", Static).update(self.body())

    def action_close(self) -> None:
        self.dismiss(None)

