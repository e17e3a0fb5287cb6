"""What the classroom server checks before it starts an app for a browser.

- **Origin.** A browser always says which page opened a websocket. Only the
  server's own pages (same scheme, host and port as the request) and origins
  the teacher adds with ``--allow-origin`` may start a session, so a web page
  the teacher (or a student) happens to visit cannot drive the server.
- **Host name.** DNS rebinding makes a foreign site's name point at this
  machine, so its pages look same-origin. The ``Host`` a browser used must be an
  IP address, ``localhost``, this computer's own name (``NAME``, ``NAME.local``,
  its FQDN) or a host of an ``--allow-origin``.
- **Session data over HTTP.** A download (a saved network, an export) is
  served only to a request with a known ``Host`` whose ``Origin`` and
  ``Sec-Fetch-Site`` (when the browser sends them) say it came from this
  server's own pages.
- **Terminal size.** Every width and height a client sends is capped
  (:data:`MAX_COLUMNS` × :data:`MAX_ROWS`): a 20000×20000 terminal would make
  the app draw 400 million cells.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Iterable, Optional
from urllib.parse import urlsplit

from nnsim.errors import NnsimError

MAX_COLUMNS = 300
MAX_ROWS = 120
MIN_COLUMNS, MIN_ROWS = 20, 6


def cap_size(width, height) -> tuple[int, int]:
    """A client's terminal size, as whole numbers within the caps (80×24 when not numbers)."""
    def whole(value, default: int) -> int:
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):
            return default
    return (min(max(whole(width, 80), MIN_COLUMNS), MAX_COLUMNS),
            min(max(whole(height, 24), MIN_ROWS), MAX_ROWS))


def normal_origin(url: str) -> str:
    """``scheme://host[:port]`` in lower case, or NnsimError: what ``--allow-origin`` takes."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (parts.scheme not in ("http", "https") or not parts.hostname or port == -1
            or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username):
        raise NnsimError(f"--allow-origin {url}: expected an origin such as http://teacher.example:8000 "
                         f"(scheme, host and port only)")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def own_names() -> set[str]:
    names = {"localhost"}
    for name in (socket.gethostname(), socket.getfqdn()):
        if name:
            name = name.lower().rstrip(".")
            names |= {name, f"{name}.local", name.split(".")[0], f"{name.split('.')[0]}.local"}
    return names


class Guard:
    """The origin and host checks for one server (``allowed``: the ``--allow-origin`` list)."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = {normal_origin(url) for url in allowed}
        self.names = own_names() | {urlsplit(url).hostname or "" for url in self.allowed}

    def known_host(self, host_header: Optional[str]) -> bool:
        """Whether a request's ``Host`` is an address or a name of this server (no rebinding)."""
        if not host_header:
            return False
        host = urlsplit(f"//{host_header}").hostname or ""
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return host.lower().rstrip(".") in self.names

    def same_origin(self, origin: Optional[str], host_header: Optional[str], secure: bool) -> bool:
        """Whether a websocket's ``Origin`` is the server's own page or an allowed origin."""
        if not origin or not host_header:
            return False  # every browser sends Origin with a websocket
        try:
            origin = normal_origin(origin)
        except NnsimError:
            return False
        if origin in self.allowed:
            return True
        try:
            own = normal_origin(f"{'https' if secure else 'http'}://{host_header}")
        except NnsimError:
            return False
        return origin == own and self.known_host(host_header)

    def same_site_fetch(self, origin: Optional[str], fetch_site: Optional[str], host_header: Optional[str],
                        secure: bool) -> bool:
        """Whether an HTTP request for session data (a download) comes from this server's pages:
        a known ``Host``; an ``Origin``, if the browser sent one, that is the server's own or allowed;
        and no ``Sec-Fetch-Site`` saying another site asked. A download link clicked in the app's
        page is a same-origin navigation: no Origin, ``Sec-Fetch-Site: same-origin``."""
        if not self.known_host(host_header):
            return False
        if origin is not None and not self.same_origin(origin, host_header, secure):
            return False
        return (fetch_site or "").lower() not in ("cross-site", "same-site")

