"""Reading the book's ``mnist.pkl.gz`` without trusting it.

A pickle is a program: ``pickle.load`` will import and call whatever the file
names, so a crafted file runs code. This unpickler resolves only the few names
that rebuilding numpy arrays needs, each behind a wrapper that refuses object
arrays and absurd sizes; anything else (``os.system``, ``builtins.eval``, a
class of the attacker's choosing) stops the load before it is called. The
caller verifies the file's checksum first when one is published; this is the
second lock, and the only one for a file the user brings.
"""

from __future__ import annotations

import gzip
import io
import pickle
import zlib
from pathlib import Path

import numpy as np

from nnsim.errors import NnsimError

# A bound on what one array in a data file may claim, in elements (the book's
# training images are 39.2 million).
MAX_ELEMENTS = 1 << 28
# The book's file is 17,051,982 bytes and unpacks to 220,080,909: 70,000 float32
# images and their int64 labels. Anything past these bounds is not that file;
# the decompression stops at the bound instead of filling memory (a 3 MB gzip of
# zeros would otherwise inflate to gigabytes).
MAX_FILE_BYTES = 64 << 20
MAX_UNPACKED_BYTES = 240 << 20


class RefusedPickle(pickle.UnpicklingError):
    """The pickle asked for something that is not part of a plain numpy array."""


def _plain_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.hasobject:
        raise RefusedPickle("an array of Python objects")
    return dtype


def _numpy_dtype(obj, align=False, copy=False, *rest):
    # Python 2 pickles pass align and copy as 0/1; numpy wants booleans.
    if rest:
        raise RefusedPickle("numpy.dtype with unexpected arguments")
    return _plain_dtype(np.dtype(obj, align=bool(align), copy=bool(copy)))


def _reconstruct(subtype, shape, dtype):
    try:
        from numpy._core.multiarray import _reconstruct as real
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct as real

    if subtype is not np.ndarray:
        raise RefusedPickle(f"an array of type {getattr(subtype, '__name__', subtype)!r}")
    if int(np.prod(shape, dtype=object)) > MAX_ELEMENTS:
        raise RefusedPickle("an array larger than any dataset")
    _plain_dtype(dtype.decode("latin1") if isinstance(dtype, bytes) else dtype)  # b"O" too
    return real(np.ndarray, shape, dtype)


def _frombuffer(buffer, dtype, shape, order):
    dtype = _plain_dtype(dtype)
    if int(np.prod(shape, dtype=object)) * dtype.itemsize != len(memoryview(buffer).cast("B")):
        raise RefusedPickle("an array whose shape does not fit its bytes")
    array = np.frombuffer(buffer, dtype=dtype)
    return array.reshape(shape, order=order) if shape else array


def _encode(text, encoding="utf-8"):
    # Python 3 writes bytes into protocol-2 pickles as _codecs.encode(text, "latin1").
    if encoding != "latin1" or not isinstance(text, str):
        raise RefusedPickle("_codecs.encode other than latin-1 text")
    return text.encode("latin1")


# (module, name) as written in the file -> what it may resolve to. numpy 1 wrote
# numpy.core, numpy 2 writes numpy._core.
ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _numpy_dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("_codecs", "encode"): _encode,
}


class ArraysOnlyUnpickler(pickle._Unpickler):
    """An unpickler that can rebuild tuples, lists, numbers, strings and numpy arrays, and nothing else.

    The pure-Python unpickler, not the C one: the C one allocates the length a
    BINBYTES8 opcode claims (say 3 GB) before reading a byte; this one asks the
    bounded stream for it, which stops at the unpacked limit."""

    def find_class(self, module, name):
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise RefusedPickle(f"{module}.{name}") from None

    def persistent_load(self, pid):
        raise RefusedPickle("a persistent reference")


def load_arrays(path) -> object:
    """Unpickle a (gzipped or plain) file that may hold only numpy arrays and plain containers.

    Raises NnsimError, naming the file, for anything else, and for a file that
    is not a pickle at all.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise NnsimError(f"{path}: {size:,} bytes is far more than the book's mnist.pkl.gz "
                             f"(17,051,982); refused (at most {MAX_FILE_BYTES:,})")
        with open(path, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        if not gz and size > MAX_UNPACKED_BYTES:
            raise NnsimError(f"{path}: {size:,} bytes of pickle is more than the book's data needs")
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
            # latin-1 lets Python 2's byte strings (the book's file) become array bytes.
            return ArraysOnlyUnpickler(_Bounded(path, f), encoding="latin1").load()
    except NnsimError:
        raise
    except RefusedPickle as error:
        raise NnsimError(f"{path}: refused: the pickle asks for {error}, which is not part of a "
                         f"numpy array (nnsim never runs code from a data file)") from None
    except FileNotFoundError:
        raise NnsimError(f"{path}: no such file") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise NnsimError(f"{path}: truncated or corrupt ({error or type(error).__name__})") from None
    except (pickle.UnpicklingError, ValueError, TypeError, IndexError, KeyError, AttributeError,
            MemoryError, OverflowError) as error:
        raise NnsimError(f"{path}: not a pickle of numpy arrays ({type(error).__name__}: "
                         f"{str(error).splitlines()[0] if str(error) else ''})") from None
    except OSError as error:
        raise NnsimError(f"{path}: cannot be read ({error.strerror or error})") from None



class _Bounded(io.RawIOBase):
    """A gzip stream that raises NnsimError once more than ``limit`` bytes have come out,
    so the unpickler reads as it goes and the bound holds before the memory is taken."""

    def __init__(self, path: Path, stream, limit: int = MAX_UNPACKED_BYTES) -> None:
        self.path, self.stream, self.limit, self.total = path, stream, limit, 0

    def _count(self, n: int) -> None:
        self.total += n
        if self.total > self.limit:
            raise NnsimError(f"{self.path}: unpacks to more than {self.limit:,} bytes, far more than the "
                             f"book's data (220,080,909); refused before unpacking the rest")

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.limit + 1 - self.total
        data = self.stream.read(min(n, self.limit + 1 - self.total))
        self._count(len(data))
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        line = self.stream.readline(min(size if size and size > 0 else 1 << 20, self.limit + 1 - self.total))
        self._count(len(line))
        return line
