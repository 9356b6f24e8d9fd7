"""Structural balance and clusterability of signed graphs (Cartwright–Harary, Davis)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

import networkx as nx

from conflictkg.graph.networks.signed._common import check_signed

__all__ = ["is_balanced", "balanced_partition", "is_clusterable", "clusters"]


def balanced_partition(G: nx.Graph, *, sign: str = "sign") -> tuple[set[Hashable], set[Hashable]] | None:
    """Two blocs with every positive edge inside a bloc and every negative edge between them.

    A breadth-first search gives every node a side; a positive edge keeps
    the side, a negative edge flips it. The graph is balanced exactly when
    no edge contradicts the sides found (every cycle has an even number of
    negative edges).

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute.
    sign : str
        The edge attribute holding the sign.

    Returns
    -------
    tuple of two sets, or None
        The blocs (the first holds the first node of ``G``; in a graph with
        several components each component's first-met node joins the first
        bloc), or ``None`` when ``G`` is not balanced.

    Raises
    ------
    networkx.NetworkXNotImplemented
        If ``G`` is directed or a multigraph.
    InputError
        If an edge's sign is missing or not ±1.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edge("US", "Turkey", sign=1)
    >>> G.add_edge("US", "SDF", sign=-1)
    >>> G.add_edge("Turkey", "SDF", sign=-1)
    >>> sorted(map(sorted, balanced_partition(G)))
    [['SDF'], ['Turkey', 'US']]

    References
    ----------
    .. [1] Cartwright, D. and Harary, F. (1956). Structural balance: a
       generalization of Heider's theory. *Psychological Review* 63(5), 277–293.
    .. [2] Harary, F. (1953). On the notion of balance of a signed graph.
       *Michigan Mathematical Journal* 2(2), 143–146.
    """
    check_signed(G, sign=sign)
    side: dict[Hashable, int] = {}
    for root in G:
        if root in side:
            continue
        side[root] = 0
        queue = deque([root])
        while queue:
            u = queue.popleft()
            for v, d in G[u].items():
                want = side[u] ^ (d[sign] < 0)
                if v not in side:
                    side[v] = want
                    queue.append(v)
                elif side[v] != want:
                    return None
    first = {n for n, s in side.items() if s == 0}
    return first, set(side) - first


def is_balanced(G: nx.Graph, *, sign: str = "sign") -> bool:
    """Whether ``G`` splits into two blocs, friends inside and enemies across.

    See :func:`balanced_partition` for the method and references.

    Examples
    --------
    >>> G = nx.Graph([(1, 2, {"sign": 1}), (2, 3, {"sign": 1}), (1, 3, {"sign": -1})])
    >>> is_balanced(G)
    False
    """
    return balanced_partition(G, sign=sign) is not None


def clusters(G: nx.Graph, *, sign: str = "sign") -> list[set[Hashable]] | None:
    """The clusters of a clusterable (weakly balanced) signed graph.

    Davis's weak balance allows any number of blocs: ``G`` is clusterable
    exactly when no cycle has exactly one negative edge, i.e. when no
    negative edge joins two nodes of the same positive component. The
    clusters are then the positive components.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute.
    sign : str
        The edge attribute holding the sign.

    Returns
    -------
    list of sets, or None
        The clusters, largest first, or ``None`` if ``G`` is not clusterable.

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"sign": -1}), ("b", "c", {"sign": -1}), ("a", "c", {"sign": -1})])
    >>> len(clusters(G))
    3

    References
    ----------
    .. [1] Davis, J. A. (1967). Clustering and structural balance in graphs.
       *Human Relations* 20(2), 181–187.
    """
    check_signed(G, sign=sign)
    positive = nx.Graph()
    positive.add_nodes_from(G)
    positive.add_edges_from((u, v) for u, v, s in G.edges(data=sign) if s > 0)
    comps = list(nx.connected_components(positive))
    where = {n: i for i, c in enumerate(comps) for n in c}
    if any(s < 0 and where[u] == where[v] for u, v, s in G.edges(data=sign)):
        return None
    return sorted(comps, key=len, reverse=True)


def is_clusterable(G: nx.Graph, *, sign: str = "sign") -> bool:
    """Whether ``G`` is weakly balanced (Davis 1967); see :func:`clusters`.

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"sign": -1}), ("b", "c", {"sign": -1}), ("a", "c", {"sign": -1})])
    >>> is_clusterable(G), is_balanced(G)
    (True, False)
    """
    return clusters(G, sign=sign) is not None
