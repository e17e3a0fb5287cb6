"""Network files to and from the learner: the one place the app touches them.

In a terminal the learner names any path. Under ``nnsim serve`` the session is
untrusted: nothing typed becomes a server path except a plain file name in the
lesson library folder (:func:`nnsim.lessons.networks.library_path`), and a saved
network goes to the browser as a download. (When the classroom issue's Host
capability lands in ``nnsim.tui.host``, these two functions are what it replaces.)
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Optional

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from nnsim.core.network import Network
from nnsim.errors import NnsimError
from nnsim.lessons.networks import last_saved, library_networks, library_path, load_for, remember_saved
from nnsim.tui.style.shading import MUTED


def served(app: App) -> bool:
    host = getattr(app, "host", None)  # nnsim.tui.host: a ServedHost under nnsim serve
    return bool(getattr(host, "served", False) or getattr(app, "is_web", False))


def library_folder() -> Path:
    from nnsim.lessons.scenario import bundled_dir

    return Path(bundled_dir())


def open_network_file(app: App, text: str, inputs: int = 784, outputs: int = 10, what: str = "digits") -> Network:
    """The network the learner named, checked (NnsimError with one line if refused)."""
    text = text.strip()
    if not text:
        raise NnsimError("name a network file (.npz)")
    path = library_path(text, library_folder()) if served(app) else Path(text).expanduser()
    return load_for(path, inputs, outputs, what)


def save_network_file(app: App, network: Network, name: str) -> str:
    """Save ``network``: a download in a browser, else the file ``name`` in the current folder
    (remembered as the last saved network). Returns what to tell the learner."""
    if served(app):
        buffer = io.BytesIO()
        _save_to_buffer(network, buffer)
        buffer.seek(0)
        app.deliver_binary(buffer, save_filename=name, mime_type="application/octet-stream")
        return f"{name} is on its way to your browser's downloads"
    target = Path(name).expanduser()
    network.save(target)
    try:
        remember_saved(target)
    except OSError:
        pass
    return f"saved the network to {target.resolve()}"


def _save_to_buffer(network: Network, buffer) -> None:
    import numpy as np

    arrays = {"sizes": np.array(network.sizes, dtype=np.int64)}
    for i, (w, b) in enumerate(zip(network.weights, network.biases)):
        arrays[f"w{i}"], arrays[f"b{i}"] = w, b
    np.savez(buffer, **arrays)


class LoadNetworkDialog(ModalScreen[Optional[Network]]):
    """Ask for a network file and load it; dismisses with the network, or None on Escape.
    A refused file keeps the dialog open with the one-line reason."""

    DEFAULT_CSS = """
    LoadNetworkDialog { align: center middle; }
    #load-box { width: 70; max-width: 95%; height: auto; border: round $accent; padding: 0 1;
                background: $surface; }
    #load-error { color: $text-error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, inputs: int = 784, outputs: int = 10, what: str = "digits") -> None:
        super().__init__()
        self.inputs, self.outputs, self.what = inputs, outputs, what
        self.loaded_from = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="load-box") as box:
            box.border_title = "Load a saved network"
            if served(self.app):
                names = library_networks(library_folder())
                hint = ("a file name from the lesson library: " + ", ".join(names)) if names else \
                    "the lesson library has no .npz networks (your teacher can put some there)"
                value = names[0] if names else ""
            else:
                last = last_saved()
                hint = "a .npz saved by the training screen (w) or nnsim train --save"
                value = str(last) if last else ""
            yield Static(Content.styled(hint, MUTED))
            yield Input(value, id="load-path", compact=True, select_on_focus=False)
            yield Static("", id="load-error")
            yield Static(Content.styled("Enter loads · Escape cancels", MUTED))

    def on_mount(self) -> None:
        field = self.query_one("#load-path", Input)
        if not getattr(self.app, "cursor_blink", True):
            field.cursor_blink = False
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            network = open_network_file(self.app, event.value, self.inputs, self.outputs, self.what)
        except NnsimError as error:
            self.query_one("#load-error", Static).update(str(error))
            return
        self.loaded_from = Path(event.value.strip()).name
        self.dismiss(network)

    def action_cancel(self) -> None:
        self.dismiss(None)
