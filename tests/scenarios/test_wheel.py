"""The lessons ship inside the wheel, and an installed nnsim finds them there."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build the wheel from a copy of the tree, offline (no isolated build environment)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("nnsim", "scenarios"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (path,) = out.glob("nnsim-*.whl")
    return path


def test_the_wheel_contains_every_scenario(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(p.name for p in (ROOT / "scenarios").glob("*.toml"))
    assert shipped and all(f"nnsim/scenarios/{name}" in names for name in shipped)
    for name in shipped:
        assert zipfile.ZipFile(wheel).read(f"nnsim/scenarios/{name}") == (ROOT / "scenarios" / name).read_bytes()


def test_an_installed_nnsim_lists_and_runs_them(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import nnsim.lessons as l; "
            "assert l.bundled_dir() == __import__('pathlib').Path(sys.argv[1], 'nnsim', 'scenarios'), l.bundled_dir(); "
            "from nnsim.cli import main; sys.exit(main(['run', 'xor']))")
    done = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "XOR from four NAND gates  [circuit, scenarios/xor.toml]" in done.stdout
