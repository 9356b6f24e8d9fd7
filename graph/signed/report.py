"""One summary of a signed network's balance: every measure, in plain JSON-ready values."""

from __future__ import annotations

import math

import networkx as nx

from conflictkg.graph.signed.balance import is_balanced, is_clusterable
from conflictkg.graph.signed.frustration import frustration_index
from conflictkg.graph.signed.triads import triangle_census, triangle_index, unbalanced_triads
from conflictkg.graph.signed.walks import DENSE_LIMIT, walk_balance_estimate

__all__ = ["balance_report"]


def _name(G: nx.Graph, n: object) -> str:
    return str(G.nodes[n].get("label", n))


def _finite(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def balance_report(
    G: nx.Graph,
    *,
    sign: str = "sign",
    beta: float = 1.0,
    time_limit: float | None = 60.0,
    max_triads: int = 1000,
    seed: int | None = 0,
) -> dict[str, object]:
    """Every balance measure of ``G`` in one dict, nodes named by their ``label``.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute.
    sign : str
        The edge attribute holding the sign.
    beta : float
        Of the walk index.
    time_limit : float or None
        Seconds allowed to the exact frustration solver per component.
    max_triads : int
        The most unbalanced triads listed (all are counted in the census).
    seed : int, optional
        Of the sparse walk estimate and the heuristic frustration bound.

    Returns
    -------
    dict
        ``nodes``, ``edges``, ``positive_edges``, ``negative_edges``,
        ``balanced``, ``clusterable``, ``triangle_census``, ``triangle_index``,
        ``unbalanced_triads``, ``walk_index``, ``walk_method``, ``walk_stderr``,
        ``frustration_index``, ``frustration_exact``,
        ``frustration_lower_bound``, ``normalized_frustration``,
        ``partition`` (two lists of names), ``frustrated_edges``.
        Values undefined for ``G`` (a triangle index without triangles) are ``None``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edges_from([("US", "SDF"), ("US", "Turkey")], sign=1)
    >>> G.add_edge("Turkey", "SDF", sign=-1)
    >>> r = balance_report(G)
    >>> r["triangle_census"], r["frustration_index"], r["frustration_exact"]
    ({'+++': 0, '++-': 1, '+--': 0, '---': 0}, 1, True)
    """
    census = triangle_census(G, sign=sign)
    frustration = frustration_index(G, sign=sign, time_limit=time_limit, seed=seed)
    walk, walk_stderr = walk_balance_estimate(G, beta=beta, sign=sign, seed=seed)
    triads = unbalanced_triads(G, sign=sign) if sum(census.values()) else []
    positive = sum(1 for _, _, s in G.edges(data=sign) if s > 0)
    L = frustration.frustration
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "positive_edges": positive,
        "negative_edges": G.number_of_edges() - positive,
        "balanced": is_balanced(G, sign=sign),
        "clusterable": is_clusterable(G, sign=sign),
        "triangle_census": census,
        "triangle_index": _finite(triangle_index(G, census=census)),
        "unbalanced_triads": [
            {"actors": [_name(G, a), _name(G, b), _name(G, c)], "signs": kind} for a, b, c, kind in triads[:max_triads]
        ],
        "walk_index": _finite(walk),
        "walk_method": "dense" if len(G) <= DENSE_LIMIT else "sparse-estimate",
        "walk_stderr": walk_stderr,
        "frustration_index": int(L) if float(L).is_integer() else L,
        "frustration_exact": frustration.exact,
        "frustration_lower_bound": frustration.lower_bound,
        "frustration_method": frustration.method,
        "normalized_frustration": frustration.normalized,
        "partition": [sorted(_name(G, n) for n in bloc) for bloc in frustration.partition],
        "frustrated_edges": sorted(
            ({"source": _name(G, u), "target": _name(G, v), "sign": s} for u, v, s in frustration.frustrated_edges),
            key=lambda e: (e["source"], e["target"]),
        ),
    }
