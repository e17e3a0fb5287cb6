"""Moving aside a file that failed verification, instead of deleting it.

A file under a dataset's name in the cache may be the user's own (copied there
by hand, or a different release); nnsim deletes only what it wrote itself (its
``.part`` files). Everything else that fails a checksum goes to
``NAME.rejected``, and the user is told where and why.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from nnsim.errors import NnsimError, os_reason
from nnsim.sanitize import sanitize


def quarantine(path: Path, why: str) -> Path:
    """Move a file that failed verification aside to ``NAME.rejected`` (``NAME.rejected.2``, …
    if taken) instead of deleting it: it may be the user's own. Returns where it went."""
    path = Path(path)
    target = path.with_name(path.name + ".rejected")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.rejected.{n}")
    try:
        os.replace(path, target)
    except OSError as error:
        raise NnsimError(f"{path} {why}, and could not be moved aside to {target.name}: "
                         f"{os_reason(error)}") from None
    sys.stderr.write(f"nnsim: {sanitize(path)} {why}; moved it aside to {sanitize(target)} "
                     f"(nnsim never deletes a file it did not write)\n")
    return target
