"""The folders read like the loop, and no part imports one that imports it back.

The import graph is read from the source with ``ast`` (every import, also those inside
functions): a cycle between two modules, or between two parts (a subpackage such as
``simulations.policy``, or a top-level module such as ``simulations.scenario``), fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simulations", "dashboard")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (a ``from X import Y`` of a module Y counts as X.Y)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from pkg import mod`` depends on pkg.mod; ``from mod import name`` on mod
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _part(module: str) -> str:
    """A subpackage (``simulations.policy``) or a module directly in a top package."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else module


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
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


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def _edges_without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Module edges, leaving out a package's own ``__init__`` importing its members (the
    public face re-exports what lies below it)."""
    return {m: {t for t in targets if not t.startswith(m + ".")} for m, targets in graph.items()}


def test_no_import_cycle_between_modules(graph):
    assert _cycles(_edges_without_packages(graph)) == []


def test_no_import_cycle_between_parts(graph):
    parts: dict[str, set[str]] = {}
    for module, targets in _edges_without_packages(graph).items():
        if module in PACKAGES:  # the top packages' public faces
            continue
        for target in targets:
            if target == module.split(".")[0]:
                pytest.fail(f"{module} imports the public face {target}: import the module "
                            "that holds the name instead")
            a, b = _part(module), _part(target)
            if a != b:
                parts.setdefault(a, set()).add(b)
    assert _cycles(parts) == []


def test_the_cycle_finder_sees_a_planted_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_simulations_never_imports_streamlit(graph):
    for path in (ROOT / "simulations").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "streamlit" for n in names), path


@pytest.mark.parametrize("folder", ["simulations", "dashboard"])
def test_every_module_says_what_it_is_for(folder):
    for path in (ROOT / folder).rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{path.relative_to(ROOT)} has no module docstring"


def test_the_loop_has_its_rooms():
    """Where a newcomer looks first: each part of the weekly loop is a folder of its own."""
    for room in ("domains", "engine", "policy", "monitoring", "experiments", "own_scores",
                 "reporting", "cli"):
        assert (ROOT / "simulations" / room / "__init__.py").is_file(), room
    loose = sorted(p.name for p in (ROOT / "simulations").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "presets.py", "scenario.py"]
    assert (ROOT / "simulations" / "engine" / "retraining.py").is_file()
    for tab in ("tradeoff", "suggest", "over_time", "segments", "data"):
        assert (ROOT / "dashboard" / "tabs" / f"{tab}.py").is_file(), tab
