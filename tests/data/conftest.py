"""Fixtures for the data tests: generated IDX datasets, a real HTTP mirror on 127.0.0.1,
and a dataset catalogue whose published sizes and MD5s are those generated files'.

Nothing here touches the network beyond loopback or the user's real cache:
every test gets its own ``$NNSIM_DATA_DIR`` under ``tmp_path``.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest

from nnsim.data import sources
from nnsim.data.idx import write_idx
from nnsim.data.sources import RemoteFile, Source


@dataclass
class Generated:
    """A tiny MNIST-shaped dataset written as the four gzipped IDX files."""

    folder: Path
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.folder.iterdir())}


def make_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Learnable 28 × 28 "digits": ten fixed blob patterns plus noise, as uint8."""
    rng = np.random.default_rng(seed)
    prototypes = (np.random.default_rng(99).random((10, 28, 28)) < 0.25) * 230
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = np.clip(prototypes[labels] + rng.normal(0, 30, (n, 28, 28)), 0, 255).astype(np.uint8)
    return images, labels


def write_dataset(folder: Path, n_train: int = 120, n_test: int = 40, gz: bool = True) -> Generated:
    folder.mkdir(parents=True, exist_ok=True)
    tri, trl = make_digits(n_train, 1)
    tei, tel = make_digits(n_test, 2)
    suffix = ".gz" if gz else ""
    write_idx(folder / f"train-images-idx3-ubyte{suffix}", tri)
    write_idx(folder / f"train-labels-idx1-ubyte{suffix}", trl)
    write_idx(folder / f"t10k-images-idx3-ubyte{suffix}", tei)
    write_idx(folder / f"t10k-labels-idx1-ubyte{suffix}", tel)
    return Generated(folder, tri, trl, tei, tel)


def published(path: Path) -> RemoteFile:
    data = path.read_bytes()
    return RemoteFile(path.name, len(data), hashlib.md5(data).hexdigest())


@pytest.fixture
def generated(tmp_path) -> Generated:
    return write_dataset(tmp_path / "generated")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """Every test downloads into its own cache, and no mirror is preset."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("NNSIM_DATA_DIR", str(cache))
    monkeypatch.delenv("NNSIM_MNIST_MIRROR", raising=False)
    monkeypatch.delenv("NNSIM_DATASET", raising=False)
    return cache


@dataclass
class Route:
    """What the server does for one path."""

    body: bytes = b""
    status: int = 200
    delay: float = 0.0  # seconds before answering
    cut_after: int | None = None  # send this many bytes of the body, then close
    stall_after: int | None = None  # send this many bytes, then go silent for stall seconds
    stall: float = 0.0
    ranges: bool = True  # honour Range requests
    headers: dict = field(default_factory=dict)


class Mirror:
    """A real HTTP server on 127.0.0.1 (a port the OS picks), serving ``routes``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first, as the timeout tests intend

            def do_GET(self) -> None:
                mirror.requests.append((self.path, dict(self.headers)))
                route = mirror.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                time.sleep(route.delay)
                body, status, start = route.body, route.status, 0
                range_header = self.headers.get("Range")
                if range_header and route.ranges and status == 200:
                    start = int(range_header.removeprefix("bytes=").split("-")[0])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) - start))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                payload = body[start:]
                if route.cut_after is not None and not (range_header and route.ranges):
                    self.wfile.write(payload[:route.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if route.stall_after is not None:
                    self.wfile.write(payload[:route.stall_after])
                    self.wfile.flush()
                    time.sleep(route.stall)
                    self.close_connection = True
                    return
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def serve(self, prefix: str, files: dict[str, bytes], **options) -> str:
        """Serve ``files`` under ``/prefix/``; returns that base URL."""
        for name, body in files.items():
            self.routes[f"/{prefix}/{name}"] = Route(body=body, **options)
        return f"{self.url}/{prefix}/"

    def hits(self, prefix: str) -> list[str]:
        return [path for path, _ in self.requests if path.startswith(f"/{prefix}/")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror():
    server = Mirror()
    yield server
    server.close()


@pytest.fixture
def fake_mnist(generated, monkeypatch):
    """Make "mnist" mean the generated files: their sizes and MD5s become the published ones,
    and the mirrors are set by each test (none by default, so nothing leaves the machine)."""

    def install(mirrors=(), pickle: Path | None = None, pickle_urls=()) -> Source:
        src = replace(
            sources.MNIST,
            train_images=published(generated.folder / "train-images-idx3-ubyte.gz"),
            train_labels=published(generated.folder / "train-labels-idx1-ubyte.gz"),
            test_images=published(generated.folder / "t10k-images-idx3-ubyte.gz"),
            test_labels=published(generated.folder / "t10k-labels-idx1-ubyte.gz"),
            mirrors=tuple(mirrors),
            pickle=published(pickle) if pickle else replace(sources.MNIST.pickle, size=None),
            pickle_urls=tuple(pickle_urls),
        )
        monkeypatch.setitem(sources.SOURCES, "mnist", src)
        return src

    install()
    return install


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def write_book_pickle(generated: Generated, path: Path) -> tuple:
    """The book's ``mnist.pkl.gz`` made of the generated digits (80 / 40 / 40, pixels / 256), written to ``path``."""
    import pickle

    images = generated.train_images.reshape(-1, 784).astype(np.float32) / 256
    book = ((images[:80], generated.train_labels[:80].astype(np.int64)),
            (images[80:], generated.train_labels[80:].astype(np.int64)),
            (generated.test_images.reshape(-1, 784).astype(np.float32) / 256, generated.test_labels.astype(np.int64)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip_bytes(pickle.dumps(book, protocol=2)))
    return book
