"""``conflictkg load`` and ``conflictkg query`` as a user runs them: the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")


def run(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONFLICTKG, "--store", str(store), *args], capture_output=True, text=True, timeout=120
    )


def count(store: Path) -> int:
    out = run(store, "query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "json")
    assert out.returncode == 0, out.stderr
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    done = run(path, "load", str(FIXTURES / "small.trig"))
    assert done.returncode == 0, done.stderr
    return path


def test_load_reports_what_it_read(store_dir: Path) -> None:
    assert count(store_dir) == 5


def test_load_of_broken_turtle_names_file_line_column_and_changes_nothing(store_dir: Path) -> None:
    out = run(store_dir, "load", str(FIXTURES / "small.trig"), str(FIXTURES / "broken.ttl"), "--graph", "urn:x")
    assert out.returncode == 2
    assert "broken.ttl:3:11" in out.stderr
    assert "Traceback" not in out.stderr
    assert count(store_dir) == 5


@pytest.mark.parametrize(
    ("name", "expected"),
    [("missing.ttl", "missing.ttl: no such file"), ("notes.docx", "cannot tell the RDF format")],
)
def test_load_of_a_bad_file_says_why_and_changes_nothing(
    store_dir: Path, tmp_path: Path, name: str, expected: str
) -> None:
    if name.endswith(".docx"):
        (tmp_path / name).write_text("not rdf")
    out = run(store_dir, "load", str(tmp_path / name))
    assert out.returncode == 2
    assert expected in " ".join(out.stderr.split())
    assert count(store_dir) == 5


def test_query_prints_csv(store_dir: Path) -> None:
    out = run(
        store_dir,
        "query",
        "SELECT ?label WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } } ORDER BY ?label",
        "--format",
        "csv",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["label", "Islamic State", "Syrian Democratic Forces"]


def test_query_with_a_syntax_error_exits_non_zero_with_the_parser_message(store_dir: Path) -> None:
    out = run(store_dir, "query", "SELEKT * WHERE { ?s ?p ?o }")
    assert out.returncode == 2
    assert "error:" in out.stderr and "Traceback" not in out.stderr


def test_optimize_compacts_and_keeps_every_quad(store_dir: Path) -> None:
    out = run(store_dir, "optimize")
    assert out.returncode == 0, out.stderr
    assert "compacted the store in" in out.stderr
    assert count(store_dir) == 5
