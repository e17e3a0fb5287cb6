"""What the training screen remembers across app sessions, in the user's config folder
($XDG_CONFIG_HOME/nnsim, else ~/.config/nnsim): for now, the answer to the download
dialog, so that choosing the offline sample is not asked again on every start.

Under ``nnsim serve`` the folder is the server's, shared by every client, so a served
session keeps its answers in its host instead (``session``: :attr:`Host.preferences`, a
dict that lives as long as the browser session); nothing a client chooses is written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Optional

FILE = "preferences.json"
CHOICES = ("sample", "download")


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "nnsim"


def _read() -> dict:
    try:
        data = json.loads((config_dir() / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def kept_where(session: Optional[dict] = None) -> str:
    """Where the answers are kept, for the sentence that says so."""
    return "for this session only" if session is not None else f"kept in {config_dir()}"


def remembered_dataset_choice(dataset: str, session: Optional[dict] = None) -> Optional[str]:
    """"sample" or "download" as last answered for ``dataset``, else None (from ``session``
    if given, else the config folder)."""
    choices = (session if session is not None else _read()).get("dataset_choice")
    choice = choices.get(dataset) if isinstance(choices, dict) else None
    return choice if choice in CHOICES else None


def remember_dataset_choice(dataset: str, choice: str, session: Optional[dict] = None) -> bool:
    """Keep the answer in ``session`` if given, else in the config folder (atomically);
    False if the folder cannot be written."""
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {CHOICES}, got {choice!r}")
    if session is not None:
        session.setdefault("dataset_choice", {})[dataset] = choice
        return True
    data = _read()
    choices = data.get("dataset_choice") if isinstance(data.get("dataset_choice"), dict) else {}
    data["dataset_choice"] = {**choices, dataset: choice}
    folder = config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{FILE}.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
        os.replace(temporary, folder / FILE)
        return True
    except OSError:
        return False
