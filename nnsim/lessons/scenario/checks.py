"""The parser's building blocks: a TOML table that reports unknown keys, and checks of
single values that each turn a mistake into one line naming the file and key path."""

from __future__ import annotations

import difflib
import json
import math
from typing import Any, Callable, Mapping, Optional

from nnsim.errors import NnsimError
from nnsim.lessons.scenario.schema import LIMITS, _BARE_KEY, _TOP_KEYS


# -- showing what was found -----------------------------------------------------------

def show(value: Any, limit: int = 60) -> str:
    """A value as it would appear in the file, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, float):
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, (list, tuple)):
        parts, total = [], 0
        for item in value:
            piece = show(item, limit)
            total += len(piece) + 2
            if total > limit:
                parts.append("…")
                break
            parts.append(piece)
        text = "[" + ", ".join(parts) + "]"
    elif isinstance(value, Mapping):
        text = "a table"
    else:
        text = f"a {type(value).__name__.replace('_', ' ')}"  # dates and times
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the parser -----------------------------------------------------------------------

_MISSING = object()


class _Table:
    """One TOML table being read: remembers the keys asked for so that the rest can be
    reported as unknown, with a "did you mean" from the keys this table allows."""

    def __init__(self, parser: "_Parser", data: Any, where: str, allowed: tuple[str, ...]):
        self.parser, self.where, self.allowed = parser, where, allowed
        if not isinstance(data, Mapping):
            parser.fail(where, "a table", data)
        self.data = data
        unknown = [k for k in data if k not in allowed]
        if unknown:
            key = unknown[0]
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (allowed: {', '.join(allowed)})"
            if where and key in _TOP_KEYS and not hint:
                # TOML puts every key after a [table] header into that table.
                suggestion = f" ({key} is a top-level key: put it above the first [table])"
            raise NnsimError(f"{parser.label}: {self.path(key)}: unknown key{suggestion}")

    def path(self, key: str) -> str:
        if not _BARE_KEY.match(key):
            key = json.dumps(key)  # as TOML would quote it, and never a line break in a message
        return f"{self.where}.{key}" if self.where else key

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, check: Callable[[Any, str], Any], default: Any = _MISSING) -> Any:
        if key not in self.data:
            if default is _MISSING:
                raise NnsimError(f"{self.parser.label}: {self.path(key)}: missing (required)")
            return default
        return check(self.data[key], self.path(key))


class _Parser:
    def __init__(self, label: str):
        self.label = label

    def fail(self, where: str, expected: str, got: Any) -> None:
        raise NnsimError(f"{self.label}: {where}: expected {expected}, got {show(got)}")

    def error(self, where: str, message: str) -> None:
        raise NnsimError(f"{self.label}: {where}: {message}")

    # -- scalar checks; each takes (value, key path) and returns the clean value --

    def string(self, max_chars: int, single_line: bool = False):
        what = f"a {'one-line ' if single_line else ''}string of 1 to {max_chars} characters"

        def check(v, where):
            if not isinstance(v, str) or not v.strip() or len(v) > max_chars or (single_line and "\n" in v):
                self.fail(where, what, v)
            return v.strip()
        return check

    def choice(self, options: tuple[str, ...]):
        def check(v, where):
            if not isinstance(v, str):
                self.fail(where, "one of " + ", ".join(f'"{o}"' for o in options), v)
            if v not in options:
                hint = difflib.get_close_matches(v, options, n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                raise NnsimError(f"{self.label}: {where}: expected one of "
                                 f"{', '.join(options)}, got {show(v)}{suggestion}")
            return v
        return check

    def integer(self, lo: int, hi: int, what: Optional[str] = None):
        def check(v, where):
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                self.fail(where, what or f"an integer from {lo:,} to {hi:,}", v)
            return v
        return check

    def number(self, lo: float = -LIMITS["magnitude"], hi: float = LIMITS["magnitude"],
               what: Optional[str] = None, positive: bool = False, nonzero: bool = False):
        what = what or (f"a number above 0 and at most {hi:g}" if positive
                        else f"a number from {lo:g} to {hi:g}" + (", not 0" if nonzero else ""))

        def check(v, where):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.fail(where, what, v)
            if isinstance(v, float) and not math.isfinite(v):
                self.fail(where, "a finite number", v)
            if not lo <= v <= hi or (positive and v <= 0) or (nonzero and v == 0):
                self.fail(where, what, v)
            return float(v)
        return check

    def less_than(self, t: "_Table", where: str, out: dict) -> None:
        """A description saying "less than" promises an upper bound: only a lower one
        (``at_least``) checks the opposite side, as in "moves by less than 0.02" written
        ``at_least = -0.02``. Magnitudes ("by less than") need both sides: ``within``."""
        text = (out.get("description") or "").lower()
        if "less than" not in text or out.get("equals") is not None or out.get("within") is not None:
            return
        if out.get("at_most") is None or ("by less than" in text and out.get("at_least") is None):
            self.error(where, "the description says \"less than\" but the bound is one-sided "
                       f"({'at_least' if out.get('at_most') is None else 'at_most'} only): give within = N "
                       "for |value| < N (or at_most for an upper bound)")

    def boolean(self, v, where):
        if not isinstance(v, bool):
            self.fail(where, "true or false", v)
        return v

    def step_ref(self, v, where):
        """A step: an index from 0, or a title (exact, or a pattern with *)."""
        if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, int) and not 0 <= v <= 10**6) \
                or (isinstance(v, str) and not 0 < len(v.strip()) <= LIMITS["title_chars"]):
            self.fail(where, "a step index (from 0) or a step title", v)
        return v.strip() if isinstance(v, str) else v

    def numbers(self, where: str, v: Any, length: Optional[int] = None, lo: float = -LIMITS["magnitude"],
                hi: float = LIMITS["magnitude"], max_len: int = LIMITS["list_entries"], min_len: int = 0,
                what: Optional[str] = None) -> tuple[float, ...]:
        if length is not None:
            what = what or f"a list of {length} number{'s' if length != 1 else ''} from {lo:g} to {hi:g}"
        else:
            what = what or f"a list of {min_len} to {max_len} numbers from {lo:g} to {hi:g}"
        if not isinstance(v, list) or (length is not None and len(v) != length) \
                or not min_len <= len(v) <= max_len:
            self.fail(where, what, v)
        for item in v:
            if isinstance(item, float) and not math.isfinite(item):
                self.fail(where, "finite numbers", v)
            if isinstance(item, bool) or not isinstance(item, (int, float)) or not lo <= item <= hi:
                self.fail(where, what, v)
        return tuple(float(item) for item in v)

    def bits(self, where: str, v: Any, length: int) -> tuple[int, ...]:
        what = f"a list of {length} bits (0 or 1)"
        if not isinstance(v, list) or len(v) != length or \
                any(isinstance(b, bool) or b not in (0, 1) or isinstance(b, float) for b in v):
            self.fail(where, what, v)
        return tuple(int(b) for b in v)

    def rows(self, where: str, v: Any, width: int) -> tuple[tuple[int, ...], ...]:
        if not isinstance(v, list) or not 1 <= len(v) <= LIMITS["rows"]:
            self.fail(where, f"a list of 1 to {LIMITS['rows']} input rows of {width} bits", v)
        return tuple(self.bits(where, row, width) for row in v)

    def tables(self, where: str, v: Any, max_len: int) -> list:
        if not isinstance(v, list) or not all(isinstance(t, Mapping) for t in v):
            self.fail(f"[[{where}]]", "an array of tables", v)
        if len(v) > max_len:
            self.error(f"[[{where}]]", f"at most {max_len} entries allowed, got {len(v)}")
        return v
