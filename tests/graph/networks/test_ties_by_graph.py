"""A large graph's ties are kept until a write touches that graph, and read that way they are the same ties."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.networks import parts
from conflictkg.graph.networks.index import open_network_index
from conflictkg.graph.networks.parts import read_ties
from conflictkg.graph.networks.ties import TieSet, load_ties
from conflictkg.graph.store import Store

CK = "https://w3id.org/conflictkg/ontology#"
BIG, OTHER, SMALL, TYPES, CLAIM = "urn:g:big", "urn:g:other", "urn:g:small", "urn:g:types", "urn:g:claim"


def events(graph: str, first: int, n: int, actor: str = "a", target: str = "b") -> str:
    return f"GRAPH <{graph}> {{ " + " ".join(
        f'<urn:e{i}> a ck:Attack ; ck:actor <urn:{actor}{i % 7}> ; ck:target <urn:{target}{i % 5}> ; '
        f'ck:date "2020-01-{1 + i % 28:02d}"^^xsd:date ; rdfs:label "event {i}" .' for i in range(first, first + n)) + " }"


def everything(ties: TieSet) -> tuple[list[tuple[object, ...]], dict[str, object], dict[str, object]]:
    return sorted(((t.a, t.b, t.sign, t.score, t.start, t.end, t.kind, t.iri, t.basis, t.evidence, t.cameo)
                   for t in ties.ties), key=repr), ties.evidence, ties.actors


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(parts, "PART_MIN_EVENTS", 20)  # a "large" graph of a test's size
    store = Store(tmp_path / "store")
    open_network_index(store)
    store.update(f"""INSERT DATA {{
      {events(BIG, 0, 40)} {events(OTHER, 100, 30, "c", "d")} {events(SMALL, 200, 3)}
      GRAPH <{TYPES}> {{ <urn:e1> a ck:Accusation . <urn:e101> ck:cameoCode "051" . <urn:e201> a ck:Accusation . }}
      GRAPH <{SMALL}> {{ <urn:e2> ck:target <urn:z> . <urn:e300> a ck:Cooperation ; ck:actor <urn:a1> ;
                          ck:participant <urn:a2> ; ck:date "2021-05-05"^^xsd:date . }}
      GRAPH <{OTHER}> {{ <urn:e3> ck:actor <urn:x> . <urn:e201> ck:target <urn:y> . }}
      GRAPH <{CLAIM}> {{ <urn:e4> ck:target <urn:claimed> . <urn:e500> a ck:Attack ; ck:actor <urn:p> ; ck:target <urn:q> . }}
      GRAPH g:meta {{ <{CLAIM}> a ck:Claim . <{BIG}> prov:wasDerivedFrom <urn:src> . <urn:src> rdfs:label "the source" . }}
      GRAPH <urn:g:blank> {{ _:b a ck:Attack ; ck:actor <urn:a1> ; ck:target <urn:b1> . }}
    }}""")
    return store


def parts_on_disk(store: Store) -> set[str]:
    assert store.path is not None
    return {p.name for p in store.path.glob("part-*.pickle")}


@pytest.mark.parametrize("include_claims", [False, True])
@pytest.mark.parametrize("labels", [False, True])
def test_read_graph_by_graph_the_ties_are_those_of_one_whole_read(store: Store, include_claims: bool, labels: bool) -> None:
    index = open_network_index(store)
    whole = read_ties(store, include_claims=include_claims, labels=labels)
    for _ in range(2):  # reading the parts, then from what was kept
        assert everything(read_ties(store, include_claims=include_claims, labels=labels, index=index)) == everything(whole)
    # What spans graphs is read over every graph: the inferred type, the second actor, the target in a small graph …
    assert whole.evidence["urn:e1"]["kind"] == "Accusation" == whole.evidence["urn:e201"]["kind"] and whole.evidence["urn:e101"]["cameo"] == "051"
    assert {(t.a, t.b) for t in whole.ties if t.iri == "urn:e2"} == {("urn:a2", "urn:b2"), ("urn:a2", "urn:z")}
    assert {(t.a, t.b) for t in whole.ties if t.iri == "urn:e3"} == {("urn:a3", "urn:b3"), ("urn:x", "urn:b3")}
    assert (("urn:a4", "urn:claimed") in {(t.a, t.b) for t in whole.ties if t.iri == "urn:e4"}) == include_claims
    assert whole.evidence["urn:e5"]["source_label"] == "the source"
    assert any(t.a == "urn:a1" and t.b == "urn:b1" and not t.iri.startswith("urn:") for t in whole.ties)  # the blank node


def test_a_write_reads_again_only_the_graph_it_touched(store: Store) -> None:
    first = load_ties(store, labels=False)
    kept = parts_on_disk(store)
    assert len(kept) == 6  # ties, other subjects and pairs' sums, of each of the two large graphs
    assert store.path is not None and list(store.path.glob("ties-*.pickle")) == []  # not the whole as well
    store.update(f"INSERT DATA {{ {events(OTHER, 130, 1, 'n', 'm')} }}")
    assert parts_on_disk(store) == {p for p in kept if p.startswith(f"part-{_name(BIG)}")}
    after = load_ties(store, labels=False)
    assert ("urn:n4", "urn:m0") in {(t.a, t.b) for t in after.ties}
    assert len(after.ties) == len(first.ties) + 1
    assert everything(after) == everything(read_ties(store, labels=False))
    store.update(f"DELETE DATA {{ GRAPH <{BIG}> {{ <urn:e10> ck:target <urn:b0> }} }}")
    assert not any(t.iri == "urn:e10" for t in load_ties(store, labels=False).ties)
    assert everything(load_ties(store, labels=False)) == everything(read_ties(store, labels=False))


def test_a_graph_whose_metadata_changed_is_given_its_new_source(store: Store) -> None:
    assert load_ties(store).evidence["urn:e5"]["source_label"] == "the source"
    store.update('DELETE DATA { GRAPH g:meta { <urn:src> rdfs:label "the source" } } ; '
                 'INSERT DATA { GRAPH g:meta { <urn:src> rdfs:label "renamed" } }')
    assert parts_on_disk(store)  # a write to g:meta touches no large graph
    assert load_ties(store).evidence["urn:e5"]["source_label"] == "renamed"
    store.update('DELETE DATA { GRAPH g:meta { <urn:src> rdfs:label "renamed" } }')
    assert "source_label" not in load_ties(store).evidence["urn:e5"]


def test_an_event_split_between_two_large_graphs_is_read_whole(store: Store) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{BIG}> {{ <urn:e105> ck:endDate "2020-03-01"^^xsd:date . }} }}')
    load_ties(store)  # the parts again, the one of BIG with e105's end among its other subjects
    store.update(f'INSERT DATA {{ GRAPH <{SMALL}> {{ <urn:nothing> a ck:Attack }} }}')  # forgets the whole, not the parts
    [tie] = [t for t in load_ties(store).ties if t.iri == "urn:e105"]
    assert str(tie.end) == "2020-03-01"
    assert everything(load_ties(store)) == everything(read_ties(store))


def test_what_a_reader_read_before_a_write_is_not_kept(store: Store) -> None:
    index = open_network_index(store)
    since = index.generation
    stale = load_ties(store)
    store.update(f"INSERT DATA {{ {events(SMALL, 400, 1)} }}")
    index.keep("claims0-labels1", stale, since)
    assert index.kept("claims0-labels1") is None
    index.keep_part(BIG, "labels1", "stale", since)
    assert index.part(BIG, "labels1") != "stale"


def _name(graph: str) -> str:
    import hashlib

    return hashlib.sha1(graph.encode("utf-8")).hexdigest()[:16]


@pytest.fixture
def plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Two large graphs whose events each sit in one graph, small ones beside them, a relationship, a claim."""
    monkeypatch.setattr(parts, "PART_MIN_EVENTS", 20)
    store = Store(tmp_path / "plain")
    open_network_index(store)
    store.update(f"""INSERT DATA {{
      {events(BIG, 0, 40)} {events(OTHER, 100, 30, "a", "d")} {events(SMALL, 200, 3)}
      GRAPH <{SMALL}> {{ <urn:e300> a ck:Cooperation ; ck:actor <urn:a1> ; ck:participant <urn:a2> ;
                          ck:date "2021-05-05"^^xsd:date .
                        <urn:r1> a ck:Alliance ; ck:party <urn:a1>, <urn:b1> ; ck:startDate "2020-01-02"^^xsd:date .
                        <urn:r2> a ck:Alliance ; ck:party <urn:lone1>, <urn:lone2> ; ck:startDate "2020-01-02"^^xsd:date .
                        <urn:r3> a ck:Hostility ; ck:party <urn:lone1>, <urn:lone2> ; ck:startDate "2020-01-02"^^xsd:date .
                        <urn:e301> a ck:Attack ; ck:actor <urn:lone1> ; ck:target <urn:a3> ; ck:date "2021-01-01"^^xsd:date . }}
      GRAPH <{CLAIM}> {{ <urn:e500> a ck:Attack ; ck:actor <urn:a1> ; ck:target <urn:b2> . }}
      GRAPH g:meta {{ <{CLAIM}> a ck:Claim . }}
    }}""")
    return store


@pytest.mark.parametrize("include_claims", [False, True])
def test_the_whole_history_from_the_pairs_sums_is_the_network_of_the_ties(plain: Store, include_claims: bool) -> None:
    from conflictkg.graph.networks.parts import read_dyads
    from conflictkg.graph.networks.snapshots import signed_network, whole_history_network

    index = open_network_index(plain)
    expected = signed_network(read_ties(plain, include_claims=include_claims, labels=False, index=index), evidence=False)
    whole = signed_network(read_ties(plain, include_claims=include_claims, labels=False), evidence=False)
    def pairs(G: object) -> list[tuple[str, str, dict[str, object]]]:
        return sorted((min(u, v), max(u, v), d) for u, v, d in G.edges(data=True))  # type: ignore[attr-defined]

    assert pairs(whole) == pairs(expected)  # the same network, in another order
    for _ in range(2):  # the sums kept by the first read, then read back
        summed = read_dyads(plain, include_claims=include_claims, index=index)
        assert summed is not None and len(summed[0]) > 20
        G = whole_history_network(*summed)
        assert list(G.nodes(data=True)) == list(expected.nodes(data=True))
        assert list(G.edges(data=True)) == list(expected.edges(data=True))
    assert G["urn:a1"]["urn:b1"]["basis"] == "relationship"
    assert not G.has_edge("urn:lone1", "urn:lone2") and G.nodes["urn:lone1"]["label"] == "urn:lone1"  # two that cancel


def test_an_event_split_between_graphs_is_not_summed_but_read(store: Store) -> None:
    from conflictkg.graph.networks.parts import read_dyads

    # e2's target in a small graph, e3's second actor in the other large one: the sums cannot say it.
    assert read_dyads(store, index=open_network_index(store)) is None


def test_network_balance_after_a_small_write_reads_the_sums_not_the_ties(plain: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from conflictkg.graph.networks import series

    before = series.network_balance(plain)
    plain.update(f"INSERT DATA {{ {events(SMALL, 600, 1, 'q', 'r')} }}")

    def no_ties(*args: object, **kwargs: object) -> None:
        raise AssertionError("the ties were read")

    monkeypatch.setattr(series, "load_ties", no_ties)
    after = series.network_balance(plain)
    assert after["nodes"] == before["nodes"] + 2 and after["edges"] == before["edges"] + 1
