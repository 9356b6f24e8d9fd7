"""OWL 2 RL inference lands in g:inferred, apart from what was asserted, and never from claims."""

from __future__ import annotations

import pytest

from conflictkg.graph.knowledge.reasoning import materialize
from conflictkg.graph.knowledge.seed import build_seed
from conflictkg.graph.store import Store

ASSERTED = "FILTER (?g != g:inferred)"


@pytest.fixture(scope="module")
def seeded() -> Store:
    store = Store()
    build_seed(store)
    return store


def test_the_prison_is_in_syria_by_transitivity_only_in_the_inferred_graph(seeded: Store) -> None:
    pattern = "place:al-aqtaan-prison ck:locatedIn place:syria"
    assert seeded.ask(f"ASK {{ GRAPH g:inferred {{ {pattern} }} }}")
    assert not seeded.ask(f"ASK {{ GRAPH ?g {{ {pattern} }} {ASSERTED} }}")


def test_a_query_can_ask_for_asserted_inferred_or_both(seeded: Store) -> None:
    query = "SELECT ?type WHERE {{ GRAPH ?g {{ place:al-aqtaan-prison a ?type }} {f} }} ORDER BY ?type"
    asserted = {str(r["type"]).rsplit("#", 1)[-1] for r in seeded.select(query.format(f=ASSERTED))}
    inferred = {str(r["type"]).rsplit("#", 1)[-1] for r in seeded.select(query.format(f="FILTER (?g = g:inferred)"))}
    both = {str(r["type"]).rsplit("#", 1)[-1] for r in seeded.select(query.format(f=""))}
    assert asserted == {"Prison"}
    assert {"DetentionFacility", "Facility", "Place", "Feature"} <= inferred
    assert "Prison" not in inferred
    assert both == asserted | inferred


def test_inverse_properties_are_materialized(seeded: Store) -> None:
    assert seeded.ask("ASK { GRAPH g:inferred { actor:sdf ck:hasMember <https://w3id.org/conflictkg/id/person/farhad-shami> } }")
    assert seeded.ask(
        "ASK { GRAPH g:inferred { event:sdf-accuses-coalition ck:evidences "
        "<https://w3id.org/conflictkg/id/relationship/sdf-us-led-coalition-strain> } }"
    )


def test_sub_properties_give_the_involved_actors(seeded: Store) -> None:
    rows = seeded.select("SELECT ?a WHERE { GRAPH g:inferred { event:raqqa-campaign-2017 ck:involves ?a } } ORDER BY ?a")
    assert {str(r["a"]).rsplit("/", 1)[-1] for r in rows} == {"sdf", "us-led-coalition", "isis"}


def test_undated_hostility_gives_symmetric_shortcut_edges(seeded: Store) -> None:
    for a, b in (("sdf", "isis"), ("isis", "sdf"), ("isis", "us-led-coalition"), ("us-led-coalition", "isis")):
        assert seeded.ask(f"ASK {{ GRAPH g:inferred {{ actor:{a} ck:hostileTo actor:{b} }} }}"), (a, b)
    assert not seeded.ask("ASK { GRAPH g:inferred { actor:sdf ck:hostileTo actor:us-led-coalition } }")


def test_a_relationship_with_a_time_span_gives_no_timeless_shortcut(seeded: Store) -> None:
    # Cooperation 2017 → (ended, the author says); hostility from January 2026: neither is true "always".
    assert seeded.ask("ASK { rel:sdf-us-led-coalition-cooperation ck:startDate ?start }")
    assert not seeded.ask("ASK { ?a ck:cooperatesWith ?b }")
    for a, b in (("sdf", "syrian-government-forces"), ("syrian-government-forces", "sdf")):
        assert not seeded.ask(f"ASK {{ actor:{a} ck:hostileTo actor:{b} }}"), (a, b)


def test_claims_do_not_leak_into_the_inferred_graph(seeded: Store) -> None:
    # The alleged siege is typed ck:Siege in its claim graph; RL would make it a ck:Event.
    assert not seeded.ask("ASK { GRAPH g:inferred { <https://w3id.org/conflictkg/id/event/government-siege-of-al-aqtaan> ?p ?o } }")


def test_inferred_graph_holds_nothing_already_asserted_and_no_trivia(seeded: Store) -> None:
    assert not seeded.ask(f"ASK {{ GRAPH g:inferred {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o }} {ASSERTED} FILTER (?g != g:ontology) }}")
    assert not seeded.ask("ASK { GRAPH g:inferred { ?s a owl:Thing } }")
    assert not seeded.ask("ASK { GRAPH g:inferred { ?s owl:sameAs ?s } }")


def test_materialize_replaces_the_inferred_graph_instead_of_adding_to_it(seeded: Store) -> None:
    before = seeded.count("https://w3id.org/conflictkg/graph/inferred")
    result = materialize(seeded)
    assert result.inferred == before == seeded.count("https://w3id.org/conflictkg/graph/inferred")
    assert result.from_rules > 0
