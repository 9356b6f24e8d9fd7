"""Shared checks and matrices of signed graphs: reading the sign of every edge."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp

from conflictkg.graph.errors import InputError

__all__ = ["check_signed", "signed_edges", "signed_adjacency", "sign_of"]


def sign_of(value: object, *, edge: tuple[Hashable, Hashable] | None = None, sign: str = "sign") -> int:
    """The sign of one edge as ``+1`` or ``-1``; anything else is an error.

    Raises
    ------
    InputError
        If the value is missing or not one of ``1``, ``-1`` (``True``/``False`` are refused too).
    """
    if isinstance(value, bool) or value not in (1, -1):
        where = f" on edge {edge[0]!r}–{edge[1]!r}" if edge else ""
        raise InputError(f"edge attribute {sign!r}{where} must be +1 or -1, not {value!r}", field=sign)
    return int(value)  # type: ignore[arg-type]


def check_signed(G: nx.Graph, *, sign: str = "sign") -> None:
    """Refuse directed graphs, multigraphs and edges without a ±1 sign.

    Raises
    ------
    networkx.NetworkXNotImplemented
        If ``G`` is directed or a multigraph (balance is defined here on simple undirected graphs).
    InputError
        If an edge lacks the sign attribute or carries another value.
    """
    if G.is_directed():
        raise nx.NetworkXNotImplemented("not implemented for directed type; use G.to_undirected() first")
    if G.is_multigraph():
        raise nx.NetworkXNotImplemented("not implemented for multigraph type; collapse parallel edges first")
    for u, v, s in G.edges(data=sign):
        if u == v:
            raise InputError(f"self-loop on {u!r}: signed balance is defined without loops", field="edge")
        sign_of(s, edge=(u, v), sign=sign)


def signed_edges(G: nx.Graph, *, sign: str = "sign") -> Iterator[tuple[Hashable, Hashable, int]]:
    """Each edge as ``(u, v, ±1)``, checked."""
    for u, v, s in G.edges(data=sign):
        yield u, v, sign_of(s, edge=(u, v), sign=sign)


def signed_adjacency(
    G: nx.Graph,
    *,
    sign: str = "sign",
    weight: str | None = None,
    nodelist: Sequence[Hashable] | None = None,
) -> tuple[sp.csr_array, list[Hashable]]:
    """The symmetric signed adjacency matrix ``A`` (``A[i, j] = sign · weight``) and its node order."""
    check_signed(G, sign=sign)
    nodes = list(G) if nodelist is None else list(nodelist)
    index = {n: i for i, n in enumerate(nodes)}
    m = G.number_of_edges()
    rows = np.empty(2 * m, dtype=np.int64)
    cols = np.empty(2 * m, dtype=np.int64)
    vals = np.empty(2 * m, dtype=float)
    for k, (u, v, d) in enumerate(G.edges(data=True)):
        w = d[sign] * (float(d.get(weight, 1.0)) if weight else 1.0)
        i, j = index[u], index[v]
        rows[2 * k], cols[2 * k], vals[2 * k] = i, j, w
        rows[2 * k + 1], cols[2 * k + 1], vals[2 * k + 1] = j, i, w
    A = sp.csr_array((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
    return A, nodes
