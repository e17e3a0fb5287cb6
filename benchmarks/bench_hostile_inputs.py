"""Issue #16's benchmark: peak memory and time of the worst input built for each
family, against ``nnsim data path`` (the interpreter and imports alone) as the
reference, measured in this invocation.

Each input runs as ``python -m nnsim ...`` in a child; peak resident memory is the
child's ``ru_maxrss``. The README's budget: any command stays under 1.5 GB beyond
the dataset it was asked to load; every refusal here should be far under it.

    python benchmarks/bench_hostile_inputs.py
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hardening.test_memory import gzip_of_zeros, npz_bomb  # noqa: E402  (the tests build the same hostile files)


def child(argv, env=None) -> tuple[float, float, int, str]:
    """(peak RSS MB, seconds, exit status, last stderr line) of one child run."""
    code = ("import resource, runpy, subprocess, sys\n"
            f"p = subprocess.run({argv!r}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
            "sys.stdout.write(f'{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {p.returncode}\\n')\n"
            "sys.stdout.write((p.stderr.strip().splitlines() or [''])[-1][:150])\n")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))).stdout
    seconds = time.perf_counter() - start
    first, _, last = out.partition("\n")
    kb, status = first.split()
    return int(kb) / 1024, seconds, int(status), last


def main() -> None:
    from tests.data.conftest import write_dataset

    tmp = Path(tempfile.mkdtemp(prefix="nnsim-bench-"))
    nn = [sys.executable, "-m", "nnsim"]
    cases = {"reference: nnsim data path": nn + ["data", "path"]}

    (tmp / "deep.toml").write_text("a" + ".a" * 40_000 + " = 1\n")
    cases["80 KB lesson of one dotted key"] = nn + ["run", str(tmp / "deep.toml")]
    (tmp / "wide.toml").write_text("x = [" + ",".join(["1"] * 450_000) + "]\n")
    cases["900 KB lesson of 450,000 entries"] = nn + ["run", str(tmp / "wide.toml")]

    bomb = tmp / "idx"
    write_dataset(bomb)
    n = 1_300_000
    (bomb / "train-images-idx3-ubyte.gz").write_bytes(
        gzip_of_zeros(bytes([0, 0, 8, 3]) + struct.pack(">III", n, 28, 28), n * 784))
    cases[f"{(bomb / 'train-images-idx3-ubyte.gz').stat().st_size / 1e6:.1f} MB IDX gzip claiming 1 GB"] = \
        nn + ["data", "verify", "--data-dir", str(bomb)]
    legal = tmp / "idx-legal"
    write_dataset(legal)
    n = 120_000
    (legal / "train-images-idx3-ubyte.gz").write_bytes(
        gzip_of_zeros(bytes([0, 0, 8, 3]) + struct.pack(">III", n, 28, 28), n * 784))
    from nnsim.data.idx import write_idx
    write_idx(legal / "train-labels-idx1-ubyte.gz", np.zeros(n, np.uint8))
    cases["IDX at the limit (120,000 images, loaded)"] = nn + ["data", "verify", "--data-dir", str(legal)]

    pkl = tmp / "pkl"
    pkl.mkdir()
    (pkl / "mnist.pkl.gz").write_bytes(gzip_of_zeros(b"\x80\x04\x8e" + struct.pack("<Q", 3 << 30), 300 << 20))
    cases["0.3 MB pickle gzip inflating past 240 MB"] = nn + ["data", "verify", "--data-dir", str(pkl)]

    (tmp / "bp.toml").write_text('title = "big"\ndescription = "x"\nkind = "backprop"\n'
                                 '[network]\nsizes = [784, 2400, 10]\nseed = 1\n'
                                 '[backprop]\ndataset = "sample"\nexamples = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n'
                                 'eta = 3.0\nupdates = 50\n')
    cases["backprop [784, 2400, 10] x 50 updates"] = nn + ["run", str(tmp / "bp.toml")]
    (tmp / "bp6.toml").write_text((tmp / "bp.toml").read_text().replace("updates = 50", "updates = 6"))
    cases["backprop [784, 2400, 10] x 6 updates (allowed)"] = nn + ["run", str(tmp / "bp6.toml")]
    cases["--hidden 4096,4096"] = nn + ["train", "--headless", "--dataset", "sample", "--hidden", "4096,4096"]
    cases["--hidden 2500 (allowed, 1 epoch on the sample)"] = nn + [
        "train", "--headless", "--dataset", "sample", "--hidden", "2500", "--epochs", "1"]

    z = tmp / "bomb.npz"
    npz_bomb(z, 430)
    cases[f"{z.stat().st_size / 1e6:.1f} MB .npz claiming 6.7 GiB"] = [
        sys.executable, "-c", f"from nnsim.core import load_network\nimport sys\ntry:\n load_network({str(z)!r})\n"
                              f"except Exception as e:\n sys.stderr.write(str(e)); sys.exit(2)"]

    reference = None
    print(f"{'input':48s} {'peak MB':>8s} {'x ref':>6s} {'s':>6s}  exit  message")
    for name, argv in cases.items():
        mb, seconds, status, line = child(argv)
        reference = reference or mb
        print(f"{name:48s} {mb:8.0f} {mb / reference:6.2f} {seconds:6.2f}  {status:4d}  {line[-90:]}")


if __name__ == "__main__":
    main()
