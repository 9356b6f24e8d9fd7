from __future__ import annotations

import itertools

import networkx as nx
import pytest

from conflictkg.graph.networks.signed import (
    signed_triangles,
    triad_transitions,
    triangle_census,
    triangle_index,
    unbalanced_triads,
)

from .conftest import random_signed, triad


def census_by_enumeration(G: nx.Graph) -> dict[str, int]:
    out = {"+++": 0, "++-": 0, "+--": 0, "---": 0}
    for a, b, c in itertools.combinations(G, 3):
        if G.has_edge(a, b) and G.has_edge(a, c) and G.has_edge(b, c):
            neg = sum(G[x][y]["sign"] < 0 for x, y in ((a, b), (a, c), (b, c)))
            out[["+++", "++-", "+--", "---"][neg]] += 1
    return out


@pytest.mark.parametrize("seed", range(8))
def test_census_matches_enumeration_of_all_node_triples(seed: int) -> None:
    G = random_signed(14, 0.45, seed)
    expected = census_by_enumeration(G)
    assert triangle_census(G) == expected
    listed = {"+++": 0, "++-": 0, "+--": 0, "---": 0}
    for *_, kind in signed_triangles(G):
        listed[kind] += 1
    assert listed == expected


def test_us_sdf_turkey_triad_is_one_unbalanced_triangle() -> None:
    G = triad()
    assert triangle_census(G) == {"+++": 0, "++-": 1, "+--": 0, "---": 0}
    assert triangle_index(G) == 0.0
    assert unbalanced_triads(G) == [("SDF", "Turkey", "US", "++-")]


def test_triangle_index_is_nan_without_triangles() -> None:
    G = nx.path_graph(4)
    nx.set_edge_attributes(G, 1, "sign")
    assert triangle_index(G) != triangle_index(G)  # nan


def test_flip_of_us_sdf_is_reported_as_the_triad_turning_balanced_at_that_time() -> None:
    before, after = triad(), triad(us_sdf=-1)
    changes = triad_transitions([("2017-01-01", before), ("2025-12-31", before), ("2026-01-01", after)])
    assert changes == [
        {
            "time": "2026-01-01",
            "triad": ["SDF", "Turkey", "US"],
            "before": "unbalanced",
            "after": "balanced",
            "signs_before": "++-",
            "signs_after": "+--",
        }
    ]


def test_triads_forming_are_reported_only_when_asked() -> None:
    empty = nx.Graph()
    assert triad_transitions([(1, empty), (2, triad())]) == []
    formed = triad_transitions([(1, empty), (2, triad())], include_absent=True)
    assert [(c["before"], c["after"]) for c in formed] == [("absent", "unbalanced")]


def test_unbalanced_triads_with_a_limit_are_the_first_of_the_full_list() -> None:
    import random

    rng = random.Random(7)
    G = nx.gnm_random_graph(40, 300, seed=7)
    nx.set_edge_attributes(G, {e: rng.choice([1, -1]) for e in G.edges}, "sign")
    everything = unbalanced_triads(G)
    assert len(everything) > 20
    assert unbalanced_triads(G, limit=20) == everything[:20]
    assert everything == sorted(everything, key=lambda t: tuple(map(str, t)))
