"""The app opened on the draw screen (``nnsim draw``), the home screen underneath."""

from __future__ import annotations

from typing import Optional

from nnsim.tui.app import NnsimApp


class DrawApp(NnsimApp):
    """:class:`~nnsim.tui.app.NnsimApp` with the draw screen on top: ``found`` is the network
    (a :class:`~nnsim.lessons.networks.Found`, or None to look for one)."""

    def __init__(self, found=None, data_dir=None, cursor_blink: bool = True, settle_gc: bool = False) -> None:
        super().__init__(cursor_blink=cursor_blink, settle_gc=settle_gc)
        self.draw_found = found
        self.draw_data_dir = data_dir

    def on_mount(self) -> None:
        # NnsimApp.on_mount runs after this one (handlers run down the MRO) and pushes the
        # home screen: the draw screen goes on top of it once that is done.
        from nnsim.tui.screens.draw.screen import DrawScreen

        self.call_later(self.push_screen, DrawScreen(self.draw_found, data_dir=self.draw_data_dir))


def run(network_path: Optional[str] = None, data_dir=None) -> int:
    """``nnsim draw``: the network file is checked before the app starts (NnsimError if refused)."""
    from nnsim.lessons.networks import find_network

    found = find_network(network_path) if network_path is not None else None
    app = DrawApp(found, data_dir=data_dir, settle_gc=True)
    app.run()
    return int(app.return_code or 0)
