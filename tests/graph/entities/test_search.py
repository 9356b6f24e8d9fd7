"""The search index: names ranked as one types them, and kept in step with every kind of write."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.entities.search import SearchIndex, open_search, touched_by_update
from conflictkg.graph.errors import InputError
from conflictkg.graph.knowledge.seed import ontology_files, seed_files
from conflictkg.graph.loaders.acled import import_acled
from conflictkg.graph.loaders.imports import drop_import
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ID, META_GRAPH, ONTOLOGY_GRAPH, PENDING_GRAPHS

ISIS = str(ID["actor/isis"])
SDF = str(ID["actor/sdf"])
ACLED = Path(__file__).parents[2] / "fixtures" / "acled" / "valid.csv"


def first(index: SearchIndex, text: str) -> dict:
    results = index.search(text)["results"]
    assert results, f"nothing found for {text!r}"
    return results[0]


@pytest.mark.parametrize("text", ["ISIS", "Daesh", "Islamic State", "daesh", "Dae", "islamic st"])
def test_isis_is_found_by_each_of_its_names_and_their_beginnings(seeded: Store, text: str) -> None:
    hit = first(open_search(seeded), text)
    assert (hit["iri"], hit["label"], hit["kind"], hit["href"]) == (ISIS, "Islamic State", "ArmedGroup", "/id/actor/isis")


def test_an_exact_alias_ranks_the_sdf_before_the_relationships_that_name_it(seeded: Store) -> None:
    results = open_search(seeded).search("SDF", limit=5)["results"]
    assert results[0]["iri"] == SDF and results[0]["matched"] == "SDF" and results[0]["field"] == "alias"
    assert {r["kind"] for r in results[1:]} <= {"Strain", "Hostility", "Cooperation", "Membership", "RoleAssignment"}
    assert first(open_search(seeded), "QSD")["iri"] == SDF


def test_accents_and_case_do_not_matter(seeded: Store) -> None:
    assert first(open_search(seeded), "turkiye")["label"] == "Turkey"


def test_what_only_a_claim_names_is_marked_with_its_claimant(seeded: Store) -> None:
    hit = first(open_search(seeded), "siege of Al-Aqtaan")
    assert hit["claim"] is True and hit["claimants"] == ["Syrian Democratic Forces"]
    assert first(open_search(seeded), "Al-Aqtaan Prison")["claim"] is False


def test_ontology_terms_are_not_entities(seeded: Store) -> None:
    assert all(not r["iri"].startswith("https://w3id.org/conflictkg/ontology#") for r in open_search(seeded).search("prison")["results"])


def test_search_follows_insert_data_delete_where_and_clear() -> None:
    store = Store()
    index = SearchIndex(store)
    assert index.search("zebra")["results"] == []
    store.update('INSERT DATA { GRAPH <urn:g> { <urn:x> rdfs:label "Zebra Brigade" ; a ck:ArmedGroup } }')
    assert first(index, "zebra")["kind"] == "ArmedGroup"
    store.update('INSERT DATA { GRAPH <urn:h> { <urn:x> skos:altLabel "Stripes" } }')
    assert first(index, "stripes")["label"] == "Zebra Brigade"
    store.update("DELETE WHERE { GRAPH <urn:g> { ?s rdfs:label ?l } }")
    assert index.search("zebra")["results"] == []
    store.clear_graph("urn:h")
    assert index.search("stripes")["results"] == []


def test_search_follows_a_load_a_graph_store_put_and_a_replace(tmp_path: Path) -> None:
    store = Store()
    index = SearchIndex(store)
    ttl = tmp_path / "a.ttl"
    ttl.write_text('<urn:y> <http://www.w3.org/2000/01/rdf-schema#label> "Okapi Front" .\n', encoding="utf-8")
    store.load([ttl], graph="urn:g")
    assert first(index, "okapi")["iri"] == "urn:y"
    store.replace_all([])
    assert index.search("okapi")["results"] == []


def test_search_follows_an_acled_import_and_its_drop(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    index = open_search(store)
    index.sync()
    report = import_acled(store, ACLED)
    hit = first(index, "Military Forces of Syria")
    assert hit["kind"] and hit["iri"].startswith(str(ID))
    drop_import(store, report.graph)
    assert all("import/" not in r["iri"] for r in index.search("Ghweiran")["results"])
    assert index.search("Military Forces of Syria")["results"] == []
    store.close()


def test_a_pending_graph_is_never_searched_until_it_is_reviewed() -> None:
    store = Store()
    index = SearchIndex(store)
    meta, pending, staged = str(META_GRAPH), PENDING_GRAPHS + "some-report", "https://w3id.org/conflictkg/graph/review/x"
    store.update(f"""INSERT DATA {{
      GRAPH <{meta}> {{ <{pending}> a ck:PendingGraph . <{staged}> a ck:PendingGraph }}
      GRAPH <{pending}> {{ <urn:p> rdfs:label "Pangolin Army" }}
      GRAPH <{staged}> {{ <urn:q> rdfs:label "Quagga Legion" }} }}""")
    assert index.search("pangolin")["results"] == [] and index.search("quagga")["results"] == []
    # reviewed: the graph's metadata says it is a fact graph now
    store.update(f"DELETE DATA {{ GRAPH <{meta}> {{ <{staged}> a ck:PendingGraph }} }} ; "
                 f"INSERT DATA {{ GRAPH <{meta}> {{ <{staged}> a ck:FactGraph }} }}")
    assert first(index, "quagga")["iri"] == "urn:q"
    assert index.search("pangolin")["results"] == []


def test_the_index_on_disk_survives_a_restart_without_being_rebuilt(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.load(ontology_files(), graph=str(ONTOLOGY_GRAPH))
    store.load(seed_files())
    open_search(store).sync()
    store.close()
    store = Store(tmp_path / "store")
    index = open_search(store)
    assert not index.dirty and index.count() > 100
    assert first(index, "Daesh")["iri"] == ISIS
    store.close()


def test_a_long_search_or_a_bad_limit_names_the_parameter(seeded: Store) -> None:
    with pytest.raises(InputError) as err:
        open_search(seeded).search("a" * 10_000)
    assert err.value.details["parameter"] == "q"
    with pytest.raises(InputError) as err:
        open_search(seeded).search("isis", limit=1000)
    assert err.value.details["parameter"] == "limit"


def test_text_without_a_word_finds_nothing(seeded: Store) -> None:
    assert open_search(seeded).search("  -- ")["results"] == []


@pytest.mark.parametrize(
    ("update", "touched"),
    [
        ('INSERT DATA { GRAPH <urn:g> { <urn:s> rdfs:label "x" } <urn:t> rdfs:label "y" }', {"urn:g": {"urn:s"}, "": {"urn:t"}}),
        ("DELETE WHERE { GRAPH <urn:g> { ?s ?p ?o } }", {"urn:g": None}),
        ("WITH <urn:w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", {"urn:w": None}),
        ("DROP GRAPH <urn:k> ; CREATE GRAPH <urn:n>", {"urn:k": None}),
        ("MOVE <urn:a> TO <urn:b>", {"urn:a": None, "urn:b": None}),
        ("CLEAR ALL", None),
        ("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", None),
        ("this is not SPARQL", None),
    ],
)
def test_what_an_update_touched(update: str, touched: dict | None) -> None:
    assert touched_by_update(update) == touched


def test_a_reports_names_are_found_only_once_it_is_accepted() -> None:
    from datetime import datetime, timezone

    from conflictkg.graph.reports.pending import ingest
    from conflictkg.graph.reports.review import accept, show
    from conflictkg.graph.reports.text import read_report

    report = Path(__file__).parents[2] / "fixtures" / "reports" / "haiti-penitentiary-breakout.md"
    store = Store()
    index = SearchIndex(store)
    ingest(store, read_report(report, published="2024-03-04"))
    names = {c["label"] for c in show(store, "haiti-penitentiary-breakout")["candidates"] if c["kind"] == "entity"}
    assert {"Jimmy Chérizier", "Haitian National Police"} <= names
    assert index.search("Chérizier")["results"] == [] and index.search("Haitian National Police")["results"] == []  # pending
    accept(store, "haiti-penitentiary-breakout", reviewer="analyst-1", at=datetime(2024, 3, 5, tzinfo=timezone.utc))
    assert index.search("cherizier")["results"][0]["label"] == "Jimmy Chérizier"
    assert index.search("Haitian National Police")["results"][0]["label"] == "Haitian National Police"
