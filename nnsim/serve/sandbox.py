"""The operating system's part in confining a served session: Linux Landlock.

A served session may write only in its own scratch folder. The policy side of
that is :class:`~nnsim.tui.host.ServedHost` (files go to the browser, nothing
is downloaded into the data cache); where the kernel offers Landlock (Linux 5.13
and later, unprivileged: no root, no setuid helper), each session's process also
asks the kernel to refuse it, for the rest of its life:

- every write outside its scratch folder (creating, changing, renaming,
  truncating or removing files and folders), so the data cache, the lesson
  library and the teacher's home and working folders are read-only to it, even
  if a bug let a student steer a write;
- TCP connections and listening sockets (Landlock ABI 4 and later): a session
  needs no network, so it cannot fetch, probe the classroom network or serve;
- signals to processes outside the session, and abstract unix sockets
  (ABI 6 and later): it cannot stop the server or another student's session;
- every read outside what it needs (:func:`session_reads`): the system's
  folders, Python and its packages, nnsim, the lessons' folders, the data
  cache and its scratch folder. The teacher's HOME and working folder are not
  among them (unless Python or nnsim is installed there).

The rules are made with three system calls (``landlock_create_ruleset``, ``landlock_add_rule``,
``landlock_restrict_self``: 444 to 446 on every Linux architecture) through
ctypes, so nnsim needs no extra package. Where Landlock is missing (another
system, an older kernel, a container that blocks it) the server says so once at
start ("data cache protected by policy only: …") and sessions run on policy.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import Iterable, Optional

SANDBOX_ENV = "NNSIM_SANDBOX"  # set by the server when it found Landlock: the session must apply it

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_READS = _EXECUTE | _READ_FILE | _READ_DIR
_REMOVE_DIR, _REMOVE_FILE = 1 << 4, 1 << 5
_MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
_REFER = 1 << 13  # ABI 2: linking or renaming into another folder
_TRUNCATE = 1 << 14  # ABI 3
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6


class SandboxError(Exception):
    """Landlock was expected but could not be applied (the message says why)."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def landlock_abi() -> tuple[int, str]:
    """(Landlock ABI version, "") where this kernel offers it, else (0, why not)."""
    if not sys.platform.startswith("linux"):
        return 0, f"Landlock is a Linux feature; this is {sys.platform}"
    try:
        libc = _libc()
    except OSError as error:
        return 0, f"cannot call the C library ({error})"
    version = libc.syscall(ctypes.c_long(_CREATE_RULESET), None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    if version < 1:
        errno = ctypes.get_errno()
        why = {38: "this kernel has no Landlock (Linux 5.13 or later with CONFIG_SECURITY_LANDLOCK)",
               95: "Landlock is built in but not enabled (add landlock to the kernel's lsm= list)",
               1: "this container does not allow Landlock"}.get(errno, os.strerror(errno))
        return 0, why
    return int(version), ""


def write_rights(abi: int) -> int:
    """Every write right this ABI can refuse."""
    rights = _WRITE_FILE | _REMOVE_DIR | _REMOVE_FILE | _MAKE
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    return rights


def confine(writable: Iterable[Path], writable_files: Iterable[Path] = (), abi: Optional[int] = None,
            readable: Optional[Iterable[Path]] = None) -> int:
    """Refuse this process (and any it starts) every write outside ``writable`` folders and
    ``writable_files`` (such as /dev/null), TCP, and signals outside it; with ``readable``, also
    every read (and execution) outside those folders and ``writable``. Returns the ABI used;
    SandboxError if Landlock is missing or refuses."""
    if abi is None:
        abi, why = landlock_abi()
        if abi < 1:
            raise SandboxError(why)
    libc = _libc()
    writes = write_rights(abi)
    reads = _READS if readable is not None else 0
    fs = writes | reads
    attr = _RulesetAttr(handled_access_fs=fs,
                        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
                        scoped=(_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0)
    ruleset = libc.syscall(ctypes.c_long(_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        raise SandboxError(f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        file_rights = _WRITE_FILE | (_TRUNCATE if abi >= 3 else 0) | (reads & ~_READ_DIR)
        for paths, rights in ((writable, fs), (writable_files, file_rights), (readable or (), reads)):
            for path in paths:
                _allow(libc, ruleset, Path(path), rights)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}")
        if libc.syscall(ctypes.c_long(_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise SandboxError(f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    return abi


def _allow(libc, ruleset: int, path: Path, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError as error:
        raise SandboxError(f"cannot open {path} for a Landlock rule: {error.strerror}") from None
    try:
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        if libc.syscall(ctypes.c_long(_ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                        ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise SandboxError(f"landlock_add_rule {path}: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


# What any Python program reads from the system: libraries, locale and time zone data, its own
# process's details, the CPU's (numpy and OpenBLAS size their work by them), /dev/urandom.
SYSTEM_READS = ("/usr", "/lib", "/lib32", "/lib64", "/etc", "/proc", "/sys", "/dev", "/opt")


def session_reads(scratch: Path, lessons: Iterable[Path] = (), data_dir: Optional[Path] = None) -> list[Path]:
    """The folders a served session may read: the system's, this Python's and its packages'
    (``sys.prefix``, ``sys.path``), nnsim's own, the folders of the lessons it may open, the
    data cache and its scratch folder. Nothing else of the teacher's: not HOME, not the
    working folder (unless Python or nnsim is installed there)."""
    import nnsim

    folders = [Path(p) for p in SYSTEM_READS]
    folders += [Path(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}]
    folders += [Path(p) for p in sys.path if p and not p.startswith("__")]  # editable installs' hooks are not folders
    folders += [Path(nnsim.__file__).resolve().parent]
    folders += [Path(lesson).resolve().parent for lesson in lessons]
    if data_dir is not None:
        folders.append(Path(data_dir))
    folders.append(Path(scratch))
    readable, seen = [], set()
    for folder in folders:
        for path in {folder, folder.resolve()} if folder.exists() else ():
            if path not in seen:
                seen.add(path)
                readable.append(path)
    return readable


def confine_session(scratch: Path, readable: Optional[Iterable[Path]] = None) -> int:
    """A served session's confinement: it writes only in ``scratch`` (and /dev/null) and, with
    ``readable`` (see :func:`session_reads`), reads only there."""
    return confine([scratch], [Path(os.devnull)] if os.path.exists(os.devnull) else [], readable=readable)
