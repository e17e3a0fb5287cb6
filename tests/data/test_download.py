"""Downloads against a real HTTP server on 127.0.0.1: mirrors in order, checksums,
truncated and slow answers, resuming, and the book's pickle as the last source."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nnsim.data import fetch, is_cached, load_dataset
from nnsim.data.download import download
from nnsim.data.sources import RemoteFile
from nnsim.errors import NnsimError

from .conftest import write_book_pickle


def cache_files(cache):
    return sorted(p.name for p in (cache / "mnist").iterdir()) if (cache / "mnist").exists() else []


def test_happy_path_downloads_verifies_caches_and_loads(generated, mirror, fake_mnist, isolated_cache):
    base = mirror.serve("a", generated.files())
    fake_mnist(mirrors=[base])
    assert not is_cached("mnist")
    splits = load_dataset("mnist", validation_size=20)
    assert cache_files(isolated_cache) == sorted(generated.files())
    for name, body in generated.files().items():
        assert (isolated_cache / "mnist" / name).read_bytes() == body
    training, validation, test, source = splits
    np.testing.assert_array_equal(training.labels, generated.train_labels[:100])
    np.testing.assert_array_equal(validation.labels, generated.train_labels[100:])
    np.testing.assert_array_equal(test.labels, generated.test_labels)
    np.testing.assert_allclose(training.x, generated.train_images[:100].reshape(100, 784) / 255, rtol=1e-6)
    assert training.x.dtype == np.float32 and training.x.raw.dtype == np.uint8  # read as float, kept as bytes
    assert "cached IDX files" in source and "100 / 20 / 40" in source
    assert is_cached("mnist")
    hits = len(mirror.requests)
    assert hits == 4
    load_dataset("mnist", validation_size=20, download=False)
    assert len(mirror.requests) == hits  # read from the cache, not fetched again


def test_404_on_the_first_mirror_then_the_second_serves(generated, mirror, fake_mnist, isolated_cache):
    good = mirror.serve("good", generated.files())
    fake_mnist(mirrors=[f"{mirror.url}/empty/", good])
    fetch("mnist")
    assert cache_files(isolated_cache) == sorted(generated.files())
    assert len(mirror.hits("empty")) == 4 and len(mirror.hits("good")) == 4


def test_wrong_checksum_is_an_error_and_leaves_nothing_in_the_cache(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    name = "train-images-idx3-ubyte.gz"
    tampered = bytearray(files[name])
    tampered[-20] ^= 0xFF  # same size, different bytes
    files[name] = bytes(tampered)
    fake_mnist(mirrors=[mirror.serve("bad", files)])
    with pytest.raises(NnsimError) as error:
        fetch("mnist")
    message = str(error.value)
    assert "\n" not in message
    assert f"could not download {name}" in message and "checksum mismatch" in message
    assert hashlib.md5(files[name]).hexdigest() in message
    assert "--dataset sample" in message
    assert cache_files(isolated_cache) == []  # not the file, not a .part


def test_a_file_of_the_wrong_size_is_discarded(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    files["train-labels-idx1-ubyte.gz"] += b"extra"
    fake_mnist(mirrors=[mirror.serve("long", files)])
    with pytest.raises(NnsimError, match="announces 98 bytes, more than the published 93; refused"):
        fetch("mnist")
    assert "train-labels-idx1-ubyte.gz" not in cache_files(isolated_cache)
    assert "train-labels-idx1-ubyte.gz.part" not in cache_files(isolated_cache)


def test_truncated_body_never_leaves_a_complete_looking_file(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    fake_mnist(mirrors=[mirror.serve("cut", files, cut_after=500, ranges=False)])
    with pytest.raises(NnsimError) as error:
        fetch("mnist")
    assert "connection broke after 500 bytes" in str(error.value)
    assert "kept and resumed" in str(error.value)
    assert cache_files(isolated_cache) == ["train-images-idx3-ubyte.gz.part"]
    assert not is_cached("mnist")
    with pytest.raises(NnsimError, match="not in the cache"):
        load_dataset("mnist", download=False)


def test_an_interrupted_download_resumes_with_a_range_request(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    name = "train-images-idx3-ubyte.gz"
    base = mirror.serve("m", files)
    mirror.routes[f"/m/{name}"].cut_after = 300  # cuts only full (non-range) answers
    fake_mnist(mirrors=[base])
    with pytest.raises(NnsimError):
        fetch("mnist")
    assert (isolated_cache / "mnist" / f"{name}.part").stat().st_size == 300
    fetch("mnist")
    assert (isolated_cache / "mnist" / name).read_bytes() == files[name]
    path, headers = mirror.requests[1]
    assert path == f"/m/{name}" and headers["Range"] == "bytes=300-"
    assert cache_files(isolated_cache) == sorted(files)


def test_a_server_that_ignores_the_range_starts_the_file_over(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    name = "train-labels-idx1-ubyte.gz"
    folder = isolated_cache / "mnist"
    folder.mkdir(parents=True)
    (folder / f"{name}.part").write_bytes(b"garbage from another attempt")
    fake_mnist(mirrors=[mirror.serve("plain", files, ranges=False)])
    fetch("mnist")
    assert (folder / name).read_bytes() == files[name]


def test_a_partial_file_that_does_not_fit_is_discarded_on_416(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    small = RemoteFile("t10k-labels-idx1-ubyte.gz", None, hashlib.md5(files["t10k-labels-idx1-ubyte.gz"]).hexdigest())
    dest = isolated_cache / "x" / small.name
    dest.parent.mkdir(parents=True)
    (dest.parent / f"{small.name}.part").write_bytes(b"\0" * 5000)  # longer than the real file
    base = mirror.serve("r", files)
    download(small, [base + small.name], dest, progress=False)
    assert dest.read_bytes() == files[small.name]


def test_a_slow_server_is_given_up_after_the_timeout(generated, mirror, fake_mnist, isolated_cache):
    fake_mnist(mirrors=[mirror.serve("slow", generated.files(), delay=1.0)])
    with pytest.raises(NnsimError) as error:
        load_dataset("mnist", timeout=(1.0, 0.2))
    assert "no answer within 0.2 s" in str(error.value)
    assert cache_files(isolated_cache) == []


def test_a_server_that_goes_silent_mid_file_times_out_and_keeps_the_part(generated, mirror, fake_mnist,
                                                                        isolated_cache):
    fake_mnist(mirrors=[mirror.serve("stall", generated.files(), stall_after=100, stall=1.0)])
    with pytest.raises(NnsimError) as error:
        fetch("mnist", timeout=(1.0, 0.2))
    assert "timed out after 100 bytes" in str(error.value)
    assert cache_files(isolated_cache) == ["train-images-idx3-ubyte.gz.part"]


def test_a_gz_labelled_as_gzip_encoded_is_kept_as_the_archive(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    fake_mnist(mirrors=[mirror.serve("enc", files, headers={"Content-Encoding": "gzip"})])
    fetch("mnist")
    for name, body in files.items():
        assert (isolated_cache / "mnist" / name).read_bytes() == body


def test_the_books_pickle_is_the_last_resort(generated, mirror, fake_mnist, isolated_cache, tmp_path):
    pkl = tmp_path / "mnist.pkl.gz"
    book = write_book_pickle(generated, pkl)
    book_url = mirror.serve("book", {"mnist.pkl.gz": pkl.read_bytes()})
    fake_mnist(mirrors=[f"{mirror.url}/nothing/"], pickle=pkl, pickle_urls=[book_url + "mnist.pkl.gz"])
    training, validation, test, source = load_dataset("mnist")
    assert cache_files(isolated_cache) == ["mnist.pkl.gz"]
    assert "the book's pickle" in source and (len(training), len(validation), len(test)) == (80, 40, 40)
    np.testing.assert_array_equal(training.x, book[0][0])
    np.testing.assert_array_equal(validation.labels, book[1][1])
    assert is_cached("mnist")
    # other validation sizes re-split training + validation, as with the IDX files
    training, validation, test, _ = load_dataset("mnist", validation_size=0, download=False)
    assert len(training) == 120 and validation is None


def test_every_source_failing_is_one_line_naming_each_url(generated, mirror, fake_mnist, tmp_path):
    fake_mnist(mirrors=[f"{mirror.url}/one/", f"{mirror.url}/two/"], pickle_urls=[f"{mirror.url}/book/mnist.pkl.gz"])
    with pytest.raises(NnsimError) as error:
        load_dataset("mnist")
    message = str(error.value)
    assert "\n" not in message and message.startswith("MNIST is unavailable: ")
    for url in (f"{mirror.url}/one/", f"{mirror.url}/two/", f"{mirror.url}/book/"):
        assert f"{url}: HTTP 404" in message
    assert "--mirror (or NNSIM_MNIST_MIRROR)" in message and "--data-dir" in message
    assert "--dataset sample" in message


def test_a_chosen_mirror_replaces_the_built_in_ones(generated, mirror, fake_mnist, isolated_cache, monkeypatch):
    fake_mnist(mirrors=[f"{mirror.url}/builtin/"])
    school = mirror.serve("school", generated.files())
    fetch("mnist", mirror=school.rstrip("/"))  # with or without the trailing slash
    assert mirror.hits("builtin") == [] and len(mirror.hits("school")) == 4
    for p in (isolated_cache / "mnist").iterdir():
        p.unlink()
    monkeypatch.setenv("NNSIM_MNIST_MIRROR", school)
    fetch("mnist")
    assert mirror.hits("builtin") == [] and len(mirror.hits("school")) == 8


def test_a_mirror_must_be_an_http_url(fake_mnist):
    with pytest.raises(NnsimError, match="expected an http:// or https:// URL"):
        fetch("mnist", mirror="/media/usb/mnist")


def test_a_damaged_cached_file_is_fetched_again_or_reported(generated, mirror, fake_mnist, isolated_cache):
    fake_mnist(mirrors=[mirror.serve("a", generated.files())])
    fetch("mnist")
    labels = isolated_cache / "mnist" / "t10k-labels-idx1-ubyte.gz"
    good = labels.read_bytes()
    labels.write_bytes(bytes([good[0] ^ 1]) + good[1:])
    with pytest.raises(NnsimError, match="does not match the published MD5, so it was moved aside to "
                                         "t10k-labels-idx1-ubyte.gz.rejected"):
        load_dataset("mnist", validation_size=20, download=False)
    assert not labels.exists()
    rejected = labels.with_name(labels.name + ".rejected")
    assert rejected.read_bytes() == bytes([good[0] ^ 1]) + good[1:]  # moved aside, not deleted
    fetch("mnist")
    labels.write_bytes(bytes([good[0] ^ 1]) + good[1:])
    load_dataset("mnist", validation_size=20)  # repaired from the mirror
    assert labels.read_bytes() == good


def test_progress_bar_only_when_asked_or_on_a_terminal(generated, mirror, fake_mnist, capsys):
    fake_mnist(mirrors=[mirror.serve("a", generated.files())])
    fetch("mnist")  # stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""
    fetch("mnist", force=True, progress=True)
    err = capsys.readouterr().err
    assert "\r\x1b[Ktrain-images-idx3-ubyte.gz" in err and "100%" in err and "MB/s" in err
    assert err.endswith("\r\x1b[K")  # the bar is wiped when done


def test_a_cache_folder_that_cannot_be_created_is_one_clear_line(generated, mirror, fake_mnist, monkeypatch,
                                                                tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NNSIM_DATA_DIR", str(blocker))
    fake_mnist(mirrors=[mirror.serve("a", generated.files())])
    with pytest.raises(NnsimError) as error:
        fetch("mnist")
    assert str(error.value).startswith(f"cannot create the data folder {blocker / 'mnist'}: ")


def test_a_complete_intact_part_file_is_taken_without_a_request(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    folder = isolated_cache / "mnist"
    folder.mkdir(parents=True)
    for name, body in files.items():
        (folder / f"{name}.part").write_bytes(body)  # stopped between the last byte and the rename
    fake_mnist(mirrors=[mirror.serve("a", files)])
    fetch("mnist")
    assert mirror.requests == [] and cache_files(isolated_cache) == sorted(files)
