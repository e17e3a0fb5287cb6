"""DownloadDialog: a dataset is not in the cache; download it (with a progress bar) or
train on the offline sample instead.

The download itself is the data layer's (:func:`nnsim.data.fetch`: mirrors in
order, sizes and checksums checked, a file kept only when it matches). It runs
in a thread worker; the bar follows the bytes arriving in the cache folder.
When every mirror fails (no network, a firewall) the dialog says so and offers
the sample that ships with nnsim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static
from textual.worker import Worker, WorkerState

from nnsim.sanitize import redact_urls, sanitize

DOWNLOAD = "downloaded"
SAMPLE = "sample"


def download_progress(name: str) -> tuple[int, Optional[int]]:
    """Bytes of ``name``'s files in the cache so far (finished files and ``.part``
    files) and the total to expect (None when a file's size is not published)."""
    from nnsim.data import dataset_dir
    from nnsim.data.sources import source

    src = source(name)
    folder = dataset_dir(name)
    done, total = 0, 0
    for file in src.idx_files:
        done += _size(folder / file.name) or _size(folder / (file.name + ".part"))
        total += file.size or 0
    if src.pickle is not None:
        part = _size(folder / (src.pickle.name + ".part"))
        if part:  # the IDX mirrors failed and the book's pickle is on its way
            return part, src.pickle.size
    return done, total or None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def published_megabytes(name: str) -> float:
    from nnsim.data.sources import source

    return sum(f.size or 0 for f in source(name).idx_files) / 1e6


class DownloadDialog(ModalScreen[Optional[str]]):
    """Asks before downloading ``name`` (not cached); returns ``"downloaded"``,
    ``"sample"`` (train on the offline sample instead) or None (cancelled)."""

    DEFAULT_CSS = """
    DownloadDialog {
        align: center middle;
    }
    DownloadDialog > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 1 2;
    }
    DownloadDialog #download-text {
        height: auto;
        margin-bottom: 1;
    }
    DownloadDialog #download-error {
        height: auto;
        color: $text-error;
        margin-bottom: 1;
    }
    DownloadDialog ProgressBar {
        margin-bottom: 1;
    }
    DownloadDialog #download-buttons {
        height: auto;
    }
    DownloadDialog Button {
        margin-right: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, name: str, title: str, mirror: Optional[str] = None) -> None:
        super().__init__()
        self.dataset = name
        self.title_text = title
        self.mirror = mirror
        self.error = ""
        """The data layer's message when the download failed."""
        self._timer = None

    def compose(self) -> ComposeResult:
        from nnsim.data import dataset_dir

        with Vertical():
            yield Static(
                f"{self.title_text} is not in nnsim's cache ({dataset_dir(self.dataset)}). Download it now "
                f"(about {published_megabytes(self.dataset):.0f} MB, checksums verified)? Or train on the "
                f"offline sample of real MNIST digits that ships with nnsim.", id="download-text", markup=False)
            yield Static("", id="download-error", markup=False)
            yield ProgressBar(id="download-bar", show_eta=False)
            with Horizontal(id="download-buttons"):
                yield Button("Download", id="download", variant="primary")
                yield Button("Use the offline sample", id="sample")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#download-bar").display = False
        self.query_one("#download-error").display = False
        self.query_one("#download", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "download":
            self.start_download()
        elif event.button.id == "sample":
            self.dismiss(SAMPLE)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.workers.cancel_all()
        self.dismiss(None)

    def start_download(self) -> None:
        from nnsim.data import fetch

        self.query_one("#download", Button).disabled = True
        self.query_one("#download-error").display = False
        bar = self.query_one("#download-bar", ProgressBar)
        bar.display = True
        self.query_one("#download-text", Static).update(f"Downloading {self.title_text} …")
        self._timer = self.set_interval(0.2, self._show_progress)
        self.run_worker(lambda: fetch(self.dataset, mirror=self.mirror, progress=False), thread=True,
                        name="download", exit_on_error=False)

    def _show_progress(self) -> None:
        done, total = download_progress(self.dataset)
        self.query_one("#download-bar", ProgressBar).update(total=total, progress=done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "download" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if self._timer is not None:
            self._timer.stop()
        if event.state == WorkerState.SUCCESS:
            self._show_progress()
            self.dismiss(DOWNLOAD)
            return
        self.error = sanitize(redact_urls(str(event.worker.error)))  # mirror replies are outside text
        self.query_one("#download-text", Static).update(
            f"Could not download {self.title_text}: no mirror delivered it. If this computer is offline, "
            f"train on the offline sample now.")
        error = self.query_one("#download-error", Static)
        error.update(self.error)
        error.display = True
        self.query_one("#download-bar").display = False
        download = self.query_one("#download", Button)
        download.label = "Try again"
        download.disabled = False
        self.query_one("#sample", Button).focus()
