"""Where the app runs, as one object the app holds: :attr:`NnsimApp.host`.

Everything that touches the machine on a user's behalf (opening a lesson the
user names, writing a file the user asks for) goes through the host, so served
mode is a capability rather than a flag screens check here and there:

- :class:`LocalHost` (``nnsim``, ``nnsim open``): the user owns the machine.
  "Open a file" takes a path or a bundled lesson's name; saves and exports are
  written where the user said, and the message names the full path.
- :class:`ServedHost` (each session of ``nnsim serve``): the user is an
  untrusted browser client. "Open a file" takes lesson *names* only, looked up
  in a table built from the bundled library and the teacher's ``--lessons``
  folder (what is typed is never joined to a path), and every unknown name gets
  the same one message, so nothing can be learnt about the server's files.
  Saves and exports go to the student's browser as downloads
  (``App.deliver_binary``), named by file name only; no server path is shown.
  The session's private scratch folder (made and deleted by the server, see
  :mod:`nnsim.serve.server`) is its working folder, ``HOME`` and ``TMPDIR``.

A screen calls ``self.app.host.save_bytes(name, data)`` (or ``save_text``) and
says the sentence it returns; it never builds the message from a path itself.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Callable, Optional, Union

from nnsim.errors import NnsimError

# The environment a served session gets from the server (nnsim.serve.server sets these).
SERVED_ENV = "NNSIM_SERVED"
TABLE_ENV = "NNSIM_SERVE_LESSONS"  # JSON: lesson name → file, the server's table
SCRATCH_ENV = "NNSIM_SCRATCH"

# Exit status of a served session that ran out of its memory (the server shows the tab a page saying so).
OUT_OF_MEMORY = 75
# A lesson name a student may type: a file stem, no separators, no dots.
LESSON_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
UNKNOWN_LESSON = ("under nnsim serve, lessons open by name only: type the name of one in the list "
                  "(such as xor), or choose it above")


def out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` is this process running out of its memory: a MemoryError, or a thread the
    system could not map a stack for (under a session's address-space limit that is how it often
    shows first), also as the ``WorkerFailed`` a worker that exits on error raises."""
    error = getattr(error, "error", None) if type(error).__name__ == "WorkerFailed" else error
    return isinstance(error, MemoryError) or (
        isinstance(error, RuntimeError) and "can't start new thread" in str(error))


def lesson_table(extra_dir: Optional[Path] = None) -> dict[str, Path]:
    """Lesson name → file: the bundled lessons, then the teacher's folder (which may
    replace a bundled lesson of the same name). Only names that are plain stems."""
    from nnsim.lessons.scenario.paths import bundled_dir

    table: dict[str, Path] = {}
    for folder in (bundled_dir(), extra_dir):
        if folder is None:
            continue
        for path in sorted(Path(folder).glob("*.toml")):
            if LESSON_NAME.fullmatch(path.stem) and path.is_file():
                table[path.stem] = path.resolve()
    return table


def safe_file_name(name: str, default: str) -> str:
    """The last part of ``name`` with anything but letters, digits, ``._-`` replaced:
    a browser download is named, never placed."""
    base = re.split(r"[\\/]", name.strip())[-1]
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", base).strip("-.")
    return base[:100] or default


class Host:
    """What every host offers the screens."""

    served = False
    may_download = True
    """Whether a lesson may download a dataset into the data cache."""
    preferences: Optional[dict] = None
    """Where the app's remembered answers live (the download dialog's): None for the user's
    config folder; a served session keeps its own here, for the session only."""

    def open_lesson(self, text: str):
        """The scenario the user asked for in "Open a file" (NnsimError if none)."""
        raise NotImplementedError

    def library(self) -> list:
        """The lessons the home screen lists."""
        from nnsim.lessons import bundled_scenarios

        return bundled_scenarios()

    def save_bytes(self, app, name: str, data: bytes, what: str) -> str:
        """Deliver ``data`` as the file ``name`` (a path in the terminal); returns the
        sentence to show (``what`` is its subject, e.g. "the network"). Raises NnsimError."""
        raise NotImplementedError

    def save_files(self, app, files: dict[str, Union[str, bytes]], what: str, folder: Optional[Path] = None) -> str:
        """Export several files together (``folder``, or the working folder, in the
        terminal); returns the sentence to show. Raises NnsimError."""
        raise NotImplementedError

    def check_target(self, name: str) -> Optional[str]:
        """Why a network cannot be saved as ``name`` (the sentence), or None."""
        return None

    def local_path(self, name: str) -> Optional[Path]:
        """The file on this computer that saving as ``name`` writes (None: it goes to a browser)."""
        return None

    def close(self) -> None:
        """The session is over."""


class LocalHost(Host):
    """The terminal: paths are the user's own."""

    def open_lesson(self, text: str):
        from nnsim.lessons import load_scenario

        return load_scenario(text)

    def target(self, name: str) -> Path:
        from nnsim.errors import user_path

        return user_path(name, "save to")

    def local_path(self, name: str) -> Optional[Path]:
        return self.target(name)

    def check_target(self, name: str) -> Optional[str]:
        try:
            target = self.target(name)
        except NnsimError as error:  # ~nosuchuser
            return str(error)
        if target.is_dir():
            return f"cannot save the model to {name}: it is a folder; give a file name such as model.npz"
        return None

    def save_bytes(self, app, name: str, data: bytes, what: str) -> str:
        path = self.target(name)
        try:
            write_atomic(path, data)
        except OSError as error:
            raise NnsimError(f"cannot save the model to {name}: {error.strerror or error}") from None
        return f"saved {what} to {path}"

    def save_files(self, app, files: dict[str, Union[str, bytes]], what: str, folder: Optional[Path] = None) -> str:
        folder = Path.cwd() if folder is None else Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in files.items():
                write_atomic(folder / name, data)
        except OSError as error:
            raise NnsimError(f"cannot export to {error.filename or folder}: {error.strerror or error}") from None
        return f"exported {what} to {' and '.join(files)} in {folder.resolve()}"


def write_atomic(path: Path, data: Union[str, bytes]) -> None:
    """Write to ``path.part`` and move it into place: an interrupted write leaves nothing half-written."""
    tmp = Path(f"{os.fspath(path)}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class ServedHost(Host):
    """One browser session of ``nnsim serve``: lesson names only, files as downloads.

    Args:
        table: lesson name → file (the server's: the bundled lessons and the teacher's
            ``--lessons`` folder); the bundled lessons alone by default.
        deliver: how a file reaches the browser (tests pass their own); by default
            ``app.deliver_binary``.
    """

    served = True
    may_download = False  # the cache is the teacher's: students train on what is there, or the sample

    def __init__(self, table: Optional[dict[str, Path]] = None,
                 deliver: Optional[Callable[..., object]] = None) -> None:
        self.table = dict(table) if table is not None else lesson_table()
        self.deliver = deliver
        self.preferences = {}  # the server's config folder is every client's: nothing is written there

    @classmethod
    def from_environment(cls) -> "ServedHost":
        import json

        text = os.environ.get(TABLE_ENV)
        return cls({str(k): Path(v) for k, v in json.loads(text).items()} if text else None)

    def open_lesson(self, text: str):
        from nnsim.lessons import load_scenario

        name = text.strip()
        path = self.table.get(name) if LESSON_NAME.fullmatch(name) else None
        if path is None:
            raise NnsimError(UNKNOWN_LESSON)
        return load_scenario(path)

    def library(self) -> list:
        from nnsim.lessons import load_scenario
        from nnsim.lessons.scenario.schema import SECTIONS

        scenarios = []
        for path in self.table.values():
            try:
                scenarios.append(load_scenario(path))
            except NnsimError:
                continue  # the server checked the teacher's folder; a file broken since is left out
        sections = list(SECTIONS)
        return sorted(scenarios, key=lambda s: (sections.index(s.section_id), s.order, s.name))

    def save_bytes(self, app, name: str, data: bytes, what: str) -> str:
        file_name = self._deliver(app, name, data, "nnsim-download")
        return f"sent {what} to your browser as a download: {file_name}"

    def save_files(self, app, files: dict[str, Union[str, bytes]], what: str, folder: Optional[Path] = None) -> str:
        names = [self._deliver(app, name, data, "nnsim-export") for name, data in files.items()]
        return f"exported {what}: sent {' and '.join(names)} to your browser as downloads"

    def _deliver(self, app, name: str, data: Union[str, bytes], default: str) -> str:
        file_name = safe_file_name(name, default)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        deliver = self.deliver or app.deliver_binary
        deliver(io.BytesIO(payload), save_filename=file_name, open_method="download")
        return file_name


def npz_bytes(session) -> bytes:
    """A training session's network now, as the ``.npz`` bytes :meth:`Network.save` writes
    (through a temporary folder: under ``nnsim serve`` that is the session's scratch space)."""
    import tempfile

    net = session.snapshot()
    with tempfile.TemporaryDirectory(prefix="nnsim-save-") as folder:
        path = Path(folder) / "network.npz"
        net.save(path)
        return path.read_bytes()
