"""Issue #2's benchmark: nnsim's matrix path against the seed's per-example code.

Trains [784, 30, 10] with eta 3.0 and mini-batches of 10 on real MNIST digits
(the official 10,000-image test file, split 8,000 train / 2,000 test with a
fixed seed), once with nnsim and once with ``tests/reference_network.py`` (the
seed's code), in the same process, for three seeds. Prints seconds per epoch,
the speed ratio, final accuracies (median of the seeds) and the memory each
holds for the training data.

    python benchmarks/bench_core.py [--epochs 3] [--mnist-dir DIR]

The MNIST folder defaults to $NNSIM_REAL_MNIST_DIR, else ../shared/data/mnist.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnsim.core import Dataset, EpochDone, Network, train  # noqa: E402
from tests.reference_network import ReferenceNetwork  # noqa: E402


def read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def list_bytes(pairs) -> int:
    """Bytes held by the seed's list of (x, y) tuples: arrays, tuples and the list."""
    total = sys.getsizeof(pairs)
    for x, y in pairs:
        total += sys.getsizeof((x, y)) + x.nbytes + sys.getsizeof(x)
        total += (y.nbytes + sys.getsizeof(y)) if isinstance(y, np.ndarray) else sys.getsizeof(y)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    default_dir = os.environ.get("NNSIM_REAL_MNIST_DIR", str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--mnist-dir", default=default_dir)
    args = parser.parse_args()

    folder = Path(args.mnist_dir)
    images = read_idx(folder / "t10k-images-idx3-ubyte.gz").reshape(-1, 784)
    labels = read_idx(folder / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    order = np.random.default_rng(1234).permutation(len(labels))
    train_idx, test_idx = order[:8000], order[8000:]
    training = Dataset.from_labels(images[train_idx] / np.float32(255), labels[train_idx])
    test = Dataset.from_labels(images[test_idx] / np.float32(255), labels[test_idx])

    # The seed's representation: lists of (784, 1) float64 columns.
    ref_training = [(training.x[i].astype(np.float64).reshape(784, 1), training.y[i].astype(np.float64).reshape(10, 1))
                    for i in range(len(training))]
    ref_test = [(test.x[i].astype(np.float64).reshape(784, 1), int(test.labels[i])) for i in range(len(test))]

    print(f"[784, 30, 10], eta 3.0, mini-batch 10, {len(training)} train / {len(test)} test real MNIST digits, "
          f"{args.epochs} epochs, seeds {args.seeds}")
    ours_times, ref_times, ours_acc, ref_acc = [], [], [], []
    for seed in args.seeds:
        net = Network([784, 30, 10], seed=seed)
        ref = ReferenceNetwork(net.sizes, net.weights, net.biases)
        rng = np.random.default_rng(seed)
        stream = train(net, training, args.epochs, 10, 3.0, test=test, seed=seed)
        # Epochs alternate between the two, so a busy machine slows both alike.
        for epoch in range(args.epochs):
            done = next(e for e in stream if isinstance(e, EpochDone))
            ours_times.append(done.seconds)
            start = time.perf_counter()
            correct = ref.SGD(ref_training, 1, 10, 3.0, test_data=ref_test,
                              shuffle=lambda data: rng.shuffle(data))[-1]
            ref_times.append(time.perf_counter() - start)
        ours_acc.append(done.correct / done.total)
        ref_acc.append(correct / len(ref_test))
        print(f"  seed {seed}: nnsim {statistics.median(ours_times[-args.epochs:]):.3f} s/epoch, "
              f"accuracy {ours_acc[-1]:.2%}; reference {statistics.median(ref_times[-args.epochs:]):.3f} s/epoch, "
              f"accuracy {ref_acc[-1]:.2%}")

    ours, theirs = statistics.median(ours_times), statistics.median(ref_times)
    print(f"seconds per epoch (median, evaluation included): nnsim {ours:.3f}, reference {theirs:.3f}")
    print(f"speed ratio: nnsim is {theirs / ours:.1f}x faster per epoch (target >= 10x)")
    gap = abs(statistics.median(ours_acc) - statistics.median(ref_acc)) * 100
    print(f"final accuracy (median of {len(args.seeds)} seeds): nnsim {statistics.median(ours_acc):.2%}, "
          f"reference {statistics.median(ref_acc):.2%}, gap {gap:.2f} points (target <= 1)")
    ours_bytes = training.x.nbytes + training.y.nbytes + training.labels.nbytes
    ref_bytes = list_bytes(ref_training)
    print(f"training data held: nnsim {ours_bytes / 2**20:.1f} MiB (float32 rows), "
          f"reference {ref_bytes / 2**20:.1f} MiB (list of float64 columns), ratio {ref_bytes / ours_bytes:.1f}x")


if __name__ == "__main__":
    main()
