"""The operating system says no: a full disk, a read-only folder, a user that does
not exist, a closed pipe. Each is one line, exit 2, and nothing half-written."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.data.conftest import published, write_dataset
from tests.hardening.conftest import (files_under, nnsim, nnsim_with_catalogue, one_error_line,
                                      remount_read_only)


def test_a_full_disk_during_a_download_is_one_line_and_leaves_no_part(tmpfs, tmp_path, mirror, fake_mnist):
    big = write_dataset(tmp_path / "big", n_train=3000, n_test=10)  # ~1.5 MB of images: more than the disk
    src = fake_mnist(mirrors=[mirror.serve("a", big.files())])
    from dataclasses import replace
    src = replace(src, **{role: published(big.folder / getattr(src, role).name)
                          for role in ("train_images", "train_labels", "test_images", "test_labels")})
    run = nnsim_with_catalogue(src, "data", "download", env={"NNSIM_DATA_DIR": str(tmpfs / "cache")})
    run.wait(60)
    result = subprocess.CompletedProcess(run.args, run.returncode, run.stdout.read(), run.stderr.read())
    run.stdout.close(), run.stderr.close()
    line = one_error_line(result)
    assert line == (f"nnsim: error: cannot write {tmpfs}/cache/mnist/train-images-idx3-ubyte.gz.part: the disk "
                    f"is full: free some space or choose another folder")
    assert files_under(tmpfs) == ["cache", "cache/mnist"]


def test_a_full_disk_during_save_is_one_line_and_leaves_no_part(tmpfs):
    (tmpfs / "filler").write_bytes(bytes(1024 * 1024 - 64 * 1024))  # leave 64 KB; the model needs ~190 KB
    result = nnsim("train", "--headless", "--dataset", "sample", "--epochs", "1", "--save", str(tmpfs / "m.npz"))
    line = one_error_line(result)
    assert line == (f"nnsim: error: cannot save the model to {tmpfs}/m.npz: the disk is full: free some space "
                    f"or choose another folder")
    assert files_under(tmpfs) == ["filler"]


def test_a_read_only_cache_folder_is_one_line(tmpfs):
    remount_read_only(tmpfs)
    line = one_error_line(nnsim("data", "download", env={"NNSIM_DATA_DIR": str(tmpfs / "cache")}))
    assert line == (f"nnsim: error: cannot create the data folder {tmpfs}/cache/mnist: the file system is "
                    f"read-only: choose a writable folder")
    assert files_under(tmpfs) == []


@pytest.mark.parametrize("args, env, where", [
    (["train", "--headless", "--dataset", "sample", "--save", "~nosuchuser/m.npz"], {}, "--save ~nosuchuser/m.npz"),
    (["data", "verify", "--data-dir", "~nosuchuser/mnist"], {}, "--data-dir ~nosuchuser/mnist"),
    (["data", "path"], {"NNSIM_DATA_DIR": "~nosuchuser/cache"}, "$NNSIM_DATA_DIR ~nosuchuser/cache"),
    (["data", "download"], {"NNSIM_DATA_DIR": "~nosuchuser/cache"}, "$NNSIM_DATA_DIR ~nosuchuser/cache"),
])
def test_a_user_that_does_not_exist_is_one_line(args, env, where, tmp_path):
    line = one_error_line(nnsim(*args, env=env, cwd=tmp_path))
    assert line == f"nnsim: error: {where}: cannot expand ~nosuchuser: no such user (or no home folder)"
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("args", [["data", "path"], ["data", "verify", "--dataset", "sample"],
                                  ["data", "download", "--dataset", "sample"]])
def test_a_closed_pipe_is_one_line(args, tmp_path):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before nnsim writes a byte
    try:
        result = nnsim(*args, stdout=write, env={"NNSIM_DATA_DIR": str(tmp_path / "cache")})
    finally:
        os.close(write)
    line = one_error_line(result)
    assert line == "nnsim: error: standard output: the reader closed the pipe before nnsim finished writing"
    assert "Exception ignored" not in result.stderr
