from __future__ import annotations

from itertools import product

import networkx as nx
import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.signed import bloc_brokerage, frustration_of_partition, pn_index, signed_degree
from conflictkg.graph.networks.signed.report import centrality_report

from .conftest import triad


def test_pn_index_reproduces_the_published_everett_borgatti_values(
    everett_borgatti: nx.Graph, everett_borgatti_pn: list[float]
) -> None:
    pn = pn_index(everett_borgatti)
    assert [round(pn[v], 6) for v in range(1, 11)] == everett_borgatti_pn


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



def test_centrality_report_blocs_are_the_one_optimal_bipartition_and_its_brokers(everett_borgatti: nx.Graph) -> None:
    # Brute force over every bipartition (node 1's side fixed): the optimum, and how many reach it.
    costs = [
        frustration_of_partition(everett_borgatti, {1: 0, **dict(zip(range(2, 11), bits))})[0]
        for bits in product((0, 1), repeat=9)
    ]
    r = centrality_report(everett_borgatti)
    assert r["blocs"]["frustration_index"] == min(costs) == 5 and costs.count(min(costs)) == 1
    assert sorted(map(sorted, r["blocs"]["partition"])) == [["1", "2", "3", "4", "5"], ["10", "6", "7", "8", "9"]]
    # 5–6 is the one friendly tie across: 5 alone links its allies 2 and 4 to 6; 6 links 7 and 9 to 5.
    assert {a["id"]: a["brokerage"] for a in r["actors"] if a["brokerage"]} == {"5": 2, "6": 2}
    assert all(a["label"] in r["blocs"]["partition"][a["bloc"]] for a in r["actors"])


def test_pn_index_is_undefined_for_two_enemies_alone_and_defined_for_two_friends() -> None:
    enemies = nx.Graph([("US", "SDF", {"sign": -1})])
    assert all(x != x for x in pn_index(enemies).values())  # nan: I − A/2 is singular
    assert pn_index(nx.Graph([("US", "SDF", {"sign": 1})])) == {"US": 2.0, "SDF": 2.0}


def test_bloc_brokerage_counts_what_its_definition_says_on_a_random_network() -> None:
    import random
    from itertools import combinations

    rng = random.Random(11)
    G = nx.gnm_random_graph(60, 500, seed=11)
    nx.set_edge_attributes(G, {e: rng.choice([1, 1, -1]) for e in G.edges}, "sign")
    blocs = {n: rng.randrange(3) for n in G if n % 7}  # some nodes in no bloc
    by_definition = {
        v: sum(1 for a, b in combinations([u for u in G[v] if G[v][u]["sign"] > 0 and u in blocs], 2)
               if blocs[a] != blocs[b] and not (G.has_edge(a, b) and G[a][b]["sign"] > 0))
        for v in G
    }
    assert bloc_brokerage(G, blocs) == by_definition
    assert sum(by_definition.values()) > 0
