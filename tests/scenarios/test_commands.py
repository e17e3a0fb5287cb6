"""nnsim list, run, check and open: output, JSON lines and exit codes 0, 1 and 2."""

import json
import subprocess
import sys

import numpy as np

from nnsim.cli import main
from nnsim.core import trace_backprop
from nnsim.lessons import SECTIONS, bundled_scenarios, lesson_examples, lesson_network, load_scenario
from tests.scenarios.backprop_reference import reference_pass
from tests.scenarios.conftest import PERCEPTRON


def nnsim(*argv):
    """The real command, in a subprocess: (exit status, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "nnsim", *argv], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_run_exit_0_when_every_expectation_holds():
    code, out, err = nnsim("run", "nand")
    assert code == 0 and err == ""
    assert "[4/4] input 11" in out and "only 11 gives 0: NAND." in out
    assert "x1 = 1  x2 = 1  w1 = −2  w2 = −2  b = 3  z = −1  output = 0" in out  # as the app writes them
    assert out.rstrip().endswith("3 of 3 expectations hold")


def test_run_exit_1_says_which_expectation_failed_and_by_how_much(write):
    path = write("wrong", PERCEPTRON + """
[[expect]]
type = "truth_table"
outputs = [1, 1, 1, 1]
[[expect]]
type = "value"
step = "input 01"
name = "z"
at_least = 1.5
[[expect]]
type = "output"
input = [0, 0]
output = 1
""")
    code, out, err = nnsim("run", str(path))
    assert code == 1 and err == ""
    assert "FAIL  truth table 1, 1, 1, 1: 1 of 4 rows differ (11: got 0, expected 1)" in out
    assert "FAIL  z at 'input 01' is at least 1.5: got 1, short by 0.5" in out
    assert "ok    input 00 gives 1: output 1" in out
    assert out.rstrip().endswith("1 of 3 expectations hold; 2 failed")


def test_run_exit_2_for_an_invalid_file_one_line_no_traceback(write):
    path = write("xor", 'title = "t"\ndescription = "d"\nkind = "backprop"\n[network]\nsizes = "abc"\n')
    code, out, err = nnsim("run", str(path))
    assert code == 2 and out == ""
    assert err == f'nnsim: error: {path}: [network].sizes: expected a list of at least 2 positive integers, got "abc"\n'
    code, out, err = nnsim("run", "no-such-lesson")
    assert code == 2 and err.count("\n") == 1 and "no such scenario file or bundled lesson" in err


def test_run_json_lines_carry_the_cores_trace(capsys):
    assert main(["run", "backprop-by-hand", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"type": "lesson", "name": "backprop-by-hand", "kind": "backprop", "quick": False,
                        "title": lines[0]["title"], "section": "Learning with gradient descent"}
    steps = [line for line in lines if line["type"] == "step"]
    scenario = load_scenario("backprop-by-hand")
    x, y = lesson_examples(scenario)
    trace = trace_backprop(lesson_network(scenario), x, y, eta=3.0)
    assert len(steps) == len(trace) == 10
    for line, ts in zip(steps, trace):
        assert (line["index"], line["title"], line["phase"], line["layer"], line["equation"]) == \
            (ts.index, ts.title, ts.phase, ts.layer, ts.equation)
        for name, array in ts.arrays.items():
            got = line["arrays"][name]
            assert got["shape"] == list(np.shape(array))
            assert got["data"] == [float(v) for v in np.ravel(array)]  # exactly, not approximately
    # ... and the numbers are the seed's own (its per-example code, independent of the core).
    reference = reference_pass([[[0.1, 0.4], [-0.3, 0.2], [0.5, -0.6]], [[0.7, -0.5, 0.2], [-0.4, 0.6, 0.1]]],
                               [[0.1, -0.2, 0.3], [-0.1, 0.2]], [0.5, 0.9], [1.0, 0.0], 3.0)
    by_title = {line["title"]: line for line in steps}
    for (title, name), array in reference.items():
        got = np.array(by_title[title]["arrays"][name]["data"]).reshape(by_title[title]["arrays"][name]["shape"])
        np.testing.assert_allclose(got, array, rtol=0, atol=1e-15)
    results = [line for line in lines if line["type"] == "expect"]
    assert len(results) == 16 and all(r["passed"] for r in results)
    assert lines[-1] == {"type": "result", "passed": True, "expectations": 16, "failed": 0}


def test_run_json_values_are_flat_numbers(capsys):
    assert main(["run", "small-changes", "--json"]) == 0
    steps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    nudge = next(s for s in steps if s.get("title") == "nudge b by −0.06")
    assert nudge["values"]["flipped"] == 1.0 and all(isinstance(v, float) for v in nudge["values"].values())


def test_check_reports_each_file_and_the_worst_status(write, capsys):
    good = write("good", PERCEPTRON + '[[expect]]\ntype = "truth_table"\noutputs = [1, 1, 1, 0]\n')
    failing = write("failing", PERCEPTRON + '[[expect]]\ntype = "output"\ninput = [1, 1]\noutput = 1\n')
    invalid = write("invalid", PERCEPTRON + "colour = 3\n")
    assert main(["check", str(good)]) == 0
    assert main(["check", str(good), str(failing)]) == 1
    assert main(["check", str(good), str(failing), str(invalid)]) == 2
    out, err = capsys.readouterr()
    assert f"ok    {good}  1 expectation  (" in out
    assert f"FAIL  {failing}  1 of 1 expectations failed" in out and "input 11 gives 1: output 0" in out
    assert err.splitlines()[-1] == f"nnsim: error: {invalid}: [perceptron].colour: unknown key (allowed: weights, bias, inputs)"
    assert "3 lessons: 1 ok, 1 failed, 1 invalid" in out
    assert main(["check", str(good.parent)]) == 2  # a folder: every .toml in it
    assert main(["check", str(good.parent / "nothing-here.toml")]) == 2


def test_list_groups_the_library_by_the_chapters_sections(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headings == list(SECTIONS.values())
    for s in bundled_scenarios():
        assert f"  {s.name} " in out and s.title in out
    assert out.index("  nand ") < out.index("  xor ") < out.index("  sigmoid-vs-step ") < out.index("  chapter-run ")
    assert main(["list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["name"] for r in rows] == [s.name for s in bundled_scenarios()]


def test_open_validates_first_then_hands_the_lesson_to_the_app(write, monkeypatch, capsys):
    invalid = write("invalid", "title = 3\n")
    assert main(["open", str(invalid)]) == 2
    assert "title: expected a one-line string" in capsys.readouterr().err
    import nnsim.tui.app as app
    calls = []
    monkeypatch.setattr(app, "run", lambda **kw: calls.append(kw) or 0)
    assert main(["open", "nand", "--step", "2"]) == 0
    assert calls == [{"lesson": str(load_scenario("nand").path), "step": 2, "present": False}]


def test_open_refuses_a_step_below_1():
    code, out, err = nnsim("open", "nand", "--step", "0")
    assert code == 2 and "expected a step number ≥ 1, got 0" in err


def test_json_lines_are_strict_json_even_with_nan():
    from nnsim.cli.lessons import _strict
    line = json.dumps(_strict({"values": {"z": float("nan"), "a": 1.5}, "arrays": [[float("inf"), 2.0]]}),
                      allow_nan=False)
    assert json.loads(line) == {"values": {"z": None, "a": 1.5}, "arrays": [[None, 2.0]]}


def test_a_full_run_without_mnist_points_to_the_quick_variant(tmp_path):
    code, out, err = nnsim("run", "chapter-run", "--data-dir", str(tmp_path))  # local files only: no network
    assert code == 3 and out == "" and err.count("\n") == 1  # 3: the file is fine, the data is missing
    assert err.startswith("nnsim: error: scenarios/chapter-run.toml: [train].dataset: ")
    assert err.rstrip().endswith("(or play this lesson's quick variant on the offline sample: "
                                 "nnsim run --quick chapter-run)")
