"""Ingesting: one pending graph per report, replaced whole on re-ingest, invisible to fact queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.reports.pending import ingest, pending_graph
from conflictkg.graph.reports.review import accept, list_pending, reject, show
from conflictkg.graph.reports.text import read_report, report_from_text
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import CK, META_GRAPH

REPORTS = Path(__file__).parent.parent.parent / "fixtures" / "reports"


@pytest.fixture
def kuje():
    return read_report(REPORTS / "kuje-prison-attack.txt", published="2022-07-07")


def test_the_pending_graph_is_typed_pending_only_with_its_metadata_in_the_meta_graph(kuje) -> None:
    store = Store()
    result = ingest(store, kuje)
    graph = pending_graph("kuje-prison-attack")
    assert result.graph == graph and graph in store.named_graphs()
    types = {str(r["t"]) for r in store.select(f"SELECT ?t WHERE {{ GRAPH ?m {{ <{graph}> a ?t }} }}")}
    assert types == {str(CK.PendingGraph)}
    meta = store.select(f"SELECT ?p WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}")
    assert {str(r["p"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in meta} >= {
        "type", "wasDerivedFrom", "generatedAtTime", "extractedWith"}
    # the report date sits on the source: ck:reportedOn is a fact graph's, and a pending graph is none
    assert not any(str(r["p"]).endswith("reportedOn") for r in meta)
    # nothing pending is in the default graph, and nothing in it is a fact graph
    assert store.count(None) == sum(store.count(g) for g in store.named_graphs())
    assert not store.ask("ASK { GRAPH ?m { ?g a ck:FactGraph } }")


def test_ingesting_the_same_report_twice_duplicates_nothing(kuje) -> None:
    store = Store()
    first = ingest(store, kuje)
    before = sorted(str(q) for q in store.quads() if "generatedAtTime" not in str(q.predicate))
    second = ingest(store, kuje)
    after = sorted(str(q) for q in store.quads() if "generatedAtTime" not in str(q.predicate))
    assert second.replaced and not first.replaced
    assert after == before
    assert first.counts == second.counts and first.counts["quantity"] >= 3


def test_an_accepted_report_ingested_again_is_left_alone(kuje) -> None:
    store = Store()
    ingest(store, kuje)
    accept(store, kuje.slug, reviewer="test")
    count = store.count()
    again = ingest(store, kuje)
    assert again.already_accepted and store.count() == count
    assert pending_graph(kuje.slug) not in store.named_graphs()


def test_a_report_that_names_nothing_gives_an_empty_pending_graph_and_says_so() -> None:
    store = Store()
    report = report_from_text(b"it was a quiet day. nothing happened here.\n", name="quiet.txt", published="2024-01-01")
    result = ingest(store, report)
    assert result.counts == {"entity": 0, "event": 0, "quantity": 0, "claim": 0}
    assert result.extraction.candidates == []
    assert store.ask(f"ASK {{ GRAPH <{META_GRAPH}> {{ <{result.graph}> a ck:PendingGraph }} }}")
    assert show(store, "quiet")["candidates"] == []
    assert [r["candidates"] for r in list_pending(store)] == [{"entity": 0, "event": 0, "quantity": 0, "claim": 0}]
    reject(store, "quiet")
    assert list_pending(store) == [] and store.count() == 0


@pytest.mark.parametrize("content, message", [
    (b"", "the report is empty"),
    (b"\x00\x01binary\x00", "binary file"),
    ("caf\u00e9".encode("latin-1"), "not UTF-8"),
])
def test_bad_input_writes_nothing(tmp_path: Path, kuje, content: bytes, message: str) -> None:
    store = Store()
    ingest(store, kuje)
    before = store.count()
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        ingest(store, read_report(path))
    assert store.count() == before
