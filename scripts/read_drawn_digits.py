"""How networks read ten digits drawn by script (one per class, built from pen strokes as the
canvas draws them), after the preprocessing the draw screen applies.

    python scripts/read_drawn_digits.py [--mnist-dir DIR] [--epochs N]

Trains [784, 30, 10] (η = 3, mini-batch 10, seed 0) on the offline sample, and, with
``--mnist-dir`` holding MNIST's t10k files, on 8,000 of those real digits (tested on the other
2,000), then prints each network's reading of the ten drawings.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from nnsim.core.dataset import Dataset
from nnsim.core.network import Network
from nnsim.core.training import EpochDone, train
from nnsim.data.idx import read_images, read_labels
from nnsim.data.sample import load_sample
from nnsim.data.splits import pixels
from nnsim.lessons.drawing import Drawing, read_digit


def arc(cr, cc, rr, rc, start, stop, n=40):
    return [(cr - rr * math.cos(t), cc + rc * math.sin(t)) for t in np.linspace(start, stop, n)]


def digits() -> list[Drawing]:
    strokes = {
        0: [arc(14, 14, 9, 6, 0, 2 * math.pi)],
        1: [[(4, 15), (23, 13)]],
        2: [arc(9, 14, 5, 6, -1.3, 2.2) + [(22, 8), (22, 21)]],
        3: [arc(9, 13, 4.5, 6, -1.4, math.pi), arc(18, 13, 4.5, 6.5, 0, math.pi + 1.4)],
        4: [[(4, 16), (17, 7), (17, 21)], [(9, 17), (24, 17)]],
        5: [[(5, 20), (5, 9), (12, 8)], arc(17, 13, 5.5, 6.5, -0.9, math.pi + 1.2)],
        6: [[(4, 17), (12, 10)] + arc(17, 14, 5.5, 5.5, -math.pi / 2 - 0.8, 3 * math.pi / 2)],
        7: [[(5, 7), (5, 21), (23, 12)]],
        8: [arc(9, 14, 4.5, 5, 0, 2 * math.pi), arc(18.5, 14, 5, 6, 0, 2 * math.pi)],
        9: [arc(9, 14, 4.5, 5.5, 0, 2 * math.pi), [(9, 19.5), (24, 17)]],
    }
    out = []
    for k in range(10):
        d = Drawing()
        for s in strokes[k]:
            d.stroke(s)
        out.append(d)
    return out


def trained(training: Dataset, test: Dataset, epochs: int) -> tuple[Network, float]:
    net = Network([784, 30, 10], seed=0)
    last = None
    for event in train(net, training, epochs, 10, 3.0, test=test, seed=0):
        if isinstance(event, EpochDone):
            last = event
    return net, last.correct / last.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-dir", type=Path, help="a folder with t10k-images-idx3-ubyte.gz and labels")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    nets = []
    s = load_sample()
    nets.append(("offline sample (1,500)",) + trained(s.training, s.test, args.epochs))
    if args.mnist_dir:
        x = pixels(read_images(next(args.mnist_dir.glob("t10k-images*"))))
        y = read_labels(next(args.mnist_dir.glob("t10k-labels*")))
        y = np.argmax(y, axis=1) if np.ndim(y) == 2 else y
        nets.append(("MNIST t10k 8,000",) + trained(Dataset.from_labels(x[:8000], y[:8000]),
                                                    Dataset.from_labels(x[8000:], y[8000:]), args.epochs))
    drawings = digits()
    for name, net, accuracy in nets:
        readings = [read_digit(net, d.input()) for d in drawings]
        right = sum(r.digit == k for k, r in enumerate(readings))
        print(f"{name}: test accuracy {accuracy:.1%}; drawn digits read right: {right} / 10")
        print("   " + "  ".join(f"{k}→{r.digit} ({r.margin:.2f})" for k, r in enumerate(readings)))


if __name__ == "__main__":
    main()
