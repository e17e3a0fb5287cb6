"""The lesson library: the bundled lessons, and reading one file by path or by name."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Union

from nnsim.errors import NnsimError
from nnsim.lessons.scenario.parse import parse_scenario
from nnsim.lessons.scenario.paths import bundled_dir, bundled_names, label as _label
from nnsim.lessons.scenario.schema import LIMITS, SECTIONS, Scenario
from nnsim.lessons.scenario.toml_guard import check_toml_shape


def bundled_scenarios() -> list[Scenario]:
    """Every bundled lesson, in the chapter's order: by section, then ``order``, then name."""
    scenarios = [load_scenario(p) for p in sorted(bundled_dir().glob("*.toml"))]
    sections = list(SECTIONS)
    return sorted(scenarios, key=lambda s: (sections.index(s.section_id), s.order, s.name))


def resolve_path(path_or_name: Union[str, Path]) -> Path:
    """A file path as given, or the bundled lesson of that name (``nand`` → scenarios/nand.toml)."""
    text = str(path_or_name)
    path = Path(text)
    looks_like_path = isinstance(path_or_name, Path) or "/" in text or "\\" in text or text.endswith(".toml")
    if looks_like_path or path.exists():
        if not path.is_file():
            raise NnsimError(f"{text}: no such scenario file")
        return path
    candidate = bundled_dir() / f"{text}.toml"
    if candidate.is_file():
        return candidate
    names = bundled_names()
    hint = difflib.get_close_matches(text, names, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else " (nnsim list shows them)"
    raise NnsimError(f"{text}: no such scenario file or bundled lesson{suggestion}")


def load_scenario(path_or_name: Union[str, Path]) -> Scenario:
    """Read and validate one scenario file, given by path or by bundled lesson name."""
    path = resolve_path(path_or_name)
    label = _label(path)
    try:
        size = path.stat().st_size
        if size > LIMITS["file_bytes"]:
            raise NnsimError(f"{label}: file is {size:,} bytes; a scenario may be at most "
                             f"{LIMITS['file_bytes']:,}")
        data = path.read_bytes()
    except OSError as error:
        raise NnsimError(f"{label}: cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NnsimError(f"{label}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                         f"{error.start})") from None
    check_toml_shape(text, label)  # before tomllib: its cost grows with the square of a key's depth
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise NnsimError(f"{label}: invalid TOML: {error}") from None
    except RecursionError:
        raise NnsimError(f"{label}: invalid TOML: nested too deeply") from None
    return parse_scenario(raw, path, path.stem)
