"""``nnsim train --headless --json``: one strict JSON object per event, parsed back."""

import json
import math
import subprocess
import sys

import pytest

from nnsim.cli.train import epoch_line, event_json
from nnsim.core import BatchDone, Diverged, EpochDone, EtaChanged

KEYS = {"batch": {"event", "epoch", "index", "of", "cost"},
        "epoch": {"event", "epoch", "correct", "total", "accuracy", "train_cost", "test_cost", "seconds"},
        "eta": {"event", "epoch", "index", "eta"},
        "diverged": {"event", "epoch", "index", "message"}}


def nnsim(*args):
    return subprocess.run([sys.executable, "-m", "nnsim", *args], capture_output=True, text=True, timeout=120)


def test_the_json_stream_parses_back_to_the_documented_schema_and_replays():
    args = ["train", "--headless", "--dataset", "sample", "--epochs", "2", "--seed", "3", "--json",
            "--every", "40", "--eta-change", "0:75:0.5", "--eta-change", "1:0:5"]
    done = nnsim(*args)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    for r in records:
        assert set(r) == KEYS[r["event"]]
    kinds = [r["event"] for r in records]
    assert kinds.count("epoch") == 2 and kinds.count("eta") == 2
    batches = [r for r in records if r["event"] == "batch"]
    assert [(b["epoch"], b["index"]) for b in batches] == [(e, i) for e in range(2) for i in (0, 40, 80, 120)]
    assert all(b["of"] == 150 and b["cost"] > 0 for b in batches)
    assert [(r["epoch"], r["index"], r["eta"]) for r in records if r["event"] == "eta"] == [(0, 75, 0.5), (1, 0, 5.0)]
    epoch = records[kinds.index("epoch")]
    assert epoch["total"] == 500 and epoch["accuracy"] == epoch["correct"] / 500
    assert 0 < epoch["test_cost"] < 1 and 0 < epoch["train_cost"] < 1
    # The same seed and changes give the same numbers (the time aside).
    again = [json.loads(line) for line in nnsim(*args).stdout.splitlines()]
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in records]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in again]
    # And the plain lines label both costs.
    plain = nnsim(*args[:8], *args[11:]).stdout.splitlines()
    assert plain[0] == (f"Epoch 0: {epoch['correct']} / 500  {epoch['accuracy']:.2%}  train cost "
                        f"{epoch['train_cost']:.3f} · test cost {epoch['test_cost']:.3f}  " + plain[0].split("  ")[-1])


def test_nan_and_infinity_are_null_and_each_event_has_its_kind():
    assert json.loads(event_json(BatchDone(0, 1, 5, math.nan))) == {"event": "batch", "epoch": 0, "index": 1,
                                                                    "of": 5, "cost": None}
    epoch = json.loads(event_json(EpochDone(2, None, None, 0.5, math.inf)))
    assert epoch["train_cost"] is None and epoch["correct"] is None and epoch["accuracy"] is None
    assert json.loads(event_json(EtaChanged(1, 2, 0.25)))["eta"] == 0.25
    assert json.loads(event_json(Diverged(0, 3, "training diverged")))["event"] == "diverged"
    assert epoch_line(EpochDone(0, 9033, 10000, 0.22, 0.185, 0.192)) == \
        "Epoch 0: 9033 / 10000  90.33%  train cost 0.185 · test cost 0.192  0.22 s"


@pytest.mark.parametrize("args, message", [
    (["--json"], "--json and --every go with --headless"),
    (["--headless", "--eta-change", "1:x"], "expected EPOCH:BATCH:ETA"),
    (["--headless", "--eta-change", "0:1:-2"], "positive learning rate"),
])
def test_bad_flags_are_one_line_errors(args, message):
    done = nnsim("train", "--dataset", "sample", *args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
