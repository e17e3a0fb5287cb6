"""The one exception type every layer raises for a user's mistake, and the
wording of the operating system's refusals.

The command line turns it into ``nnsim: error: <message>`` and exit status 2,
so its message must be a single line that says what is wrong and where.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


class NnsimError(Exception):
    """A problem the user can fix: bad input, a missing file, a failed download."""


# errno -> a few words a student can act on (strerror alone says "No space left on device").
_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space or choose another folder",
    errno.EDQUOT: "the disk quota is used up: free some space or choose another folder",
    errno.EROFS: "the file system is read-only: choose a writable folder",
    errno.EACCES: "permission denied: choose a folder you can write to",
    errno.EPERM: "operation not permitted: choose a folder you can write to",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EPIPE: "the reader closed the pipe",
}


def os_reason(error: BaseException) -> str:
    """What an OSError (or MemoryError) means, in a few words, without the path."""
    if isinstance(error, MemoryError):
        return "out of memory"
    if isinstance(error, OSError):
        if error.errno in _ADVICE:
            return _ADVICE[error.errno]
        if error.strerror:
            return error.strerror[0].lower() + error.strerror[1:]
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text


def os_error_message(error: BaseException, where: object = None) -> str:
    """One line for an OSError: the path it concerns (``where`` or the error's own) and why."""
    path = where if where is not None else getattr(error, "filename", None)
    reason = os_reason(error)
    return f"{os.fspath(path) if isinstance(path, os.PathLike) else path}: {reason}" if path else reason


def user_path(text, what: str = "") -> Path:
    """``text`` as a Path with ``~`` / ``~user`` expanded; NnsimError when that user does not exist
    (``Path.expanduser`` raises RuntimeError, which would otherwise surface as a traceback)."""
    path = Path(text)
    try:
        return path.expanduser()
    except (RuntimeError, KeyError):
        user = str(text).split("/", 1)[0]
        label = f"{what} {text}" if what else str(text)
        raise NnsimError(f"{label}: cannot expand {user}: no such user (or no home folder)") from None


def remove_quietly(path) -> None:
    """Delete a file nnsim itself was writing (a ``.part``), ignoring that it may be gone already."""
    try:
        os.unlink(path)
    except OSError:
        pass


class DataMissing(NnsimError):
    """A dataset a lesson needs is not here (not in the cache, not in the folder given).

    Not the lesson's fault: ``nnsim check`` reports the lesson as needing ``dataset``
    (its title, e.g. "MNIST") instead of calling the file invalid.
    """

    def __init__(self, message: str, dataset: str = "", name: str = "") -> None:
        super().__init__(message)
        self.dataset = dataset
        self.name = name

    def again(self, message: str) -> "DataMissing":
        """The same problem with a longer message (a caller adding where it happened)."""
        return DataMissing(message, self.dataset, self.name)
