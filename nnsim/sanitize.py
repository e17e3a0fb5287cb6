"""The one filter for text that came from outside (lesson files, file names,
mirror replies, URLs) on its way to a terminal.

A terminal obeys control characters: ESC starts sequences that write the
clipboard (OSC 52), set the window title or clear the screen, and the 8-bit C1
codes (U+0080–U+009F) do the same on terminals that honour them. So every C0
control except newline and tab, DEL, ESC and every C1 code becomes a visible
``\\xNN`` escape: the reader still sees that something odd was there.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def sanitize(text: object, single_line: bool = False) -> str:
    """``text`` (any object, through ``str``) with terminal control characters made visible.

    ``single_line`` also escapes newlines and tabs, for text that must stay on
    one line (an error line, a title, a status line).
    """
    text = str(text)
    out = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if single_line:
        out = out.replace("\n", "\\n").replace("\t", " ")
    return out


def redact_url(url: str) -> str:
    """``url`` without the user name and password it may carry (``https://user:secret@host/``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@]*@", "//", url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def redact_urls(text: str) -> str:
    """Every ``scheme://user:password@`` in ``text`` with the credentials replaced by ``***``."""
    return re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@", r"\1***@", text)


def json_line(line: str) -> str:
    """A JSON text safe for a terminal: ``json.dumps(ensure_ascii=False)`` already
    escapes C0 controls but writes DEL and C1 codes raw; they become ``\\u00NN``
    (legal only inside strings, which is the only place they can be)."""
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", line)
