"""The layers of DESIGN.md, enforced: who may import whom, and no import cycles.

core → data and lessons → shells (cli, tui, serve): arrows point inward only. Two
checks, in the manner of Harlequin's import-hygiene test:

- statically, every import statement of every module under ``nnsim/`` (those inside
  functions too: a lazy import is still a dependency; only ``if TYPE_CHECKING:``
  blocks are left out) is held against :data:`MAY_IMPORT` and :data:`THIRD_PARTY`,
  and the graph of modules must have no cycle;
- at run time, importing every module of a lower layer in a fresh interpreter must
  not load a shell or a UI library.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "nnsim"

# Which nnsim packages each area may import (besides itself). "nnsim" is the root
# package's own modules (errors, sanitize, __init__); mnist_loader is the book's API.
MAY_IMPORT: dict[str, set[str]] = {
    "nnsim": {"core"},  # __init__ re-exports Network
    "core": {"nnsim"},
    "data": {"nnsim", "core"},
    "mnist_loader": {"nnsim", "core", "data"},
    "lessons": {"nnsim", "core", "data"},
    "tui": {"nnsim", "core", "data", "lessons"},
    "serve": {"nnsim", "core", "data", "lessons", "tui"},
    "cli": {"nnsim", "core", "data", "lessons", "tui", "serve", "mnist_loader"},
    "__main__": {"nnsim", "cli"},
}

# Third-party and shell-only modules, and the areas allowed to import them.
THIRD_PARTY: dict[str, set[str]] = {
    "textual": {"tui", "serve"},
    "rich": {"tui", "serve"},
    "textual_serve": {"serve", "cli.serve"},  # cli.serve only asks whether it is installed
    "aiohttp": {"serve"},
    "argparse": {"cli", "serve"},
    "requests": {"data.download"},
    "urllib3": {"data.download"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def area(module: str) -> str:
    """``nnsim.core.network`` → "core"; ``nnsim.errors`` → "nnsim"."""
    parts = module.split(".")
    if len(parts) == 1:
        return "nnsim"
    if (ROOT / parts[1]).is_dir() or parts[1] in ("mnist_loader", "__main__"):
        return parts[1]
    return "nnsim"


def _type_checking_only(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(module: str) -> set[str]:
    """Every module ``module`` imports, by absolute name (a name imported from a
    package counts as its submodule when there is one)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and not _type_checking_only(node, parents):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not _type_checking_only(node, parents):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from package import submodule`` depends on the submodule, not on the
            # package's __init__ (Python imports a parent package first anyway).
            subs = {f"{source}.{alias.name}" for alias in node.names} & MODULES.keys()
            found.update(subs if len(subs) == len(node.names) else subs | {source})
    return found


GRAPH = {m: {i for i in imports_of(m) if i in MODULES and i != m} for m in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_only_what_its_layer_may(module):
    mine = area(module)
    for target in imports_of(module):
        top = target.split(".")[0]
        if top == "nnsim":
            theirs = area(target)
            assert theirs == mine or theirs in MAY_IMPORT[mine], \
                f"{module} imports {target}: {mine} may import only {sorted(MAY_IMPORT[mine])}"
        elif top in THIRD_PARTY:
            allowed = THIRD_PARTY[top]
            short = module.removeprefix("nnsim.")
            assert mine in allowed or short in allowed, f"{module} imports {target}: only {sorted(allowed)} may"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_not_even_lazy_ones():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    # A checker is checked against a wrong answer too: the cycles this wave removed.
    graph = {"core.network": {"core.training"}, "core.training": {"core.network"}, "core.trace": {"core.network"}}
    assert cycles(graph) == [["core.network", "core.training"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_layer_table_refuses_a_shell_import_in_the_core(tmp_path, monkeypatch):
    bad = ROOT / "core" / "_hygiene_probe.py"
    bad.write_text("import argparse\nfrom nnsim.tui.app import NnsimApp\n", encoding="utf-8")
    try:
        MODULES["nnsim.core._hygiene_probe"] = bad
        with pytest.raises(AssertionError, match="imports"):
            test_each_module_imports_only_what_its_layer_may("nnsim.core._hygiene_probe")
    finally:
        MODULES.pop("nnsim.core._hygiene_probe", None)
        bad.unlink()


LOWER_LAYERS = ("core", "data", "lessons")
SHELLS = ("textual", "rich", "textual_serve", "aiohttp", "nnsim.tui", "nnsim.cli", "nnsim.serve")


@pytest.mark.parametrize("package", LOWER_LAYERS)
def test_importing_a_lower_layer_loads_no_shell(package):
    modules = [m for m in MODULES if area(m) == package]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SHELLS!r} or "
            f"any(m == s or m.startswith(s + '.') for s in {SHELLS!r}) or m == 'requests'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"importing nnsim.{package} loads {out.stdout.strip()}"
