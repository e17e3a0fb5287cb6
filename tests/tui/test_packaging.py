"""The app's stylesheets ship in the wheel: every .tcss under nnsim/tui is covered by
pyproject's package-data (a missing one would only fail after ``pip install .``)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import nnsim.tui

ROOT = Path(__file__).resolve().parents[2]


def test_every_stylesheet_is_package_data():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    tui = Path(nnsim.tui.__file__).parent
    sheets = sorted(tui.rglob("*.tcss"))
    assert sheets
    for sheet in sheets:
        package = ".".join(sheet.parent.relative_to(tui.parents[1]).parts)
        patterns = package_data.get(package, [])
        assert any(fnmatch.fnmatch(sheet.name, p) for p in patterns), f"{sheet} is not in package-data[{package!r}]"
        assert (sheet.parent / "__init__.py").exists(), f"{sheet.parent} is not a package"
