from __future__ import annotations

import networkx as nx
import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.signed import bloc_brokerage, pn_index, signed_degree

from .conftest import triad

# Schoch (2023), signnet JOSS paper: pn_index(g) on the Everett–Borgatti example.
PUBLISHED_PN = [0.900975, 0.861348, 0.907700, 0.861348, 0.841066, 0.849656, 0.861732, 0.901591, 0.850985, 0.907293]


def test_pn_index_reproduces_the_published_everett_borgatti_values(everett_borgatti: nx.Graph) -> None:
    pn = pn_index(everett_borgatti)
    assert [round(pn[v], 6) for v in range(1, 11)] == PUBLISHED_PN


def test_signed_degree_cannot_tell_the_everett_borgatti_nodes_apart(everett_borgatti: nx.Graph) -> None:
    # The paper's point: every node has ratio 0.5, while PN separates them.
    assert set(signed_degree(everett_borgatti, kind="ratio").values()) == {0.5}
    assert len({round(x, 6) for x in pn_index(everett_borgatti).values()}) > 5


def test_pn_index_ranks_a_node_with_only_friends_above_one_with_enemies() -> None:
    G = nx.Graph([("a", "b", {"sign": 1}), ("b", "c", {"sign": 1}), ("c", "d", {"sign": -1})])
    pn = pn_index(G)
    assert pn["b"] > pn["c"] and pn["b"] > pn["d"]


def test_pn_index_needs_two_nodes() -> None:
    G = nx.Graph()
    G.add_node("alone")
    with pytest.raises(InputError):
        pn_index(G)


def test_signed_degree_counts_each_kind() -> None:
    G = triad()
    assert signed_degree(G, kind="pos") == {"US": 2.0, "SDF": 1.0, "Turkey": 1.0}
    assert signed_degree(G, kind="neg") == {"US": 0.0, "SDF": 1.0, "Turkey": 1.0}
    assert signed_degree(G, kind="net") == {"US": 2.0, "SDF": 0.0, "Turkey": 0.0}
    with pytest.raises(InputError):
        signed_degree(G, kind="sideways")


def test_brokerage_credits_the_ally_of_two_hostile_blocs() -> None:
    G = triad()
    assert bloc_brokerage(G, {"US": 0, "Turkey": 0, "SDF": 1}) == {"US": 1, "SDF": 0, "Turkey": 0}
    # allies tied positively to each other need no broker
    G["Turkey"]["SDF"]["sign"] = 1
    assert bloc_brokerage(G, {"US": 0, "Turkey": 0, "SDF": 1})["US"] == 0
