"""nnsim: see a neural network learn.

An educational simulator of chapter 1 of *Neural Networks and Deep Learning*.
The book's own names work here: ``from nnsim import Network`` gives the
chapter's ``Network`` class, backed by a fast matrix implementation.
"""

__version__ = "0.1.0"

import os

# One BLAS thread unless the user says otherwise (read once, when numpy loads its
# OpenBLAS, so this must come before the first numpy import). The chapter's
# matrices are small: on [784, 30, 10] with mini-batches of 10 a second thread
# made an epoch no faster in float32 and slower in float64 (0.54 s against
# 0.43 s), spinning a core all the while (benchmarks/bench_fashion_mnist.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from nnsim.core.network import Network  # noqa: E402  (the book's import)

__all__ = ["Network", "__version__"]
