"""Issues #3 and #19's benchmark: `nnsim train --headless` on full Fashion-MNIST against the seed's code.

Runs, each in its own process so that peak memory is measured alike (the
child's own rusage, from ``os.wait4``: the figure ``resource.getrusage`` gives):

1. ``nnsim train --headless --dataset fashion-mnist --data-dir DIR`` with the
   book's settings ([784, 30, 10], eta 3.0, mini-batch 10) on the full
   50,000 / 10,000 / 10,000 split, in float32 and in float64, with the
   decoded images already cached (as from the second run on: the first run
   decodes them once into ``$NNSIM_DATA_DIR/decoded/``; a temporary folder here);
2. the per-example reference (``tests/reference_network.py``, the seed's
   ``network.py``, float64) on the same split and from the same initial
   weights, fed the book's lists from ``nnsim.mnist_loader.load_data_wrapper()``
   ((784, 1) float32 views into one array, as the book's loader makes them from
   its pickle), for 2 epochs.

All of it runs twice: as shipped (nnsim on one BLAS thread, its default; the
reference on OpenBLAS's default of one thread per core), then with
``OPENBLAS_NUM_THREADS=1`` (and OMP/MKL) in the environment of nnsim's and the
reference's processes alike, so the ratio is shown for one core too.

Prints seconds per epoch (median, evaluation of the 10,000 test images
included), total time (process start to exit, data loading included; the
reference's 30-epoch total projected from its measured epochs), and peak
resident memory, each as a ratio reference / nnsim.

    apt-get install -y dataset-fashion-mnist
    python benchmarks/bench_fashion_mnist.py [--data-dir /usr/share/datasets/fashion-mnist] [--epochs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
START_ENV = dict(os.environ)  # taken before importing nnsim, which sets its BLAS default in os.environ
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
EPOCH_LINE = re.compile(r"^Epoch (\d+): (\d+) / (\d+)  .*?([\d.]+) s$")
TARGETS = {"float32": 15.0, "float64": 8.0}
SINGLE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
"""Set for the second round: BLAS on one thread, for nnsim and the seed alike (a busy
machine, or a served class, gives a session one core; threads help the small GEMMs
of mini-batch 10 only when a second core is idle)."""


def run(command: list[str], env: Optional[dict] = None) -> tuple[float, int, str, str]:
    """Run a process to completion: (wall seconds, peak RSS in bytes, stdout, stderr)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    # Read both pipes in threads so neither fills up; wait4 gives this child's own rusage.
    import threading

    out, err = [], []
    readers = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(process.stdout, out)),
               threading.Thread(target=lambda s, b: b.append(s.read()), args=(process.stderr, err))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    for r in readers:
        r.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{err[0]}")
    run.cpu = usage.ru_utime + usage.ru_stime  # CPU seconds of that child: steadier than wall time on a busy machine
    return seconds, usage.ru_maxrss * 1024, out[0], err[0]  # ru_maxrss is in KiB on Linux


def book_lists_bytes(sets) -> int:
    """Bytes the book's lists hold: the lists, tuples and array objects, the one-hot
    columns, and the arrays the (784, 1) views look into, each counted once."""
    import numpy as np

    total, roots = 0, {}
    for data in sets:
        total += sys.getsizeof(data)
        for x, y in data:
            total += sys.getsizeof((x, y)) + sys.getsizeof(x) + sys.getsizeof(y)  # an owning array includes its data
            root = x
            while isinstance(root.base, np.ndarray):
                root = root.base
            roots[id(root)] = root.nbytes if root is not x else 0
    return total + sum(roots.values())


def reference_child(data_dir: str, epochs: int, seed: int) -> None:
    """The seed's way, timed epoch by epoch; prints one JSON object."""
    import random

    sys.path.insert(0, str(ROOT))
    from nnsim import mnist_loader
    from tests.reference_network import ReferenceNetwork

    start = time.perf_counter()
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper("fashion-mnist", data_dir)
    load = time.perf_counter() - start
    # The same initial weights as nnsim's run (--seed), so the accuracies compare.
    from nnsim.core.network import Network

    start_net = Network([784, 30, 10], seed=seed)
    net = ReferenceNetwork(start_net.sizes, start_net.weights, start_net.biases)
    random.seed(seed)
    seconds, correct, cpu = [], [], []
    for _ in range(epochs):
        t, c = time.perf_counter(), time.process_time()
        correct.append(net.SGD(training_data, 1, 10, 3.0, test_data=test_data)[-1])
        seconds.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(json.dumps(dict(load=load, seconds=seconds, cpu=cpu, correct=correct, training=len(training_data),
                          validation=len(validation_data), test=len(test_data),
                          data_bytes=book_lists_bytes((training_data, validation_data, test_data)))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEBIAN_DIR, help=f"Fashion-MNIST's four IDX files (default {DEBIAN_DIR})")
    parser.add_argument("--epochs", type=int, default=10, help="nnsim's epochs (default 10)")
    parser.add_argument("--reference-epochs", type=int, default=2, help="the reference's epochs (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="initial weights of both networks (default 0)")
    parser.add_argument("--reference-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_child:
        return reference_child(args.data_dir, args.reference_epochs, args.seed)
    if not Path(args.data_dir, "train-images-idx3-ubyte.gz").exists():
        sys.exit(f"{args.data_dir}: no Fashion-MNIST files (apt-get install -y dataset-fashion-mnist)")

    print(f"Fashion-MNIST from {args.data_dir}: 50,000 train / 10,000 validation / 10,000 test; "
          f"[784, 30, 10], eta 3.0, mini-batch 10; nnsim {args.epochs} epochs, reference "
          f"{args.reference_epochs} epochs; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f} at start", flush=True)

    import tempfile

    os.environ["NNSIM_DATA_DIR"] = tempfile.mkdtemp(prefix="nnsim-bench-")
    sys.path.insert(0, str(ROOT))
    from nnsim.data import load_dataset

    splits = load_dataset("fashion-mnist", data_dir=args.data_dir)  # writes the decoded cache once
    # The reference child imports nnsim's loader, which would pick one thread for it too: its
    # default (one thread per core, OpenBLAS's own) is written out.
    shipped = {k: v for k, v in START_ENV.items() if k != "OPENBLAS_NUM_THREADS"}
    per_core = {**shipped, "OPENBLAS_NUM_THREADS": str(os.cpu_count() or 1)}
    single = {**START_ENV, **SINGLE_THREAD}
    rounds = [("as shipped", shipped, per_core), ("BLAS on one thread", single, single)]
    summary = []
    for label, ours_env, ref_env in rounds:
        print(f"\n== {label} (OPENBLAS_NUM_THREADS: nnsim {ours_env.get('OPENBLAS_NUM_THREADS', 'unset, so 1')}, "
              f"the reference {ref_env['OPENBLAS_NUM_THREADS']})", flush=True)
        summary.append((label, measure(args, ours_env, ref_env)))
    ours_total, ours_peak, _, _, ref_total, ref_peak, ref, ref_projected = summary[0][1]["totals"]

    ours_bytes = sum(a.nbytes for d in splits[:3] for a in (d.x, d.y, d.labels))
    print("\n== summary")
    for label, result in summary:
        for dtype, (median, ref_epoch, cpu, ref_cpu, peak, fastest, ref_fastest) in result["ratios"].items():
            print(f"{label:21s} {dtype}: seconds per epoch nnsim {median:.3f}, reference {ref_epoch:.2f}  -> nnsim "
                  f"{ref_epoch / median:.1f}x faster (target >= {TARGETS[dtype]:g}x); fastest epochs {fastest:.3f} "
                  f"vs {ref_fastest:.2f} -> {ref_fastest / fastest:.1f}x; CPU per epoch {cpu:.3f} vs "
                  f"{ref_cpu:.2f} -> {ref_cpu / cpu:.1f}x less CPU; peak RSS {peak / 2**20:.0f} MiB")
    print("(on a shared machine the fastest epochs are the least disturbed; the CPU ratio ignores waiting)")
    print(f"total time, {args.epochs} epochs (as shipped): nnsim {ours_total:.1f} s measured, reference "
          f"{ref_projected:.0f} s projected ({ref_total:.1f} s measured for {args.reference_epochs})  -> nnsim "
          f"{ref_projected / ours_total:.1f}x faster")
    print(f"peak memory:        nnsim {ours_peak / 2**20:.0f} MiB (target <= 120), reference "
          f"{ref_peak / 2**20:.0f} MiB  -> nnsim uses {ours_peak / ref_peak:.2f}x the reference's")
    print(f"data held, 70,000 images: nnsim {ours_bytes / 2**20:.0f} MiB (uint8 pixel rows memory-mapped, one-hot float32 rows), "
          f"the book's lists {ref['data_bytes'] / 2**20:.0f} MiB (views, tuples, float64 one-hot columns)  -> "
          f"ratio {ref['data_bytes'] / ours_bytes:.2f}")


def measure(args, env: dict, ref_env: dict) -> dict:
    """nnsim in float32 and float64 with the environment ``env``, then the reference with ``ref_env``."""
    ours, cpu_per_epoch = {}, {}
    for dtype in ("float32", "float64"):
        # CPU per epoch: a one-epoch run's CPU time taken from this run's, start-up and loading cancel out.
        run([sys.executable, "-m", "nnsim", "train", "--headless", "--dataset", "fashion-mnist", "--data-dir",
             args.data_dir, "--epochs", "1", "--seed", str(args.seed), "--dtype", dtype], env)
        one_epoch_cpu = run.cpu
        total, peak, out, err = run([
            sys.executable, "-m", "nnsim", "train", "--headless", "--dataset", "fashion-mnist",
            "--data-dir", args.data_dir, "--epochs", str(args.epochs), "--seed", str(args.seed), "--dtype", dtype], env)
        epochs = [EPOCH_LINE.match(line) for line in out.splitlines()]
        if len(epochs) != args.epochs or not all(epochs):
            sys.exit(f"unexpected nnsim output:\n{out}\n{err}")
        seconds = [float(m.group(4)) for m in epochs]
        correct = [int(m.group(2)) for m in epochs]
        ours[dtype] = (total, peak, seconds, correct)
        cpu_per_epoch[dtype] = (run.cpu - one_epoch_cpu) / max(args.epochs - 1, 1)
        print(f"nnsim train {dtype}: {args.epochs} epochs in {total:.1f} s, median {statistics.median(seconds):.3f} "
              f"s/epoch, peak memory {peak / 2**20:.0f} MiB; accuracy after epoch 1: {correct[0] / 100:.2f}%, "
              f"final: {correct[-1] / 100:.2f}%, best {max(correct) / 100:.2f}%", flush=True)
    ours_total, ours_peak, ours_epoch, ours_correct = ours["float32"]

    ref_total, ref_peak, out, _ = run([sys.executable, str(Path(__file__).resolve()), "--reference-child",
                                      "--data-dir", args.data_dir, "--reference-epochs", str(args.reference_epochs),
                                       "--seed", str(args.seed)], ref_env)
    ref = json.loads(out)
    ref_epoch = statistics.median(ref["seconds"])
    ref_cpu = statistics.median(ref["cpu"])
    ref_projected = ref_total + (args.epochs - args.reference_epochs) * ref_epoch
    print(f"reference:   {args.reference_epochs} epochs in {ref_total:.1f} s (loading {ref['load']:.1f} s), "
          f"median {ref_epoch:.2f} s/epoch, peak memory {ref_peak / 2**20:.0f} MiB; accuracy after epoch "
          f"{args.reference_epochs}: {ref['correct'][-1] / ref['test'] * 100:.2f}%", flush=True)
    ratios = {dtype: (statistics.median(seconds), ref_epoch, cpu_per_epoch[dtype], ref_cpu, peak,
                      min(seconds), min(ref["seconds"]))
              for dtype, (_, peak, seconds, _) in ours.items()}
    for dtype, (median, _, cpu, _, peak, _, _) in ratios.items():
        print(f"seconds per epoch, {dtype}:  nnsim {median:.3f}, reference {ref_epoch:.2f}  -> nnsim "
              f"{ref_epoch / median:.1f}x faster (target >= {TARGETS[dtype]:g}x); peak RSS {peak / 2**20:.0f} MiB")
        print(f"CPU seconds per epoch, {dtype}:  nnsim {cpu:.3f}, reference {ref_cpu:.2f}  -> "
              f"nnsim {ref_cpu / cpu:.1f}x less CPU")
    return dict(ratios=ratios, totals=(ours_total, ours_peak, ours_epoch, ours_correct, ref_total, ref_peak, ref,
                                       ref_projected))


if __name__ == "__main__":
    main()
