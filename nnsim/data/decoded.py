"""Decoded images on disk: a gzipped IDX file decoded once, then memory-mapped.

Decoding 60,000 gzipped images takes a second and, held as float32, 188 MB
in every process. :func:`decoded_images` writes the decoded uint8 pixels once
(atomically: a temporary file in the same folder, then a rename) to
``<cache>/decoded/<dataset>/`` (beside the downloads, not among them) and maps that file read-only from then on, so
a process touches only the pages it reads and served sessions share one copy
through the page cache. The training loop converts each mini-batch to float
as the loader would (:class:`~nnsim.core.dataset.PixelRows`).

The file's name carries a digest of the source file's path, size and
modification time: a changed or different source gets its own decoded file,
and the stale ones of that source name are removed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

SUFFIX = ".u8.npy"


def decoded_name(source: Path) -> str:
    """``<source name>.<digest>.u8.npy`` for this version of the source file."""
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    return f"{source.name}.{hashlib.sha256(key).hexdigest()[:16]}{SUFFIX}"


def decoded_images(source: Path, folder: Path, read: Callable[[Path], np.ndarray]) -> np.ndarray:
    """The images of ``source`` as uint8 rows (n, pixels), memory-mapped from the
    decoded file in ``folder`` (written first with ``read(source)`` if missing or
    unreadable). If the folder cannot be written the decoded array is returned
    in memory: still uint8, a quarter of float32."""
    source = Path(source)
    target = Path(folder) / decoded_name(source)
    mapped = _open(target)
    if mapped is not None:
        return mapped
    images = read(source)
    rows = np.ascontiguousarray(images.reshape(len(images), -1))
    try:
        _write_atomically(target, rows)
    except OSError:
        return rows
    _remove_stale(target, source.name)
    mapped = _open(target)
    return rows if mapped is None else mapped


def _open(path: Path):
    if not path.is_file():
        return None
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if array.dtype != np.uint8 or array.ndim != 2:
        return None
    return array


def _write_atomically(target: Path, rows: np.ndarray) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            np.lib.format.write_array(f, rows, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; others may map it too
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _remove_stale(current: Path, source_name: str) -> None:
    for other in current.parent.glob(f"{source_name}.*{SUFFIX}"):
        if other != current:
            try:
                other.unlink()
            except OSError:
                pass
