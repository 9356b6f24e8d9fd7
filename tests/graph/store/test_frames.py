"""``store.select(query).to_pandas()``: SELECT rows as a DataFrame with Python values, as the README shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conflictkg.graph.store import Rows, Store, open_store

pandas = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[3]
TYPED = """
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { GRAPH <urn:g> {
  <urn:e1> <urn:date> "2026-01-20"^^xsd:date ; <urn:n> 120 ; <urn:share> 33.5 ; <urn:ok> true ; <urn:label> "first"@en .
  <urn:e2> <urn:date> "2025-12-01"^^xsd:date ; <urn:n> 7 ; <urn:label> "second" ; <urn:by> [] .
} }
"""
QUERY = """
SELECT ?e ?date ?n ?share ?ok ?label ?by WHERE {
  GRAPH <urn:g> { ?e <urn:date> ?date ; <urn:n> ?n ; <urn:label> ?label
    OPTIONAL { ?e <urn:share> ?share } OPTIONAL { ?e <urn:ok> ?ok } OPTIONAL { ?e <urn:by> ?by } }
} ORDER BY ?e
"""


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.update(TYPED)
    return s


def test_the_columns_are_the_projected_variables_in_order(store: Store) -> None:
    frame = store.select(QUERY).to_pandas()
    assert list(frame.columns) == ["e", "date", "n", "share", "ok", "label", "by"]
    assert len(frame) == 2


def test_values_are_python_values_and_dates_are_datetimes(store: Store) -> None:
    frame = store.select(QUERY).to_pandas()
    assert frame["e"].tolist() == ["urn:e1", "urn:e2"]
    assert str(frame["date"].dtype).startswith("datetime64")
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-20", "2025-12-01"]
    assert frame["n"].tolist() == [120, 7] and str(frame["n"].dtype) == "int64"
    assert frame["share"].iloc[0] == 33.5 and pandas.isna(frame["share"].iloc[1])  # unbound: missing
    assert frame["label"].tolist() == ["first", "second"]
    assert frame["ok"].iloc[0] is True or frame["ok"].iloc[0] == True  # noqa: E712
    assert re.fullmatch(r"_:\S+", frame["by"].iloc[1])


def test_no_rows_is_an_empty_frame_with_the_columns(store: Store) -> None:
    rows = store.select("SELECT ?a ?b WHERE { GRAPH <urn:none> { ?a <urn:x> ?b } }")
    assert isinstance(rows, Rows) and rows == [] and rows.variables == ["a", "b"]
    frame = rows.to_pandas()
    assert list(frame.columns) == ["a", "b"] and frame.empty


def test_select_rows_are_still_a_list_of_dicts_of_rdflib_terms(store: Store) -> None:
    rows = store.select(QUERY)
    assert isinstance(rows, list)
    assert str(rows[0]["e"]) == "urn:e1" and rows[1]["share"] is None


def test_the_readme_python_example_gives_a_frame(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme, re.S)
    assert block, "the README has no Python example"
    code = block.group(1)
    assert len([line for line in code.splitlines() if line.strip() and not line.startswith("#")]) <= 3
    with open_store(tmp_path / "store") as s:
        s.load([ROOT / "tests" / "fixtures" / "small.trig"])
    namespace: dict[str, object] = {}
    exec(code.replace('"var/store"', repr(str(tmp_path / "store"))), namespace)  # noqa: S102 - the README's own code
    frame = namespace["frame"]
    assert isinstance(frame, pandas.DataFrame)
    assert len(frame) > 0
