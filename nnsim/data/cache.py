"""Where datasets live on disk, and what a folder of dataset files holds.

Downloads go to ``$NNSIM_DATA_DIR/<dataset>/`` or, without that variable, to
the user's cache folder (``~/.cache/nnsim`` on Linux, ``~/Library/Caches/nnsim``
on macOS, ``%LOCALAPPDATA%\\nnsim\\Cache`` on Windows). A folder the user points
at with ``--data-dir`` may hold the four IDX files, gzipped or not and under
the names people commonly give them, or the book's ``mnist.pkl.gz``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple, Optional

from nnsim.data.sources import RemoteFile, Source
from nnsim.errors import user_path

DATA_DIR_ENV = "NNSIM_DATA_DIR"


def cache_root() -> Path:
    """The folder that holds one sub-folder per downloaded dataset."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return user_path(configured, "$" + DATA_DIR_ENV)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
        return Path(base) / "nnsim" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "nnsim"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nnsim"


def dataset_dir(name: str) -> Path:
    return cache_root() / name


class DataFile(NamedTuple):
    """A file a dataset was read from, with its MD5 and how that compares with
    the published one: True (the published archive), False (different bytes,
    e.g. recompressed by a redistributor), None (nothing published to compare)."""

    path: Path
    size: int
    md5: str
    published: Optional[RemoteFile]

    @property
    def matches(self) -> Optional[bool]:
        if self.published is None or Path(self.path).name != self.published.name:
            return None
        return self.md5 == self.published.md5

    def describe(self) -> str:
        note = {True: "the published file", False: "differs from the published archive; structure checked",
                None: "no published checksum for this form; structure checked"}[self.matches]
        return f"{self.path}  {self.size:,} bytes  MD5 {self.md5}  ({note})"


def report(path: Path, published: Optional[RemoteFile]) -> DataFile:
    from nnsim.data.download import md5_of

    return DataFile(Path(path), Path(path).stat().st_size, md5_of(path), published)


def idx_candidates(file: RemoteFile) -> list[str]:
    """Names a local copy of ``file`` may have: gzipped or not, ``-idx`` or ``.idx``."""
    plain = file.name.removesuffix(".gz")
    dotted = plain.replace("-idx", ".idx")
    return [file.name, plain, dotted + ".gz", dotted]


def find_idx(folder: Path, source: Source) -> dict[str, Optional[Path]]:
    """The four IDX files of ``source`` in ``folder``, by role (None where missing)."""
    found = {}
    for role in ("train_images", "train_labels", "test_images", "test_labels"):
        file = getattr(source, role)
        found[role] = next((folder / n for n in idx_candidates(file) if (folder / n).is_file()), None)
    return found


def find_pickle(folder: Path, source: Source) -> Optional[Path]:
    if source.pickle is None:
        return None
    path = folder / source.pickle.name
    return path if path.is_file() else None

