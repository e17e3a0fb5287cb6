"""Reading a saved network's ``.npz`` without trusting it.

An ``.npz`` is a zip of ``.npy`` members. ``np.load`` allocates whatever a
member's header claims, so a 7 MB zip of zeros can ask for gigabytes; and a
file may hold pickled objects, NaN weights or shapes that do not chain. Here the
zip's directory is read first: only the expected members, each no bigger than
the parameter limit allows, before any array is built; then each array must be
a finite real float array of the shape ``sizes`` implies. Pickles are never
loaded (``allow_pickle=False``).
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from nnsim.errors import NnsimError, os_reason

# The most weights and biases a network may have: the lesson files', the command
# line's and a saved file's limit (the chapter's largest net, [784, 100, 10], has 79,510).
MAX_PARAMETERS = 2_000_000
MAX_LAYERS = 6
# Room for a member's .npy header beyond its values.
_HEADER = 4096


class BadNetworkFile(NnsimError, ValueError):
    """A file that is not a network nnsim saved (ValueError for callers that expect it)."""


class _WrongShape(Exception):
    pass


def read_arrays(path, max_parameters: int = MAX_PARAMETERS) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The (weights, biases) stored in ``path`` by :meth:`Network.save`, checked."""
    name = os.fspath(path)
    try:
        with zipfile.ZipFile(name) as archive:
            members = {info.filename: info for info in archive.infolist()}
            sizes = _sizes(name, archive, members, max_parameters)
            expected = {"sizes.npy"} | {f"{k}{i}.npy" for i in range(len(sizes) - 1) for k in "wb"}
            extra = sorted(set(members) - expected)
            if extra:
                raise BadNetworkFile(f"{name}: unexpected member {extra[0]!r} (an nnsim network holds only "
                                     f"sizes, w0, b0, w1, b1, …)")
            weights, biases = [], []
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                try:
                    weights.append(_member(name, archive, members, f"w{i}", (n_out, n_in)))
                    biases.append(_member(name, archive, members, f"b{i}", (n_out, 1)))
                except _WrongShape as error:
                    raise BadNetworkFile(f"{name}: layer {i + 2} has shapes that do not match sizes {sizes} "
                                         f"({error})") from None
    except NnsimError:
        raise
    except zipfile.BadZipFile as error:
        raise BadNetworkFile(f"{name}: not an nnsim network file (not a zip archive: {error})") from None
    except MemoryError:
        raise BadNetworkFile(f"{name}: out of memory while reading the network") from None
    except OSError as error:
        raise BadNetworkFile(f"{name}: cannot be read: {os_reason(error)}") from None
    except (ValueError, EOFError, KeyError, zipfile.LargeZipFile, NotImplementedError) as error:
        raise BadNetworkFile(f"{name}: not an nnsim network file ({type(error).__name__}: "
                             f"{str(error).splitlines()[0] if str(error) else ''})") from None
    return weights, biases


def _sizes(name, archive, members, max_parameters) -> list[int]:
    info = members.get("sizes.npy")
    if info is None:
        raise BadNetworkFile(f"{name}: not an nnsim network file (no 'sizes' array)")
    if info.file_size > _HEADER + 8 * MAX_LAYERS:
        raise BadNetworkFile(f"{name}: the 'sizes' array is {info.file_size:,} bytes; a network has at most "
                             f"{MAX_LAYERS} layers")
    with archive.open(info) as f:
        raw = np.lib.format.read_array(f, allow_pickle=False)
    if raw.ndim != 1 or raw.dtype.kind not in "iu" or not 2 <= len(raw) <= MAX_LAYERS:
        raise BadNetworkFile(f"{name}: 'sizes' should list 2 to {MAX_LAYERS} layer sizes, got "
                             f"shape {raw.shape} of {raw.dtype}")
    sizes = [int(n) for n in raw]
    if any(n < 1 for n in sizes):
        raise BadNetworkFile(f"{name}: layer sizes {sizes} include one below 1")
    count = sum(y * x + y for x, y in zip(sizes[:-1], sizes[1:]))
    if count > max_parameters:
        raise BadNetworkFile(f"{name}: sizes {sizes} mean {count:,} weights and biases, more than the limit "
                             f"of {max_parameters:,}")
    return sizes


def _member(name, archive, members, key, shape) -> np.ndarray:
    info = members.get(f"{key}.npy")
    if info is None:
        raise BadNetworkFile(f"{name}: the array {key!r} is missing")
    # Checked against the zip directory before anything is inflated: the claim
    # cannot exceed what float64 values of this shape need.
    limit = _HEADER + 8 * int(np.prod(shape))
    if info.file_size > limit:
        raise BadNetworkFile(f"{name}: {key!r} unpacks to {info.file_size:,} bytes, more than the "
                             f"{limit:,} a {shape[0]} × {shape[1]} array needs")
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        header_shape, _, dtype = read_header(f)
        if dtype.hasobject or dtype.kind != "f":
            raise BadNetworkFile(f"{name}: {key!r} is an array of {dtype}, expected real floating-point numbers")
        if tuple(header_shape) != shape:
            raise _WrongShape(f"{key} is {tuple(header_shape)}, expected {shape}")
    with archive.open(info) as f:
        array = np.lib.format.read_array(f, allow_pickle=False)
    if not np.isfinite(array).all():
        raise BadNetworkFile(f"{name}: {key!r} holds NaN or infinite values")
    return array
