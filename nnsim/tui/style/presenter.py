"""Presenter mode: the app on a classroom projector.

``nnsim --present``-style starts (``run(present=True)``, ``nnsim serve
--present``) and the ``p`` key switch it on; ``p`` again switches it off. It

- switches to :data:`PRESENTER_THEME`, white on black with saturated accents,
  which survives a washed-out projector, and puts the theme before it back
  when switched off;
- puts the CSS class :data:`PRESENTER_CLASS` (``-presenter``) on the app and on
  every screen, including screens pushed later, so styles can respond to it.

The styles are in ``presenter.tcss`` (loaded by the app). They rely on class
names that lesson screens and widgets opt into:

- nothing is folded away: presenter mode never hides what normal mode shows (the
  expectations, the digit, the settings stay; ``.side-panel`` only names them);
- ``.narration``: roomier, with a strong border;
- ``.step-counter``: large, a three-row band in the accent colour; the
  ``StepCounter`` widget draws its numbers there in three-row digits
  (:func:`large_step_label`).

A screen can add its own rules with ``Screen.-presenter …`` selectors (a
scoped ``DEFAULT_CSS`` can write ``&.-presenter …``).
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.renderables.digits import Digits
from textual.screen import Screen
from textual.theme import Theme

PRESENTER_CLASS = "-presenter"
SHORT_CLASS = "-short"
"""On a lesson screen shorter than :data:`ROOMY_ROWS`: presenter mode keeps its theme and
bold narration but takes no rows from the lesson's panels (it must not hide what they show)."""
ROOMY_ROWS = 30
CSS_PATH = Path(__file__).with_name("presenter.tcss")

# Black and white first; accents chosen to stay apart from each other and from
# white at projector contrast (yellow, cyan, green, red-orange).
PRESENTER_THEME = Theme(
    name="nnsim-presenter",
    primary="#FFD700",
    secondary="#00E5FF",
    accent="#FFD700",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1C1C1C",
    boost="#FFFFFF14",
    success="#3DFF6E",
    warning="#FFD700",
    error="#FF5F3D",
    dark=True,
    text_alpha=1.0,
    variables={
        "text-muted": "#E0E0E0",
        "border": "#FFFFFF",
        "border-blurred": "#BBBBBB",
        "footer-background": "#000000",
        "footer-key-foreground": "#FFD700",
        "footer-description-foreground": "#FFFFFF",
        "block-cursor-background": "#FFD700",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
    },
)


class Presenter:
    """Presenter mode for one app: install it once the app runs, then ``toggle`` or ``set``."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._theme_before: str | None = None

    def install(self, present: bool = False) -> None:
        """Register the theme, follow screen changes, and start presenting if asked.

        Call from the app's ``on_mount`` (signals need a running app).
        """
        self.app.register_theme(PRESENTER_THEME)
        # immediate: the class is set as the screen is pushed, before its first paint.
        self.app.screen_change_signal.subscribe(self.app, self._on_screen_change, immediate=True)
        if present:
            self.set(True)

    @property
    def active(self) -> bool:
        return self.app.has_class(PRESENTER_CLASS)

    def set(self, present: bool) -> None:
        if present == self.active:
            return
        if present:
            self._theme_before = self.app.theme
            self.app.theme = PRESENTER_THEME.name
        elif self.app.theme == PRESENTER_THEME.name:
            # Left alone if someone picked another theme while presenting.
            self.app.theme = self._theme_before or "textual-dark"
        self.app.set_class(present, PRESENTER_CLASS)
        for screen in self.app.screen_stack:
            screen.set_class(present, PRESENTER_CLASS)

    def toggle(self) -> bool:
        """Switch presenter mode; returns whether it is now on."""
        self.set(not self.active)
        return self.active

    def _on_screen_change(self, screen: Screen) -> None:
        screen.set_class(self.active, PRESENTER_CLASS)


def large_step_label(label: str, breakpoint: bool = False) -> Digits:
    """``step 3 / 12`` in Textual's three-row digits, readable from the back of a room.

    Digits draws only digits and a few symbols large; the rest (``step``, ``/``,
    the breakpoint's ``●``) sits on the bottom row, like a caption.
    """
    return Digits(label + (" ●" if breakpoint else ""), style="bold")  # heavier strokes
