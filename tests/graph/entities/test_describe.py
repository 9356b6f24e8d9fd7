"""Entity descriptions: facts by named graph with their provenance, qualified quantities, claims marked; the neighbourhood."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conflictkg.graph.entities.describe import describe_entity, entity_exists, entity_rdf, quantity_text
from conflictkg.graph.entities.neighbourhood import neighbourhood
from conflictkg.graph.errors import InputError, UnknownEntity
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import CK, ID, META_GRAPH, PENDING_GRAPHS

SDF = str(ID["actor/sdf"])
PRISON = str(ID["place/al-aqtaan-prison"])
COALITION = str(ID["actor/us-led-coalition"])


def test_the_prison_break_says_approximately_120_never_120(seeded: Store) -> None:
    page = describe_entity(seeded, PRISON)
    escape = next(e for e in page["events"] if e["iri"].endswith("al-aqtaan-prison-break"))
    assert [(q["predicate_label"], q["text"]) for q in escape["quantities"]] == [("number escaped", "approximately 120")]
    assert escape["quantities"][0]["stated_as"] == "Approximately 120 detainees fled"
    assert escape["claim"] is False


@pytest.mark.parametrize(
    ("props", "text"),
    [
        ({"value": ["81.0"], "qualifier": ["Exactly"]}, "exactly 81"),
        ({"value": ["56000.0"], "qualifier": ["MoreThan"], "lowerBound": ["56000.0"]}, "more than 56,000"),
        ({"qualifier": ["Dozens"], "lowerBound": ["24.0"]}, "dozens (at least 24)"),
        ({"value": ["33.3"], "qualifier": ["Approximately"], "unit": ["Percent"]}, "approximately 33.3%"),
    ],
)
def test_quantities_keep_their_qualifier(seeded: Store, props: dict, text: str) -> None:
    labels = {str(CK.Exactly): "exactly", str(CK.MoreThan): "more than", str(CK.Dozens): "dozens", str(CK.Approximately): "approximately"}
    full = {str(CK[k]): [str(CK[v]) if k in ("qualifier", "unit") else v for v in vs] for k, vs in props.items()}
    assert quantity_text(full, labels) == text


def test_facts_are_grouped_by_graph_with_source_and_claims_with_their_claimant(seeded: Store) -> None:
    page = describe_entity(seeded, PRISON)
    kinds = {g["graph"].rsplit("/", 1)[-1]: g for g in page["graphs"] if g["graph"]}
    assert kinds["entities"]["kind"] == "fact" and kinds["entities"]["source_label"] == "Al-Aqtaan prison break report"
    claim = kinds["facilities-overcrowded"]
    assert claim["kind"] == "claim" and claim["claimant_label"].startswith("unnamed sources") and claim["attribution_label"] == "Alleged"
    assert {f["object"]["label"] for f in claim["facts"]} == {"overcrowding", "human rights violations"}
    siege = next(e for e in page["events"] if "siege" in e["iri"])
    assert siege["claim"] is True and siege["claimants"] == ["Syrian Democratic Forces"]


def test_the_cooperation_end_is_the_authors_claim_not_a_fact(seeded: Store) -> None:
    rels = {r["kind"]: r for r in describe_entity(seeded, SDF)["relationships"] if COALITION in [o["iri"] for o in r["others"]]}
    assert rels["Cooperation"]["start"] == {"date": "2017-01-01"}
    end = rels["Cooperation"]["end"]
    assert end["date"] == "2026-01-01" and end["claim"]["claimant_label"] == "the author of the Al-Aqtaan report (not named)"
    assert rels["Strain"]["sign"] == -1 and rels["Strain"]["end"] is None
    evidence = {e["label"]: e for e in rels["Strain"]["evidence"]}
    assert evidence["The author: the SDF–coalition collaboration has utterly crumbled"]["claim"] is True
    assert evidence["the SDF accuses the US-led coalition of failing to intervene"]["claim"] is False


def test_the_sdf_lists_the_claims_it_makes(seeded: Store) -> None:
    made = describe_entity(seeded, SDF)["claims_made"]
    assert {c["label"] for c in made} >= {"The SDF alleges the US-led coalition failed to intervene"}
    assert describe_entity(seeded, SDF)["aliases"] == ["QSD", "QSD: Syrian Democratic Forces", "SDF"]


def test_an_unknown_iri_is_unknown_and_a_bad_one_is_bad_input(seeded: Store) -> None:
    with pytest.raises(UnknownEntity):
        describe_entity(seeded, str(ID["actor/nobody"]))
    with pytest.raises(InputError) as err:
        describe_entity(seeded, "not an iri")
    assert err.value.details["parameter"] == "iri"


def test_a_pending_graph_is_never_shown_as_facts() -> None:
    store = Store()
    pending = PENDING_GRAPHS + "report-1"
    store.update(f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{pending}> a ck:PendingGraph }} '
                 f'GRAPH <{pending}> {{ <urn:x> rdfs:label "only pending" }} GRAPH <urn:g> {{ <urn:y> rdfs:label "reviewed" ; ck:near <urn:x> }} }}')
    assert not entity_exists(store, "urn:x") or all(g["graph"] != pending for g in describe_entity(store, "urn:x")["graphs"])
    assert all(g["graph"] != pending for g in describe_entity(store, "urn:y")["graphs"])


def test_turtle_leaves_claims_out_and_trig_keeps_them_in_their_graphs(seeded: Store) -> None:
    ttl = entity_rdf(seeded, PRISON, ox.RdfFormat.TURTLE).decode()
    assert "Al-Aqtaan Prison" in ttl and "Overcrowding" not in ttl
    quads = list(ox.parse(entity_rdf(seeded, PRISON, ox.RdfFormat.TRIG), format=ox.RdfFormat.TRIG))
    claim = [q for q in quads if q.predicate.value == str(CK.condition)]
    assert claim and all(q.graph_name.value.endswith("claim/facilities-overcrowded") for q in claim)
    assert any(q.graph_name.value == str(META_GRAPH) and q.predicate.value == str(CK.claimant) for q in quads)


def test_the_sdf_neighbourhood_reaches_the_coalition_and_caps_itself(seeded: Store) -> None:
    near = neighbourhood(seeded, SDF, depth=2, limit=500)
    ids = {n["data"]["id"]: n["data"] for n in near["elements"]["nodes"]}
    assert ids[SDF]["distance"] == 0 and ids[COALITION]["distance"] == 2 and near["cap"]["truncated"] is False
    small = neighbourhood(seeded, SDF, depth=2, limit=5)
    assert len(small["elements"]["nodes"]) == 5 and small["cap"] == {"nodes": 5, "truncated": True}


@pytest.mark.parametrize(("depth", "limit", "parameter"), [(100, 10, "depth"), (0, 10, "depth"), (1, 0, "limit"), (1, 10_000, "limit")])
def test_a_neighbourhood_out_of_range_names_the_parameter(seeded: Store, depth: int, limit: int, parameter: str) -> None:
    with pytest.raises(InputError) as err:
        neighbourhood(seeded, SDF, depth=depth, limit=limit)
    assert err.value.details["parameter"] == parameter


def test_the_justifications_of_inferences_are_not_shown_as_an_entitys_facts() -> None:
    # g:justifications reifies the premises of every inferred triple: its statement nodes are not neighbours.
    from conflictkg.graph.knowledge.seed import build_seed
    from conflictkg.ontology.vocab import JUSTIFICATIONS_GRAPH

    seeded = Store()
    build_seed(seeded)

    assert seeded.ask(f"ASK {{ GRAPH <{JUSTIFICATIONS_GRAPH}> {{ ?s ?p <{PRISON}> }} }}", raw=True)
    described = describe_entity(seeded, PRISON)
    assert str(JUSTIFICATIONS_GRAPH) not in {g["graph"] for g in described["graphs"]}
    near = neighbourhood(seeded, PRISON, depth=1, limit=500)
    assert all("/graph/" not in n["data"]["id"] for n in near["elements"]["nodes"])
    assert all(n["data"]["id"].startswith("https://w3id.org/conflictkg/id/") for n in near["elements"]["nodes"])


def test_graph_metadata_is_read_from_the_metadata_graph_not_from_what_fact_graphs_say(seeded: Store) -> None:
    # A fact graph's content is part of the analyst's default graph; a graph described there is
    # data about a graph, not the store's metadata (reading that union cost 7.7 s at 50k ACLED rows).
    from conflictkg.graph.entities.names import graph_metadata

    seeded.update(
        f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <urn:facts> a ck:FactGraph ; rdfs:label \"Facts\" }} "
        "GRAPH <urn:facts> { <urn:other> a ck:Claim ; rdfs:label \"said in a fact\" } }"
    )
    meta = graph_metadata(seeded)
    assert meta["urn:facts"]["kind"] == "fact" and meta["urn:facts"]["label"] == "Facts"
    assert "urn:other" not in meta
