"""nnsim check: lesson names as run takes them, missing data reported once (exit 3), and
nnsim run printing the numbers the app's panels print."""

from __future__ import annotations

import re

import nnsim.data as data_layer
from nnsim.cli import main
from nnsim.lessons.text import matrix_lines
from tests.scenarios.conftest import PERCEPTRON

TRAIN_ON_MNIST = """
title = "t"
description = "d"
kind = "train"
[network]
sizes = [784, 10, 10]
[train]
dataset = "mnist"
epochs = 1
mini_batch_size = 10
eta = 3.0
[quick]
dataset = "sample"
"""


def test_check_takes_lesson_names_like_run(capsys):
    assert main(["check", "nand", "sigmoid-vs-step"]) == 0
    out = capsys.readouterr().out
    assert "ok    scenarios/nand.toml  3 expectations" in out and "2 lessons: 2 ok, 0 failed, 0 invalid" in out


def test_an_unknown_name_is_one_line(capsys):
    assert main(["check", "nandd"]) == 2
    err = capsys.readouterr().err
    assert err == "nnsim: error: nandd: no such scenario file or bundled lesson; did you mean 'nand'?\n"


def test_missing_data_is_reported_once_per_lesson_and_is_not_invalid(write, tmp_path, capsys, monkeypatch):
    empty = tmp_path / "no-data"
    empty.mkdir()
    calls = []
    real = data_layer.load_dataset
    monkeypatch.setattr(data_layer, "load_dataset", lambda *a, **k: calls.append(a) or real(*a, **k))
    first, second = write("first", TRAIN_ON_MNIST), write("second", TRAIN_ON_MNIST)
    good = write("good", PERCEPTRON)
    assert main(["check", str(first), str(second), str(good), "--data-dir", str(empty)]) == 3
    out, err = capsys.readouterr()
    need = "needs MNIST (run `nnsim data download`, or `--quick`)"
    assert out.splitlines()[:2] == [f"skip  {first}  {need}", f"skip  {second}  {need}"]
    assert err == ""  # nothing called invalid, no long error repeated
    assert "3 lessons: 1 ok, 0 failed, 0 invalid, 2 need data" in out
    assert len(calls) == 1  # the second lesson is not looked for (or downloaded) again


def test_the_worst_status_wins_over_missing_data(write, tmp_path, capsys):
    empty = tmp_path / "no-data"
    empty.mkdir()
    lacking = write("lacking", TRAIN_ON_MNIST)
    failing = write("failing", PERCEPTRON + '[[expect]]\ntype = "output"\ninput = [1, 1]\noutput = 1\n')
    invalid = write("invalid", PERCEPTRON + "colour = 3\n")
    assert main(["check", str(lacking), str(failing), "--data-dir", str(empty)]) == 1
    assert main(["check", str(lacking), str(failing), str(invalid), "--data-dir", str(empty)]) == 2
    capsys.readouterr()
    # With --quick the lesson runs on the offline sample, so it is no longer skipped.
    assert main(["check", str(lacking), "--quick", "--data-dir", str(empty)]) == 0


def test_run_exits_3_when_the_data_is_missing(write, tmp_path, capsys):
    empty = tmp_path / "no-data"
    empty.mkdir()
    assert main(["run", str(write("lacking", TRAIN_ON_MNIST)), "--data-dir", str(empty)]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("nnsim: error: ")


def test_run_prints_the_arrays_as_the_panel_writes_them(capsys):
    from nnsim.lessons import build_steps, load_scenario

    assert main(["run", "backprop-by-hand"]) == 0
    out = capsys.readouterr().out
    step = next(s for s in build_steps(load_scenario("backprop-by-hand")) if s.title == "backward, layer 2")
    block = out[out.index("] backward, layer 2"):]
    block = block[:block.index("\n[", 1)]
    # δ² as one column: the same decimals, signs and points aligned, the Unicode minus.
    assert "\n".join("      " + line for line in matrix_lines(step.data.arrays["delta"])) in block
    assert block.endswith("δ²  (3×1)\n      −0.031250\n       0.034509\n      −0.002053")
    assert not re.search(r"(?<![\w])-\d", out.split("expectations:")[0])  # no ASCII minus in the steps


def test_run_prints_sigma_as_the_screen_does(capsys):
    assert main(["run", "sigmoid-vs-step"]) == 0
    out = capsys.readouterr().out
    assert "sigma = 0.999999999999907" in out and "sigma=1 " not in out
