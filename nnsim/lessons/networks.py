"""Saved networks: loading one for a lesson, remembering the last one saved, training one now.

Where a digit-reading network comes from (:func:`find_network`), in this order:

1. a file the learner named (``--network FILE``);
2. the network the training screen just trained, in this process (:func:`remember_trained`);
3. the last network the training screen saved (its path is kept in
   ``$XDG_CONFIG_HOME/nnsim/last-network.json``, :func:`remember_saved`);
4. none: the caller offers to train one now (:func:`train_reader`).

Loading (:func:`load_for`) refuses, with one ``FILE: …`` line, a file that is
not an nnsim network, whose arrays are not plain numbers (object arrays, which
would need unpickling: never done), whose shapes are absurd (more than the
lessons' parameter limit, checked from the file's headers before anything is
read), whose weights are NaN or infinite, or whose sizes do not fit the lesson.

File access for served sessions goes through :func:`library_path`, the one
place that turns a name into a server path: under ``nnsim serve`` a network can
only be loaded from the lesson library folder.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from nnsim.core.network import Network, load_network
from nnsim.errors import NnsimError, user_path
from nnsim.lessons.scenario import LIMITS, NetworkSpec, Scenario

CONFIG_ENV = "XDG_CONFIG_HOME"
LAST_NETWORK_FILE = "last-network.json"
READER_FILE = "draw-network.npz"
READER_SIZES = (784, 30, 10)


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/nnsim`` (``~/.config/nnsim`` without the variable)."""
    base = os.environ.get(CONFIG_ENV) or Path.home() / ".config"
    return Path(base).expanduser() / "nnsim"


# -- loading -----------------------------------------------------------------------

def _check_headers(path: Path) -> None:
    """Refuse absurd shapes and non-numeric arrays from the .npz's headers alone, before
    any array is read (so a forged header cannot make us allocate gigabytes)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise NnsimError(f"{path}: not an nnsim network file (not a .npz archive: {error})") from None
    total = 0
    with archive:
        names = archive.namelist()
        if "sizes.npy" not in names:
            raise NnsimError(f"{path}: not an nnsim network file (no sizes array)")
        if len(names) > 2 * LIMITS["layers"] + 1:
            raise NnsimError(f"{path}: {len(names)} arrays; a network of at most {LIMITS['layers']} layers has "
                             f"at most {2 * LIMITS['layers'] - 1}")
        for name in names:
            try:
                with archive.open(name) as f:
                    version = np.lib.format.read_magic(f)
                    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                            else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read(f)
            except (OSError, ValueError, zipfile.BadZipFile) as error:
                raise NnsimError(f"{path}: {name}: not a numpy array ({error})") from None
            if dtype.hasobject or dtype.kind not in "iuf":
                raise NnsimError(f"{path}: {name}: arrays of {dtype} are refused (only plain numbers; "
                                 f"nnsim never unpickles)")
            count = int(np.prod(shape, dtype=np.int64)) if shape else 1
            total += count
            if total > LIMITS["network_parameters"] + 2 * LIMITS["layers"]:
                raise NnsimError(f"{path}: {name} has shape {tuple(shape)}: more than the "
                                 f"{LIMITS['network_parameters']:,} parameters a lesson allows")


def load_checked(path) -> Network:
    """A network file loaded and checked (see the module's docstring); NnsimError if refused."""
    path = user_path(os.fspath(path))  # ~nosuchuser: one line, not a RuntimeError
    if not path.is_file():
        raise NnsimError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    _check_headers(path)
    try:
        net = load_network(path)
    except NnsimError:
        raise
    except ValueError as error:
        message = str(error)
        raise NnsimError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    sizes = net.sizes
    if len(sizes) > LIMITS["layers"] or max(sizes) > LIMITS["neurons_per_layer"]:
        raise NnsimError(f"{path}: sizes {sizes}: a lesson allows at most {LIMITS['layers']} layers of "
                         f"{LIMITS['neurons_per_layer']:,} neurons")
    for l, (w, b) in enumerate(zip(net.weights, net.biases), start=2):
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise NnsimError(f"{path}: layer {l} has NaN or infinite weights or biases")
    return net


def lesson_fit(scenario: Scenario) -> tuple[int, int]:
    """The (inputs, outputs) a network must have for ``scenario``'s data."""
    if scenario.kind not in ("backprop", "train"):
        raise NnsimError(f"{scenario.label}: --network is for backprop and train lessons, not {scenario.kind}")
    if scenario.kind == "train" and scenario.train is not None:
        return scenario.network.sizes[0], 4 if scenario.train.outputs == "binary" else 10
    if scenario.network is None:
        raise NnsimError(f"{scenario.label}: a {scenario.kind} lesson has no network to load weights into")
    return scenario.network.sizes[0], scenario.network.sizes[-1]


def load_for(path, inputs: int = 784, outputs: int = 10, what: str = "digits") -> Network:
    """:func:`load_checked`, then refuse a network whose sizes do not fit: ``inputs`` inputs and
    ``outputs`` outputs (a digit reader: 784 and 10)."""
    net = load_checked(path)
    if net.sizes[0] != inputs or net.sizes[-1] != outputs:
        raise NnsimError(f"{Path(path).expanduser()}: sizes {net.sizes} do not fit {what}: it needs {inputs} "
                         f"inputs and {outputs} outputs")
    return net


def with_network(scenario: Scenario, net: Network) -> Scenario:
    """``scenario`` (a backprop or train lesson) starting from ``net``'s weights and biases
    (its hidden layers may differ from the file's; its inputs and outputs must fit)."""
    inputs, outputs = lesson_fit(scenario)
    if net.sizes[0] != inputs or net.sizes[-1] != outputs:
        raise NnsimError(f"the network's sizes {net.sizes} do not fit {scenario.label}: it needs {inputs} inputs "
                         f"and {outputs} outputs")
    spec = NetworkSpec(tuple(net.sizes), seed=scenario.network.seed,
                       weights=tuple(np.array(w, dtype=np.float64) for w in net.weights),
                       biases=tuple(np.array(b, dtype=np.float64).ravel() for b in net.biases),
                       dtype=scenario.network.dtype)
    return dataclasses.replace(scenario, network=spec)


def load_into(scenario: Scenario, path) -> Scenario:
    """``--network FILE`` for a lesson: the file checked against the lesson's sizes, then
    :func:`with_network`."""
    inputs, outputs = lesson_fit(scenario)
    return with_network(scenario, load_for(path, inputs, outputs, what=scenario.label))


# -- served sessions: the one place a name becomes a server path ----------------------------

def library_path(name: str, library: Path) -> Path:
    """The network file ``name`` in the lesson library folder ``library``; NnsimError for any
    name that is not a plain file name there (no folders, no "..", no absolute paths)."""
    if not name or name != Path(name).name or name in (".", "..") or "\\" in name:
        raise NnsimError(f"{name}: only a file name in the lesson library ({library}) can be loaded here")
    return Path(library) / name


def library_networks(library: Path) -> list[str]:
    """The .npz files in the lesson library folder, by name."""
    return sorted(p.name for p in Path(library).glob("*.npz") if p.is_file())


# -- remembering ---------------------------------------------------------------------

_latest: dict[str, object] = {}


def remember_trained(net: Network, description: str) -> None:
    """The network the training screen just trained (this process only; a copy is kept)."""
    _latest["network"], _latest["description"] = net.copy(), description


def forget_trained() -> None:
    _latest.clear()


def remember_saved(path) -> None:
    """Keep where the training screen last saved a network (written atomically)."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / LAST_NETWORK_FILE
    tmp = target.with_suffix(".part")
    tmp.write_text(json.dumps({"path": str(Path(path).expanduser().resolve())}), encoding="utf-8")
    os.replace(tmp, target)


def last_saved() -> Optional[Path]:
    """The last network file the training screen saved, if it is still there."""
    try:
        data = json.loads((config_dir() / LAST_NETWORK_FILE).read_text(encoding="utf-8"))
        path = Path(data["path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.is_file() else None


@dataclass(frozen=True)
class Found:
    """A network and where it came from, for the screen to say."""

    network: Network
    source: str


def find_network(path=None) -> Optional[Found]:
    """The digit reader to use, by the order in the module's docstring; None when there is
    none. A named file that is refused raises NnsimError; a remembered file that has gone
    bad is skipped (the learner did not ask for it by name)."""
    if path is not None:
        return Found(load_for(path), f"loaded from {Path(path).name}")
    if "network" in _latest:
        return Found(_latest["network"].copy(), f"just trained: {_latest['description']}")
    saved = last_saved()
    if saved is not None:
        try:
            return Found(load_for(saved), f"last saved: {saved.name}")
        except NnsimError:
            pass
    reader = config_dir() / READER_FILE
    if reader.is_file():
        try:
            return Found(load_for(reader), f"trained earlier for drawing ({reader.name})")
        except NnsimError:
            pass
    return None


# -- training one now --------------------------------------------------------------------

@dataclass(frozen=True)
class ReaderPlan:
    """How :func:`train_reader` trains: the dataset, epochs, and the sentence that says why."""

    dataset: str
    epochs: int
    mini_batch_size: int = 10
    eta: float = 3.0


def reader_plan(data_dir=None) -> ReaderPlan:
    """The best data available offline: full MNIST if it is cached, else the offline sample."""
    from nnsim.data import is_cached

    try:
        if is_cached("mnist", data_dir):
            return ReaderPlan("mnist", 2)
    except NnsimError:
        pass
    return ReaderPlan("sample", 30)


@dataclass(frozen=True)
class ReaderProgress:
    done: int
    total: int


@dataclass(frozen=True)
class ReaderTrained:
    network: Network
    note: str
    accuracy: float


def train_reader(plan: ReaderPlan, data_dir=None, seed: int = 0, save: bool = True
                 ) -> Iterator[object]:
    """Train a [784, 30, 10] network for reading drawings, yielding :class:`ReaderProgress`
    every few mini-batches and finally :class:`ReaderTrained` with a one-line note of its
    test accuracy. With ``save`` it is kept in the config folder for next time."""
    from nnsim.core.training import BatchDone, EpochDone, train
    from nnsim.lessons.datasets import load_splits

    splits = load_splits(plan.dataset, data_dir, validation_size=0, where=f"training a network on {plan.dataset}")
    net = Network(READER_SIZES, seed=seed)
    batches = -(-len(splits.training) // plan.mini_batch_size)
    total, done, last = batches * plan.epochs, 0, None
    for event in train(net, splits.training, plan.epochs, plan.mini_batch_size, plan.eta, test=splits.test, seed=seed):
        if isinstance(event, BatchDone):
            done += 1
            if done % 50 == 0 or done == total:
                yield ReaderProgress(done, total)
        elif isinstance(event, EpochDone):
            last = event
    accuracy = (last.correct / last.total) if last is not None and last.total else 0.0
    if plan.dataset == "sample":
        note = (f"trained on the offline sample ({len(splits.training):,} digits): {accuracy:.1%} of its "
                f"{len(splits.test):,} test digits. Few writers: it misreads handwriting an MNIST-trained "
                f"network reads (nnsim data download fetches MNIST)")
    else:
        note = (f"trained on MNIST ({len(splits.training):,} digits, {plan.epochs} epochs): {accuracy:.1%} of "
                f"{len(splits.test):,} test digits")
    if save:
        try:
            folder = config_dir()
            folder.mkdir(parents=True, exist_ok=True)
            net.save(folder / READER_FILE)
        except OSError:
            pass  # keeping it for next time is a convenience, not a requirement
    yield ReaderTrained(net, note, accuracy)

