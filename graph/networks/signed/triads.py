"""Signed triangles: the census, the triangle index, unbalanced triads and their transitions."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp

from conflictkg.graph.networks.signed._common import check_signed, sign_of, signed_adjacency

__all__ = [
    "TRIANGLE_TYPES",
    "signed_triangles",
    "triangle_census",
    "triangle_index",
    "unbalanced_triads",
    "triad_transitions",
    "triad_transitions_from_changes",
]

#: The four kinds of signed triangle, by their signs; ``+++`` and ``+--`` are balanced.
TRIANGLE_TYPES = ("+++", "++-", "+--", "---")


def _key(signs: Sequence[int]) -> str:
    neg = sum(1 for s in signs if s < 0)
    return TRIANGLE_TYPES[neg]


def signed_triangles(G: nx.Graph, *, sign: str = "sign") -> Iterator[tuple[Hashable, Hashable, Hashable, str]]:
    """Every triangle once, as ``(a, b, c, type)`` with ``type`` one of :data:`TRIANGLE_TYPES`.

    Nodes are ranked by degree and each triangle is found from its
    lowest-ranked node along forward edges only, so a hub's neighbourhood
    is never scanned pairwise (Chiba & Nishizeki's ordering).

    Examples
    --------
    >>> G = nx.Graph([(1, 2, {"sign": 1}), (2, 3, {"sign": 1}), (1, 3, {"sign": -1})])
    >>> list(signed_triangles(G))
    [(1, 2, 3, '++-')]

    References
    ----------
    .. [1] Chiba, N. and Nishizeki, T. (1985). Arboricity and subgraph listing
       algorithms. *SIAM Journal on Computing* 14(1), 210–223.
    """
    check_signed(G, sign=sign)
    position = {n: i for i, n in enumerate(G)}
    order = {n: i for i, n in enumerate(sorted(G, key=lambda n: (G.degree(n), position[n])))}
    forward = {u: {v for v in G[u] if order[v] > order[u]} for u in G}
    for u in G:
        fu = forward[u]
        for v in fu:
            for w in fu & forward[v]:
                a, b, c = sorted((u, v, w), key=order.__getitem__)
                yield a, b, c, _key((G[u][v][sign], G[u][w][sign], G[v][w][sign]))


def triangle_census(G: nx.Graph, *, sign: str = "sign") -> dict[str, int]:
    """How many triangles of each sign pattern ``G`` has.

    Counted with sparse matrix products, without listing the triangles:
    with ``P`` and ``N`` the positive and negative adjacency matrices,
    ``+++ = tr(P³)/6``, ``++- = tr(P²N)/2``, ``+-- = tr(PN²)/2`` and
    ``--- = tr(N³)/6``.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute.
    sign : str
        The edge attribute holding the sign.

    Returns
    -------
    dict
        ``{"+++": int, "++-": int, "+--": int, "---": int}``.

    Raises
    ------
    networkx.NetworkXNotImplemented
        If ``G`` is directed or a multigraph.
    InputError
        If an edge's sign is missing or not ±1.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edges_from([("US", "SDF"), ("US", "Turkey")], sign=1)
    >>> G.add_edge("Turkey", "SDF", sign=-1)
    >>> triangle_census(G)
    {'+++': 0, '++-': 1, '+--': 0, '---': 0}

    References
    ----------
    .. [1] Heider, F. (1946). Attitudes and cognitive organization.
       *Journal of Psychology* 21, 107–112.
    .. [2] Schoch, D. (2023). signnet: An R package for analyzing signed
       networks. *Journal of Open Source Software* 8(81), 4987.
    """
    A, _ = signed_adjacency(G, sign=sign)
    P = (A > 0).astype(np.int64).tocsr()
    N = (A < 0).astype(np.int64).tocsr()

    def trace3(X, Y, Z) -> int:
        # tr(XYZ) = Σ (XY) ∘ Zᵀ, and Z is symmetric.
        return int((X @ Y).multiply(Z).sum())

    return {
        "+++": trace3(P, P, P) // 6,
        "++-": trace3(P, P, N) // 2,
        "+--": trace3(P, N, N) // 2,
        "---": trace3(N, N, N) // 6,
    }


def triangle_index(G: nx.Graph, *, sign: str = "sign", census: dict[str, int] | None = None) -> float:
    """The share of triangles that are balanced (``+++`` or ``+--``).

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute.
    sign : str
        The edge attribute holding the sign.
    census : dict, optional
        A census already computed by :func:`triangle_census`.

    Returns
    -------
    float
        In ``[0, 1]``; ``nan`` when ``G`` has no triangle.

    Examples
    --------
    >>> G = nx.complete_graph(4)
    >>> nx.set_edge_attributes(G, 1, "sign")
    >>> G[0][1]["sign"] = -1
    >>> triangle_index(G)
    0.5

    References
    ----------
    .. [1] Aref, S. and Wilson, M. C. (2018). Measuring partial balance in
       signed networks. *Journal of Complex Networks* 6(4), 566–595.
    """
    c = census if census is not None else triangle_census(G, sign=sign)
    total = sum(c.values())
    return float("nan") if total == 0 else (c["+++"] + c["+--"]) / total


def unbalanced_triads(
    G: nx.Graph, *, sign: str = "sign", limit: int | None = None
) -> list[tuple[Hashable, Hashable, Hashable, str]]:
    """The triangles that break balance (``++-`` and ``---``), with their actors.

    Each triad's nodes come in the order of their names (``str``), and the
    triads in that order too; with ``limit``, only the first ``limit`` are
    listed, and the enumeration stops there (a dense network has millions:
    count them with :func:`triangle_census`).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edges_from([("US", "SDF"), ("US", "Turkey")], sign=1)
    >>> G.add_edge("Turkey", "SDF", sign=-1)
    >>> unbalanced_triads(G)
    [('SDF', 'Turkey', 'US', '++-')]
    """
    A, nodes = signed_adjacency(G, sign=sign)
    # Rank the nodes by name: walking x < y < z by rank lists the triads already sorted.
    order = sorted(range(len(nodes)), key=lambda i: (str(nodes[i]), i))
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[order] = np.arange(len(nodes))
    R = sp.csr_array((A.data, rank[A.indices], A.indptr), shape=A.shape)[order]
    R.sort_indices()
    indptr, indices, data = R.indptr, R.indices, R.data
    found: list[tuple[Hashable, Hashable, Hashable, str]] = []
    for x in range(len(nodes)):
        nx_ = indices[indptr[x] : indptr[x + 1]]
        sx = data[indptr[x] : indptr[x + 1]]
        later = nx_ > x
        for y, sxy in zip(nx_[later].tolist(), sx[later].tolist()):
            ny = indices[indptr[y] : indptr[y + 1]]
            sy = data[indptr[y] : indptr[y + 1]]
            zs, ix, iy = np.intersect1d(nx_, ny, assume_unique=True, return_indices=True)
            keep = zs > y
            if not keep.any():
                continue
            neg = (sxy < 0) + (sx[ix[keep]] < 0).astype(np.int64) + (sy[iy[keep]] < 0)
            for z, k in zip(zs[keep].tolist(), neg.tolist()):
                if k % 2 == 1:  # one or three negative edges
                    found.append((nodes[order[x]], nodes[order[y]], nodes[order[z]], TRIANGLE_TYPES[k]))
                    if limit is not None and len(found) >= limit:
                        return found
    return found


def _triad_states(G: nx.Graph, sign: str) -> dict[tuple[Hashable, ...], str]:
    return {
        tuple(sorted((a, b, c), key=str)): kind for a, b, c, kind in signed_triangles(G, sign=sign)
    }


def triad_transitions(
    snapshots: Iterable[tuple[object, nx.Graph]],
    *,
    sign: str = "sign",
    include_absent: bool = False,
) -> list[dict[str, object]]:
    """Which triads turn balanced or unbalanced between consecutive snapshots, and when.

    Parameters
    ----------
    snapshots : iterable of (time, graph)
        Signed graphs in time order, each labelled with its time (a date, say).
    sign : str
        The edge attribute holding the sign.
    include_absent : bool
        Also report triads that form (absent → a state) or dissolve.

    Returns
    -------
    list of dict
        One per change, in time order: ``time`` (of the later snapshot),
        ``triad`` (three nodes), ``before`` and ``after`` (``"balanced"``,
        ``"unbalanced"`` or ``"absent"``), ``signs_before`` and
        ``signs_after`` (the triangle types).

    Examples
    --------
    >>> G1 = nx.Graph()
    >>> G1.add_edges_from([("US", "SDF"), ("US", "Turkey")], sign=1)
    >>> G1.add_edge("Turkey", "SDF", sign=-1)
    >>> G2 = G1.copy()
    >>> G2["US"]["SDF"]["sign"] = -1
    >>> [(t["time"], t["before"], t["after"]) for t in triad_transitions([(2017, G1), (2026, G2)])]
    [(2026, 'unbalanced', 'balanced')]

    References
    ----------
    .. [1] Antal, T., Krapivsky, P. L. and Redner, S. (2005). Dynamics of
       social balance on networks. *Physical Review E* 72, 036121.
    """

    def status(kind: str | None) -> str:
        if kind is None:
            return "absent"
        return "balanced" if kind in ("+++", "+--") else "unbalanced"

    changes: list[dict[str, object]] = []
    previous: dict[tuple[Hashable, ...], str] | None = None
    for time, G in snapshots:
        current = _triad_states(G, sign)
        if previous is not None:
            for triad in sorted(set(previous) | set(current), key=lambda t: tuple(map(str, t))):
                b, a = previous.get(triad), current.get(triad)
                sb, sa = status(b), status(a)
                if sb == sa or (not include_absent and "absent" in (sb, sa)):
                    continue
                changes.append(
                    {"time": time, "triad": list(triad), "before": sb, "after": sa, "signs_before": b, "signs_after": a}
                )
        previous = current
    return changes


def triad_transitions_from_changes(
    initial: Mapping[tuple[Hashable, Hashable], int],
    changes: Iterable[tuple[object, Mapping[tuple[Hashable, Hashable], int]]],
    *,
    include_absent: bool = False,
) -> Iterator[dict[str, object]]:
    """:func:`triad_transitions` of a network given by its edits instead of its snapshots.

    Only the triads through an edge that changed are looked at, so the work
    follows the edits and the triangles on them, not the size of every
    snapshot times their number.

    Parameters
    ----------
    initial : mapping
        ``(u, v)`` → ±1: the signed edges of the first snapshot.
    changes : iterable of (time, mapping)
        In time order: the edges whose sign changed at ``time`` → the new
        sign, ``0`` for an edge that disappears.
    include_absent : bool
        Also report triads that form or dissolve.

    Yields
    ------
    dict
        As :func:`triad_transitions`, in the same order.

    Examples
    --------
    >>> start = {("US", "SDF"): 1, ("US", "Turkey"): 1, ("SDF", "Turkey"): -1}
    >>> [(t["time"], t["before"], t["after"]) for t in triad_transitions_from_changes(start, [(2026, {("US", "SDF"): -1})])]
    [(2026, 'unbalanced', 'balanced')]
    """
    adj: dict[Hashable, dict[Hashable, int]] = {}

    def put(u: Hashable, v: Hashable, s: int) -> None:
        if s:
            adj.setdefault(u, {})[v] = s
            adj.setdefault(v, {})[u] = s
        else:
            adj.get(u, {}).pop(v, None)
            adj.get(v, {}).pop(u, None)

    for (u, v), s in initial.items():
        if u != v:
            put(u, v, sign_of(s, edge=(u, v)))

    def through(edges: Iterable[tuple[Hashable, Hashable]]) -> dict[tuple[Hashable, ...], str]:
        found = {}
        for u, v in edges:
            nu, nv = adj.get(u), adj.get(v)
            if not nu or not nv or v not in nu:
                continue
            suv = nu[v]
            for w in nu.keys() & nv.keys():
                triad = tuple(sorted((u, v, w), key=str))
                if triad not in found:
                    found[triad] = _key((suv, nu[w], nv[w]))
        return found

    balanced = ("+++", "+--")
    for time, delta in changes:
        edges = [(u, v) for u, v in delta if u != v]
        if include_absent:
            looked_at = edges
        else:
            # An edge that appears or goes only makes triads form or dissolve, which are not
            # reported: only the triads through an edge whose sign flips can change balance.
            looked_at = [(u, v) for u, v in edges if delta[(u, v)] and adj.get(u, {}).get(v, 0) not in (0, delta[(u, v)])]
        before = through(looked_at)
        for u, v in edges:
            s = delta[(u, v)]
            put(u, v, sign_of(s, edge=(u, v)) if s else 0)
        after = through(looked_at)
        for triad in sorted(before.keys() | after.keys(), key=lambda t: tuple(map(str, t))):
            b, a = before.get(triad), after.get(triad)
            sb = "absent" if b is None else ("balanced" if b in balanced else "unbalanced")
            sa = "absent" if a is None else ("balanced" if a in balanced else "unbalanced")
            if sb == sa or (not include_absent and "absent" in (sb, sa)):
                continue
            yield {"time": time, "triad": list(triad), "before": sb, "after": sa, "signs_before": b, "signs_after": a}
