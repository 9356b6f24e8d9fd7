"""Review: accept into fact and claim graphs with provenance in one transaction, reject, edit with checks."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from conflictkg.graph.errors import InputError, UnknownEntity
from conflictkg.graph.reports.pending import ingest, pending_graph
from conflictkg.graph.reports.review import accept, edit, list_pending, reject, show
from conflictkg.graph.reports.text import read_report
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import CK, GRAPH, META_GRAPH

REPORTS = Path(__file__).parent.parent.parent / "fixtures" / "reports"
SLUG = "haiti-penitentiary-breakout"


@pytest.fixture
def store() -> Store:
    s = Store()
    ingest(s, read_report(REPORTS / f"{SLUG}.md", published="2024-03-04"))
    return s


def _cand(shown, **where):
    return next(c for c in shown["candidates"] if all(c.get(k) == v for k, v in where.items()))


def test_list_and_show_give_every_candidate_with_its_words(store: Store) -> None:
    [row] = list_pending(store)
    assert row["report"] == SLUG and row["reportDate"] == "2024-03-04"
    shown = show(store, SLUG)
    assert sum(row["candidates"].values()) == len(shown["candidates"])
    quantity = next(c for c in shown["candidates"] if c["kind"] == "quantity" and "3,600" in c["label"])
    assert quantity["facts"]["qualifier"] == [str(CK.MoreThan)] and quantity["facts"]["value"] == [3600.0]
    text = (REPORTS / f"{SLUG}.md").read_text(encoding="utf-8")
    assert text[quantity["span"][0]:quantity["span"][1]] == quantity["mention"]
    assert quantity["sentence"] in text


def test_accepting_everything_makes_fact_and_claim_graphs_with_provenance(store: Store) -> None:
    at = datetime(2024, 3, 5, 12, 0, tzinfo=timezone.utc)
    done = accept(store, SLUG, reviewer="analyst-1", at=at)
    assert done["left"] == 0
    assert pending_graph(SLUG) not in store.named_graphs()
    assert not store.ask(f"ASK {{ GRAPH ?m {{ <{pending_graph(SLUG)}> ?p ?o }} }}")
    facts = str(GRAPH[f"reports/{SLUG}/facts"])
    rows = store.select(f"""SELECT ?g ?claim ?who ?how ?text ?by ?when WHERE {{ GRAPH <{META_GRAPH}> {{
        ?g a ck:FactGraph ; prov:wasDerivedFrom <https://w3id.org/conflictkg/id/source/{SLUG}> ;
           ck:reviewedBy ?by ; prov:generatedAtTime ?when .
        OPTIONAL {{ ?g a ck:Claim ; ck:claimant ?who ; ck:attribution ?how ; ck:sourceText ?text BIND(true AS ?claim) }} }} }}""")
    graphs = {str(r["g"]) for r in rows}
    assert facts in graphs and all(g in store.named_graphs() for g in graphs)
    assert {str(r["by"]) for r in rows} == {"analyst-1"} and {str(r["when"]) for r in rows} == {"2024-03-05T12:00:00+00:00"}
    claims = {(str(r["who"]).rsplit("/", 1)[-1], str(r["how"]).rsplit("#", 1)[-1]) for r in rows if r["claim"]}
    assert ("united-nations", "Reported") in claims
    assert ("unnamed-officials", "Stated") in claims
    # what the UN says stays in its claim graph, not the facts
    un = next(str(r["g"]) for r in rows if r["claim"] and str(r["who"]).endswith("united-nations"))
    assert store.ask(f"ASK {{ GRAPH <{un}> {{ ?q ck:qualifier ck:MoreThan ; ck:value ?v FILTER(?v = 3600) }} }}")
    assert not store.ask(f"ASK {{ GRAPH <{facts}> {{ ?q ck:value ?v FILTER(?v = 3600) }} }}")
    # evidence records go with the facts, into the meta graph
    assert store.ask(f"ASK {{ GRAPH <{META_GRAPH}> {{ ?e a ck:Evidence ; ck:evidenceOf ?x ; ck:spanStart ?s }} }}")


def test_accepting_one_quantity_brings_what_it_needs_and_leaves_the_rest(store: Store) -> None:
    shown = show(store, SLUG)
    q = next(c for c in shown["candidates"] if c["kind"] == "quantity" and "3,600" in c["label"])
    done = accept(store, SLUG, [q["id"]], reviewer="analyst-1")
    assert q["id"] in done["accepted"]
    assert q["claim"] in done["accepted"]  # its claim comes with it
    assert done["left"] == len(shown["candidates"]) - len(done["accepted"]) > 0
    left = {c["id"] for c in show(store, SLUG)["candidates"]}
    assert not left & set(done["accepted"])


def test_reject_drops_candidates_and_what_names_them(store: Store) -> None:
    shown = show(store, SLUG)
    entity = next(c for c in shown["candidates"] if c["kind"] == "entity" and c["label"] == "Port-au-Prince")
    reject(store, SLUG, [entity["id"]])
    assert not store.ask(f"ASK {{ GRAPH <{pending_graph(SLUG)}> {{ ?s ?p <{entity['iri']}> }} }}")
    assert entity["id"] not in {c["id"] for c in show(store, SLUG)["candidates"]}
    reject(store, SLUG)
    assert list_pending(store) == [] and pending_graph(SLUG) not in store.named_graphs()


def test_edit_changes_one_field_and_refuses_bad_values_changing_nothing(store: Store) -> None:
    shown = show(store, SLUG)
    q = next(c for c in shown["candidates"] if c["kind"] == "quantity" and "3,600" in c["label"])
    edit(store, SLUG, q["id"], "qualifier", "AtLeast")
    assert _cand(show(store, SLUG), id=q["id"])["facts"]["qualifier"] == [str(CK.AtLeast)]
    before = sorted(map(str, store.quads()))
    for cid, field, value, message in [
        (q["id"], "qualifier", "Roughly", "is not one of"),
        (q["id"], "value", "many", "is not a number"),
        (q["id"], "claimant", "x", "has no field 'claimant'"),
    ]:
        with pytest.raises(InputError, match=message):
            edit(store, SLUG, cid, field, value)
    with pytest.raises(UnknownEntity, match="has no candidate z9"):
        edit(store, SLUG, "z9", "label", "x")
    assert sorted(map(str, store.quads())) == before


def test_link_makes_a_new_entity_stand_for_one_the_graph_has(store: Store) -> None:
    store.update("INSERT DATA { GRAPH <https://w3id.org/conflictkg/graph/test> { "
                 "<https://w3id.org/conflictkg/id/place/port-au-prince-city> a ck:City ; rdfs:label \"Port-au-Prince (city)\" } }")
    shown = show(store, SLUG)
    entity = next(c for c in shown["candidates"] if c["kind"] == "entity" and c["label"] == "Port-au-Prince")
    target = "https://w3id.org/conflictkg/id/place/port-au-prince-city"
    edit(store, SLUG, entity["id"], "link", target)
    again = _cand(show(store, SLUG), id=entity["id"])
    assert again["iri"] == target and again["new"] is False
    assert not store.ask(f"ASK {{ GRAPH ?g {{ ?s ?p <{entity['iri']}> }} }}")
    with pytest.raises(UnknownEntity, match="no entity"):
        edit(store, SLUG, entity["id"], "link", "https://w3id.org/conflictkg/id/place/nowhere")


def test_unknown_report_and_missing_reviewer_are_errors(store: Store) -> None:
    with pytest.raises(UnknownEntity, match="no pending report 'nope'"):
        show(store, "nope")
    with pytest.raises(InputError, match="name the reviewer"):
        accept(store, SLUG, reviewer=" ")
    with pytest.raises(InputError, match="is not a report slug"):
        show(store, "../etc")


@pytest.mark.slow
def test_accepted_reports_keep_the_store_consistent_under_hermit() -> None:
    from conflictkg.graph.knowledge.seed import ontology_files
    from conflictkg.graph.knowledge.validation import check_reasoner
    from conflictkg.ontology.vocab import ONTOLOGY_GRAPH

    s = Store()
    s.load(ontology_files(), graph=str(ONTOLOGY_GRAPH))
    for name, published in (("haiti-penitentiary-breakout.md", "2024-03-04"), ("kuje-prison-attack.txt", "2022-07-07")):
        report = read_report(REPORTS / name, published=published)
        ingest(s, report)
        accept(s, report.slug, reviewer="test")
    consistency, _ = check_reasoner(s)
    assert consistency.consistent, consistency
