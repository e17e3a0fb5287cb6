"""The training screen's way to the canvas (``g``) and its ``l`` (load a saved network).

Kept here so the training screen only gains two one-line actions.
"""

from __future__ import annotations

from typing import Optional

from nnsim.core.network import Network
from nnsim.errors import NnsimError
from nnsim.lessons.networks import lesson_fit, remember_trained, with_network


def draw_with_trained(screen) -> None:
    """Open the canvas with the network the training screen has now (training pauses first)."""
    from nnsim.tui.screens.draw.screen import draw_screen

    session = screen.session
    if session is None:
        screen.say("no network yet: train first (c), then g draws with it", "warning")
        return
    if session.network.sizes[0] != 784 or session.network.sizes[-1] != 10:
        screen.say(f"the canvas needs a network with 784 inputs and 10 outputs; this one is "
                   f"{session.network.sizes}", "warning")
        return
    if screen.busy:
        session.request_pause()
    network = session.snapshot()
    epochs = len(session.results)
    what = f"trained here, {epochs} epoch{'s' if epochs != 1 else ''} on {screen.scenario.train.dataset}"
    remember_trained(network, what)
    screen.app.push_screen(draw_screen(network=network, source=what, data_dir=screen.data_dir))


def load_into_training(screen) -> None:
    """Ask for a saved network and make it the start of a new run (ready and paused)."""
    from nnsim.tui.screens.draw.files import LoadNetworkDialog

    if screen.busy:
        screen.say("training is running: x stops it first", "warning")
        return
    inputs, outputs = lesson_fit(screen.scenario)
    dialog = LoadNetworkDialog(inputs, outputs, what=screen.scenario.label)

    def loaded(network: Optional[Network]) -> None:
        if network is None:
            return
        try:
            scenario = with_network(screen.scenario, network)
        except NnsimError as error:
            screen.say(str(error), "error")
            return
        screen.fill_settings(scenario)
        screen._pause_on_start = True
        screen.begin(scenario)
        screen.say(f"loaded {dialog.loaded_from} {network.sizes}: c trains on from these weights")

    screen.app.push_screen(dialog, loaded)


def remember_run(screen) -> None:
    """A run ended: its network is the one "Draw a digit" uses next (in this process)."""
    session = screen.session
    if session is not None and session.network.sizes[0] == 784 and session.network.sizes[-1] == 10:
        epochs = len(session.results)
        remember_trained(session.snapshot(), f"trained {epochs} epoch{'s' if epochs != 1 else ''} on "
                                             f"{screen.scenario.train.dataset}")
