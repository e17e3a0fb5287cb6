"""``nnsim data download|path|verify`` and ``nnsim train``: datasets and training from the command line.

``nnsim train --headless`` prints one line per epoch in the book's format
(``Epoch 0: 9033 / 10000``, extra fields after two spaces) on stdout; anything
else (where the data came from, the progress bar on a terminal, a note when
Ctrl+C stopped it) goes to stderr, so the output pipes like the book's. The
data and training machinery is imported inside the handlers so that ``nnsim``
starts fast.
"""

from __future__ import annotations

import argparse
import math
import sys

from nnsim.cli import whole_number

DATASET_CHOICES = ("mnist", "fashion-mnist", "sample")
MAX_NEURONS = 4096


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "data", help="download, locate and verify datasets (MNIST, Fashion-MNIST)",
        description="Download datasets into nnsim's cache ($NNSIM_DATA_DIR, else your cache folder), show "
                    "where they are, and verify their checksums.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p), required=True)

    d = actions.add_parser(
        "download", help="download a dataset into the cache (checksums verified)",
        description="Download a dataset's files from its mirrors, in order, into the cache. A file is kept "
                    "only if its size and published MD5 match; an interrupted download resumes next time.")
    _dataset_option(d)
    d.add_argument("--mirror", metavar="URL",
                   help="download from this host instead (for MNIST also $NNSIM_MNIST_MIRROR), "
                        "e.g. a school's copy serving the four .gz files")
    d.add_argument("--force", action="store_true", help="download again even if the files are cached")
    d.set_defaults(func=download_command)

    d = actions.add_parser("path", help="print where a dataset is cached",
                           description="Print the folder a dataset is cached in (the sample's file for "
                                       "--dataset sample).")
    _dataset_option(d)
    d.set_defaults(func=path_command)

    d = actions.add_parser(
        "verify", help="check a dataset's files: cached ones against published checksums, local ones "
                       "for structure",
        description="Check the cached files against their published sizes and MD5s, or with --data-dir read "
                    "local files strictly and report their MD5s. Exit 0 when everything checks out.")
    _dataset_option(d)
    d.add_argument("--data-dir", metavar="DIR", help="check the files in this folder instead of the cache")
    d.set_defaults(func=verify_command)

    p = subparsers.add_parser(
        "train", help="train a network on MNIST (or Fashion-MNIST, or the offline sample)",
        description="Train a network by mini-batch stochastic gradient descent, with the book's settings by "
                    "default ([784, 30, 10], 30 epochs, mini-batches of 10, eta 3.0), printing the test "
                    "accuracy after each epoch as the book does: 'Epoch 0: 9033 / 10000'. Ctrl+C stops after "
                    "the current mini-batch (and still saves with --save).")
    p.add_argument("--headless", action="store_true",
                   help="print epochs on the terminal instead of opening the app's training screen")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--sizes", type=_sizes, metavar="N,N,...",
                       help="neurons per layer, input to output (default 784,30,10)")
    shape.add_argument("--hidden", type=_hidden, metavar="N[,N...]",
                       help="hidden layer sizes between the 784 inputs and 10 outputs (default 30)")
    p.add_argument("--epochs", type=whole_number(1), default=30, metavar="N", help="passes over the data (default 30)")
    p.add_argument("--mini-batch-size", type=whole_number(1), default=10, metavar="N", help="default 10")
    p.add_argument("--eta", type=_eta, default=3.0, help="learning rate η (default 3.0)")
    p.add_argument("--seed", type=whole_number(0), metavar="N",
                   help="seed for the initial weights and the shuffling (default: random, and printed)")
    _dataset_option(p)
    p.add_argument("--data-dir", metavar="DIR", help="read the dataset's files from this folder (no network)")
    p.add_argument("--validation-size", type=whole_number(0), metavar="N",
                   help="training examples held out for validation (default 10000, none for the sample)")
    p.add_argument("--mirror", metavar="URL", help="download from this host if the data is not cached")
    p.add_argument("--save", metavar="FILE", help="save the trained network as .npz (also after Ctrl+C)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="precision of the network (default float32)")
    p.set_defaults(func=train_command)


def _dataset_option(p) -> None:
    p.add_argument("--dataset", choices=DATASET_CHOICES, default="mnist",
                   help="mnist (default), fashion-mnist, or sample (2,000 real digits shipped with nnsim)")


# -- argument types: each error is one line through argparse ----------------------------

def _eta(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive learning rate, got {text}")
    return value


def _layer_list(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, got {text!r}") from None
    bad = [n for n in sizes if not 1 <= n <= MAX_NEURONS]
    if bad:
        raise argparse.ArgumentTypeError(f"each layer needs 1 to {MAX_NEURONS} neurons, got {bad[0]}")
    return sizes


def _sizes(text: str) -> list[int]:
    sizes = _layer_list(text)
    if len(sizes) < 2:
        raise argparse.ArgumentTypeError(f"expected at least an input and an output layer, got {text!r}")
    if sizes[0] != 784:
        raise argparse.ArgumentTypeError(f"the first layer must have 784 neurons (one per pixel), got {sizes[0]}")
    if sizes[-1] != 10:
        raise argparse.ArgumentTypeError(f"the last layer must have 10 neurons (one per class), got {sizes[-1]}")
    return sizes


def _hidden(text: str) -> list[int]:
    return [784, *_layer_list(text), 10]


# -- nnsim data ---------------------------------------------------------------------------

def download_command(args) -> int:
    from nnsim.data import fetch, sample_path
    from nnsim.data.cache import report
    from nnsim.data.sources import source

    if args.dataset == "sample":
        print(f"the sample ships with nnsim, nothing to download: {sample_path()}")
        return 0
    paths = fetch(args.dataset, mirror=args.mirror, force=args.force)
    src = source(args.dataset)
    for path in paths:
        print(report(path, src.published(path.name)).describe())
    return 0


def path_command(args) -> int:
    from nnsim.data import dataset_dir, sample_path

    print(sample_path() if args.dataset == "sample" else dataset_dir(args.dataset))
    return 0


def verify_command(args) -> int:
    from nnsim.data import dataset_dir, load_dataset, sample_path, verify_cache
    from nnsim.data.cache import report
    from nnsim.errors import NnsimError

    if args.dataset == "sample" or args.data_dir is not None:
        splits = load_dataset(args.dataset, data_dir=args.data_dir, validation_size=0)
        for f in splits.files:
            print(f.describe())
        if args.dataset == "sample":
            f = report(sample_path(), None)
            print(f"{f.path}  {f.size:,} bytes  MD5 {f.md5}  (bundled with nnsim)")
        print(f"ok: {splits.source.rsplit(':', 1)[0]}: {len(splits.training):,} training and "
              f"{len(splits.test):,} test examples read and checked")
        return 0
    folder = dataset_dir(args.dataset)
    results = verify_cache(args.dataset)
    bad = [r for _, r in results if r is not None and r.matches is False]
    for name, r in results:
        print(f"{folder / name}  not downloaded" if r is None else r.describe())
    if bad:
        raise NnsimError(f"{bad[0].path}: MD5 {bad[0].md5} is not the published {bad[0].published.md5}: "
                         f"delete it and run 'nnsim data download{_dataset_flag(args)}'")
    present = {name for name, r in results if r is not None}
    idx_names = {name for name, _ in results if not name.endswith(".pkl.gz")}
    if not (idx_names <= present or "mnist.pkl.gz" in present):
        raise NnsimError(f"{folder}: the dataset is not (completely) downloaded: run "
                         f"'nnsim data download{_dataset_flag(args)}'")
    print(f"ok: {folder} holds the published files")
    return 0


def _dataset_flag(args) -> str:
    return "" if args.dataset == "mnist" else f" --dataset {args.dataset}"


# -- nnsim train --------------------------------------------------------------------------

def train_command(args) -> int:
    if not args.headless:
        from nnsim.tui.screens.train.screen import open_training  # the app's training screen

        return open_training(args)
    return run_headless(args)


def run_headless(args) -> int:
    """Train with the book's loop, printing the seed's epoch lines; returns the exit status."""
    import secrets

    import numpy as np

    from nnsim.core.network import Network
    from nnsim.core.training import BatchDone, Diverged, EpochDone, train
    from nnsim.data import load_dataset

    sizes = args.sizes or args.hidden or [784, 30, 10]
    save = _checked_save_path(args.save)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    splits = load_dataset(args.dataset, data_dir=args.data_dir, validation_size=args.validation_size,
                          mirror=args.mirror)
    err = sys.stderr
    err.write(f"nnsim: {splits.source}\n")
    for f in splits.files:
        err.write(f"nnsim:   {f.describe()}\n")
    err.write(f"nnsim: training {sizes} for {args.epochs} epochs, mini-batch {args.mini_batch_size}, "
              f"eta {args.eta!r}, {args.dtype}, seed {seed}\n")
    err.flush()

    net = Network(sizes, seed=seed, dtype=np.dtype(args.dtype))
    events = train(net, splits.training, args.epochs, args.mini_batch_size, args.eta, test=splits.test, seed=seed)
    bar = EpochBar(err) if err.isatty() else None
    stop = _StopOnInterrupt()
    status, last = 0, None
    with stop:
        for event in events:
            if isinstance(event, BatchDone):
                last = event
                if bar:
                    bar.update(event)
                if stop.requested:
                    break
            elif isinstance(event, EpochDone):
                if bar:
                    bar.clear()
                if not _print_line(f"{event.log_line()}  {event.accuracy:.2%}  cost {event.mean_cost:.4f}  "
                                   f"{event.seconds:.2f} s"):
                    err.write(f"nnsim: the output was closed; stopped after epoch {event.epoch}\n")
                    status = 1
                    break
                if stop.requested:
                    break
            elif isinstance(event, Diverged):
                if bar:
                    bar.clear()
                err.write(f"nnsim: {event.message}; the network was not saved\n")
                return 1
        events.close()
    if bar:
        bar.clear()
    if stop.requested:
        where = f" after mini-batch {last.index + 1:,} of {last.of:,} in epoch {last.epoch}" if last else ""
        err.write(f"nnsim: stopped by Ctrl+C{where}\n")
        status = 130
    if save:
        net.save(save)
        err.write(f"nnsim: saved the network to {save}\n")
    return status


def _print_line(line: str) -> bool:
    """Print to stdout; False if the reader has gone (``nnsim train | head -3``)."""
    import os

    try:
        print(line, flush=True)
        return True
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail too
        return False


def _checked_save_path(path):
    """Fail before training, not after, if the model could not be saved there."""
    if path is None:
        return None
    import os
    from pathlib import Path

    from nnsim.errors import NnsimError

    target = Path(path).expanduser()
    folder = target.parent
    if target.is_dir():
        raise NnsimError(f"--save {path}: is a folder; give a file name such as model.npz")
    if not folder.is_dir():
        raise NnsimError(f"--save {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise NnsimError(f"--save {path}: the folder {folder} is not writable")
    return target


class _StopOnInterrupt:
    """Turns the first Ctrl+C into a request to stop after the current mini-batch;
    a second one interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def _handle(self, signum, frame) -> None:
        import signal

        self.requested = True
        signal.signal(signal.SIGINT, self._previous or signal.default_int_handler)
        sys.stderr.write("\nnnsim: stopping after this mini-batch (Ctrl+C again to quit at once)\n")

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class EpochBar:
    """The current epoch's progress on stderr (a terminal), redrawn at most ten times a second."""

    def __init__(self, stream) -> None:
        import time

        self.stream, self.clock, self.last = stream, time.monotonic, 0.0

    def update(self, event) -> None:
        now = self.clock()
        if now - self.last < 0.1 and event.index + 1 < event.of:
            return
        self.last = now
        filled = int(30 * (event.index + 1) / event.of)
        self.stream.write(f"\r\x1b[KEpoch {event.epoch}  [{'#' * filled}{'.' * (30 - filled)}]  "
                          f"{event.index + 1:,} / {event.of:,} mini-batches  cost {event.cost:.4f}")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()
