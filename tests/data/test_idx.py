"""The strict IDX reader: every malformed file is one line naming it, never a crash."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsim.data import load_dataset
from nnsim.data.idx import read_idx, read_images, read_labels, write_idx
from nnsim.errors import NnsimError

from .conftest import write_dataset


def idx_bytes(type_code: int, shape, body: bytes) -> bytes:
    return bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", n) for n in shape) + body


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_round_trip_of_every_idx_type(tmp_path, gz, dtype):
    array = (np.arange(2 * 3 * 4).reshape(2, 3, 4) - 5).astype(dtype)
    if dtype == np.uint8:
        array = np.abs(array).astype(dtype)
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)


def test_big_endian_sizes_and_values_are_decoded(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(idx_bytes(0x0B, [2], struct.pack(">hh", 258, -2)))
    np.testing.assert_array_equal(read_idx(path), [258, -2])


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    path = tmp_path / "labels.gz"  # plain bytes despite the name
    path.write_bytes(idx_bytes(0x08, [3], b"\x01\x02\x03"))
    np.testing.assert_array_equal(read_labels(path), [1, 2, 3])
    other = tmp_path / "labels.raw"  # gzip despite the name
    other.write_bytes(gzip.compress(idx_bytes(0x08, [2], b"\x04\x05")))
    np.testing.assert_array_equal(read_labels(other), [4, 5])


@pytest.mark.parametrize("data, message", [
    (b"\x00\x00", "too short for an IDX header (2 bytes)"),
    (b"PK\x03\x04rest", "not an IDX file (magic number 0x504b0304"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "not an IDX file (magic number 0x00000701"),
    (b"\x00\x00\x08\x00", "not an IDX file"),
    (b"\x00\x00\x08\x05", "not an IDX file"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "header ends before its 3 dimension sizes"),
    (idx_bytes(0x08, [0], b""), "dimensions 0 include a zero"),
    (idx_bytes(0x08, [10], b"\x01" * 9), "dimensions 10 need 10 bytes of data but the file holds 9"),
    (idx_bytes(0x08, [2, 2], b"\x01" * 5), "dimensions 2 × 2 need 4 bytes of data but the file holds 5"),
    (idx_bytes(0x0C, [3], b"\x00" * 11), "dimensions 3 need 12 bytes of data but the file holds 11"),
    (idx_bytes(0x08, [60000, 28, 28, 28], b""), "would need 1,317,120,000 bytes, more than any dataset"),
])
def test_malformed_files_are_one_line_naming_the_file(tmp_path, data, message):
    for gz in (False, True):
        path = tmp_path / f"bad{'.gz' if gz else ''}"
        path.write_bytes(gzip.compress(data) if gz else data)
        with pytest.raises(NnsimError) as error:
            read_idx(path)
        text = str(error.value)
        assert text.startswith(f"{path}: ") and "\n" not in text
        if gz and "the file holds" in message:
            message = message.replace("the file holds", "the gzipped IDX file holds")
            if "holds 5" in message:  # a gzip stream is not measured up front: extra data is found after
                message = "more data than dimensions 2 × 2 account for"
        assert message in text


def test_truncated_gzip_is_named(tmp_path):
    good = gzip.compress(idx_bytes(0x08, [1000], bytes(range(250)) * 4))
    path = tmp_path / "cut.gz"
    path.write_bytes(good[:len(good) // 2])
    with pytest.raises(NnsimError, match=r"cut\.gz: .*(truncated|holds)"):
        read_idx(path)
    path.write_bytes(good[:-4])  # the data is all there; the gzip trailer (its length) is not
    with pytest.raises(NnsimError, match=r"cut\.gz: truncated or corrupt gzip data"):
        read_idx(path)
    corrupted = bytearray(good)
    corrupted[len(good) // 2] ^= 0x55
    path.write_bytes(bytes(corrupted))
    with pytest.raises(NnsimError, match=r"cut\.gz: "):
        read_idx(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(NnsimError, match="nope: no such file"):
        read_idx(tmp_path / "nope")
    with pytest.raises(NnsimError, match="is a folder"):
        read_idx(tmp_path)


def test_images_and_labels_must_have_their_shapes_and_values(tmp_path):
    write_idx(tmp_path / "labels", np.array([1, 12, 3], dtype=np.uint8))
    with pytest.raises(NnsimError, match=r"labels: label 12 at index 1 is not a class 0–9"):
        read_labels(tmp_path / "labels")
    write_idx(tmp_path / "images", np.zeros((2, 28), dtype=np.uint8))
    with pytest.raises(NnsimError, match=r"images: expected images \(3 dimensions of unsigned bytes\), got 2"):
        read_images(tmp_path / "images")
    write_idx(tmp_path / "floats", np.zeros(3, dtype=np.float32))
    with pytest.raises(NnsimError, match="expected labels .* got 1 dimension.* of float32"):
        read_labels(tmp_path / "floats")


def test_labels_and_images_must_agree_in_count(tmp_path):
    folder = tmp_path / "d"
    write_dataset(folder, n_train=50, n_test=20)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(19, dtype=np.uint8))
    with pytest.raises(NnsimError) as error:
        load_dataset("mnist", data_dir=folder, validation_size=0)
    assert str(error.value) == (f"{folder / 't10k-labels-idx1-ubyte.gz'}: 19 labels but "
                                f"t10k-images-idx3-ubyte.gz has 20 images")


def test_images_must_be_28_by_28(tmp_path):
    folder = tmp_path / "d"
    write_dataset(folder, n_train=50, n_test=20)
    write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros((50, 20, 20), dtype=np.uint8))
    with pytest.raises(NnsimError, match=r"train-images-idx3-ubyte.gz: images are 20 × 20 pixels, expected 28 × 28"):
        load_dataset("mnist", data_dir=folder, validation_size=0)


# -- fuzzing: any header, any body, only ever an array or the one-line error -------------

headers = st.builds(
    lambda magic, dims, body: bytes(magic) + b"".join(struct.pack(">I", d) for d in dims) + body,
    st.lists(st.integers(0, 255), min_size=4, max_size=4) | st.tuples(
        st.just(0), st.just(0), st.sampled_from([8, 9, 11, 12, 13, 14]), st.integers(0, 6)),
    st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 40), max_size=5),
    st.binary(max_size=300),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=headers, gz=st.booleans(), cut=st.integers(0, 400))
def test_fuzzed_headers_give_an_array_or_the_clear_error(tmp_path, data, gz, cut):
    payload = gzip.compress(data) if gz else data
    if gz and cut < len(payload):
        payload = payload[:cut]  # truncated gzip streams too
    path = tmp_path / "fuzz"
    path.write_bytes(payload)
    try:
        array = read_idx(path)
    except NnsimError as error:
        text = str(error)
        assert text.startswith(f"{path}: ") and "\n" not in text
        return
    # Accepted: then the file was exactly a header and its data.
    ndim = data[3]
    shape = tuple(struct.unpack(">I", data[4 + 4 * i:8 + 4 * i])[0] for i in range(ndim))
    assert array.shape == shape
    assert 4 + 4 * ndim + array.nbytes == len(data)
