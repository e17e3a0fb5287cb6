"""A cheap look at a lesson file's shape before ``tomllib`` parses it.

tomllib's cost grows with the square of a dotted key's depth: it records every
prefix of ``a.a.a…`` as it goes, so an 80 KB line of one dotted key took 38 s and
6.3 GB (measured: 4,000 parts, 8 KB, cost 1.2 s and 62 MB; doubling the parts
quadruples both). Its cost per structural item (key, array entry, table) is
linear, about 5–8 µs each, so a 1 MB file of ``[1,1,1,…]`` costs seconds. This
scan is one linear pass of two regular expressions (no backtracking: atomic
groups) that refuses, with one line, keys deeper than any lesson needs and more
items than any lesson holds, before tomllib sees them.
"""

from __future__ import annotations

import re

from nnsim.errors import NnsimError

# The deepest key a lesson uses is three parts (e.g. network.training.epochs in
# a table); the largest bundled lesson has a few hundred items.
MAX_KEY_PARTS = 8
MAX_ITEMS = 50_000

_PART = r"""(?>[A-Za-z0-9_-]+|"[^"\n]{0,200}"|'[^'\n]{0,200}')"""
_DEEP_KEY = re.compile(rf"(?>{_PART}[ \t]*\.[ \t]*){{{MAX_KEY_PARTS},}}{_PART}")


def check_toml_shape(text: str, label: str) -> None:
    """Raise NnsimError if ``text`` holds a dotted key of more than MAX_KEY_PARTS parts
    or more than MAX_ITEMS keys, entries and tables (a bound on tomllib's time and memory)."""
    deep = _DEEP_KEY.search(text)
    if deep:
        line = text.count("\n", 0, deep.start()) + 1
        raise NnsimError(f"{label}: line {line}: a dotted key of more than {MAX_KEY_PARTS} parts; lesson keys "
                         f"are at most a few deep (this limit keeps the TOML parser's memory bounded)")
    items = sum(text.count(c) for c in "=,[{\n")
    if items > MAX_ITEMS:
        raise NnsimError(f"{label}: {items:,} keys, entries and lines, more than the {MAX_ITEMS:,} any lesson "
                         f"needs; split it or use fewer rows")
