"""One download at a time per dataset folder, across processes.

Two ``nnsim data download`` runs on one cache used to write the same ``.part``
file at once: one saw it vanish (a traceback), the other renamed a mixture to
the final name. An exclusive ``fcntl.flock`` on the dataset folder itself (a
directory can be locked on Linux and macOS, so no lock file is left behind)
serialises them; the second says it is waiting, then finds the files the
first one fetched. The kernel releases the lock when the process ends,
however it ends.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from nnsim.errors import NnsimError, os_reason
from nnsim.sanitize import sanitize


@contextlib.contextmanager
def dataset_lock(folder: Path, stream=None):
    """Hold the download lock of ``folder`` (created if needed) for the ``with`` block."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; downloads there are not serialised
        yield
        return
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder, os.O_RDONLY)
    except OSError as error:
        raise NnsimError(f"cannot create the data folder {folder}: {os_reason(error)}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            stream = stream or sys.stderr
            stream.write(f"nnsim: another nnsim is downloading into {sanitize(folder)}; waiting…\n")
            stream.flush()
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without locks (some network mounts): go on unserialised
        try:
            yield
        finally:
            try:
                fcntl.flock(handle, fcntl.LOCK_UN)
            except OSError:
                pass
    finally:
        os.close(handle)
