"""A query's default graph: reviewed fact graphs and inferences, on every kind of store; claims, pending and staging never."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.store import FactStore, has_dataset_clause

G = "https://w3id.org/conflictkg/graph/"

# One triple per kind of graph, each saying which graph it is in.
DATA = f"""
@prefix ck: <https://w3id.org/conflictkg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<{G}meta> {{
  <{G}t/fact> a ck:FactGraph ; prov:wasDerivedFrom <urn:source> .
  <{G}t/claim> a ck:FactGraph , ck:Claim ; ck:claimant <urn:someone> .
  <{G}t/pending> a ck:PendingGraph .
  <{G}t/import-loading> a ck:FactGraph ; ck:importStatus ck:ImportPending .
  <{G}t/import-dropping> a ck:FactGraph ; ck:importStatus ck:ImportDropping .
  <{G}t/import-done> a ck:FactGraph ; ck:importStatus ck:ImportComplete .
}}
<{G}t/fact> {{ <urn:s> <urn:says> "fact" }}
<{G}t/claim> {{ <urn:s> <urn:says> "claim" }}
<{G}t/pending> {{ <urn:s> <urn:says> "pending" }}
<{G}t/import-loading> {{ <urn:s> <urn:says> "import-loading" }}
<{G}t/import-dropping> {{ <urn:s> <urn:says> "import-dropping" }}
<{G}t/import-done> {{ <urn:s> <urn:says> "import-done" }}
<{G}t/undescribed> {{ <urn:s> <urn:says> "undescribed" }}
<{G}inferred> {{ <urn:s> <urn:says> "inferred" }}
<urn:conflictkg:staging:import:x> {{ <urn:s> <urn:says> "staging" }}
"""

SAYS = "SELECT ?o WHERE { <urn:s> <urn:says> ?o }"


@pytest.fixture
def loaded(any_store: FactStore, tmp_path: Path) -> FactStore:
    path = tmp_path / "kinds.trig"
    path.write_text(DATA, encoding="utf-8")
    any_store.load([path])
    return any_store


def says(store: FactStore, sparql: str = SAYS, **kwargs: object) -> set[str]:
    return {str(row["o"]) for row in store.select(sparql, **kwargs)}


def test_a_plain_pattern_reads_reviewed_facts_finished_imports_and_inferences_only(loaded: FactStore) -> None:
    assert says(loaded) == {"fact", "import-done", "inferred"}
    assert loaded.default_graphs() == (G + "inferred", G + "t/fact", G + "t/import-done")


def test_graph_patterns_still_reach_claims_metadata_and_every_other_graph(loaded: FactStore) -> None:
    found = says(loaded, "SELECT ?o WHERE { GRAPH ?g { <urn:s> <urn:says> ?o } }")
    assert {"claim", "pending", "import-loading", "undescribed", "fact", "inferred"} <= found
    rows = loaded.select("SELECT ?who WHERE { GRAPH g:meta { ?g a ck:Claim ; ck:claimant ?who } GRAPH ?g { <urn:s> <urn:says> 'claim' } }")
    assert [str(r["who"]) for r in rows] == ["urn:someone"]


def test_from_and_the_protocols_dataset_replace_the_default(loaded: FactStore) -> None:
    assert says(loaded, f"SELECT ?o FROM <{G}t/claim> WHERE {{ <urn:s> <urn:says> ?o }}") == {"claim"}
    assert says(loaded, default_graph=[G + "t/pending"]) == {"pending"}


@pytest.mark.virtuoso_differs("reads the union of all graphs as the stored default graph")
def test_raw_reads_the_stored_default_graph(loaded: FactStore) -> None:
    assert says(loaded, raw=True) == set()


def test_the_default_graph_follows_the_stores_own_writes(loaded: FactStore) -> None:
    assert says(loaded) == {"fact", "import-done", "inferred"}
    loaded.update(
        f"INSERT DATA {{ GRAPH g:meta {{ <{G}t/undescribed> a ck:FactGraph }} }} ;\n"
        f"DELETE DATA {{ GRAPH g:meta {{ <{G}t/import-loading> ck:importStatus ck:ImportPending }} }} ;\n"
        f"INSERT DATA {{ GRAPH g:meta {{ <{G}t/import-loading> ck:importStatus ck:ImportComplete }} }}"
    )
    assert says(loaded) == {"fact", "import-done", "inferred", "undescribed", "import-loading"}
    loaded.clear_graph(G + "t/fact")
    assert "fact" not in says(loaded)


def test_the_word_from_in_a_comment_or_literal_is_no_dataset_clause() -> None:
    assert not has_dataset_clause("#+ description: where they come from\nSELECT * WHERE { ?s ?p 'from' }")
    assert has_dataset_clause("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert has_dataset_clause("SELECT * FROM <urn:g> WHERE { ?s ck:p ?o }")  # a predeclared prefix
