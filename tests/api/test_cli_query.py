"""``conflictkg query`` as a user runs it, after ``seed`` and an ACLED import: saved queries, tables, pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conflictkg.graph.sparql.saved import QUERIES_DIR, load_folder
from conflictkg.graph.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")
ISIS = "https://w3id.org/conflictkg/id/actor/isis"


def run(store: Path, *args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    env["COLUMNS"] = str(columns)
    return subprocess.run([CONFLICTKG, "--store", str(store), *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed graph plus the fixture ACLED import, which names seed actors again (Islamic State …)."""
    store = tmp_path_factory.mktemp("cli-query") / "store"
    for args in (("seed",), ("import", "acled", str(FIXTURES / "acled" / "valid.csv"))):
        out = run(store, *args)
        assert out.returncode == 0, out.stderr
    return store


def test_the_shipped_saved_queries_are_found() -> None:
    assert {"actor-names", "prison-location", "escape-and-recapture"} <= set(load_folder(QUERIES_DIR))


def test_actor_names_prints_each_name_once_after_an_import(imported: Path) -> None:
    out = run(imported, "query", "--saved", "actor-names", "--format", "tsv")
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines()[1:]]
    variants = [(r[3], r[4]) for r in rows]
    assert Counter(variants).most_common(1)[0][1] == 1, out.stdout
    assert ('"Islamic State"', '"preferred"') in variants
    assert ('"Daesh"', '"alias"') in variants
    assert ('"Islamic State (Syria)"', '"name use"') in variants  # the ACLED import's own name for it
    assert all(r[1] == f"<{ISIS}>" for r in rows)


def test_no_saved_select_repeats_a_row_after_an_import(imported: Path) -> None:
    with Store(imported) as store:
        for name, saved in load_folder(QUERIES_DIR).items():
            if saved.form != "select":
                continue
            rows = [tuple(map(str, row)) for row in store.query(saved.bind({}))]
            repeated = [row for row, n in Counter(rows).items() if n > 1]
            assert repeated == [], f"{name} repeats {len(repeated)} row(s), e.g. {repeated[:1]}"


def test_query_into_a_pipe_is_tsv(imported: Path) -> None:
    out = run(imported, "query", "--saved", "prison-location")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split("\t") == ["?__place_iri", "?placeLabel", "?within", "?withinLabel", "?withinType", "?graph", "?inferred"]
    assert all("\t" in line for line in lines)
    assert "<https://w3id.org/conflictkg/id/place/syria>" in out.stdout  # whole IRIs in TSV
    assert "┃" not in out.stdout


def test_a_table_compacts_iris_with_the_known_prefixes(imported: Path) -> None:
    out = run(imported, "query", "--saved", "prison-location", "--format", "table", columns=160)
    assert out.returncode == 0, out.stderr
    assert "place:syria" in out.stdout and "ck:Country" in out.stdout and "g:inferred" in out.stdout
    assert "https://w3id.org/" not in out.stdout
    tsv = run(imported, "query", "--saved", "prison-location", "--format", "tsv")
    assert f"{len(tsv.stdout.splitlines()) - 1} row(s)" in out.stderr


def test_a_wide_table_fits_the_terminal_wrapping_text_and_cutting_long_iris(imported: Path) -> None:
    query = (
        "SELECT ?graph ?subject ?predicate ?object WHERE { GRAPH ?graph { ?subject ?predicate ?object } "
        "FILTER (isLiteral(?object) && STRLEN(STR(?object)) > 250) } ORDER BY ?subject LIMIT 1"
    )
    out = run(imported, "query", query, "--format", "table", columns=80)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("…" in line for line in lines)  # the long text is cut, not printed whole
    body = [line for line in lines if line.startswith("│")]
    assert 2 <= len(body) <= 12  # wrapped over a few lines, never hundreds of characters on one
    assert "1 row(s)" in out.stderr
