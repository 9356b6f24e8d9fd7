"""Summaries of a signed network, in plain JSON-ready values: its balance, and its actors' signed centralities."""

from __future__ import annotations

import math

import networkx as nx

from conflictkg.graph.networks.signed.balance import is_balanced, is_clusterable
from conflictkg.graph.networks.signed.centrality import bloc_brokerage, pn_index
from conflictkg.graph.networks.signed.frustration import frustration_index
from conflictkg.graph.networks.signed.triads import triangle_census, triangle_index, unbalanced_triads
from conflictkg.graph.networks.signed.walks import DENSE_LIMIT, walk_balance_estimate

__all__ = ["balance_report", "centrality_report"]


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
    triads = unbalanced_triads(G, sign=sign, limit=max_triads) if census["++-"] + census["---"] else []
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
            {"actors": [_name(G, a), _name(G, b), _name(G, c)], "signs": kind} for a, b, c, kind in triads
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


def centrality_report(
    G: nx.Graph, *, sign: str = "sign", time_limit: float | None = 60.0, seed: int | None = 0
) -> dict[str, object]:
    """Every node's PN index, signed degree and brokerage between the two blocs of ``G``.

    The blocs are the optimal bipartition of the frustration index (the
    same ``partition`` :func:`balance_report` shows): two camps, each as
    friendly inside and hostile across as ``G`` allows. It is exact, needs
    no choice of ``k`` and no random start, unlike a k-block model.
    Brokerage (:func:`~conflictkg.graph.networks.signed.centrality.bloc_brokerage`)
    then counts the pairs of allies from opposite camps a node alone links.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute; nodes may carry a ``label``.
    sign : str
        The edge attribute holding the sign.
    time_limit : float or None
        Seconds allowed to the exact frustration solver per component.
    seed : int, optional
        Of the heuristic frustration bound (graphs past the exact size limit).

    Returns
    -------
    dict
        ``nodes``, ``edges``; ``blocs``: ``method`` (``"frustration"``),
        ``exact`` (whether the bipartition is proven optimal),
        ``frustration_index`` and ``partition`` (two sorted lists of names,
        the larger first); ``actors``: one dict per node with ``id``,
        ``label``, ``bloc`` (0 or 1, its index in ``partition``),
        ``pn_index``, ``signed_degree`` (``pos``, ``neg``, ``net``, and
        ``ratio`` = pos / all, ``None`` for a node without ties) and
        ``brokerage``. Actors come by PN index, highest first, then by
        label. A graph without nodes gives no actors; the PN index is
        ``None`` where it is undefined (two nodes, one negative tie).

    Raises
    ------
    networkx.NetworkXNotImplemented
        If ``G`` is directed or a multigraph.
    InputError
        If an edge's sign is missing or not ±1.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edges_from([("Ankara", "Damascus"), ("Ankara", "Erbil"), ("Ankara", "Washington")], sign=1)
    >>> G.add_edges_from([("Damascus", "Erbil"), ("Damascus", "Washington")], sign=-1)
    >>> r = centrality_report(G)
    >>> r["blocs"]["partition"], r["blocs"]["frustration_index"]
    ([['Ankara', 'Erbil', 'Washington'], ['Damascus']], 1)
    >>> [(a["label"], round(a["pn_index"], 3), a["signed_degree"]["net"], a["brokerage"]) for a in r["actors"]]
    [('Ankara', 1.443, 3, 2), ('Erbil', 1.063, 0, 0), ('Washington', 1.063, 0, 0), ('Damascus', 0.532, -1, 0)]

    References
    ----------
    .. [1] Everett, M. G. and Borgatti, S. P. (2014). Networks containing
       negative ties. *Social Networks* 38, 111–120.
    .. [2] Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation:
       A formal approach to brokerage in transaction networks.
       *Sociological Methodology* 19, 89–126.
    .. [3] Aref, S., Mason, A. J. and Wilson, M. C. (2020). A modeling and
       computational study of the frustration index in signed networks.
       *Networks* 75(1), 95–110.
    """
    frustration = frustration_index(G, sign=sign, time_limit=time_limit, seed=seed)
    L = frustration.frustration
    blocs = {
        "method": "frustration",
        "exact": frustration.exact,
        "frustration_index": int(L) if float(L).is_integer() else L,
        "partition": [sorted(_name(G, n) for n in bloc) for bloc in frustration.partition],
    }
    out: dict[str, object] = {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "blocs": blocs, "actors": []}
    if len(G) < 2:
        # The PN index is defined from two nodes on; a graph of fewer has no ties to rank.
        out["actors"] = [
            {"id": str(n), "label": _name(G, n), "bloc": 0, "pn_index": None,
             "signed_degree": {"pos": 0, "neg": 0, "net": 0, "ratio": None}, "brokerage": 0}
            for n in G
        ]
        return out
    side = {n: i for i, bloc in enumerate(frustration.partition) for n in bloc}
    pn = pn_index(G, sign=sign)
    brokerage = bloc_brokerage(G, side, sign=sign)
    actors = []
    for n in G:
        pos = sum(1 for d in G[n].values() if d[sign] > 0)
        neg = G.degree(n) - pos
        actors.append({
            "id": str(n),
            "label": _name(G, n),
            "bloc": side[n],
            "pn_index": _finite(pn[n]),
            "signed_degree": {"pos": pos, "neg": neg, "net": pos - neg, "ratio": pos / (pos + neg) if pos + neg else None},
            "brokerage": brokerage[n],
        })
    # Rounded: equal scores of symmetric nodes differ in the last bits, which must not decide the order.
    actors.sort(key=lambda a: (a["pn_index"] is None, -round(a["pn_index"] or 0.0, 9), a["label"], a["id"]))
    out["actors"] = actors
    return out
