"""DigitGallery: 28×28 images in a scrolling grid, each with a caption; one can be chosen.

The training screen shows the test digits the network got wrong (caption: the
true digit, the network's answer and how strongly its neuron fired) and the
hidden neurons' incoming weights (the "feature detectors"). Each image is a
:class:`~nnsim.tui.widgets.digit_image.DigitImage` (caption as its title, its
colour scale under it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from nnsim.tui.widgets.digit_image import DigitImage

CARD_WIDTH = 30  # a 28-column image and a margin


@dataclass(frozen=True)
class GalleryItem:
    """One image: 784 values, a caption (at most 28 characters), a ``key`` the owner
    knows it by (a test example's index, a neuron's number) and the DigitImage ``mode``."""

    pixels: object
    caption: str
    key: int
    mode: str = "intensity"


class DigitCard(Vertical, can_focus=True):
    """An image under its caption, with its colour scale below; Enter or a click chooses it."""

    DEFAULT_CSS = """
    DigitCard {
        width: 30;
        height: 16;
        padding: 0 1;
    }
    DigitCard:focus {
        background: $boost;
    }
    """

    def __init__(self, item: GalleryItem) -> None:
        super().__init__()
        self.item = item
        # Kept, not queried: a new epoch updates every card, and queries cost CSS matching.
        self.image = DigitImage(item.pixels, item.caption, mode=item.mode)

    def compose(self) -> ComposeResult:
        yield self.image

    def set_item(self, item: GalleryItem) -> None:
        self.item = item
        self.image.show(item.pixels, item.caption, mode=item.mode)

    def on_click(self) -> None:
        self.focus()
        for gallery in self.ancestors:
            if isinstance(gallery, DigitGallery):
                gallery.post_message(DigitGallery.Chosen(gallery, self.item))
                break


class _Grid(VerticalScroll, inherit_bindings=False, can_focus=False):
    """The cards' scrolling grid; its arrow keys are the gallery's (card to card), not scrolling."""


class DigitGallery(Vertical):
    """A heading line over a scrolling grid of :class:`DigitCard` that fits as many
    columns as the width allows. Arrow keys move between cards; Enter posts
    :class:`DigitGallery.Chosen`."""

    DEFAULT_CSS = """
    DigitGallery {
        height: 1fr;
    }
    DigitGallery > #gallery-note {
        height: auto;
        color: $text-muted;
        padding: 0 1;
    }
    DigitGallery > #gallery-grid {
        layout: grid;
        grid-size: 3;
        grid-gutter: 0 0;
        grid-rows: 16;
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("enter", "choose", "Open", tooltip="Open this digit's forward and backward pass"),
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right", "move(1)", "Next", show=False),
        Binding("up", "move_row(-1)", "Row up", show=False),
        Binding("down", "move_row(1)", "Row down", show=False),
    ]

    class Chosen(Message):
        """A card of ``gallery`` was chosen (Enter or a click)."""

        def __init__(self, gallery: "DigitGallery", item: GalleryItem) -> None:
            super().__init__()
            self.gallery = gallery
            self.item = item

        @property
        def control(self) -> "DigitGallery":
            return self.gallery

    def __init__(self, empty: str = "", *, id: Optional[str] = None, classes: Optional[str] = None) -> None:
        super().__init__(id=id, classes=classes)
        self.empty = empty
        self.items: list[GalleryItem] = []
        self.note = Static(empty, id="gallery-note", markup=False)
        self.grid = _Grid(id="gallery-grid")
        self._cards: list[DigitCard] = []

    def compose(self) -> ComposeResult:
        yield self.note
        yield self.grid

    @property
    def columns(self) -> int:
        return max(1, self.size.width // CARD_WIDTH) if self.size.width else 3

    def on_resize(self) -> None:
        self.grid.styles.grid_size_columns = self.columns

    def show(self, items: Sequence[GalleryItem], empty: Optional[str] = None, heading: str = "") -> None:
        """Show ``items`` (cards are reused, so a new epoch redraws in place) under a
        ``heading`` line; with no items, the ``empty`` text instead."""
        self.items = list(items)
        if empty is not None:
            self.empty = empty
        self.note.update(heading if self.items else self.empty)
        self.note.display = bool(heading) or not self.items
        cards = self._cards
        for card, item in zip(cards, self.items):
            card.set_item(item)
        if len(cards) > len(self.items):
            for card in cards[len(self.items):]:
                card.remove()
            del cards[len(self.items):]
        if len(self.items) > len(cards):
            new = [DigitCard(item) for item in self.items[len(cards):]]
            cards.extend(new)
            self.grid.mount_all(new)

    @property
    def cards(self) -> list[DigitCard]:
        return list(self._cards)

    def focus_first(self) -> None:
        cards = self.cards
        if cards:
            cards[0].focus()

    def _focused_index(self) -> Optional[int]:
        cards = self.cards
        focused = self.screen.focused
        return cards.index(focused) if focused in cards else None

    def action_move(self, delta: int) -> None:
        cards = self.cards
        if not cards:
            return
        i = self._focused_index()
        i = 0 if i is None else max(0, min(len(cards) - 1, i + delta))
        cards[i].focus()
        self.grid.scroll_to_widget(cards[i])

    def action_move_row(self, delta: int) -> None:
        self.action_move(delta * self.columns)

    def action_choose(self) -> None:
        i = self._focused_index()
        if i is not None:
            self.post_message(self.Chosen(self, self.cards[i].item))
