"""The arrays-only unpickler: crafted pickles are refused before anything runs;
genuine pickles of numpy arrays (the book's Python 2 file, and Python 3's) load."""

from __future__ import annotations

import collections
import gzip
import io
import os
import pickle
import pickletools
import struct

import numpy as np
import pytest

from nnsim.data import load_dataset
from nnsim.data.safe_pickle import load_arrays
from nnsim.errors import NnsimError


class RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class CallsEval:
    def __reduce__(self):
        return (eval, ("__import__('os').getpid()",))


def write(path, obj=None, raw=None, protocol=2, gz=True):
    data = raw if raw is not None else pickle.dumps(obj, protocol=protocol)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_a_pickle_that_calls_os_system_is_refused_and_nothing_runs(tmp_path, protocol):
    marker = tmp_path / "it-ran"
    images = np.zeros((2, 784), np.float32)
    # Hidden inside what otherwise looks like the book's tuple.
    path = write(tmp_path / "mnist.pkl.gz", ((images, RunsACommand(marker)), (images, images), (images, images)),
                 protocol=protocol)
    with pytest.raises(NnsimError) as error:
        load_arrays(path)
    assert not marker.exists()
    assert str(error.value) == (f"{path}: refused: the pickle asks for {os.system.__module__}.system, which is not "
                                f"part of a numpy array (nnsim never runs code from a data file)")


def test_other_callables_and_classes_are_refused(tmp_path):
    for obj, name in [(CallsEval(), "builtins.eval"), (RunsACommand, "tests.data.test_safe_pickle.RunsACommand"),
                      (collections.OrderedDict(a=1), "collections.OrderedDict")]:
        path = write(tmp_path / "p.gz", obj, protocol=4)  # protocol 2 would name builtins __builtin__
        with pytest.raises(NnsimError, match=f"asks for {name},"):
            load_arrays(path)


def test_object_arrays_and_foreign_array_types_are_refused(tmp_path):
    with pytest.raises(NnsimError, match="asks for an array of Python objects"):
        load_arrays(write(tmp_path / "o.gz", np.array([1, "two"], dtype=object)))
    with pytest.raises(NnsimError, match="asks for numpy.ma.core._mareconstruct"):
        load_arrays(write(tmp_path / "m.gz", np.ma.masked_array([1, 2], mask=[0, 1])))
    with pytest.raises(NnsimError, match="asks for .*persistent"):
        load_arrays(write(tmp_path / "pid.gz", raw=b"\x80\x02X\x01\x00\x00\x00aQ."))


def test_a_file_that_is_not_a_pickle_is_named(tmp_path):
    with pytest.raises(NnsimError, match=r"junk.gz: not a pickle of numpy arrays"):
        load_arrays(write(tmp_path / "junk.gz", raw=b"hello, world"))
    data = gzip.compress(pickle.dumps((np.arange(1000),), protocol=2))
    (tmp_path / "cut.gz").write_bytes(data[:len(data) // 2])
    with pytest.raises(NnsimError, match=r"cut.gz: truncated or corrupt"):
        load_arrays(tmp_path / "cut.gz")


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_genuine_python3_pickles_of_arrays_load(tmp_path, protocol):
    rng = np.random.default_rng(0)
    data = ((rng.random((5, 784), dtype=np.float32), np.arange(5)),
            [rng.random((2, 784)), np.array([3, 4], dtype=np.int64)], "text", 1.5, None)
    back = load_arrays(write(tmp_path / "ok.pkl.gz", data, protocol=protocol, gz=protocol != 4))
    np.testing.assert_array_equal(back[0][0], data[0][0])
    assert back[0][0].dtype == np.float32 and back[1][1].dtype == np.int64
    np.testing.assert_array_equal(back[1][0], data[1][0])
    assert back[2:] == ("text", 1.5, None)


def python2_array_pickle(array: np.ndarray) -> bytes:
    """The opcodes Python 2's cPickle wrote for a numpy array in the book's mnist.pkl.gz
    (protocol 2, byte strings as SHORT_BINSTRING/BINSTRING, dtype called with ints)."""
    def string(b: bytes) -> bytes:
        return (b"U" + bytes([len(b)]) if len(b) < 256 else b"T" + struct.pack("<I", len(b))) + b

    dtype = array.dtype
    out = b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85" + string(b"b") + b"\x87R("
    out += b"K\x01" + b"".join(b"J" + struct.pack("<i", n) for n in array.shape) + (b"\x85" if array.ndim == 1 else b"\x86")
    out += b"cnumpy\ndtype\n" + string(dtype.str[1:].encode()) + b"K\x00K\x01\x87R("
    out += b"K\x03" + string(b"<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
    out += b"\x89" + string(array.tobytes()) + b"tb"
    return out


def test_the_books_python2_format_loads_through_load_dataset(tmp_path):
    rng = np.random.default_rng(1)
    sets = []
    for n in (30, 10, 10):
        images = (rng.integers(0, 256, (n, 784)) / 256).astype(np.float32)
        sets.append((images, rng.integers(0, 10, n).astype(np.int64)))
    body = b"\x80\x02" + b"".join(python2_array_pickle(a) + python2_array_pickle(b) + b"\x86" for a, b in sets)
    body += b"\x87."
    pickletools.dis(body, out=io.StringIO())  # a well-formed pickle
    folder = tmp_path / "usb"
    folder.mkdir()
    write(folder / "mnist.pkl.gz", raw=body)
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = load_arrays(folder / "mnist.pkl.gz")
    np.testing.assert_array_equal(tr_x, sets[0][0])
    np.testing.assert_array_equal(te_y, sets[2][1])
    splits = load_dataset("mnist", data_dir=folder)
    assert (len(splits.training), len(splits.validation), len(splits.test)) == (30, 10, 10)
    np.testing.assert_array_equal(splits.validation.x, sets[1][0])
    (report,) = splits.files
    assert report.path == folder / "mnist.pkl.gz" and report.matches is False  # not the published file
    assert "the book's pickle (local)" in splits.source


def test_a_pickle_with_the_wrong_layout_is_refused_with_the_reason(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    x = np.zeros((4, 784), np.float32)
    for data, message in [
        ((x, x), "expected the book's \\(training, validation, test\\) tuple"),
        (((x, np.zeros(4, int)), (x, np.zeros(4, int)), (x,)), "the test set is not an \\(images, labels\\) pair"),
        (((x[:, :10], np.zeros(4, int)),) * 3, "training images should be an \\(n, 784\\) float array"),
        (((x, np.zeros(3, int)),) * 3, "training labels should be 4 integers"),
        (((x + 2, np.zeros(4, int)),) * 3, "training pixels should lie in \\[0, 1\\]"),
        (((x, np.full(4, 11)),) * 3, "training labels should be digits 0–9"),
    ]:
        write(folder / "mnist.pkl.gz", data)
        with pytest.raises(NnsimError, match=message):
            load_dataset("mnist", data_dir=folder)
