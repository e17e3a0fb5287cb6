"""``nnsim train``: training from the command line, headless or in the app's training screen.

``nnsim train --headless`` prints one line per epoch in the book's format
(``Epoch 0: 9033 / 10000``, extra fields after two spaces) on stdout, or with
``--json`` one JSON object per event (schema in README.md); anything
else (where the data came from, the progress bar on a terminal, a note when
Ctrl+C stopped it) goes to stderr, so the output pipes like the book's. The
data and training machinery is imported inside the handlers so that ``nnsim``
starts fast.
"""

from __future__ import annotations

import argparse
import sys

from nnsim.cli.args import dataset_option, learning_rate, whole_number
from nnsim.sanitize import sanitize

MAX_NEURONS = 4096


def register(subparsers) -> None:
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
    p.add_argument("--eta", type=learning_rate, default=3.0, help="learning rate η (default 3.0)")
    p.add_argument("--seed", type=whole_number(0), metavar="N",
                   help="seed for the initial weights and the shuffling (default: random, and printed)")
    dataset_option(p)
    p.add_argument("--data-dir", metavar="DIR", help="read the dataset's files from this folder (no network)")
    p.add_argument("--validation-size", type=whole_number(0), metavar="N",
                   help="training examples held out for validation (default 10000, none for the sample)")
    p.add_argument("--mirror", metavar="URL", help="download from this host if the data is not cached")
    p.add_argument("--save", metavar="FILE", help="save the trained network as .npz (also after Ctrl+C)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="precision of the network (default float32)")
    p.add_argument("--json", action="store_true",
                   help="with --headless: one JSON object per event (batch, epoch, eta, diverged) on stdout")
    p.add_argument("--every", type=whole_number(1), default=1, metavar="N",
                   help="with --json: print every Nth mini-batch event (default 1; epoch events always)")
    p.add_argument("--eta-change", type=_eta_change, action="append", default=[], metavar="EPOCH:BATCH:ETA",
                   help="use ETA from mini-batch BATCH of EPOCH on (repeatable): replays the η changes "
                        "recorded in a run's eta events")
    p.set_defaults(func=train_command)


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
    return _capped(sizes)


def _hidden(text: str) -> list[int]:
    return _capped([784, *_layer_list(text), 10])


def _capped(sizes: list[int]) -> list[int]:
    """The lesson files' limits on layers and parameters, so a typo such as
    --hidden 4096,4096,4096 is refused before it allocates gigabytes."""
    from nnsim.lessons.scenario.schema import LIMITS

    if len(sizes) > LIMITS["layers"]:
        raise argparse.ArgumentTypeError(f"{len(sizes)} layers is more than the limit of {LIMITS['layers']} "
                                         f"(the same as for lesson files)")
    count = sum(y * x + y for x, y in zip(sizes[:-1], sizes[1:]))
    if count > LIMITS["network_parameters"]:
        raise argparse.ArgumentTypeError(
            f"{sizes} has {count:,} weights and biases, more than the limit of "
            f"{LIMITS['network_parameters']:,} (the same as for lesson files); use smaller layers")
    return sizes


def _eta_change(text: str):
    from nnsim.core.training import EtaChanged

    parts = text.split(":")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected EPOCH:BATCH:ETA such as 2:0:0.5, got {text!r}")
    epoch, index = (whole_number(0)(p) for p in parts[:2])
    return EtaChanged(epoch, index, learning_rate(parts[2]))


# -- nnsim train --------------------------------------------------------------------------

def train_command(args) -> int:
    if not args.headless:
        if args.json or args.every != 1:
            from nnsim.errors import NnsimError

            raise NnsimError("--json and --every go with --headless")
        return open_training(args)
    return run_headless(args)


def open_training(args) -> int:
    """The app's training screen with the command's settings (checked before the app
    starts, one ``nnsim: error:`` line if wrong)."""
    import secrets

    from nnsim.lessons.kinds.train import train_scenario

    sizes = args.sizes or args.hidden or [784, 30, 10]
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    scenario = train_scenario(sizes, args.epochs, args.mini_batch_size, args.eta, seed, args.dataset,
                              args.validation_size, dtype=args.dtype)
    checked_save_path(args.save)
    from nnsim.tui.screens.train.screen import TrainingApp

    app = TrainingApp(scenario, data_dir=args.data_dir, mirror=args.mirror, save_path=args.save)
    app.run()
    return int(app.return_code or 0)


def run_headless(args) -> int:
    """Train with the book's loop, printing the seed's epoch lines; returns the exit status."""
    import secrets

    import numpy as np

    from nnsim.core.network import Network
    from nnsim.core.training import BatchDone, Diverged, EpochDone, EtaChanged, EtaSchedule, train
    from nnsim.data import load_dataset

    sizes = args.sizes or args.hidden or [784, 30, 10]
    save = checked_save_path(args.save)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    splits = load_dataset(args.dataset, data_dir=args.data_dir, validation_size=args.validation_size,
                          mirror=args.mirror)
    err = sys.stderr
    err.write(f"nnsim: {sanitize(splits.source)}\n")
    for f in splits.files:
        err.write(f"nnsim:   {sanitize(f.describe())}\n")
    err.write(f"nnsim: training {sizes} for {args.epochs} epochs, mini-batch {args.mini_batch_size}, "
              f"eta {args.eta!r}, {args.dtype}, seed {seed}\n")
    err.flush()

    net = Network(sizes, seed=seed, dtype=np.dtype(args.dtype))
    schedule = EtaSchedule(args.eta_change) if args.eta_change else None
    events = train(net, splits.training, args.epochs, args.mini_batch_size, args.eta, test=splits.test, seed=seed,
                   schedule=schedule)
    bar = EpochBar(err) if err.isatty() else None
    stop = _StopOnInterrupt()
    status, last = 0, None
    as_json, every = args.json, args.every
    with stop:
        for event in events:
            kind = type(event)
            if kind is BatchDone:
                last = event
                if as_json:
                    if event.index % every == 0 and not _print_line(event_json(event)):
                        status = _closed(err, f"in epoch {event.epoch}")
                        break
                elif bar:
                    bar.update(event)
                if stop.requested:
                    break
            elif kind is EpochDone:
                if bar:
                    bar.clear()
                if not _print_line(event_json(event) if as_json else epoch_line(event)):
                    status = _closed(err, f"after epoch {event.epoch}")
                    break
                if stop.requested:
                    break
            elif kind is EtaChanged:
                if as_json:
                    _print_line(event_json(event))
                else:
                    err.write(f"nnsim: eta {event.eta:g} from mini-batch {event.index:,} of epoch {event.epoch}\n")
            elif kind is Diverged:
                if bar:
                    bar.clear()
                if as_json:
                    _print_line(event_json(event))
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
        err.write(f"nnsim: saved the network to {sanitize(save)}\n")
    return status


def epoch_line(event) -> str:
    """``Epoch 0: 9033 / 10000  90.33%  train cost 0.185 · test cost 0.192  0.22 s``."""
    accuracy = f"  {event.accuracy:.2%}" if event.accuracy is not None else ""
    return f"{event.log_line()}{accuracy}  {event.cost_text()}  {event.seconds:.2f} s"


def event_record(event) -> dict:
    """One event as the JSON schema of README.md has it (NaN and infinity as None)."""
    import math

    from nnsim.core.training import BatchDone, EpochDone, EtaChanged

    def number(v):
        return None if v is None or not math.isfinite(v) else float(v)

    kind = type(event)
    if kind is BatchDone:
        return {"event": "batch", "epoch": event.epoch, "index": event.index, "of": event.of,
                "cost": number(event.cost)}
    if kind is EpochDone:
        return {"event": "epoch", "epoch": event.epoch, "correct": event.correct, "total": event.total,
                "accuracy": number(event.accuracy), "train_cost": number(event.mean_cost),
                "test_cost": number(event.test_cost), "seconds": number(event.seconds)}
    if kind is EtaChanged:
        return {"event": "eta", "epoch": event.epoch, "index": event.index, "eta": number(event.eta)}
    return {"event": "diverged", "epoch": event.epoch, "index": event.index, "message": event.message}


def event_json(event) -> str:
    import json

    return json.dumps(event_record(event), ensure_ascii=False, allow_nan=False)


def _closed(err, where: str) -> int:
    err.write(f"nnsim: the output was closed; stopped {where}\n")
    return 1


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


def checked_save_path(path):
    """Fail before training, not after, if the model could not be saved there."""
    if path is None:
        return None
    import os

    from nnsim.errors import NnsimError, user_path

    target = user_path(path, "--save")
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
