"""The layers and wings import only in their allowed directions (STYLE rules 1 and 13)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
HTTP_STACK = ("fastapi", "starlette", "uvicorn")

#: What each part of the core may import of conflictkg, as data: a part not listed here may not be imported.
ALLOWED = {
    # the error vocabulary is a leaf every part shares
    "ontology": {"ontology", "graph.errors"},
    "graph.errors": set(),
    "graph.store": {"graph.errors", "graph.store", "ontology"},
    "graph.knowledge": {"graph.errors", "graph.store", "graph.knowledge", "ontology"},
    "graph.loaders": {"graph.errors", "graph.store", "graph.loaders", "ontology"},
    "graph.sparql": {"graph.errors", "graph.store", "graph.sparql", "ontology"},
    "graph.networks": {"graph.errors", "graph.store", "graph.networks", "graph.networks.signed", "ontology"},
    "graph.networks.signed": {"graph.errors", "graph.networks.signed"},
    # reports are read like a loader reads a file: they write pending graphs through the store, nothing more
    "graph.reports": {"graph.errors", "graph.store", "graph.reports", "ontology"},
    # entities describe what the store holds (facts by graph, neighbourhoods, the search index); nothing in graph/ imports them
    "graph.entities": {"graph.errors", "graph.store", "graph.entities", "ontology"},
    # graph/__init__ re-exports the store's entry points
    "graph": {"graph.errors", "graph.store"},
}


def _part(module: str) -> str:
    """The most specific entry of ALLOWED that names ``module`` (``graph.store.remote`` -> ``graph.store``)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in ALLOWED:
            return ".".join(parts[:n])
    return module


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from conflictkg.graph import errors` imports the module graph.errors
            subs = [f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}")]
            names += subs or [node.module]
    return names


def _is_module(name: str) -> bool:
    rel = Path(*name.removeprefix("conflictkg.").split("."))
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


CORE = sorted(p for folder in ("ontology", "graph") for p in (ROOT / folder).rglob("*.py"))


def _offenders(importer: str, names: list[str]) -> list[str]:
    offenders = []
    for name in names:
        if name.split(".")[0] in HTTP_STACK:
            offenders.append(name)
        elif name.startswith("conflictkg."):
            imported = _part(name.removeprefix("conflictkg."))
            if imported not in ALLOWED[importer]:
                offenders.append(name)
    return offenders


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_only_what_its_wing_allows(path: Path) -> None:
    importer = _part(_module(path))
    assert _offenders(importer, _imports(path)) == [], f"{importer} may import only {sorted(ALLOWED[importer])}"


def test_every_core_module_belongs_to_a_listed_wing() -> None:
    assert {_part(_module(p)) for p in CORE} <= set(ALLOWED)


def test_no_two_core_modules_import_each_other() -> None:
    modules = {_module(p): p for p in CORE}
    edges = {
        (m, name.removeprefix("conflictkg."))
        for m, p in modules.items()
        for name in _imports(p)
        if name.removeprefix("conflictkg.") in modules
    }
    assert sorted((a, b) for a, b in edges if (b, a) in edges and a < b) == []


def test_the_layering_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    # The check itself can fail: the store importing SPARQL serving, signed analysis the store, or the API.
    bad = tmp_path / "bad.py"
    bad.write_text("from conflictkg.graph.sparql.workers import Limits\nimport fastapi\nfrom conflictkg.api import app\n")
    assert _offenders("graph.store", _imports(bad)) == ["conflictkg.graph.sparql.workers", "fastapi", "conflictkg.api.app"]
    assert _offenders("graph.networks.signed", ["conflictkg.graph.store.base"]) == ["conflictkg.graph.store.base"]
    assert _offenders("graph.networks", ["conflictkg.graph.networks.signed.walks", "conflictkg.graph.store"]) == []
