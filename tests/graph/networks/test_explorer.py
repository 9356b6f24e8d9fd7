"""The explorer's network: spells of each pair over time, breakdown marks, claims, caps, aggregation, bad input."""

from __future__ import annotations

import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.knowledge.seed import ontology_files, seed_files
from conflictkg.graph.networks.explorer import NetworkExplorer
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ID, ONTOLOGY_GRAPH

SDF, COALITION = str(ID["actor/sdf"]), str(ID["actor/us-led-coalition"])


@pytest.fixture(scope="module")
def seeded() -> Store:
    store = Store()
    store.load(ontology_files(), graph=str(ONTOLOGY_GRAPH))
    store.load(seed_files())
    return store


def edge(net: dict, a: str, b: str) -> dict | None:
    return next((e["data"] for e in net["elements"]["edges"] if {e["data"]["source"], e["data"]["target"]} == {a, b}), None)


def test_the_sdf_and_the_coalition_cooperate_in_2017_and_are_strained_after_the_breakdown(seeded: Store) -> None:
    explorer = NetworkExplorer(seeded)
    then = edge(explorer.elements(at="2017-06-01"), SDF, COALITION)
    assert [(s["sign"], s["kind"], s["basis"]) for s in then["timeline"]] == [(1, "Cooperation", "relationship")]
    after = edge(explorer.elements(at="2026-03-01"), SDF, COALITION)
    assert [(s["sign"], s["kind"]) for s in after["timeline"]] == [(-1, "Strain")]
    whole = explorer.elements()
    spells = edge(whole, SDF, COALITION)["timeline"]
    assert [(s["sign"], s["start"], s["end"]) for s in spells] == [(1, "2017-01-01", "2025-12-31"), (-1, "2026-01-01", "2027-01-01")]
    assert {"date": "2026-01-01", "actors": ["Syrian Democratic Forces", "US-led coalition"], "iris": [SDF, COALITION]} in whole["breakdowns"]
    assert whole["span"] == {"start": "2017-01-01", "end": "2026-01-01", "horizon": "2027-01-01"}


def test_the_strain_shows_its_evidence_with_sources_and_the_authors_claim(seeded: Store) -> None:
    spells = NetworkExplorer(seeded).edge(SDF, COALITION, at="2026-03-01")["timeline"]
    assert len(spells) == 1
    evidence = {e.get("label"): e for e in spells[0]["evidence"]}
    accusation = evidence["the SDF accuses the US-led coalition of failing to intervene"]
    assert accusation["source_label"] == "Al-Aqtaan prison break report" and accusation["claim"] is False
    crumbled = evidence["The author: the SDF–coalition collaboration has utterly crumbled"]
    assert crumbled["claim"] is True and crumbled["claimant_label"] == "the author of the Al-Aqtaan report (not named)"


def test_a_tie_only_a_claim_carries_appears_with_claims_and_says_whose(seeded: Store) -> None:
    ministry, escapees = str(ID["actor/syrian-interior-ministry"]), str(ID["group/al-aqtaan-escapees"])
    explorer = NetworkExplorer(seeded)
    assert edge(explorer.elements(), ministry, escapees) is None
    spells = edge(explorer.elements(include_claims=True), ministry, escapees)["timeline"]
    assert spells and all(s["claim_only"] and s["claimants"] == ["Syrian Interior Ministry"] for s in spells)


def test_filters_keep_only_the_kinds_asked_for(seeded: Store) -> None:
    net = NetworkExplorer(seeded).elements(kinds="Cooperation,Strain")
    assert edge(net, SDF, COALITION) is not None
    assert {s["kind"] for e in net["elements"]["edges"] for s in e["data"]["timeline"]} <= {"Cooperation", "Strain"}
    states = NetworkExplorer(seeded).elements(actor_kinds="State,Coalition")
    assert {n["data"]["kind"] for n in states["elements"]["nodes"]} == {"State", "Coalition"}


def test_the_cap_keeps_the_most_connected_actors_and_says_so(seeded: Store) -> None:
    net = NetworkExplorer(seeded).elements(limit=2)
    assert len(net["elements"]["nodes"]) == 2 and net["cap"]["truncated"] is True
    assert net["cap"]["total_nodes"] > 2 and {n["data"]["id"] for n in net["elements"]["nodes"]} >= {SDF}


def test_a_focus_keeps_the_actors_near_it(seeded: Store) -> None:
    net = NetworkExplorer(seeded).elements(focus=str(ID["person/farhad-shami"]), depth=1)
    assert {n["data"]["id"] for n in net["elements"]["nodes"]} == {str(ID["person/farhad-shami"]), SDF}


def test_a_large_store_is_read_aggregated_and_still_shows_the_breakdown(seeded: Store) -> None:
    explorer = NetworkExplorer(seeded, detail_limit=5)
    net = explorer.elements()
    assert net["read"]["mode"] == "aggregated" and "actors with most events" in net["read"]["note"]
    spells = edge(net, SDF, COALITION)["timeline"]
    assert [(s["sign"], s["kind"]) for s in spells] == [(1, "Cooperation"), (-1, "Strain")]
    assert any(b["iris"] == [SDF, COALITION] for b in net["breakdowns"])


def test_a_write_is_seen_by_the_next_answer() -> None:
    store = Store()
    explorer = NetworkExplorer(store)
    assert explorer.elements()["elements"]["edges"] == []
    store.update('INSERT DATA { GRAPH <urn:g> { <urn:r> a ck:Hostility ; ck:party <urn:a>, <urn:b> ; '
                 'ck:startDate "2020-01-01"^^xsd:date } }')
    assert edge(explorer.elements(), "urn:a", "urn:b")["timeline"][0]["sign"] == -1


@pytest.mark.parametrize(
    ("options", "parameter"),
    [({"window": "-5d"}, "window"), ({"at": "2026-02-30"}, "at"), ({"depth": 100}, "depth"), ({"limit": 0}, "limit"),
     ({"start": "2026-01-01", "end": "2017-01-01"}, "start"), ({"kinds": "Co operation"}, "kinds"), ({"focus": "urn:nobody"}, "focus")],
)
def test_bad_input_names_the_parameter(seeded: Store, options: dict, parameter: str) -> None:
    with pytest.raises(InputError) as err:
        NetworkExplorer(seeded).elements(**options)
    assert err.value.details["parameter"] == parameter


def test_an_edge_that_does_not_exist_names_it(seeded: Store) -> None:
    with pytest.raises(InputError) as err:
        NetworkExplorer(seeded).edge(SDF, str(ID["actor/turkey"]))
    assert err.value.details["parameter"] == "b"


def test_what_a_pending_graph_says_is_no_tie() -> None:
    from conflictkg.ontology.vocab import META_GRAPH, PENDING_GRAPHS

    store = Store()
    pending = PENDING_GRAPHS + "report-2"
    store.update(f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{pending}> a ck:PendingGraph }} '
                 f'GRAPH <{pending}> {{ <urn:r> a ck:Hostility ; ck:party <urn:a>, <urn:b> ; ck:startDate "2020-01-01"^^xsd:date }} '
                 f'GRAPH <urn:g> {{ <urn:s> a ck:Cooperation ; ck:party <urn:c>, <urn:d> ; ck:startDate "2020-01-01"^^xsd:date }} }}')
    net = NetworkExplorer(store).elements()
    assert edge(net, "urn:a", "urn:b") is None and edge(net, "urn:c", "urn:d") is not None
