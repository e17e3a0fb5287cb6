"""The training screen's settings form: filled from the lesson, locked while a run is under
way (except η, which changes live from the next mini-batch on), read back as a scenario;
and ``w``, which saves the network to the path the form names."""

from __future__ import annotations

from textual.widgets import Button, Input, Select, Tabs

from nnsim.errors import NnsimError
from nnsim.lessons import Scenario
from nnsim.lessons.scenario import with_changes
from nnsim.lessons.text import save_name
from nnsim.lessons.session import READY
from nnsim.tui.host import npz_bytes

# Settings: (input id, the scenario's control key, label).
FIELDS = (
    ("sizes", "network.sizes", "sizes"),
    ("epochs", "train.epochs", "epochs"),
    ("mini_batch_size", "train.mini_batch_size", "mini-batch size"),
    ("eta", "train.eta", "eta η"),
    ("seed", "train.seed", "seed"),
)


class SettingsForm:
    """Part of :class:`~nnsim.tui.screens.train.screen.TrainScreen`: the settings on the left."""

    # -- settings ---------------------------------------------------------------------------

    def fill_settings(self, scenario: Scenario) -> None:
        spec = scenario.train
        values = {"sizes": ",".join(str(n) for n in scenario.network.sizes), "epochs": str(spec.epochs),
                  "mini_batch_size": str(spec.mini_batch_size), "eta": f"{spec.eta:g}", "seed": str(spec.seed)}
        for field, key, _ in FIELDS:
            box = self.query_one(f"#set-{field}", Input)
            box.value = values[field]
            box.tooltip = None if scenario.controls.can_edit(key) else "locked in this lesson"
        self.query_one("#set-dataset", Select).value = spec.dataset
        if not self.save_path or self.save_path == getattr(self, "_auto_save", None):
            # A name nnsim chose follows the settings; one the learner typed stays.
            self.save_path = self._auto_save = save_name(scenario.network.sizes, spec.seed)
        self.query_one("#set-save", Input).value = self.save_path
        self.lock_settings()

    def lock_settings(self) -> None:
        """Settings change between runs: while a run is under way (running or paused)
        they are read-only, except η, which changes from the next mini-batch on; those
        the lesson locks stay locked. The tooltips say why."""
        under_way = self.is_under_way()
        self.query_one("#start", Button).disabled = self.busy
        for field, key, _ in FIELDS:
            box = self.query_one(f"#set-{field}", Input)
            lesson_locks = not self.scenario.controls.can_edit(key)
            locked = lesson_locks or (under_way and field != "eta")
            if box.disabled != locked:
                box.disabled = locked
            box.tooltip = ("locked in this lesson" if lesson_locks else
                           "fixed during a run (x stops it); η changes live" if locked else
                           "Enter changes η from the next mini-batch on" if under_way else None)
        dataset = self.query_one("#set-dataset", Select)
        locked = under_way or not self.scenario.controls.can_edit("train.dataset")
        if dataset.disabled != locked:
            dataset.disabled = locked

    def is_under_way(self) -> bool:
        return self.busy or (self.session is not None and not self.session.is_over and self.session.state != READY)

    def settings_scenario(self) -> Scenario:
        """The scenario with the form's settings (validated by the lessons layer)."""
        spec, scenario = self.scenario.train, self.scenario
        changes: dict = {}
        text = {field: self.query_one(f"#set-{field}", Input).value.strip() for field, _, _ in FIELDS}
        try:
            sizes = [int(part) for part in text["sizes"].replace(" ", "").split(",") if part]
        except ValueError:
            raise NnsimError(f"sizes: expected whole numbers separated by commas, got {text['sizes']!r}") from None
        new = {"network.sizes": sizes, "train.epochs": _number(text["epochs"], int, "epochs"),
               "train.mini_batch_size": _number(text["mini_batch_size"], int, "mini-batch size"),
               "train.eta": _number(text["eta"], float, "eta"), "train.seed": _number(text["seed"], int, "seed"),
               "train.dataset": self.query_one("#set-dataset", Select).value}
        old = {"network.sizes": list(scenario.network.sizes), "train.epochs": spec.epochs,
               "train.mini_batch_size": spec.mini_batch_size, "train.eta": spec.eta, "train.seed": spec.seed,
               "train.dataset": spec.dataset}
        changes = {key: value for key, value in new.items() if value != old[key]}
        if "train.seed" in changes and scenario.controls.can_edit("network.seed"):
            changes["network.seed"] = changes["train.seed"]  # one seed: initial weights and shuffles
        return with_changes(scenario, changes) if changes else scenario

    def action_edit(self) -> None:
        if self.is_under_way():
            eta = self.query_one("#set-eta", Input)
            if eta.disabled:
                self.say("the settings are fixed while a run is under way (x stops it), and this lesson "
                         "locks η", "warning")
                return
            self.add_class("-settings-open")
            eta.focus()
            self.say("a run is under way: only η changes (Enter: from the next mini-batch on); the other "
                     "settings are fixed until it ends (x stops it)")
            return
        first = next((box for box in self.query(".setting").results(Input) if not box.is_disabled), None)
        if first is None:
            self.say("the settings are fixed while a run is under way (x stops it)"
                     if self.session is not None and not self.session.is_over else
                     "this lesson's settings are locked (its [controls] say so)", "warning")
            return
        self.add_class("-settings-open")
        first.focus()
        self.say("edit the settings, then Enter or c starts; Escape leaves the form")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "set-save":
            self.remove_class("-settings-open")
            self.save_path = event.value.strip()
            self.focus_tabs()
            self.action_save()
            return
        if event.input.id == "set-eta" and self.is_under_way():
            self.remove_class("-settings-open")
            self.focus_tabs()
            self.change_eta_live(event.value.strip())
            return
        if not self.is_under_way():
            try:
                self.settings_scenario()
            except NnsimError as error:
                # The form stays open with the focus in the field the error names (else where it
                # was): the next keys fix the value.
                self.say(str(error), "error")
                field = _field_named(str(error))
                if field is not None:
                    self.query_one(f"#set-{field}", Input).focus()
                return
        self.remove_class("-settings-open")
        self.focus_tabs()
        self.action_continue()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "set-save":
            self.save_path = event.value.strip()

    def on_key(self, event) -> None:
        # Enter on the view tabs (the first focus) does what the footer's c does: start or go on.
        if event.key == "enter" and isinstance(self.focused, Tabs):
            event.stop()
            event.prevent_default()
            self.action_continue()
            return
        # Escape in the settings form leaves it (instead of leaving the screen).
        if event.key == "escape" and self.focused is not None and self.focused.id and \
                self.focused.id.startswith("set-"):
            event.stop()
            event.prevent_default()
            self.remove_class("-settings-open")
            self.focus_tabs()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            event.stop()
            self.action_continue()

    def action_save(self) -> None:
        session = self.session
        path = self.query_one("#set-save", Input).value.strip() or self.save_path
        if session is None:
            self.say("no network yet: train first (c)", "warning")
            return
        if not path:
            self.say("say where to save in the settings (save to)", "warning")
            return
        host = self.app.host
        if (why := host.check_target(path)) is not None:
            self.say(why, "error")
            return
        p = session.progress()
        when = (f"after {len(session.results)} epoch{'s' if len(session.results) != 1 else ''}"
                + (f" and {p.batch:,} mini-batches" if 0 < p.batch < p.batches else ""))
        def save():  # in a thread: the copy waits for the mini-batch under way
            # The host writes the file (terminal) or sends it to the browser (nnsim serve).
            data = npz_bytes(session)
            message = self.app.call_from_thread(host.save_bytes, self.app, path, data, f"the network ({when})")
            return message, host.local_path(path)

        self.run_worker(save, thread=True, name="save", group="save", exit_on_error=False)


def remember_saved_quietly(path) -> None:
    """Keep where the network was saved, for the canvas (``nnsim draw``) to find it."""
    from nnsim.lessons.networks import remember_saved

    try:
        remember_saved(path)
    except OSError:
        pass


def _field_named(message: str):
    """The form's field a settings error is about: "eta: expected a number…", or the lesson
    key ("train.eta") that the lessons layer's own check names; None if none is named."""
    for field, key, _ in FIELDS:
        label = "mini-batch size" if field == "mini_batch_size" else field
        if message.startswith(f"{label}:") or key in message:
            return field
    return None


def _number(text: str, kind, name: str):
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise NnsimError(f"{name}: expected {what}, got {text!r}") from None
