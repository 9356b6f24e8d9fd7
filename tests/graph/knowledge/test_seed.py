"""The curated seed: every graph has its source, claims their claimant, quantities their qualifier."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from conflictkg.graph.knowledge.seed import build_seed, has_seed
from conflictkg.graph.store import Store

ID = "https://w3id.org/conflictkg/id/"
ROOT = Path(__file__).parents[3]
CLI = Path(sys.executable).parent / "conflictkg"


@pytest.fixture(scope="module")
def seeded() -> Store:
    store = Store()
    store.summary = build_seed(store)  # type: ignore[attr-defined]
    return store


def test_build_seed_loads_ontology_facts_and_inferences(seeded: Store) -> None:
    summary = seeded.summary  # type: ignore[attr-defined]
    assert summary["ontology"] > 1000 and summary["facts"] > 500 and summary["inferred"] > 100
    assert summary["total"] == seeded.count()
    assert has_seed(seeded)
    graphs = seeded.named_graphs()
    assert "https://w3id.org/conflictkg/graph/ontology" in graphs
    assert "https://w3id.org/conflictkg/graph/inferred" in graphs
    assert "https://w3id.org/conflictkg/graph/al-aqtaan/facts" in graphs


def test_has_seed_is_false_on_an_empty_store() -> None:
    assert not has_seed(Store())


@pytest.mark.parametrize(
    "iri",
    [
        "actor/sdf", "actor/isis", "actor/us-led-coalition", "actor/centcom", "actor/syrian-government-forces",
        "actor/syrian-interior-ministry", "actor/turkey", "person/farhad-shami", "place/al-aqtaan-prison",
        "place/al-hol-camp", "place/raqqa", "place/raqqa-province", "place/syria", "nationality/syrian",
        "nationality/iraqi",
    ],
)
def test_the_named_entities_have_stable_iris_and_labels(seeded: Store, iri: str) -> None:
    rows = seeded.select(
        "SELECT ?e ?label WHERE { GRAPH ?g { ?e a ?type ; rdfs:label ?label } }",
        substitutions={"e": URIRef(ID + iri)},
    )
    assert rows, iri


@pytest.mark.parametrize(
    ("iri", "alias"),
    [("actor/isis", "Daesh"), ("actor/isis", "ISIL"), ("actor/isis", "ISIS"), ("actor/sdf", "QSD"), ("actor/sdf", "SDF")],
)
def test_name_variants_are_alt_labels(seeded: Store, iri: str, alias: str) -> None:
    assert seeded.ask(f"ASK {{ GRAPH ?g {{ <{ID}{iri}> skos:altLabel {Literal(alias).n3()} }} }}")


def test_every_named_graph_records_its_source_and_report_date(seeded: Store) -> None:
    rows = seeded.select(
        """SELECT ?g ?source ?date WHERE { GRAPH ?g { } FILTER (?g NOT IN (g:ontology, g:inferred, g:meta, g:justifications))
           OPTIONAL { GRAPH g:meta { ?g prov:wasDerivedFrom ?source } }
           OPTIONAL { GRAPH g:meta { ?g ck:reportedOn ?date } } }"""
    )
    assert len(rows) >= 15
    assert [r["g"] for r in rows if r["source"] is None or r["date"] is None] == []
    assert {str(r["source"]) for r in rows} == {ID + "source/al-aqtaan-prison-break-report", ID + "source/curator-general-knowledge"}


def test_the_report_date_is_an_explicit_estimate_with_month_precision(seeded: Store) -> None:
    rows = seeded.select(
        "SELECT ?date ?precision ?note WHERE { GRAPH g:meta { ?s a ck:SourceDocument ; ck:reportDate ?date ; "
        "ck:datePrecision ?precision ; skos:editorialNote ?note } }"
    )
    assert len(rows) == 1
    assert str(rows[0]["date"]) == "2026-01-01"
    assert str(rows[0]["precision"]).endswith("#Month")
    assert "not" in str(rows[0]["note"]) and "estimate" in str(rows[0]["note"])


@pytest.mark.parametrize(
    ("graph", "claimant", "attribution"),
    [
        ("coalition-failed-to-intervene", "actor/sdf", "Alleged"),
        ("government-forces-besieged-prison", "actor/sdf", "Alleged"),
        ("rearrest-dozens", "agent/unnamed-sources", "Reported"),
        ("facilities-overcrowded", "agent/unnamed-sources", "Alleged"),
        ("isis-army-in-detention", "actor/centcom", "Quoted"),
        ("detainee-nationalities", "person/farhad-shami", "Quoted"),
        ("interior-ministry-recapture-effort", "actor/syrian-interior-ministry", "Stated"),
        ("collaboration-crumbled", "agent/al-aqtaan-report-author", "AuthorAssessment"),
    ],
)
def test_attributed_statements_are_claims_with_claimant_and_attribution(
    seeded: Store, graph: str, claimant: str, attribution: str
) -> None:
    iri = f"https://w3id.org/conflictkg/graph/al-aqtaan/claim/{graph}"
    rows = seeded.select(f"SELECT ?c ?a WHERE {{ GRAPH g:meta {{ <{iri}> a ck:Claim ; ck:claimant ?c ; ck:attribution ?a }} }}")
    assert [(str(r["c"]), str(r["a"])) for r in rows] == [(ID + claimant, f"https://w3id.org/conflictkg/ontology#{attribution}")]


def test_allegations_are_never_plain_facts(seeded: Store) -> None:
    # The siege and the coalition's failure to act exist only inside claim graphs.
    rows = seeded.select(
        """SELECT DISTINCT ?g WHERE { GRAPH ?g { { ?s a ck:Siege } UNION { ?s ck:failedToActIn ?e } } }"""
    )
    graphs = [str(r["g"]) for r in rows]
    assert len(graphs) == 3
    assert all(seeded.ask(f"ASK {{ GRAPH g:meta {{ <{g}> a ck:Claim ; ck:attribution ck:Alleged }} }}") for g in graphs)


def test_every_quantity_has_a_qualifier_and_approximate_figures_are_not_bare(seeded: Store) -> None:
    rows = seeded.select(
        "SELECT ?q ?qualifier WHERE { GRAPH ?g { ?q a ck:Quantity } OPTIONAL { GRAPH ?h { ?q ck:qualifier ?qualifier } } }"
    )
    assert len(rows) >= 12
    assert [r["q"] for r in rows if r["qualifier"] is None] == []
    qualifiers = {str(r["q"]).rsplit("/", 1)[-1]: str(r["qualifier"]).rsplit("#", 1)[-1] for r in rows}
    assert qualifiers["al-aqtaan-escaped"] == "Approximately"
    assert qualifiers["al-aqtaan-detainee-countries"] == "Estimated"
    assert qualifiers["syria-detention-facilities"] == "AtLeast"
    assert qualifiers["people-in-state-custody"] == "MoreThan"
    assert qualifiers["isis-fighters-detained"] == "Estimated"
    assert qualifiers["rearrest-sought"] == "Dozens"


def test_still_at_large_is_derivable_not_asserted(seeded: Store) -> None:
    assert not seeded.ask("ASK { GRAPH ?g { ?q ck:value 39.0 } }")


def test_turkeys_takeover_is_a_plan_not_an_event(seeded: Store) -> None:
    plan = f"<{ID}plan/turkey-takeover-of-kurdish-held-areas>"
    assert seeded.ask(f"ASK {{ GRAPH ?g {{ {plan} a ck:Plan ; ck:plannedBy actor:turkey }} }}")
    assert not seeded.ask(f"ASK {{ GRAPH ?g {{ {plan} a ?t }} GRAPH g:ontology {{ ?t rdfs:subClassOf* ck:Event }} }}")


def test_the_accusation_is_a_fact_pointing_to_its_claim(seeded: Store) -> None:
    rows = seeded.select(
        """SELECT ?g ?claim WHERE { GRAPH ?g { ?e a ck:Accusation ; ck:actor actor:sdf ; ck:target actor:us-led-coalition ;
           ck:cameoCode "112" ; ck:claimContent ?claim } }"""
    )
    assert [str(r["g"]) for r in rows] == ["https://w3id.org/conflictkg/graph/al-aqtaan/facts"]


def test_seed_then_query_through_the_console_script(tmp_path: Path) -> None:
    store = tmp_path / "store"
    seeded = subprocess.run([str(CLI), "--store", str(store), "seed"], capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    again = subprocess.run([str(CLI), "--store", str(store), "seed", "--if-absent"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "already present" in again.stderr
    out = subprocess.run(
        [str(CLI), "--store", str(store), "query", str(ROOT / "queries" / "escape-and-recapture.rq"), "--format", "csv"],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    header, row = out.stdout.strip().splitlines()[:2]
    record = dict(zip(header.split(","), row.split(",")))
    assert (record["escaped"], record["recaptured"], record["stillAtLarge"]) == ("120", "81", "39")
