"""Where each dataset comes from, and what its files must look like when they arrive.

The sizes and MD5 checksums are the ones the datasets' authors publish. A
downloaded file is accepted only if it matches both; a file the user supplies
(``--data-dir``) is checked for structure instead, because redistributors such
as Debian recompress the archives (same pixels, different bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its name on the mirrors, byte size (None if unpublished) and MD5."""

    name: str
    size: Optional[int]
    md5: str


@dataclass(frozen=True)
class Source:
    """A dataset's four IDX files, the mirrors that serve them (tried in order),
    and, for MNIST, the book's own pickle as a last resort."""

    name: str
    title: str
    train_images: RemoteFile
    train_labels: RemoteFile
    test_images: RemoteFile
    test_labels: RemoteFile
    mirrors: tuple[str, ...]
    pickle: Optional[RemoteFile] = None
    pickle_urls: tuple[str, ...] = ()
    licence: str = ""

    @property
    def idx_files(self) -> tuple[RemoteFile, ...]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)

    def published(self, name: str) -> Optional[RemoteFile]:
        """The published file of that name (a plain IDX name matches its .gz)."""
        for f in self.idx_files + ((self.pickle,) if self.pickle else ()):
            if name in (f.name, f.name.removesuffix(".gz")):
                return f
        return None


MNIST = Source(
    name="mnist",
    title="MNIST",
    train_images=RemoteFile("train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    train_labels=RemoteFile("train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432"),
    test_images=RemoteFile("t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3"),
    test_labels=RemoteFile("t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c"),
    # The original host (yann.lecun.com) now answers 403; these serve identical files.
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    # The book's own file: the same digits, already split 50,000 / 10,000 / 10,000.
    # Its size is not published but follows from the MD5: a mirror sending more is refused.
    pickle=RemoteFile("mnist.pkl.gz", 17_051_982, "a02cd19f81d51c426d7ca14024243ce9"),
    pickle_urls=("https://github.com/mnielsen/neural-networks-and-deep-learning/raw/master/data/mnist.pkl.gz",),
    licence="Yann LeCun and Corinna Cortes; Creative Commons Attribution-Share Alike 3.0",
)

FASHION_MNIST = Source(
    name="fashion-mnist",
    title="Fashion-MNIST",
    # Checksums from zalandoresearch/fashion-mnist's README; sizes as its mirrors serve them.
    train_images=RemoteFile("train-images-idx3-ubyte.gz", 26421880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    train_labels=RemoteFile("train-labels-idx1-ubyte.gz", 29515, "25c81989df183df01b3e8a0aad5dffbe"),
    test_images=RemoteFile("t10k-images-idx3-ubyte.gz", 4422102, "bef4ecab320f06d8554ea6380940ec79"),
    test_labels=RemoteFile("t10k-labels-idx1-ubyte.gz", 5148, "bb300cfdad3c16e7a12a480ee83cd310"),
    mirrors=(
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        # The authors' own bucket answers plain HTTP only; the checksums guard the bytes.
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ),
    licence="Zalando SE; MIT licence",
)

SOURCES = {s.name: s for s in (MNIST, FASHION_MNIST)}

# What --dataset accepts, in the order help texts list them.
DATASETS = ("mnist", "fashion-mnist", "sample")

MIRROR_ENV = "NNSIM_MNIST_MIRROR"


def source(name: str) -> Source:
    from nnsim.errors import NnsimError

    if name not in SOURCES:
        raise NnsimError(f"unknown dataset {name!r}: expected one of {', '.join(DATASETS)}")
    return SOURCES[name]
