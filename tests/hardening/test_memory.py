"""Inputs that are large rather than wrong: each is refused in one line, under the
README's memory budget (RLIMIT_AS on the child), before the memory is taken."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import numpy as np

from tests.data.conftest import write_dataset
from tests.hardening.conftest import files_under, nnsim, one_error_line, python


def gzip_of_zeros(header: bytes, zeros: int) -> bytes:
    """A gzip whose content is ``header`` then ``zeros`` zero bytes, made in chunks."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as f:
        f.write(header)
        block = bytes(16 << 20)
        while zeros > 0:
            f.write(block[:min(zeros, len(block))])
            zeros -= len(block)
    return out.getvalue()


def test_a_lesson_of_deep_dotted_keys_is_refused_before_tomllib(tmp_path):
    lesson = tmp_path / "deep.toml"
    lesson.write_text("a" + ".a" * 40_000 + " = 1\n")  # 80 KB; tomllib alone: minutes and ~6 GB
    line = one_error_line(nnsim("run", str(lesson), timeout=30))
    assert "deep.toml: line 1: a dotted key of more than 8 parts; lesson keys are at most a few deep (this " \
           "limit keeps the TOML parser's memory bounded)" in line
    assert files_under(tmp_path) == ["deep.toml"]


def test_a_lesson_of_a_million_entries_is_refused_before_tomllib(tmp_path):
    lesson = tmp_path / "wide.toml"
    lesson.write_text("x = [" + ",".join(["1"] * 450_000) + "]\n")
    line = one_error_line(nnsim("check", str(lesson), timeout=30))
    assert "450,002 keys, entries and lines, more than the 50,000 any lesson needs" in line


def test_an_idx_header_that_inflates_past_the_float_budget_is_refused_before_reading(tmp_path):
    folder = tmp_path / "bomb"
    write_dataset(folder)
    n = 1_300_000  # a legal header: 1.02 GB of uint8 pixels, 4.1 GB as float32
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", n, 28, 28)
    # The refusal comes from the header, before the body is inflated, so 64 MB of the
    # body stand for all of it (bench_hostile_inputs.py builds the whole 1 GB).
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip_of_zeros(header, 64 << 20))
    before = files_under(folder)
    line = one_error_line(nnsim("data", "verify", "--data-dir", str(folder)))
    assert "train-images-idx3-ubyte.gz: dimensions 1,300,000 × 28 × 28 would need 1,019,200,000 bytes, more " \
           "than the 120,000 28 × 28 images nnsim reads from one file" in line
    assert files_under(folder) == before


def test_a_pickle_that_inflates_without_end_stops_at_the_unpacked_limit(tmp_path):
    folder = tmp_path / "pkl"
    folder.mkdir()
    # Protocol 4 BINBYTES8 claiming 3 GB, then zeros: a 300 KB file.
    header = b"\x80\x04\x8e" + struct.pack("<Q", 3 << 30)
    (folder / "mnist.pkl.gz").write_bytes(gzip_of_zeros(header, 300 << 20))
    line = one_error_line(nnsim("data", "verify", "--data-dir", str(folder)))
    assert "mnist.pkl.gz: unpacks to more than 251,658,240 bytes, far more than the book's data" in line
    assert files_under(folder) == ["mnist.pkl.gz"]


def test_a_backprop_lesson_whose_trace_would_not_fit_is_refused_after_one_pass(tmp_path):
    lesson = tmp_path / "big.toml"
    lesson.write_text('title = "big"\ndescription = "x"\nkind = "backprop"\n'
                      '[network]\nsizes = [784, 2400, 10]\nseed = 1\n'
                      '[backprop]\ndataset = "sample"\nexamples = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n'
                      'eta = 3.0\nupdates = 50\n')
    line = one_error_line(nnsim("run", str(lesson)))
    assert "[backprop].updates: 50 passes of this network would keep 3,734 MB of recorded arrays, more than " \
           "the 512 MB a lesson may use; use at most 6 updates or a smaller network" in line


def test_command_line_sizes_have_the_lesson_files_parameter_limit(tmp_path):
    for flag, value, count in (("--hidden", "4096,4096", "20,037,642"), ("--sizes", "784,2600,10", "2,067,010")):
        line = one_error_line(nnsim("train", "--headless", "--dataset", "sample", flag, value, limit=1 << 30))
        assert f"has {count} weights and biases, more than the limit of 2,000,000 (the same as for lesson files)" \
               in line
    assert one_error_line(nnsim("train", "--headless", "--hidden", "1,1,1,1,1", "--dataset", "sample")).endswith(
        "7 layers is more than the limit of 6 (the same as for lesson files) (try 'nnsim train --help')")


def _npz(path, members: dict, compression=zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, array in members.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=True)
            z.writestr(name, buffer.getvalue())


def load_error(path) -> str:
    done = python(
        "import sys\nfrom nnsim.core import load_network\nfrom nnsim.errors import NnsimError\n"
        f"try:\n    load_network({str(path)!r})\nexcept NnsimError as e:\n    print(e)\n    sys.exit(2)\n")
    assert done.returncode == 2 and "Traceback" not in done.stderr, (done.returncode, done.stderr[-1500:])
    return done.stdout.strip()


def npz_bomb(path, blocks: int) -> None:
    """An .npz whose 'w0' member claims a 30 × 784 array but unpacks to ``blocks`` × 16 MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.array([784, 30, 10]))
        z.writestr("sizes.npy", buffer.getvalue())
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (30, 784)})
        with z.open("w0.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            block = bytes(16 << 20)
            for _ in range(blocks):
                member.write(block)


def test_an_npz_zip_bomb_is_refused_from_the_zip_directory(tmp_path):
    bomb = tmp_path / "bomb.npz"
    npz_bomb(bomb, 4)  # claims its shape, but holds 64 MB
    assert bomb.stat().st_size < 200_000  # (bench_hostile_inputs.py builds a 7 MB one of 7.2 GB)
    assert "'w0' unpacks to 67,108,992 bytes, more than the 192,256 a 30 × 784 array needs" in load_error(bomb)


def test_malformed_networks_are_refused_in_one_line(tmp_path):
    ok = {"w0": np.zeros((2, 3)), "b0": np.zeros((2, 1))}
    cases = {
        "zero_d": ({"sizes": np.array(5), **ok}, "'sizes' should list 2 to 6 layer sizes, got shape ()"),
        "one_entry": ({"sizes": np.array([3]), **ok}, "'sizes' should list 2 to 6 layer sizes, got shape (1,)"),
        "nan": ({"sizes": np.array([3, 2]), "w0": np.full((2, 3), np.nan), "b0": np.zeros((2, 1))},
                "'w0' holds NaN or infinite values"),
        "inf": ({"sizes": np.array([3, 2]), "w0": np.zeros((2, 3)), "b0": np.full((2, 1), np.inf)},
                "'b0' holds NaN or infinite values"),
        "complex": ({"sizes": np.array([3, 2]), "w0": np.zeros((2, 3), complex), "b0": np.zeros((2, 1))},
                    "'w0' is an array of complex128, expected real floating-point numbers"),
        "objects": ({"sizes": np.array([3, 2]), "w0": np.zeros((2, 3)).astype(object), "b0": np.zeros((2, 1))},
                    "'w0' is an array of object, expected real floating-point numbers"),
        "huge": ({"sizes": np.array([784, 100_000, 10]), **ok}, "mean 79,500,010 weights and biases, more than"),
        "extra": ({"sizes": np.array([3, 2]), **ok, "evil": np.zeros(1)}, "unexpected member 'evil.npy'"),
    }
    for name, (members, message) in cases.items():
        path = tmp_path / f"{name}.npz"
        _npz(path, {f"{k}.npy": v for k, v in members.items()})
        assert message in load_error(path), name


def test_the_debuggers_next_pass_stops_at_the_trace_budget(monkeypatch):
    from nnsim.lessons import build_steps, load_scenario
    from nnsim.lessons.kinds import backprop

    steps = build_steps(load_scenario("backprop-by-hand"))
    one = backprop.trace_bytes(backprop.lesson_traces(steps)[-1])
    passes = len(backprop.lesson_traces(steps))
    monkeypatch.setattr(backprop, "TRACE_BUDGET", one * (passes + 1))
    steps += backprop.next_pass(steps)  # fits exactly
    try:
        backprop.next_pass(steps)
    except Exception as error:
        assert f"{passes + 1} passes of this network already keep" in str(error)
        assert "restart the lesson to go on from the start" in str(error)
    else:
        raise AssertionError("a pass past the budget was built")
