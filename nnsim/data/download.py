"""Downloading one file into the cache, so that a file there is always complete.

Bytes stream through ``requests`` (with connect and read timeouts) into
``NAME.part`` beside the final name, hashed as they arrive. Only when the size
and MD5 match the published ones is the file renamed to ``NAME``; an
interrupted download leaves only the ``.part`` file, which the next attempt
resumes with an HTTP range request (from whichever mirror answers). Each
mirror is tried in turn; when all fail, the error lists what each one said.

Every file has a size cap (its published size; :data:`MAX_UNPUBLISHED` for a
file without one), checked against Content-Length before the body is read and
against the bytes as they arrive, and an overall deadline as well as the read
timeout, so neither an endless body nor a trickle of one byte every few
seconds can hold the disk or the user hostage. A file already under the final
name that is not the published one is never overwritten: it is moved aside to
``NAME.rejected`` (see :func:`nnsim.data.cache.quarantine`).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

from nnsim.data.quarantine import quarantine
from nnsim.data.sources import RemoteFile
from nnsim.errors import NnsimError, os_reason, remove_quietly
from nnsim.sanitize import redact_url, redact_urls

# (connect, read) seconds: a mirror that accepts no connection, or goes silent
# mid-file for this long, is given up for the next one.
TIMEOUT = (10.0, 30.0)
# Seconds for one whole file, however steadily bytes arrive: a mirror trickling a
# byte every 20 s never trips the read timeout. The largest file (26 MB) takes
# under a minute on a slow school line.
DEADLINE = 600.0
# The cap for a file whose size is not published (every built-in file's is).
MAX_UNPUBLISHED = 64 << 20
CHUNK = 1 << 16

ProgressFactory = Callable[[str, Optional[int], int], "Progress"]


class DownloadFailed(Exception):
    """One mirror did not deliver; the message says why, in a few words."""


def md5_of(path, chunk: int = 1 << 20) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def download(file: RemoteFile, urls: Sequence[str], dest: Path, timeout=TIMEOUT,
             progress: Optional[bool] = None, session=None) -> Path:
    """Fetch ``file`` from the first of ``urls`` that delivers it intact, into ``dest``.

    ``progress``: True draws a bar on stderr, False never, None only when
    stderr is a terminal. Raises NnsimError naming every URL tried.
    """
    import requests

    dest = Path(dest)
    if not isinstance(timeout, tuple):
        timeout = (float(timeout), float(timeout))
    deadline = float(timeout[2]) if len(timeout) > 2 else DEADLINE
    timeout = (float(timeout[0]), float(timeout[1]))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise NnsimError(f"cannot create the data folder {dest.parent}: {os_reason(error)}") from None
    if progress is None:
        progress = sys.stderr.isatty()
    own_session = session is None
    session = session or requests.Session()
    failures = []
    try:
        for url in urls:
            try:
                _fetch(session, url, file, dest, timeout, progress, time.monotonic() + deadline, deadline)
                return dest
            except DownloadFailed as error:
                failures.append(f"{redact_url(url.rsplit('/', 1)[0])}/: {error}")
    finally:
        if own_session:
            session.close()
    part = _part(dest)
    kept = f"; the partial download {part.name} is kept and resumed next time" if part.exists() else ""
    raise NnsimError(redact_urls(f"could not download {file.name} ({'; '.join(failures)}){kept}"))


def _part(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def _fetch(session, url: str, file: RemoteFile, dest: Path, timeout, progress: bool,
           ends: float, deadline: float) -> None:
    import requests

    part = _part(dest)
    digest = hashlib.md5()
    cap = file.size if file.size is not None else MAX_UNPUBLISHED
    have = part.stat().st_size if part.exists() else 0
    if file.size is not None and have == file.size and md5_of(part) == file.md5:
        return _install(part, dest, file)  # complete and intact: interrupted just before the rename
    if have >= cap:
        part.unlink()  # complete but damaged, or too long: it cannot be a prefix of the file
        have = 0
    if have:
        with open(part, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    headers = {"User-Agent": "nnsim", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response = session.get(url, stream=True, timeout=timeout, headers=headers)
    except requests.ConnectTimeout:
        raise DownloadFailed(f"could not connect within {timeout[0]:g} s") from None
    except requests.Timeout:
        raise DownloadFailed(f"no answer within {timeout[1]:g} s") from None
    except requests.RequestException as error:
        raise DownloadFailed(_short(error)) from None
    with response:
        if response.status_code == 416 and have:
            part.unlink()  # the partial file does not fit this server's copy
            return _fetch(session, url, file, dest, timeout, progress, ends, deadline)
        if response.status_code not in (200, 206):
            raise DownloadFailed(f"HTTP {response.status_code} {(response.reason or '')[:80]}".rstrip())
        if response.status_code == 200 and have:
            have, digest = 0, hashlib.md5()  # the server ignored the range: start over
        elif response.status_code == 206 and not response.headers.get("Content-Range", "").startswith(
                f"bytes {have}-"):
            raise DownloadFailed(f"answered a range request with {response.headers.get('Content-Range')!r}")
        length = response.headers.get("Content-Length")
        if length is not None and not length.isdigit():
            length = None
        if length is not None and have + int(length) > cap:
            raise DownloadFailed(f"announces {have + int(length):,} bytes, more than the "
                                 f"{'published' if file.size is not None else 'allowed'} {cap:,}; refused")
        total = have + int(length) if length is not None else file.size
        bar = Progress(file.name, total, have) if progress else None
        done = have
        try:
            with open(part, "ab" if have else "wb") as out:
                for block in _blocks(response, done):
                    try:
                        out.write(block)
                    except OSError as error:
                        out.close()
                        remove_quietly(part)  # a full disk: the half-written file goes too
                        raise NnsimError(f"cannot write {part}: {os_reason(error)}") from None
                    digest.update(block)
                    done += len(block)
                    if done > cap:
                        break
                    if time.monotonic() > ends:
                        raise DownloadFailed(f"took longer than the {deadline:g} s allowed for one file "
                                             f"({done:,} bytes had arrived)")
                    if bar:
                        bar.update(done)
            if bar:
                bar.update(done, force=True)
        finally:
            if bar:
                bar.close()
    if done > cap:
        part.unlink()
        raise DownloadFailed(f"sent more than the {'published' if file.size is not None else 'allowed'} "
                             f"{cap:,} bytes; discarded")
    expected = total if length is not None else file.size
    if expected is not None and done < expected:
        raise DownloadFailed(f"connection ended after {done:,} of {expected:,} bytes")
    if file.size is not None and done != file.size:
        part.unlink()
        raise DownloadFailed(f"sent {done:,} bytes, not the published {file.size:,}; discarded")
    md5 = digest.hexdigest()
    if md5 != file.md5:
        part.unlink()
        raise DownloadFailed(f"checksum mismatch (MD5 {md5}, published {file.md5}); discarded")
    _install(part, dest, file)


def _install(part: Path, dest: Path, file: RemoteFile) -> None:
    """Rename the verified ``part`` to ``dest``; a different file already there (one the
    user put in the cache) is moved aside first, never overwritten."""
    if dest.is_file() and not (dest.stat().st_size == part.stat().st_size and md5_of(dest) == file.md5):
        quarantine(dest, "is not the published file")
    os.replace(part, dest)


def _blocks(response, start: int):
    """The body's raw bytes as they arrive (so a stall loses nothing already
    received), not decoded: a mirror that labels a .gz as gzip-encoded must not
    have it unpacked on the way, as the checksum is of the archive. A broken or
    silent connection becomes DownloadFailed."""
    done, raw = start, response.raw
    read1 = getattr(raw, "read1", None)  # urllib3 2; urllib3 1 only has stream()
    stream = None if read1 else raw.stream(CHUNK, decode_content=False)
    while True:
        try:
            block = read1(CHUNK, decode_content=False) if read1 else next(stream, b"")
        except Exception as error:  # urllib3's timeouts and short reads, socket errors
            raise DownloadFailed(f"{_short(error)} after {done:,} bytes") from None
        if not block:
            return
        done += len(block)
        yield block


def _short(error: BaseException) -> str:
    """A few words for what went wrong, from the innermost cause of a requests/urllib3 error."""
    chain, e = [], error
    while isinstance(e, BaseException) and e not in chain:
        chain.append(e)
        reason = getattr(e, "reason", None)
        e = e.__cause__ or (reason if isinstance(reason, BaseException) else None) or (
            e.args[0] if e.args and isinstance(e.args[0], BaseException) else None) or e.__context__
    names = {type(c).__name__ for c in chain}
    if names & {"NameResolutionError", "gaierror"}:
        return "cannot resolve the host name (no network?)"
    if "ConnectionRefusedError" in names:
        return "connection refused"
    if names & {"SSLError", "SSLCertVerificationError"}:
        return "TLS/SSL error"
    if names & {"ReadTimeoutError", "ReadTimeout", "TimeoutError", "timeout"}:
        return "timed out"
    if names & {"IncompleteRead", "ProtocolError", "ConnectionResetError", "ChunkedEncodingError"}:
        return "connection broke"
    text = str(chain[-1]) or type(chain[-1]).__name__
    return text.splitlines()[0][:120]


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, name: str, total: Optional[int], done: int = 0, stream=None) -> None:
        self.name, self.total, self.stream = name, total, stream or sys.stderr
        self.start, self.first, self.last = time.monotonic(), done, 0.0
        self.update(done, force=True)

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        rate = (done - self.first) / max(now - self.start, 1e-6)
        if self.total:
            filled = int(30 * min(done / self.total, 1))
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done / self.total:4.0%} of {self.total / 1e6:.1f} MB"
        else:
            bar = f"{done / 1e6:.1f} MB"
        self.stream.write(f"\r\x1b[K{self.name}  {bar}  {rate / 1e6:.1f} MB/s")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()
