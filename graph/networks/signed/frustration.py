"""The frustration index (line index of balance): fewest edges whose removal balances a graph."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.signed._common import check_signed
from conflictkg.graph.networks.signed.triads import signed_triangles

__all__ = ["Frustration", "frustration_index", "frustration_of_partition", "EXACT_EDGE_LIMIT"]

#: Above this many edges in one biconnected block, :func:`frustration_index` gives a heuristic bound.
EXACT_EDGE_LIMIT = 20_000


@dataclass
class Frustration:
    """What :func:`frustration_index` found.

    Attributes
    ----------
    frustration : float
        ``L``: the number (or total weight) of frustrated edges under ``partition``.
    exact : bool
        Whether ``L`` is proven minimal. If not, ``L`` is an upper bound.
    lower_bound : float
        A proven lower bound (equal to ``L`` when exact).
    normalized : float
        ``1 − 2L/m`` with ``m`` the number (or total weight) of edges: 1 for a
        balanced graph.
    partition : tuple of two lists
        The two blocs reaching ``L``.
    frustrated_edges : list of (u, v, sign)
        Negative edges inside a bloc and positive edges across.
    method : str
        ``"milp"`` (exact or time-limited) or ``"local-search"`` (heuristic).
    """

    frustration: float
    exact: bool
    lower_bound: float
    normalized: float
    partition: tuple[list[Hashable], list[Hashable]]
    frustrated_edges: list[tuple[Hashable, Hashable, int]] = field(default_factory=list)
    method: str = "milp"


def frustration_of_partition(
    G: nx.Graph, side: dict[Hashable, int], *, sign: str = "sign", weight: str | None = None
) -> tuple[float, list[tuple[Hashable, Hashable, int]]]:
    """The frustration of one bipartition (``side[node]`` in {0, 1}) and its frustrated edges.

    Examples
    --------
    >>> G = nx.Graph([(1, 2, {"sign": 1}), (2, 3, {"sign": 1}), (1, 3, {"sign": -1})])
    >>> frustration_of_partition(G, {1: 0, 2: 0, 3: 1})
    (1.0, [(2, 3, 1)])
    """
    total, edges = 0.0, []
    for u, v, d in G.edges(data=True):
        s = d[sign]
        if (s > 0) == (side[u] != side[v]):
            total += float(d.get(weight, 1.0)) if weight else 1.0
            edges.append((u, v, s))
    return total, edges


def _milp_component(
    H: nx.Graph, sign: str, weight: str | None, time_limit: float | None
) -> tuple[dict[Hashable, int], bool, float]:
    """Aref, Mason & Wilson's binary programme on one connected component."""
    nodes = list(H)
    index = {v: i for i, v in enumerate(nodes)}
    edges = list(H.edges(data=True))
    n, m = len(nodes), len(edges)
    eindex = {frozenset((u, v)): n + k for k, (u, v, _) in enumerate(edges)}
    rows, cols, vals, upper = [], [], [], []

    def add(row_terms: list[tuple[int, float]], ub: float) -> None:
        r = len(upper)
        for c, a in row_terms:
            rows.append(r)
            cols.append(c)
            vals.append(a)
        upper.append(ub)

    for k, (u, v, d) in enumerate(edges):
        i, j, f = index[u], index[v], n + k
        if d[sign] > 0:  # frustrated when the ends differ: f ≥ |x_i − x_j|
            add([(i, 1), (j, -1), (f, -1)], 0)
            add([(i, -1), (j, 1), (f, -1)], 0)
        else:  # frustrated when the ends agree: f ≥ x_i + x_j − 1 and f ≥ 1 − x_i − x_j
            add([(i, 1), (j, 1), (f, -1)], 1)
            add([(i, -1), (j, -1), (f, -1)], -1)
    # Valid inequalities: an unbalanced triangle has at least one frustrated edge.
    for a, b, c, kind in signed_triangles(H, sign=sign):
        if kind in ("++-", "---"):
            add([(eindex[frozenset(p)], -1) for p in ((a, b), (a, c), (b, c))], -1)
    cost = np.zeros(n + m)
    cost[n:] = [float(d.get(weight, 1.0)) if weight else 1.0 for _, _, d in edges]
    lo, hi = np.zeros(n + m), np.ones(n + m)
    # Symmetry: the highest-degree node's side is fixed, as in the paper.
    hub = index[max(nodes, key=H.degree)]
    lo[hub] = 1
    integrality = np.zeros(n + m)
    integrality[:n] = 1
    A = sp.csr_array((vals, (rows, cols)), shape=(len(upper), n + m))
    options = {"disp": False}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    res = milp(
        cost,
        constraints=LinearConstraint(A, -np.inf, np.array(upper, dtype=float)),
        integrality=integrality,
        bounds=Bounds(lo, hi),
        options=options,
    )
    if res.x is None:
        raise RuntimeError(f"HiGHS found no solution: {res.message}")
    side = {v: int(round(res.x[index[v]])) for v in nodes}
    exact = res.status == 0
    bound = float(res.fun) if exact else float(getattr(res, "mip_dual_bound", 0.0) or 0.0)
    return side, exact, bound


def _plain_subgraph(G: nx.Graph, nodes: set[Hashable], edges: list[tuple[Hashable, Hashable]] | None = None) -> nx.Graph:
    """A plain graph of ``nodes`` (and only ``edges``, if given), its node and neighbour order that of ``G``.

    Built from ``G``'s own dicts: a view (``G.subgraph``) filters every
    neighbour each time it is read, which the solvers here do thousands of
    times, and ``.copy()`` would reorder neighbours (the order decides ties
    between equally good bipartitions, so it must not change).
    """
    keep = None if edges is None else {frozenset(e) for e in edges}
    H = G.__class__()
    for n in G:
        if n in nodes:
            H._node[n] = G._node[n]
            H._adj[n] = {v: d for v, d in G._adj[n].items() if v in nodes and (keep is None or frozenset((n, v)) in keep)}
    return H


def _signed_csr(H: nx.Graph, nodes: list[Hashable], sign: str, weight: str | None) -> sp.csr_array:
    """``A[i, j] = sign · weight`` of ``H`` (a view is walked once here, never again)."""
    index = {v: i for i, v in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for u, v, d in H.edges(data=True):
        w = d[sign] * (float(d.get(weight, 1.0)) if weight else 1.0)
        rows += (index[u], index[v])
        cols += (index[v], index[u])
        vals += (w, w)
    return sp.csr_array((np.array(vals, dtype=float), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
                        shape=(len(nodes), len(nodes)))


def _local_search(
    H: nx.Graph, sign: str, weight: str | None, restarts: int, seed: int | None
) -> dict[Hashable, int]:
    """Greedy single-node moves from a spectral start and random starts; the best result.

    Sides are ``x = ±1``; with ``A`` the signed (weighted) adjacency, moving
    ``v`` gains ``−x_v (A x)_v`` (frustrated minus satisfied incident weight),
    and ``A x`` is kept up to date row by row, so a sweep costs the degrees of
    the nodes that move, not of all.
    """
    rng = np.random.default_rng(seed)
    nodes = list(H)
    A = _signed_csr(H, nodes, sign, weight)
    indptr, indices, data = A.indptr, A.indices, A.data

    def improve(x: np.ndarray) -> np.ndarray:
        Ax = A @ x
        moved = True
        while moved:
            moved = False
            for v in rng.permutation(len(nodes)):
                if x[v] * Ax[v] < 0:
                    x[v] = -x[v]
                    lo, hi = indptr[v], indptr[v + 1]
                    Ax[indices[lo:hi]] += 2.0 * x[v] * data[lo:hi]
                    moved = True
        return x

    def as_x(side: dict[Hashable, int]) -> np.ndarray:
        return np.array([1.0 - 2.0 * side[v] for v in nodes])

    starts = []
    try:  # the spectral start: BFS sign parity along a spanning tree
        tree = nx.bfs_tree(H, max(nodes, key=H.degree))
        root = next(iter(tree))
        side0 = {root: 0}
        for u, v in nx.bfs_edges(tree, root):
            side0[v] = side0[u] ^ (H[u][v][sign] < 0)
        starts.append(side0)
    except nx.NetworkXError:
        pass
    starts += [{v: int(rng.integers(2)) for v in nodes} for _ in range(restarts)]
    src, dst = sp.triu(A, k=1).nonzero()
    signs, costs = np.sign(A[src, dst]), np.abs(A[src, dst])
    best, best_l = None, np.inf
    for start in starts:
        x = improve(as_x(start))
        L = float(costs[signs * x[src] * x[dst] < 0].sum())
        if L < best_l:
            best, best_l = x, L
    return {v: int(best[i] < 0) for i, v in enumerate(nodes)}  # type: ignore[index]


def _join_blocks(parts: list[dict[Hashable, int]]) -> dict[Hashable, int]:
    """One side per node from the blocks' own bipartitions, flipping a block to agree at its cut vertex."""
    holders: dict[Hashable, list[int]] = {}
    for i, part in enumerate(parts):
        for v in part:
            holders.setdefault(v, []).append(i)
    side: dict[Hashable, int] = {}
    done: set[int] = set()
    for start in range(len(parts)):
        if start in done:
            continue
        queue = [start]
        done.add(start)
        while queue:
            i = queue.pop()
            part = parts[i]
            # the block-cut tree is a tree: at most one node of the block is placed already
            shared = next((v for v in part if v in side), None)
            flip = shared is not None and side[shared] != part[shared]
            for v, s in part.items():
                side.setdefault(v, s ^ flip)
                for j in holders[v]:
                    if j not in done:
                        done.add(j)
                        queue.append(j)
    return side


def frustration_index(
    G: nx.Graph,
    *,
    sign: str = "sign",
    weight: str | None = None,
    max_edges: int = EXACT_EDGE_LIMIT,
    time_limit: float | None = 60.0,
    restarts: int = 10,
    seed: int | None = None,
) -> Frustration:
    """The frustration index of ``G``, with an optimal bipartition and its frustrated edges.

    The index is a sum over biconnected blocks (every cycle lies in one),
    so each block is solved on its own by the binary linear programme of
    Aref, Mason & Wilson (node sides ``x``, edge frustration
    ``f`` ≥ the side disagreement of a positive edge or agreement of a
    negative one, the hub's side fixed), strengthened with one cut per
    unbalanced triangle, in HiGHS through ``scipy.optimize.milp``.
    Blocks past ``max_edges`` edges, and any whose solve hits
    ``time_limit``, get a heuristic answer that is an upper bound
    (``exact=False``, with the best lower bound known).

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute.
    sign : str
        The edge attribute holding the sign.
    weight : str, optional
        An edge attribute with a positive cost of frustrating the edge.
    max_edges : int
        The largest block solved exactly.
    time_limit : float or None
        Seconds allowed to HiGHS per block.
    restarts : int
        Random starts of the local search (heuristic path only).
    seed : int, optional
        Seed of the local search.

    Returns
    -------
    Frustration
        ``frustration``, ``exact``, ``lower_bound``, ``normalized``,
        ``partition``, ``frustrated_edges``, ``method``.

    Raises
    ------
    networkx.NetworkXNotImplemented
        If ``G`` is directed or a multigraph.
    InputError
        If an edge's sign is missing or not ±1, or a weight is negative.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edges_from([("US", "SDF"), ("US", "Turkey")], sign=1)
    >>> G.add_edge("Turkey", "SDF", sign=-1)
    >>> r = frustration_index(G)
    >>> r.frustration, r.exact, round(r.normalized, 3)
    (1.0, True, 0.333)

    References
    ----------
    .. [1] Aref, S., Mason, A. J. and Wilson, M. C. (2020). A modeling and
       computational study of the frustration index in signed networks.
       *Networks* 75(1), 95–110.
    .. [2] Harary, F. (1959). On the measurement of structural balance.
       *Behavioral Science* 4(4), 316–323.
    """
    check_signed(G, sign=sign)
    if weight and any(float(d.get(weight, 1.0)) < 0 for _, _, d in G.edges(data=True)):
        raise InputError(f"edge attribute {weight!r} must not be negative", parameter="weight")
    side: dict[Hashable, int] = {}
    exact, lower, method = True, 0.0, "milp"
    for comp in nx.connected_components(G):
        # Views filter every neighbour they hand out: skip them where they would keep everything.
        H = G if len(comp) == len(G) else _plain_subgraph(G, comp)
        if H.number_of_edges() == 0:
            side.update({v: 0 for v in comp})
            continue
        # Every cycle lies inside one biconnected block, so the index is the
        # sum over blocks; each block is solved alone, bridges and trees cost 0.
        solved: list[dict[Hashable, int]] = []
        for edges in nx.biconnected_component_edges(H):
            B = H if len(edges) == H.number_of_edges() else _plain_subgraph(H, {v for e in edges for v in e}, edges)
            if B.number_of_edges() == 1:
                (u, v), = B.edges
                solved.append({u: 0, v: 0 if B[u][v][sign] > 0 else 1})
                continue
            if B.number_of_edges() <= max_edges:
                part, ok, bound = _milp_component(B, sign, weight, time_limit)
                if not ok:
                    # keep the better of HiGHS's incumbent and the local search
                    alt = _local_search(B, sign, weight, restarts, seed)
                    if frustration_of_partition(B, alt, sign=sign, weight=weight)[0] < frustration_of_partition(
                        B, part, sign=sign, weight=weight
                    )[0]:
                        part = alt
                exact &= ok
                lower += bound
            else:
                part = _local_search(B, sign, weight, restarts, seed)
                exact, method = False, "local-search"
            solved.append(part)
        side.update(_join_blocks(solved))
    L, frustrated = frustration_of_partition(G, side, sign=sign, weight=weight)
    if exact:
        lower = L
    total = sum(float(d.get(weight, 1.0)) for _, _, d in G.edges(data=True)) if weight else G.number_of_edges()
    normalized = 1.0 if total == 0 else 1.0 - 2.0 * L / total
    blocs = ([v for v in G if side[v] == 1], [v for v in G if side[v] == 0])
    # The larger bloc first makes the answer independent of which side got fixed.
    if len(blocs[1]) > len(blocs[0]):
        blocs = (blocs[1], blocs[0])
    return Frustration(L, exact, min(lower, L), normalized, blocs, frustrated, method)
