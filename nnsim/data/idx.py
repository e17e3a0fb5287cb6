"""A strict reader for IDX files, the format MNIST and Fashion-MNIST ship in.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number
of dimensions), one big-endian 32-bit size per dimension, then the values. The
reader trusts none of it: the magic, the dimensions and the file's length must
all agree, or it raises :class:`~nnsim.errors.NnsimError` with one line naming
the file. Files may be gzipped or not (recognised by their first bytes, not by
their name), and a gzipped file is decompressed only as far as its header says,
so a corrupt header cannot make it allocate more than the file can hold.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from nnsim.errors import NnsimError

# Type codes of the IDX format, as big-endian numpy dtypes.
DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# No dataset nnsim reads is near this; a header claiming more is broken, not big.
MAX_BYTES = 1 << 30
# Images become float32 rows four times their size (splits.pixels), so image
# files are held to twice MNIST's 60,000 training digits: 94 MB of pixels, a
# 376 MB float copy. A legal header claiming 1 GB in a 1 MB gzip stops here,
# before anything is decompressed.
MAX_EXAMPLES = 120_000
MAX_IMAGE_BYTES = MAX_EXAMPLES * 28 * 28

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def read_idx(path, max_bytes: int = MAX_BYTES, what: str = "any dataset nnsim reads") -> np.ndarray:
    """The array stored in an IDX file (gzipped or not), in native byte order; a header
    claiming more than ``max_bytes`` of values is refused before they are read."""
    path = Path(path)
    try:
        gz = is_gzip(path)
        opener = gzip.open if gz else open
        with opener(path, "rb") as f:
            return _read(f, path, gz, max_bytes, what)
    except NnsimError:
        raise
    except FileNotFoundError:
        raise NnsimError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NnsimError(f"{path}: is a folder, expected an IDX file") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise NnsimError(f"{path}: truncated or corrupt gzip data ({_reason(error)})") from None
    except OSError as error:
        raise NnsimError(f"{path}: cannot be read ({_reason(error)})") from None


def _read(f, path: Path, gz: bool, max_bytes: int, limit_what: str) -> np.ndarray:
    what = "gzipped IDX file" if gz else "IDX file"
    magic = f.read(4)
    if len(magic) < 4:
        raise NnsimError(f"{path}: too short for an IDX header ({len(magic)} bytes)")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in DTYPES or not 1 <= magic[3] <= 4:
        raise NnsimError(f"{path}: not an IDX file (magic number 0x{magic.hex()}; expected "
                         f"0x0000TTNN with a known type TT and 1 to 4 dimensions NN)")
    dtype, ndim = DTYPES[magic[2]], magic[3]
    header = f.read(4 * ndim)
    if len(header) < 4 * ndim:
        raise NnsimError(f"{path}: header ends before its {ndim} dimension sizes")
    shape = tuple(int.from_bytes(header[4 * i:4 * i + 4], "big") for i in range(ndim))
    if any(n == 0 for n in shape):
        raise NnsimError(f"{path}: dimensions {_dims(shape)} include a zero")
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if expected > max_bytes:
        raise NnsimError(f"{path}: dimensions {_dims(shape)} would need {expected:,} bytes, "
                         f"more than {limit_what} ({max_bytes:,} bytes): not a file nnsim can train on")
    if not gz:
        # For a plain file the length on disk must match exactly; check before reading.
        size = os.fstat(f.fileno()).st_size
        if size != 4 + 4 * ndim + expected:
            raise NnsimError(f"{path}: dimensions {_dims(shape)} need {expected:,} bytes of data "
                             f"but the file holds {size - 4 - 4 * ndim:,}")
    data = f.read(expected)
    if len(data) < expected:
        raise NnsimError(f"{path}: dimensions {_dims(shape)} need {expected:,} bytes of data "
                         f"but the {what} holds {len(data):,}")
    if f.read(1):
        raise NnsimError(f"{path}: more data than dimensions {_dims(shape)} account for")
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def read_images(path) -> np.ndarray:
    """Images as uint8, shape (n, rows, cols), at most :data:`MAX_EXAMPLES` 28 × 28 images' worth."""
    array = read_idx(path, MAX_IMAGE_BYTES, f"the {MAX_EXAMPLES:,} 28 × 28 images nnsim reads from one file")
    if array.ndim != 3 or array.dtype != np.uint8:
        raise NnsimError(f"{Path(path)}: expected images (3 dimensions of unsigned bytes), "
                         f"got {array.ndim} dimension(s) of {array.dtype}")
    return array


def read_labels(path, classes: int = 10) -> np.ndarray:
    """Labels as uint8, shape (n,), each below ``classes``."""
    array = read_idx(path, MAX_EXAMPLES, f"the {MAX_EXAMPLES:,} labels nnsim reads from one file")
    if array.ndim != 1 or array.dtype != np.uint8:
        raise NnsimError(f"{Path(path)}: expected labels (1 dimension of unsigned bytes), "
                         f"got {array.ndim} dimension(s) of {array.dtype}")
    bad = np.flatnonzero(array >= classes)
    if len(bad):
        raise NnsimError(f"{Path(path)}: label {array[bad[0]]} at index {bad[0]} is not a class 0–{classes - 1}")
    return array


def write_idx(path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file (gzipped when the name ends in .gz)."""
    path = Path(path)
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in DTYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None or not 1 <= array.ndim <= 4:
        raise ValueError(f"IDX cannot store {array.ndim}-dimensional {array.dtype} arrays")
    header = bytes([0, 0, code, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    body = header + array.astype(DTYPES[code]).tobytes()
    if compress is None:
        compress = path.suffix == ".gz"
    path.write_bytes(gzip.compress(body, mtime=0) if compress else body)


def _dims(shape) -> str:
    return " × ".join(f"{n:,}" for n in shape)


def _reason(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
