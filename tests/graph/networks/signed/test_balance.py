from __future__ import annotations

import networkx as nx
import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.signed import balanced_partition, clusters, frustration_index, is_balanced, is_clusterable

from .conftest import random_signed, triad


def test_unbalanced_triad_has_no_balanced_partition() -> None:
    assert not is_balanced(triad())
    assert balanced_partition(triad()) is None


def test_balanced_partition_puts_friends_together_and_enemies_apart() -> None:
    blocs = balanced_partition(triad(us_sdf=-1))
    assert sorted(map(sorted, blocs)) == [["SDF"], ["Turkey", "US"]]


@pytest.mark.parametrize("seed", range(10))
def test_balance_agrees_with_zero_frustration(seed: int) -> None:
    G = random_signed(8, 0.35, seed, negative=0.3)
    assert is_balanced(G) == (frustration_index(G).frustration == 0)


def test_switching_a_node_keeps_balance() -> None:
    G = nx.Graph()
    for u, v in nx.gnm_random_graph(20, 50, seed=2).edges:
        G.add_edge(u, v, sign=1 if (u % 2) == (v % 2) else -1)
    assert is_balanced(G)
    for v in G[0]:
        G[0][v]["sign"] *= -1
    assert is_balanced(G)


def test_three_mutual_enemies_are_clusterable_but_not_balanced() -> None:
    G = nx.Graph([("a", "b", {"sign": -1}), ("b", "c", {"sign": -1}), ("a", "c", {"sign": -1})])
    assert is_clusterable(G) and not is_balanced(G)
    assert sorted(map(sorted, clusters(G))) == [["a"], ["b"], ["c"]]


def test_one_negative_edge_in_a_positive_cycle_is_not_clusterable() -> None:
    assert not is_clusterable(triad(turkey_sdf=-1, us_sdf=1))
    assert clusters(triad()) is None


def test_missing_sign_is_named() -> None:
    G = nx.Graph([("a", "b")])
    with pytest.raises(InputError, match="'sign'"):
        is_balanced(G)
