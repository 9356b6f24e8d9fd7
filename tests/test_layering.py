"""The core never imports the HTTP stack (STYLE rule 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FORBIDDEN = ("fastapi", "starlette", "uvicorn", "conflictkg.api")


@pytest.mark.parametrize("package", ["ontology", "graph"])
def test_core_does_not_import_the_http_stack(package: str) -> None:
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN[:3] or n.startswith(FORBIDDEN[3])]
    assert offenders == []
