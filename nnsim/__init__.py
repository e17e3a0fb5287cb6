"""nnsim: see a neural network learn.

An educational simulator of chapter 1 of *Neural Networks and Deep Learning*.
The book's own names work here: ``from nnsim import Network`` gives the
chapter's ``Network`` class, backed by a fast matrix implementation.
"""

__version__ = "0.1.0"

from nnsim.core.network import Network  # noqa: E402  (the book's import)

__all__ = ["Network", "__version__"]
