from __future__ import annotations

from datetime import date, timedelta

import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.series import actor_network, network_centrality, network_series, signed_network
from conflictkg.graph.networks.ties import load_ties, parse_window
from conflictkg.graph.networks.signed import is_balanced, unbalanced_triads
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ID

FIXTURE = __import__("pathlib").Path(__file__).parents[2] / "fixtures" / "alliances.trig"
US, SDF, TURKEY = (str(ID[f"actor/{x}"]) for x in ("us", "sdf", "turkey"))
A, B = str(ID["actor/group-a"]), str(ID["actor/group-b"])


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.load([FIXTURE])
    return s


@pytest.fixture(scope="module")
def ties(store: Store):
    return load_ties(store)


def test_actors_are_nodes_with_label_kind_and_aliases(ties) -> None:
    G = signed_network(ties)
    assert G.nodes[US] == {"label": "United States", "kind": "State", "aliases": ["US", "USA"]}
    assert G.nodes[SDF]["kind"] == "ArmedGroup"


def test_an_accusation_is_the_accusers_act_a_negative_tie_to_the_accused(ties) -> None:
    accusation = [t for t in ties.ties if t.kind == "Accusation" and {t.a, t.b} == {SDF, US}]
    assert [(t.a, t.b, t.sign, t.score, t.cameo) for t in accusation] == [(SDF, US, -1, -2.0, "112")]


def test_what_a_claim_graph_alleges_makes_no_tie(store: Store, ties) -> None:
    assert not any({t.a, t.b} == {US, TURKEY} and t.basis == "event" for t in ties.ties)
    with_claims = load_ties(store, include_claims=True)
    alleged = [t for t in with_claims.ties if {t.a, t.b} == {US, TURKEY} and t.basis == "event"]
    assert [(t.kind, t.sign) for t in alleged] == [("Attack", -1)]


def test_a_plain_statement_is_neutral_not_negative(ties) -> None:
    assert not any(t.kind == "Statement" for t in ties.ties)
    G = signed_network(ties, start="2023-06-01", end="2024-06-01", kinds={"Statement"})
    assert G.number_of_edges() == 0


def test_snapshot_before_the_break_has_the_unbalanced_triad(ties) -> None:
    G = signed_network(ties, at="2020-01-01")
    assert (G[US][SDF]["sign"], G[US][TURKEY]["sign"], G[TURKEY][SDF]["sign"]) == (1, 1, -1)
    assert G[US][SDF]["basis"] == "relationship" and G[US][SDF]["kind"] == "Cooperation"
    assert [t[3] for t in unbalanced_triads(G)] == ["++-"]


def test_snapshot_after_the_break_is_balanced_us_and_turkey_against_the_sdf(ties) -> None:
    G = signed_network(ties, at="2026-02-01", kinds={"Cooperation", "Strain", "Alliance", "Hostility", "Accusation"})
    assert G[US][SDF]["sign"] == -1 and G[US][SDF]["kind"] == "Strain"
    assert G[US][SDF]["start"] == "2026-01-10" and G[US][SDF]["end"] == ""
    assert is_balanced(G)


def test_edges_carry_their_evidence_events_in_the_period(ties) -> None:
    G = signed_network(ties, at="2026-02-01", window="60d")
    assert G[US][SDF]["events"] == [str(ID["event/sdf-accuses-us"])]
    assert G[US][SDF]["relationships"] == [str(ID["relationship/us-sdf-strain"])]


def test_event_only_pairs_take_the_sign_of_their_summed_weights(ties) -> None:
    coop = signed_network(ties, start="2019-01-01", end="2019-04-01")
    assert coop[A][B]["sign"] == 1 and coop[A][B]["score"] == pytest.approx(14.4)
    fight = signed_network(ties, at="2020-07-01", window="90d")
    assert fight[A][B]["sign"] == -1 and fight[A][B]["score"] == -20.0


def test_window_drops_old_events_and_silence_drops_the_edge(ties) -> None:
    G = signed_network(ties, at="2019-12-31", window="30d")
    assert not G.has_edge(A, B)


def test_rolling_series_changes_on_the_break_day(ties) -> None:
    series = network_series(ties, window="90d", start="2026-01-01", end="2026-01-31")
    days = [t for t, _ in series]
    assert date(2026, 1, 10) in days
    signs = {t: G[US][SDF]["sign"] for t, G in series if G.has_edge(US, SDF)}
    assert signs[date(2026, 1, 1)] == 1 and signs[date(2026, 1, 10)] == -1
    weekly = network_series(ties, window="90d", step="7d", start="2026-01-01", end="2026-01-31")
    assert [t for t, _ in weekly] == [date(2026, 1, 1) + timedelta(days=7 * k) for k in range(5)]


def test_actor_network_reads_the_store_directly(store: Store) -> None:
    assert set(actor_network(store, at="2020-01-01")) >= {US, SDF, TURKEY}


@pytest.mark.parametrize(
    "options, parameter",
    [({"at": "yesterday"}, "at"), ({"at": "2020-01-01", "start": "2019-01-01"}, "at"), ({"start": "2021-01-01", "end": "2020-01-01"}, "start"), ({"at": "2020-01-01", "window": "soon"}, "window")],
)
def test_bad_dates_and_windows_name_the_parameter(ties, options, parameter) -> None:
    with pytest.raises(InputError) as err:
        signed_network(ties, **options)
    assert err.value.details["parameter"] == parameter


def test_window_lengths_parse() -> None:
    assert [parse_window(x).days for x in ("90d", "2w", "3m", "1y", 5)] == [90, 14, 90, 365, 5]


def test_edges_name_the_claims_and_sources_behind_them(ties) -> None:
    G = signed_network(ties, at="2026-02-01", window="60d")
    assert G[US][SDF]["claims"] == ["https://w3id.org/conflictkg/graph/fixture/claim/us-attacked-turkey"]
    assert G[US][SDF]["sources"] == [str(ID["source/fixture-report"])]


@pytest.mark.parametrize("text", ["9999999999d", "200y", "0d", "-3d", "ninety"])
def test_windows_out_of_range_are_refused(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_window(text)
    assert err.value.details["parameter"] == "window"


@pytest.mark.parametrize("text", ["2017-06-06junk", "0001-01-01", "9999-12-31", "17", "2017-13"])
def test_dates_out_of_range_or_with_junk_are_refused(ties, text: str) -> None:
    with pytest.raises(InputError):
        signed_network(ties, at=text)


def test_a_multilateral_alliance_ties_every_pair_of_its_parties() -> None:
    s = Store()
    s.update("INSERT DATA { GRAPH <urn:g> { <urn:r> a ck:Alliance ; ck:party <urn:a>, <urn:b>, <urn:c> } }")
    G = signed_network(load_ties(s))
    assert sorted(map(sorted, G.edges)) == [["urn:a", "urn:b"], ["urn:a", "urn:c"], ["urn:b", "urn:c"]]
    assert {d["sign"] for *_, d in G.edges(data=True)} == {1}


def test_a_relationship_without_a_sign_or_known_kind_is_left_out() -> None:
    s = Store()
    s.update("INSERT DATA { GRAPH <urn:g> { <urn:r> a ck:ActorRelationship ; ck:party <urn:a>, <urn:b> } }")
    assert load_ties(s).ties == []


# A broker between two hostile camps (made up): X is allied with both A's and with B1.
CAMPS_CSV = (
    "source,target,sign\n"
    "A1,A2,1\nB1,B2,1\nA1,B1,-1\nA1,B2,-1\nA2,B1,-1\nA2,B2,-1\n"
    "X,A1,1\nX,A2,1\nX,B1,1\n"
)


def test_centrality_credits_the_broker_with_the_pairs_of_allies_it_alone_links_across_camps() -> None:
    r = network_centrality(edges_text=CAMPS_CSV)
    # X sits with the A's (one frustrated tie, X–B1, against two if it sat with the B's).
    assert r["blocs"] == {"method": "frustration", "exact": True, "frustration_index": 1,
                          "partition": [["A1", "A2", "X"], ["B1", "B2"]]}
    actors = {a["label"]: a for a in r["actors"]}
    # X links A1–B1 and A2–B1; B1 links B2–X; allies in one camp need no broker.
    assert {n: a["brokerage"] for n, a in actors.items()} == {"X": 2, "B1": 1, "A1": 0, "A2": 0, "B2": 0}
    assert actors["X"]["signed_degree"] == {"pos": 3, "neg": 0, "net": 3, "ratio": 1.0}
    assert actors["B1"]["signed_degree"] == {"pos": 2, "neg": 2, "net": 0, "ratio": 0.5}
    assert [a["bloc"] for a in (actors["X"], actors["B1"])] == [0, 1]
    assert r["network"] == "edge list" and r["at"] is None and all(a["iri"] is None for a in r["actors"])
    pn = [round(a["pn_index"], 9) for a in r["actors"]]
    assert pn == sorted(pn, reverse=True) and r["actors"][0]["label"] == "X"
    # A1 and A2 are symmetric: equal PN, so the label decides.
    assert [a["label"] for a in r["actors"]].index("A1") + 1 == [a["label"] for a in r["actors"]].index("A2")


def test_centrality_of_a_store_snapshot_names_actors_by_iri_and_label(store: Store) -> None:
    r = network_centrality(store, at="2020-01-01")
    actors = {a["iri"]: a for a in r["actors"]}
    assert (r["network"], r["at"]) == ("store", "2020-01-01")
    assert actors[SDF]["label"] == "Syrian Democratic Forces"
    # US–SDF cooperation and Turkey–SDF hostility that day.
    assert actors[SDF]["signed_degree"] == {"pos": 1, "neg": 1, "net": 0, "ratio": 0.5}
    assert actors[US]["signed_degree"]["pos"] == 2 and actors[US]["pn_index"] > actors[SDF]["pn_index"]


def test_centrality_of_an_empty_snapshot_has_no_actors() -> None:
    r = network_centrality(Store(), at="2020-01-01")
    assert (r["nodes"], r["actors"], r["blocs"]["partition"]) == (0, [], [[], []])


@pytest.mark.parametrize(
    "options, parameter",
    [
        ({"edges_text": CAMPS_CSV, "at": "2020-01-01"}, "at"),
        ({}, "edges"),
        ({"store": Store(), "window": "soon", "at": "2020-01-01"}, "window"),
    ],
)
def test_centrality_refuses_bad_options_naming_the_parameter(options: dict, parameter: str) -> None:
    with pytest.raises(InputError) as err:
        network_centrality(**options)
    assert err.value.details["parameter"] == parameter


def test_network_docstring_examples_hold() -> None:
    import doctest

    import conflictkg.graph.networks.series as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_centrality_of_two_enemies_alone_leaves_their_pn_index_null() -> None:
    r = network_centrality(edges_text="source,target,sign\nUS,SDF,-1\n")
    assert [(a["label"], a["pn_index"], a["signed_degree"]["net"]) for a in r["actors"]] == [("SDF", None, -1), ("US", None, -1)]


def _random_ties(seed: int) -> "TieSet":
    import random

    from conflictkg.graph.networks.ties import Tie, TieSet

    rng = random.Random(seed)
    ties = TieSet()
    actors = [f"a{i}" for i in range(12)]
    for k in range(300):
        a, b = rng.sample(actors, 2)
        day = date(2020, 1, 1) + timedelta(days=rng.randrange(250))
        w = rng.choice([-10.0, -4.4, -2.0, 1.0, 3.4, 7.0])
        ties.ties.append(Tie(a, b, 1 if w > 0 else -1, w, day, None, "Event", f"e{k}", "event", (f"e{k}",)))
    for k in range(12):
        a, b = rng.sample(actors, 2)
        s, day = rng.choice([1, -1]), date(2020, 1, 1) + timedelta(days=rng.randrange(250))
        end = day + timedelta(days=rng.randrange(80)) if k % 2 else None
        ties.ties.append(Tie(a, b, s, float(s), day, end, "Alliance" if s > 0 else "Hostility", f"r{k}", "relationship"))
    return ties


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sign_changes_give_the_triad_transitions_of_daily_snapshots(seed: int) -> None:
    from conflictkg.graph.networks.series import sign_changes
    from conflictkg.graph.networks.signed import triad_transitions, triad_transitions_from_changes

    ties = _random_ties(seed)
    from_snapshots = triad_transitions(network_series(ties, window="30d"))
    first, initial, changes = sign_changes(ties, window="30d")
    assert from_snapshots  # the random network does change balance
    assert list(triad_transitions_from_changes(initial, changes)) == from_snapshots


def test_sign_changes_agree_with_the_network_of_each_day() -> None:
    from conflictkg.graph.networks.series import sign_changes

    ties = _random_ties(4)
    first, state, changes = sign_changes(ties, window="30d")
    by_day = dict(changes)
    day = first
    while day <= ties.span()[1]:  # past the data's last day no snapshot is taken
        for pair, s in by_day.get(day, {}).items():
            if s:
                state[pair] = s
            else:
                state.pop(pair)
        G = signed_network(ties, at=day, window="30d")
        assert {tuple(sorted(e)): d["sign"] for *e, d in G.edges(data=True)} == state, day
        day += timedelta(days=1)


def test_betweenness_dispatches_to_nx_parallel(caplog: pytest.LogCaptureFixture, ties) -> None:
    import logging

    import networkx as nx

    pytest.importorskip("nx_parallel", reason="install the 'parallel' extra: pip install -e '.[parallel]'")
    edges = "source,target,sign\nA,B,1\nB,C,1\nC,D,-1\nD,A,1\nA,C,-1\nD,E,1\n"
    with caplog.at_level(logging.DEBUG, logger="networkx.utils.backends"):
        parallel = network_centrality(edges_text=edges, betweenness=True, backend="parallel")
    assert any("Using backend 'parallel'" in r.getMessage() and "betweenness_centrality" in r.getMessage() for r in caplog.records)
    plain = network_centrality(edges_text=edges, betweenness=True)
    G = nx.Graph([(u, v) for u, v in ("AB", "BC", "CD", "DA", "AC", "DE")])
    expected = nx.betweenness_centrality(G)
    assert {a["label"]: a["betweenness"] for a in parallel["actors"]} == pytest.approx(expected)
    assert {a["label"]: a["betweenness"] for a in plain["actors"]} == pytest.approx(expected)


def test_unknown_backend_is_named() -> None:
    from conflictkg.graph.errors import InputError

    with pytest.raises(InputError, match="backend 'quantum'"):
        network_centrality(edges_text="source,target,sign\nA,B,1\n", betweenness=True, backend="quantum")
