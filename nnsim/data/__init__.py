"""Datasets for nnsim: MNIST, Fashion-MNIST and an offline sample of real digits.

    from nnsim.data import load_dataset
    training, validation, test, source = load_dataset("mnist")

Files are downloaded from maintained mirrors into a cache and accepted only
when their size and published MD5 match; a folder of local files works with no
network (``data_dir=``); the bundled sample works everywhere. Every failure is
an :class:`~nnsim.errors.NnsimError` with one line saying what to do. The book's
own loader API is :mod:`nnsim.mnist_loader`.
"""

from nnsim.data.cache import cache_root, dataset_dir
from nnsim.data.mnist import DATASETS, VALIDATION_SIZE, Splits, fetch, is_cached, load_dataset, verify_cache
from nnsim.data.sample import sample_path

__all__ = ["DATASETS", "VALIDATION_SIZE", "Splits", "cache_root", "dataset_dir", "fetch", "is_cached",
           "load_dataset", "sample_path", "verify_cache"]
