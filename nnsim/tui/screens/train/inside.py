"""The training screen's look inside: classes, mistakes and feature detectors after an epoch,
opening a pass (a stepped mini-batch, a misclassified test digit) in the backprop debugger,
and the network on the drawing canvas (g) or loaded from a file (l)."""

from __future__ import annotations

import math
from typing import Optional, Sequence

from textual.widgets import TabbedContent, Tabs

from nnsim.errors import NnsimError
from nnsim.lessons import LessonStep
from nnsim.lessons.kinds.train import CLASS_NAMES
from nnsim.lessons.session import EpochResult
from nnsim.tui.screens.train.confusion_matrix import ConfusionMatrix
from nnsim.tui.screens.train.digit_gallery import DigitGallery, GalleryItem

GALLERY_MISTAKES = 30
"""Mistakes drawn in the gallery (the most confident first); the panel's title counts them all."""


class LookInside:
    """Part of :class:`~nnsim.tui.screens.train.screen.TrainScreen`: the panels after an epoch."""

    def focus_tabs(self) -> None:
        self.query_one("#views", TabbedContent).query_one(Tabs).focus()

    def action_tab(self, tab: str) -> None:
        # Focus leaves a card first: a focused widget keeps its panel on show.
        self.focus_tabs()
        self.query_one("#views", TabbedContent).active = tab
        self.show_gallery(tab)
        if tab == "mistakes":
            self.query_one("#mistakes-gallery", DigitGallery).focus_first()

    def show_step(self, step: LessonStep) -> None:
        """Show the look inside after the epoch of ``step`` (nothing before training).

        The galleries are drawn only while their panel is on show (and when it comes
        on): redrawing dozens of images after every epoch nobody is looking at would
        take the time the interface needs to answer keys.
        """
        result = self.result_of(step)
        confusion = self.query_one("#confusion", ConfusionMatrix)
        tabs = self.query_one("#views", TabbedContent)
        if result is None:
            confusion.clear()
        else:
            confusion.show(result.report, self.class_names, caption=f"after epoch {result.event.epoch}")
        self.show_gallery(tabs.active)

    def show_gallery(self, tab: str) -> None:
        """Draw the mistakes or feature detectors for the current step, if not drawn yet."""
        if tab not in ("mistakes", "features"):
            return
        step = self.stepper.current
        key = (id(self.session), step.index, step.title, self.feature_change if tab == "features" else None)
        if self._drawn.get(tab) == key:
            return
        self._drawn[tab] = key
        result = self.result_of(step)
        gallery = self.query_one(f"#{tab}-gallery", DigitGallery)
        if result is None:
            gallery.show([])
        elif tab == "mistakes":
            self.show_mistakes(result)
        else:
            self.show_features(result.event.epoch)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.show_gallery(event.pane.id)

    def show_mistakes(self, result: EpochResult) -> None:
        test = self.session.plan.test
        items = []
        for m in result.report.mistakes[:GALLERY_MISTAKES]:
            confidence = "" if math.isnan(m.confidence) else f" · {m.confidence:.2f}"
            items.append(GalleryItem(test.x[m.index], f"{self.name_of(m.label)} read as "
                                                      f"{self.name_of(m.answer)}{confidence}", m.index))
        report = result.report
        self.query_one("#mistakes-gallery", DigitGallery).show(
            items, empty=f"after epoch {result.event.epoch}: no test example misclassified",
            heading=f"after epoch {result.event.epoch}: {report.wrong:,} of {report.total:,} test examples "
                    f"misclassified; the {len(items)} the network was surest of (Enter opens one's pass)")

    def show_features(self, epoch: int) -> None:
        features = self.query_one("#features-gallery", DigitGallery)
        weights = self.session.feature_detectors(epoch, change=self.feature_change)
        if weights is None:
            features.show([], empty=f"the network after epoch {epoch} is no longer kept (memory budget)")
            return
        layer = "hidden" if self.session.network.num_layers > 2 else "output"
        short = "Δw" if self.feature_change else "w"
        heading = (f"after epoch {epoch}: what training changed in each {layer} neuron's 784 incoming weights "
                   f"(the random start taken away); v shows the weights" if self.feature_change else
                   f"after epoch {epoch}: each {layer} neuron's 784 incoming weights, blue positive, red "
                   f"negative; v shows what training changed in them")
        features.show([GalleryItem(w, f"{layer} neuron {j}: {short}", j, "signed") for j, w in enumerate(weights)],
                      heading=heading)

    def result_of(self, step: LessonStep) -> Optional[EpochResult]:
        if self.session is None or step.kind != "epoch":
            return None
        for result in self.shown:
            if result.step is step:
                return result
        return None

    @property
    def class_names(self) -> Optional[Sequence[str]]:
        dataset = self.session.plan.settings.get("dataset") if self.session else self.scenario.train.dataset
        return CLASS_NAMES.get(dataset)

    def name_of(self, c: int) -> str:
        names = self.class_names
        return names[c] if names is not None and 0 <= c < len(names) else str(c)


    def action_feature_view(self) -> None:
        self.feature_change = not self.feature_change
        self.say("feature detectors: what training has changed in each hidden neuron's weights (Δw), the "
                 "random start taken away" if self.feature_change else
                 "feature detectors: each hidden neuron's 784 incoming weights")
        self.action_tab("features")

    def action_debug(self) -> None:
        if self.last_step is None:
            self.say("no mini-batch stepped yet: n takes one (pausing training first)", "warning")
            return
        e = self.last_step.event
        self.open_trace(self.last_step.trace, f"Training: mini-batch {e.index + 1:,} of {e.of:,}, epoch {e.epoch}",
                        f"The update the training run took for this mini-batch of {self.last_step.trace.m} "
                        f"training examples, with eta = {self.last_step.trace.eta:g}: forward, cost, BP1 to "
                        f"BP4, then every weight and bias moved by -(eta/m) times its gradient.",
                        f"train-epoch{e.epoch}-batch{e.index + 1}")

    def on_digit_gallery_chosen(self, event: DigitGallery.Chosen) -> None:
        event.stop()
        if event.control is not self.query_one("#mistakes-gallery"):
            return
        result = self.result_of(self.stepper.current)
        if result is None or self.session is None:
            return
        try:
            trace = self.session.trace_test_example(event.item.key, result.event.epoch)
        except NnsimError as error:
            self.say(str(error), "error")
            return
        epoch = result.event.epoch
        self.open_trace(trace, f"Test digit {event.item.key} after epoch {epoch}: {event.item.caption}",
                        f"How the network after epoch {epoch} reads test example {event.item.key}: the "
                        f"forward pass to its answer, then backpropagation of the error against the true "
                        f"label (no update: test examples are never trained on).",
                        f"test-digit-{event.item.key}-epoch{epoch}")

    def open_trace(self, trace, title: str, description: str, name: str) -> None:
        """Open a backprop pass in the backpropagation debugger (training pauses first)."""
        from nnsim.tui.screens.backprop.screen import open_trace

        if self.busy:
            self.session.request_pause()
        open_trace(self.app, trace, title=title, description=description, name=name)

    def action_draw(self) -> None:
        from nnsim.tui.screens.draw.from_training import draw_with_trained

        draw_with_trained(self)

    def action_load(self) -> None:
        from nnsim.tui.screens.draw.from_training import load_into_training

        load_into_training(self)
