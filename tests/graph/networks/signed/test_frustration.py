from __future__ import annotations

import itertools

import networkx as nx
import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.signed import frustration_index, frustration_of_partition, is_balanced

from .conftest import random_signed, triad


def brute_force(G: nx.Graph, weight: str | None = None) -> float:
    nodes = list(G)
    return min(
        frustration_of_partition(G, dict(zip(nodes, bits)), weight=weight)[0]
        for bits in itertools.product((0, 1), repeat=len(nodes))
    )


@pytest.mark.parametrize("seed", range(25))
def test_frustration_index_equals_brute_force_over_all_bipartitions(seed: int) -> None:
    G = random_signed(4 + seed % 7, 0.55, seed)
    result = frustration_index(G)
    assert result.exact
    assert result.frustration == brute_force(G)
    side = {v: 0 for v in result.partition[0]} | {v: 1 for v in result.partition[1]}
    L, frustrated = frustration_of_partition(G, side)
    assert L == result.frustration and sorted(frustrated) == sorted(result.frustrated_edges)


@pytest.mark.parametrize("seed", range(5))
def test_weighted_frustration_equals_brute_force(seed: int) -> None:
    G = random_signed(8, 0.6, 100 + seed)
    for k, (u, v) in enumerate(G.edges):
        G[u][v]["cost"] = 1 + (k * 7 + seed) % 4
    assert frustration_index(G, weight="cost").frustration == brute_force(G, weight="cost")


def test_us_sdf_turkey_triad_is_frustrated_by_one_edge() -> None:
    result = frustration_index(triad())
    assert (result.frustration, result.exact) == (1, True)
    assert result.normalized == pytest.approx(1 - 2 / 3)
    assert len(result.frustrated_edges) == 1


def test_when_us_sdf_turns_negative_the_triad_splits_us_and_turkey_from_the_sdf() -> None:
    result = frustration_index(triad(us_sdf=-1))
    assert result.frustration == 0 and result.normalized == 1.0
    assert sorted(map(sorted, result.partition)) == [["SDF"], ["Turkey", "US"]]
    assert result.frustrated_edges == []


def test_a_balanced_graph_has_zero_frustration(everett_borgatti: nx.Graph) -> None:
    G = nx.Graph()
    for u, v in nx.gnm_random_graph(30, 90, seed=3).edges:
        G.add_edge(u, v, sign=1 if (u < 15) == (v < 15) else -1)
    assert is_balanced(G)
    assert frustration_index(G).frustration == 0


def test_heuristic_above_the_size_limit_says_it_is_a_bound() -> None:
    G = random_signed(12, 0.5, 7)
    exact = frustration_index(G)
    bound = frustration_index(G, max_edges=0, seed=1)
    assert bound.exact is False and bound.method == "local-search"
    assert bound.frustration >= exact.frustration
    assert bound.lower_bound <= exact.frustration


def test_frustration_refuses_a_sign_other_than_plus_or_minus_one() -> None:
    G = triad()
    G["US"]["SDF"]["sign"] = 0
    with pytest.raises(InputError, match="sign"):
        frustration_index(G)


def test_frustration_refuses_directed_graphs() -> None:
    with pytest.raises(nx.NetworkXNotImplemented):
        frustration_index(nx.DiGraph([(1, 2, {"sign": 1})]))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def signed_graphs(draw: st.DrawFn) -> nx.Graph:
    n = draw(st.integers(2, 8))
    pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    for u, v in chosen:
        G.add_edge(u, v, sign=draw(st.sampled_from([1, -1])))
    return G


@settings(max_examples=25, deadline=None)
@given(signed_graphs())
def test_frustration_index_is_the_minimum_over_all_bipartitions_for_any_small_graph(G: nx.Graph) -> None:
    result = frustration_index(G)
    assert result.exact and result.frustration == brute_force(G)
    assert result.normalized == (1.0 if G.number_of_edges() == 0 else 1 - 2 * result.frustration / G.number_of_edges())


def test_blocks_joined_at_a_cut_vertex_add_their_frustration() -> None:
    # two unbalanced triangles sharing node 0, a balanced square hanging off node 3, and a pendant edge
    G = nx.Graph()
    G.add_edges_from([(0, 1), (1, 2)], sign=1)
    G.add_edge(0, 2, sign=-1)
    G.add_edges_from([(0, 3), (3, 4)], sign=-1)
    G.add_edge(0, 4, sign=-1)
    G.add_edges_from([(3, 5), (5, 6), (6, 7)], sign=1)
    G.add_edge(7, 3, sign=1)
    G.add_edge(7, 8, sign=-1)
    result = frustration_index(G)
    assert result.exact and result.frustration == 2 == brute_force(G)
    side = {v: 0 for v in result.partition[0]} | {v: 1 for v in result.partition[1]}
    assert frustration_of_partition(G, side)[0] == 2
    assert side[7] != side[8]
