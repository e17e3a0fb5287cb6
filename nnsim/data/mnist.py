"""Loading MNIST, Fashion-MNIST and the offline sample as the book's three splits.

:func:`load_dataset` is the one entry point: it finds the dataset in a folder
the user names, or in the cache (downloading it there first if it is missing),
reads it strictly, and returns training, validation and test sets as compact
rows (:class:`~nnsim.core.dataset.Dataset`), pixels read as floats in [0, 1] (IDX images stay uint8,
memory-mapped from a decoded copy: :mod:`nnsim.data.decoded`).
The split is the book's: the last ``validation_size`` (10,000) examples of the
training file are held out for validation, the test file is the test set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import numpy as np

from nnsim.core.dataset import Dataset, PixelRows
from nnsim.data import cache, idx
from nnsim.data.cache import DataFile
from nnsim.data.decoded import decoded_images
from nnsim.data.quarantine import quarantine
from nnsim.data.splits import Splits
from nnsim.data.sources import DATASETS, MIRROR_ENV, Source, source
from nnsim.errors import DataMissing, NnsimError, user_path
from nnsim.sanitize import redact_url

VALIDATION_SIZE = 10_000
OFFLINE_HINT = "or train offline on the bundled digits with --dataset sample"


# -- the entry points -------------------------------------------------------------------

def load_dataset(name: str = "mnist", data_dir=None, validation_size: Optional[int] = None,
                 mirror: Optional[str] = None, download: bool = True, progress: Optional[bool] = None,
                 timeout=None) -> Splits:
    """The dataset ``name`` ("mnist", "fashion-mnist" or "sample") as training/validation/test.

    ``data_dir`` names a folder of local files (no network is used); without
    it the cache is used and, if ``download``, filled from the mirrors (or
    ``mirror``, or ``$NNSIM_MNIST_MIRROR`` for MNIST). ``validation_size``
    defaults to the book's 10,000 (none for the sample); 0 means no validation
    set. ``progress``: a download bar on stderr (None: only on a terminal).
    Raises NnsimError with one line when the data cannot be had.
    """
    if name == "sample":
        from nnsim.data.sample import load_sample

        return load_sample(validation_size)
    src = source(name)
    if validation_size is not None and validation_size < 0:
        raise NnsimError(f"validation size must be 0 or more, got {validation_size}")
    if data_dir is not None:
        return _load_folder(src, user_path(data_dir, "--data-dir"), validation_size, local=True)
    folder = cache.dataset_dir(name)
    if not _cached_form(src, folder):
        if not download:
            raise DataMissing(f"{src.title} is not in the cache ({folder}): run 'nnsim data download"
                              f"{'' if name == 'mnist' else ' --dataset ' + name}', "
                              f"point --data-dir at local files, {OFFLINE_HINT}", src.title, name)
        fetch(name, mirror=mirror, progress=progress, timeout=timeout)
    _verify_cached(src, folder, repair=download, mirror=mirror, progress=progress, timeout=timeout)
    return _load_folder(src, folder, validation_size, local=False)


def prepare_decoded() -> list[str]:
    """Write the decoded copy of every dataset in the cache, one line per dataset said.

    A served session may not write the cache (nnsim.serve.sandbox), so without
    this each would decode its dataset into its own memory; ``nnsim serve`` calls
    it before the first session, and they then map one shared copy."""
    lines = []
    for name in DATASETS:
        if name == "sample" or not is_cached(name):
            continue
        title = source(name).title
        try:
            training = load_dataset(name, download=False, validation_size=0)[0]
        except NnsimError as error:
            lines.append(f"{title}: no shared decoded copy ({error})")
            continue
        if isinstance(getattr(training.x, "raw", None), np.memmap):
            lines.append(f"{title}: decoded copy ready in {cache.cache_root() / 'decoded' / name}")
        else:  # the book's pickle, or a cache folder that cannot be written
            lines.append(f"{title}: no shared decoded copy (each session holds the images in its memory)")
    return lines


def is_cached(name: str, data_dir=None) -> bool:
    """Whether ``load_dataset(name, data_dir, download=False)`` finds its files (present,
    of the published size in the cache; not yet read or hashed)."""
    if name == "sample":
        from nnsim.data.sample import sample_path

        return sample_path().is_file()
    src = source(name)
    if data_dir is not None:
        folder = user_path(data_dir, "--data-dir")
        return all(cache.find_idx(folder, src).values()) or cache.find_pickle(folder, src) is not None
    return _cached_form(src, cache.dataset_dir(name)) is not None


def fetch(name: str, mirror: Optional[str] = None, progress: Optional[bool] = None, timeout=None,
          force: bool = False) -> list[Path]:
    """Download ``name`` into the cache unless it is there; returns the cached files.

    Tries the four IDX files from each mirror in turn and, for MNIST, the
    book's mnist.pkl.gz after them.
    """
    from nnsim.data.download import TIMEOUT

    from nnsim.data.lock import dataset_lock

    src = source(name)
    folder = cache.dataset_dir(name)
    if not force:
        present = _cached_form(src, folder)
        if present:
            return present
    with dataset_lock(folder):
        if not force:  # another nnsim may have fetched it while this one waited
            present = _cached_form(src, folder)
            if present:
                return present
        return _fetch_locked(src, folder, mirror, progress, timeout or TIMEOUT, force)


def _fetch_locked(src: Source, folder: Path, mirror, progress, timeout, force: bool) -> list[Path]:
    from nnsim.data.download import download

    mirrors = mirror_urls(src, mirror)
    failures = []
    try:
        for file in src.idx_files:
            dest = folder / file.name
            if force or not _has(dest, file):
                download(file, [base + file.name for base in mirrors], dest, timeout, progress)
        return [folder / f.name for f in src.idx_files]
    except NnsimError as error:
        if _is_disk_error(error):
            raise  # not a network problem: another mirror would not help
        failures.append(str(error))
        if src.pickle is None:
            raise _unavailable(src, failures) from None
    pickle_urls = [mirrors[0] + src.pickle.name] if _chosen_mirror(src, mirror) else list(src.pickle_urls)
    if not pickle_urls:
        raise _unavailable(src, failures)
    try:
        return [download(src.pickle, pickle_urls, folder / src.pickle.name, timeout, progress)]
    except NnsimError as error:
        failures.append(str(error))
        raise _unavailable(src, failures) from None


def mirror_urls(src: Source, mirror: Optional[str] = None) -> list[str]:
    """Base URLs to try, each ending in '/': a chosen mirror alone, else the built-in list."""
    chosen = _chosen_mirror(src, mirror)
    if chosen:
        if not chosen.startswith(("http://", "https://")):
            raise NnsimError(f"mirror {redact_url(chosen)!r}: expected an http:// or https:// URL "
                             f"(for files on this computer use --data-dir)")
        return [chosen.rstrip("/") + "/"]
    return list(src.mirrors)


def verify_cache(name: str) -> list[tuple[str, Optional[DataFile]]]:
    """(published name, report or None if absent) for each file of ``name`` in the cache."""
    src = source(name)
    folder = cache.dataset_dir(name)
    files = list(src.idx_files) + ([src.pickle] if src.pickle else [])
    return [(f.name, cache.report(folder / f.name, f) if (folder / f.name).is_file() else None) for f in files]


# -- the cache ----------------------------------------------------------------------------

def _chosen_mirror(src: Source, mirror: Optional[str]) -> Optional[str]:
    if mirror:
        return mirror
    if src.name == "mnist":
        return os.environ.get(MIRROR_ENV) or None
    return None


def _has(path: Path, file) -> bool:
    return path.is_file() and (file.size is None or path.stat().st_size == file.size)


def _cached_form(src: Source, folder: Path) -> Optional[list[Path]]:
    """The cached files load_dataset would read: the four IDX files, else the pickle."""
    idx_paths = [folder / f.name for f in src.idx_files]
    if all(_has(p, f) for p, f in zip(idx_paths, src.idx_files)):
        return idx_paths
    if src.pickle is not None and _has(folder / src.pickle.name, src.pickle):
        return [folder / src.pickle.name]
    return None


def _verify_cached(src: Source, folder: Path, repair: bool, **download_options) -> None:
    """Check the cached files' MD5s; re-download a damaged one when allowed."""
    from nnsim.data.download import md5_of

    for path in _cached_form(src, folder) or []:
        published = src.published(path.name)
        if md5_of(path) == published.md5:
            continue
        rejected = quarantine(path, "does not match the published MD5")
        if not repair:
            raise NnsimError(f"{path}: does not match the published MD5, so it was moved aside to "
                             f"{rejected.name} (delete it when you no longer need it): run "
                             f"'nnsim data download' again, {OFFLINE_HINT}")
        fetch(src.name, **download_options)
        return _verify_cached(src, folder, repair=False)


def verified_in_cache(name: str) -> bool:
    """Whether the cache holds ``name``'s files with their published MD5s; a file that
    fails is moved aside (``NAME.rejected``), so the next download starts clean."""
    src = source(name)
    folder = cache.dataset_dir(name)
    if not _cached_form(src, folder):
        return False
    try:
        _verify_cached(src, folder, repair=False)
    except NnsimError:
        return False
    return True


def _is_disk_error(error: NnsimError) -> bool:
    return str(error).startswith(("cannot write", "cannot create"))


def _unavailable(src: Source, failures: list[str]) -> DataMissing:
    hint = (f"check the network, point --mirror{' (or ' + MIRROR_ENV + ')' if src.name == 'mnist' else ''} "
            f"at another copy, use --data-dir with local files, {OFFLINE_HINT}")
    return DataMissing(f"{src.title} is unavailable: {'; then '.join(failures)}. To go on: {hint}", src.title,
                       src.name)


# -- reading a folder ---------------------------------------------------------------------

def _load_folder(src: Source, folder: Path, validation_size: Optional[int], local: bool) -> Splits:
    if not folder.is_dir():
        raise NnsimError(f"{folder}: no such folder")
    found = cache.find_idx(folder, src)
    pickle_path = cache.find_pickle(folder, src)
    where = "local" if local else "cached"
    if all(found.values()):
        train_images = _pixel_rows(src, found["train_images"])
        train_labels = idx.read_labels(found["train_labels"])
        test_images = _pixel_rows(src, found["test_images"])
        test_labels = idx.read_labels(found["test_labels"])
        _agree(found["train_images"], train_images, found["train_labels"], train_labels)
        _agree(found["test_images"], test_images, found["test_labels"], test_labels)
        training_x = train_images
        test = Dataset.from_labels(test_images, test_labels)
        paths = list(found.values())
        splits = _split(training_x, train_labels, test, validation_size, found["train_images"],
                        f"{src.title}, {where} IDX files in {folder}")
    elif pickle_path is not None:
        splits = _load_pickle(src, pickle_path, validation_size, where)
        paths = [pickle_path]
    else:
        missing = [getattr(src, role).name for role, p in found.items() if p is None]
        expected = (f"the IDX files {', '.join(missing)} (gzipped or not)"
                    + (f" or {src.pickle.name}" if src.pickle else ""))
        raise DataMissing(f"{folder}: no {src.title} files here: expected {expected}", src.title, src.name)
    files = [cache.report(p, src.published(p.name)) for p in paths] if local else []
    return splits.with_files(files)


def _pixel_rows(src: Source, path: Path) -> PixelRows:
    """The images as uint8 rows read as floats, memory-mapped from a decoded copy
    written once (see :mod:`nnsim.data.decoded`), so no process holds them as float32."""
    def read(p: Path) -> np.ndarray:
        images = idx.read_images(p)
        if images.shape[1:] != (28, 28):
            _agree(p, images, p, np.empty(len(images)))
        return images
    return PixelRows(decoded_images(path, cache.cache_root() / "decoded" / src.name, read))


def _agree(images_path: Path, images, labels_path: Path, labels: np.ndarray) -> None:
    if len(images) != len(labels):
        raise NnsimError(f"{labels_path}: {len(labels):,} labels but {images_path.name} has {len(images):,} images")
    if images.shape[1:] not in ((28, 28), (784,)):
        raise NnsimError(f"{images_path}: images are {images.shape[1]} × {images.shape[2]} pixels, "
                         f"expected 28 × 28 like MNIST's")


def _split(x: np.ndarray, labels: np.ndarray, test: Dataset, validation_size: Optional[int],
           train_path, description: str) -> Splits:
    """The book's split: the last ``validation_size`` training examples become the validation set."""
    n = len(x)
    v = VALIDATION_SIZE if validation_size is None else validation_size
    if v >= n:
        raise NnsimError(f"{train_path}: {n:,} training examples cannot spare {v:,} for validation; "
                         f"use --validation-size below {n:,} (0 for none)")
    everything = Dataset.from_labels(x, labels)
    training = everything.rows(0, n - v)
    validation = everything.rows(n - v, n) if v else None
    sizes = f"{len(training):,} / {v:,} / {len(test):,}"
    return Splits(training, validation, test, f"{description}: {sizes}")


def _load_pickle(src: Source, path: Path, validation_size: Optional[int], where: str) -> Splits:
    """The book's mnist.pkl.gz: ((x, labels) training, validation, test), read without running code."""
    from nnsim.data.safe_pickle import load_arrays

    data = load_arrays(path)
    parts = _pickle_parts(path, data)
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = parts
    x = np.concatenate([tr_x, va_x]).astype(np.float32, copy=False)
    labels = np.concatenate([tr_y, va_y])
    test = Dataset.from_labels(np.asarray(te_x, dtype=np.float32), te_y)
    if validation_size is None:
        validation_size = len(va_x)
    return _split(x, labels, test, validation_size, path, f"{src.title}, the book's pickle ({where}) {path}")


def _pickle_parts(path: Path, data) -> list[tuple[np.ndarray, np.ndarray]]:
    """Check the book's layout: three (images (n, 784) in [0, 1], labels (n,) 0–9) pairs."""
    names = ("training", "validation", "test")
    if not isinstance(data, (tuple, list)) or len(data) != 3:
        raise NnsimError(f"{path}: expected the book's (training, validation, test) tuple")
    parts = []
    for name, part in zip(names, data):
        if not isinstance(part, (tuple, list)) or len(part) != 2:
            raise NnsimError(f"{path}: the {name} set is not an (images, labels) pair")
        x, y = (np.asarray(a) for a in part)
        if x.ndim != 2 or x.shape[1] != 784 or x.dtype.kind != "f":
            raise NnsimError(f"{path}: {name} images should be an (n, 784) float array, got {x.shape} {x.dtype}")
        if y.shape != (len(x),) or y.dtype.kind not in "iu":
            raise NnsimError(f"{path}: {name} labels should be {len(x):,} integers, got {y.shape} {y.dtype}")
        if len(x) and (not np.isfinite(x).all() or x.min() < 0 or x.max() > 1):
            raise NnsimError(f"{path}: {name} pixels should lie in [0, 1]")
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise NnsimError(f"{path}: {name} labels should be digits 0–9")
        parts.append((x, y.astype(np.int64)))
    return parts


__all__ = ["DATASETS", "Splits", "VALIDATION_SIZE", "fetch", "is_cached", "load_dataset", "mirror_urls",
           "verify_cache"]
