"""Where the lesson library lives, and how messages name a lesson's file."""

from __future__ import annotations

from pathlib import Path


def bundled_dir() -> Path:
    """The folder of the lessons shipped with nnsim: ``nnsim/scenarios/`` inside an
    installed wheel, ``scenarios/`` at the root of a source checkout (and of an
    editable install, where setup.py's mapping is not a real folder)."""
    package = Path(__file__).resolve().parents[2]
    installed = package / "scenarios"
    return installed if installed.is_dir() else package.parent / "scenarios"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.toml"))


def label(path: Path) -> str:
    """Bundled lessons are named ``scenarios/x.toml`` wherever they are installed."""
    try:
        if path.resolve().parent == bundled_dir().resolve():
            return f"scenarios/{path.name}"
    except OSError:
        pass
    return str(path)
