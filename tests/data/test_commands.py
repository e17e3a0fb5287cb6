"""`nnsim data …` and `nnsim train`: output formats, Ctrl+C, the progress bar on a
terminal only, and every failure as one `nnsim: error:` line with exit status 2."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

from nnsim.cli import main
from nnsim.core.network import load_network
from nnsim.data import sample_path

EPOCH = re.compile(r"Epoch (\d+): (\d+) / (\d+)  \d+\.\d\d%  train cost \d+\.\d{3} · test cost \d+\.\d{3}  \d+\.\d\d s")


def nnsim(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "nnsim", *args], capture_output=True, text=True, timeout=120,
                          env=environment, stdin=subprocess.DEVNULL, **kwargs)


def one_error_line(result) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnsim: error: "), result.stderr
    return lines[0]


# -- nnsim train ----------------------------------------------------------------------------

def test_train_on_the_sample_prints_the_books_epoch_lines_and_saves(tmp_path):
    model = tmp_path / "model.npz"
    result = nnsim("train", "--headless", "--dataset", "sample", "--epochs", "3", "--seed", "4",
                   "--hidden", "20", "--save", str(model))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    matches = [EPOCH.fullmatch(line) for line in lines]
    assert all(matches) and [int(m.group(1)) for m in matches] == [0, 1, 2]
    assert all(line.startswith(f"Epoch {i}: ") and line.split("  ")[0] == f"Epoch {i}: {m.group(2)} / 500"
               for i, (line, m) in enumerate(zip(lines, matches)))
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal
    assert "offline sample" in result.stderr and "seed 4" in result.stderr
    assert f"saved the network to {model}" in result.stderr
    net = load_network(model)
    assert net.sizes == [784, 20, 10] and net.dtype == np.float32
    again = nnsim("train", "--headless", "--dataset", "sample", "--epochs", "3", "--seed", "4", "--hidden", "20")
    assert [l.split("  ")[0] for l in again.stdout.splitlines()] == [l.split("  ")[0] for l in lines]


def test_train_reads_local_idx_files_and_reports_their_hashes(generated, capsys):
    code = main(["train", "--headless", "--data-dir", str(generated.folder), "--validation-size", "20",
                 "--epochs", "20", "--seed", "1", "--sizes", "784,16,10", "--dtype", "float64"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 20 and all(EPOCH.fullmatch(line) for line in lines)
    assert int(EPOCH.fullmatch(lines[-1]).group(2)) >= 32  # the generated digits are learnable: 80% of 40
    assert "MNIST, local IDX files in" in err and ": 100 / 20 / 40" in err
    assert err.count("MD5 ") == 4 and "differs from the published archive; structure checked" in err
    assert "float64" in err


def test_ctrl_c_stops_after_the_current_mini_batch_and_still_saves(tmp_path):
    model = tmp_path / "model.npz"
    process = subprocess.Popen([sys.executable, "-m", "nnsim", "train", "--headless", "--dataset", "sample",
                                "--epochs", "1000", "--seed", "2", "--save", str(model)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    assert EPOCH.fullmatch(first.rstrip("\n")), first
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert re.search(r"nnsim: stopped by Ctrl\+C after mini-batch \d+ of 150 in epoch \d+", err), err
    assert all(EPOCH.fullmatch(line) for line in out.splitlines())
    assert f"saved the network to {model}" in err
    net = load_network(model)
    assert net.sizes == [784, 30, 10] and all(np.isfinite(w).all() for w in net.weights)


def test_the_progress_bar_goes_to_stderr_only_on_a_terminal(tmp_path):
    primary, secondary = pty.openpty()
    chunks = []

    def read():
        while True:
            try:
                data = os.read(primary, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = subprocess.run([sys.executable, "-m", "nnsim", "train", "--headless", "--dataset", "sample", "--epochs", "2",
                             "--seed", "1"], stdout=subprocess.PIPE, stderr=secondary, text=True, timeout=120)
    os.close(secondary)
    reader.join(timeout=10)
    os.close(primary)
    terminal = b"".join(chunks).decode()
    assert result.returncode == 0
    assert "\r\x1b[KEpoch 0  [" in terminal and "150 / 150 mini-batches" in terminal
    assert all(EPOCH.fullmatch(line) for line in result.stdout.splitlines())  # stdout stays clean


@pytest.mark.parametrize("args, message", [
    (["--eta", "-1"], "argument --eta: expected a positive learning rate, got -1"),
    (["--eta", "nan"], "argument --eta: expected a positive learning rate, got nan"),
    (["--epochs", "0"], "argument --epochs: expected a whole number ≥ 1, got 0"),
    (["--mini-batch-size", "ten"], "argument --mini-batch-size: expected a whole number ≥ 1, got 'ten'"),
    (["--sizes", "784,x,10"], "argument --sizes: expected whole numbers separated by commas, got '784,x,10'"),
    (["--sizes", "100,10"], "argument --sizes: the first layer must have 784 neurons (one per pixel), got 100"),
    (["--sizes", "784,30,4"], "argument --sizes: the last layer must have 10 neurons (one per class), got 4"),
    (["--hidden", "0"], "argument --hidden: each layer needs 1 to 4096 neurons, got 0"),
    (["--hidden", "30", "--sizes", "784,10"], "argument --sizes: not allowed with argument --hidden"),
    (["--dataset", "cifar"], "argument --dataset: invalid choice: 'cifar'"),
    (["--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
])
def test_bad_train_flags_are_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--headless", *args])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.splitlines()) == 1
    assert err.startswith(f"nnsim: error: {message}")


def test_train_failures_are_one_line_with_exit_2(tmp_path):
    assert "validation-size must be 0 to 1,499, got 5,000" in one_error_line(
        nnsim("train", "--headless", "--dataset", "sample", "--validation-size", "5000"))
    assert one_error_line(nnsim("train", "--headless", "--data-dir", str(tmp_path / "none"))) == (
        f"nnsim: error: {tmp_path / 'none'}: no such folder")
    assert one_error_line(nnsim("train", "--headless", "--dataset", "sample", "--save", str(tmp_path / "no" / "m.npz"))) == (
        f"nnsim: error: --save {tmp_path / 'no' / 'm.npz'}: the folder {tmp_path / 'no'} does not exist")
    (tmp_path / "empty").mkdir()
    assert "no MNIST files here: expected the IDX files" in one_error_line(
        nnsim("train", "--headless", "--data-dir", str(tmp_path / "empty")))


def test_without_a_network_mnist_fails_in_one_line_pointing_to_the_sample(tmp_path, mirror):
    # A mirror on this machine that has nothing: what an unreachable school server looks like.
    line = one_error_line(nnsim("train", "--headless", env={"NNSIM_DATA_DIR": str(tmp_path / "c"),
                                                            "NNSIM_MNIST_MIRROR": f"{mirror.url}/gone/"}))
    assert line.startswith("nnsim: error: MNIST is unavailable: could not download train-images-idx3-ubyte.gz")
    assert f"{mirror.url}/gone/: HTTP 404" in line and "--dataset sample" in line
    assert not any((tmp_path / "c" / "mnist").iterdir())


# -- nnsim data ------------------------------------------------------------------------------

def test_data_download_path_and_verify(generated, mirror, fake_mnist, isolated_cache, capsys):
    fake_mnist(mirrors=[f"{mirror.url}/builtin/"])
    base = mirror.serve("school", generated.files())
    assert main(["data", "path"]) == 0
    assert capsys.readouterr().out == f"{isolated_cache / 'mnist'}\n"
    assert main(["data", "verify"]) == 2
    out, err = capsys.readouterr()
    assert "train-images-idx3-ubyte.gz  not downloaded" in out
    assert err == "nnsim: error: " + f"{isolated_cache / 'mnist'}: the dataset is not (completely) downloaded: " \
                                     "run 'nnsim data download'\n"
    assert main(["data", "download", "--mirror", base]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all("(the published file)" in line for line in out)
    assert main(["data", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("(the published file)") == 4 and "mnist.pkl.gz  not downloaded" in out
    assert out.endswith(f"ok: {isolated_cache / 'mnist'} holds the published files\n")
    labels = isolated_cache / "mnist" / "train-labels-idx1-ubyte.gz"
    damaged = bytearray(labels.read_bytes())
    damaged[20] ^= 0xFF
    labels.write_bytes(bytes(damaged))
    assert main(["data", "verify"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nnsim: error: {labels}: MD5 ") and "delete it and run 'nnsim data download'" in err


def test_data_verify_of_local_files_reports_hashes(generated, capsys):
    assert main(["data", "verify", "--data-dir", str(generated.folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and all(" MD5 " in line for line in out[:4])
    assert out[4] == f"ok: MNIST, local IDX files in {generated.folder}: 120 training and 40 test examples read and checked"


def test_data_commands_for_the_sample(capsys):
    assert main(["data", "path", "--dataset", "sample"]) == 0
    assert capsys.readouterr().out == f"{sample_path()}\n"
    assert main(["data", "download", "--dataset", "sample"]) == 0
    assert "nothing to download" in capsys.readouterr().out
    assert main(["data", "verify", "--dataset", "sample"]) == 0
    assert "1,500 training and 500 test examples read and checked" in capsys.readouterr().out


def test_data_usage_errors_are_one_line():
    line = one_error_line(nnsim("data"))
    assert "the following arguments are required: ACTION" in line
    assert "invalid choice: 'upload'" in one_error_line(nnsim("data", "upload"))
    assert "expected an http:// or https:// URL" in one_error_line(nnsim("data", "download", "--mirror", "/mnt/usb"))


def test_a_closed_output_pipe_stops_training_quietly(tmp_path):
    model = tmp_path / "m.npz"
    process = subprocess.Popen([sys.executable, "-m", "nnsim", "train", "--headless", "--dataset", "sample",
                                "--epochs", "1000", "--save", str(model)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert EPOCH.fullmatch(process.stdout.readline().rstrip("\n"))
    process.stdout.close()  # what `nnsim train | head -1` does
    err = process.stderr.read()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in err and "nnsim: the output was closed; stopped after epoch" in err
    assert load_network(model).sizes == [784, 30, 10]
