"""Downloads that never end, trickle, race each other, or land on the user's own file."""

from __future__ import annotations

import hashlib

import pytest

from nnsim.data import fetch, sources
from nnsim.data.download import download
from nnsim.errors import NnsimError
from nnsim import mnist_loader
from tests.hardening.conftest import Stream, endless, files_under, nnsim_with_catalogue, trickle


def test_the_books_pickle_is_capped_at_its_known_size_even_without_content_length(tmp_path):
    server = Stream(endless)  # no Content-Length: the body just goes on
    dest = tmp_path / "mnist.pkl.gz"
    try:
        with pytest.raises(NnsimError) as error:
            download(sources.MNIST.pickle, [server.url + "mnist.pkl.gz"], dest, progress=False)
    finally:
        server.close()
    assert "sent more than the published 17,051,982 bytes; discarded" in str(error.value)
    assert files_under(tmp_path) == []  # no final name, no .part "to resume"


def test_a_content_length_over_the_cap_is_refused_before_the_body(tmp_path):
    server = Stream(endless, length=39 << 30)
    try:
        with pytest.raises(NnsimError, match="announces 41,875,931,136 bytes, more than the published "
                                             "17,051,982; refused"):
            download(sources.MNIST.pickle, [server.url + "mnist.pkl.gz"], tmp_path / "mnist.pkl.gz",
                     progress=False)
    finally:
        server.close()
    assert files_under(tmp_path) == []


def test_a_trickling_mirror_meets_the_overall_deadline(tmp_path):
    server = Stream(trickle)  # a byte every 0.1 s: never silent long enough for the read timeout
    try:
        with pytest.raises(NnsimError, match=r"took longer than the 1 s allowed for one file \(\d+ bytes had "
                                             r"arrived\)"):
            download(sources.MNIST.pickle, [server.url + "mnist.pkl.gz"], tmp_path / "mnist.pkl.gz",
                     timeout=(2.0, 5.0, 1.0), progress=False)
    finally:
        server.close()
    # What arrived is a prefix that can still be right (under the published size): kept to resume.
    assert files_under(tmp_path) == ["mnist.pkl.gz.part"]


def test_two_downloads_into_one_cache_wait_for_each_other(generated, mirror, fake_mnist, isolated_cache):
    files = generated.files()
    src = fake_mnist(mirrors=[mirror.serve("slow", files, delay=0.4)])
    runs = [nnsim_with_catalogue(src, "data", "download", env={"NNSIM_DATA_DIR": str(isolated_cache)})
            for _ in range(2)]
    results = [(run.wait(60), run.stdout.read(), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close(), run.stderr.close()
    assert [code for code, _, _ in results] == [0, 0], results
    assert all("Traceback" not in err for _, _, err in results)
    assert sum("another nnsim is downloading into" in err and "waiting…" in err for _, _, err in results) == 1
    folder = isolated_cache / "mnist"
    assert files_under(folder) == sorted(files)  # no .part, nothing else
    for name, body in files.items():
        assert hashlib.md5((folder / name).read_bytes()).hexdigest() == hashlib.md5(body).hexdigest()
    assert len(mirror.hits("slow")) == 4  # the second found the first one's files


def test_a_users_own_file_in_the_cache_is_moved_aside_not_deleted(generated, mirror, fake_mnist, isolated_cache,
                                                                  capsys):
    files = generated.files()
    fake_mnist(mirrors=[mirror.serve("a", files)])
    folder = isolated_cache / "mnist"
    folder.mkdir(parents=True)
    theirs = bytearray(files["t10k-labels-idx1-ubyte.gz"])
    theirs[-1] ^= 0xFF  # same size, not the published bytes
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(theirs)
    for name in files:
        if name != "t10k-labels-idx1-ubyte.gz":
            (folder / name).write_bytes(files[name])
    mnist_loader.download_mnist()
    out = capsys.readouterr()
    assert "already exists" not in out.out and "Download complete." in out.out
    assert (f"nnsim: {folder / 't10k-labels-idx1-ubyte.gz'} does not match the published MD5; moved it aside "
            f"to {folder / 't10k-labels-idx1-ubyte.gz.rejected'} (nnsim never deletes a file it did not write)"
            in out.err)
    assert (folder / "t10k-labels-idx1-ubyte.gz.rejected").read_bytes() == bytes(theirs)
    assert (folder / "t10k-labels-idx1-ubyte.gz").read_bytes() == files["t10k-labels-idx1-ubyte.gz"]
    mnist_loader.download_mnist()
    assert "already exists" in capsys.readouterr().out  # verified this time


def test_a_download_never_overwrites_a_different_file_under_the_final_name(generated, mirror, fake_mnist,
                                                                           isolated_cache, capsys):
    files = generated.files()
    fake_mnist(mirrors=[mirror.serve("a", files)])
    folder = isolated_cache / "mnist"
    folder.mkdir(parents=True)
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"my own notes")  # wrong size: not "cached"
    fetch("mnist")
    assert (folder / "train-labels-idx1-ubyte.gz.rejected").read_bytes() == b"my own notes"
    assert (folder / "train-labels-idx1-ubyte.gz").read_bytes() == files["train-labels-idx1-ubyte.gz"]
    assert "is not the published file; moved it aside to" in capsys.readouterr().err
