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
    if not isinstance(dtype, (str, bytes)):
        _plain_dtype(dtype)
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


class ArraysOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild tuples, lists, numbers, strings and numpy arrays, and nothing else."""

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
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        # latin-1 lets Python 2's byte strings (the book's file) become array bytes.
        return ArraysOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
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
