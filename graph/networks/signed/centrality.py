"""Signed centralities: PN index (Everett & Borgatti), signed degree, brokerage between blocs."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.signed._common import check_signed, signed_adjacency

__all__ = ["pn_index", "signed_degree", "bloc_brokerage"]


def pn_index(G: nx.Graph, *, sign: str = "sign") -> dict[Hashable, float]:
    """The PN centrality of every node: positive ties add, negative ties count double against.

    With ``A = P − 2N`` (``P``, ``N`` the positive and negative adjacency
    matrices) and ``n`` nodes, ``PN = (I − A / (2n − 2))⁻¹ · 1``.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, with a ``+1``/``-1`` edge attribute, at least 2 nodes.
    sign : str
        The edge attribute holding the sign.

    Returns
    -------
    dict
        Node → PN index; ``nan`` for both nodes of a graph that is one
        negative tie, where ``I − A / 2`` is singular (the only graph where
        it is: an eigenvalue of ``A`` reaches ``2n − 2`` nowhere else).

    Raises
    ------
    InputError
        If ``G`` has fewer than two nodes.

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"sign": 1}), ("b", "c", {"sign": -1})])
    >>> {n: round(v, 4) for n, v in pn_index(G).items()}
    {'a': 1.2727, 'b': 1.0909, 'c': 0.4545}

    References
    ----------
    .. [1] Everett, M. G. and Borgatti, S. P. (2014). Networks containing
       negative ties. *Social Networks* 38, 111–120.
    """
    A, nodes = signed_adjacency(G, sign=sign)
    n = len(nodes)
    if n < 2:
        raise InputError("the PN index needs at least two nodes", parameter="G")
    M = (A > 0).astype(float) - 2.0 * (A < 0).astype(float)
    if n == 2 and M.sum() < 0:
        return dict.fromkeys(nodes, float("nan"))
    system = sp.identity(n, format="csc") - M.tocsc() / (2 * n - 2)
    scores = np.atleast_1d(spsolve(system, np.ones(n)))
    return dict(zip(nodes, map(float, scores)))


def signed_degree(G: nx.Graph, *, kind: str = "net", sign: str = "sign") -> dict[Hashable, float]:
    """Signed degree of every node.

    Parameters
    ----------
    kind : {"pos", "neg", "net", "ratio"}
        Positive ties, negative ties, positive − negative, or positive / all
        (``nan`` for an isolated node).

    Examples
    --------
    >>> G = nx.Graph([("a", "b", {"sign": 1}), ("b", "c", {"sign": -1})])
    >>> signed_degree(G, kind="ratio")
    {'a': 1.0, 'b': 0.5, 'c': 0.0}

    References
    ----------
    .. [1] Everett, M. G. and Borgatti, S. P. (2014). Networks containing
       negative ties. *Social Networks* 38, 111–120.
    """
    if kind not in ("pos", "neg", "net", "ratio"):
        raise InputError(f"kind must be pos, neg, net or ratio, not {kind!r}", parameter="kind")
    check_signed(G, sign=sign)
    out = {}
    for v in G:
        pos = sum(1 for d in G[v].values() if d[sign] > 0)
        neg = G.degree(v) - pos
        out[v] = {"pos": pos, "neg": neg, "net": pos - neg, "ratio": pos / (pos + neg) if pos + neg else float("nan")}[kind]
    return {v: float(x) for v, x in out.items()}


def bloc_brokerage(
    G: nx.Graph, blocs: Mapping[Hashable, Hashable] | Iterable[Iterable[Hashable]], *, sign: str = "sign"
) -> dict[Hashable, int]:
    """How many pairs of allies from different blocs each node alone links.

    For node ``v``, counts the pairs of its positive neighbours that sit
    in different blocs and have no positive tie to each other: the
    liaison role of Gould & Fernandez between blocs (a bloc partition from
    :func:`~conflictkg.graph.networks.signed.frustration.frustration_index` or
    :func:`~conflictkg.graph.networks.signed.blocks.signed_blockmodel`, say).

    Parameters
    ----------
    blocs : mapping or iterable of node sets
        Node → bloc label, or the blocs themselves.

    Examples
    --------
    >>> G = nx.Graph([("US", "SDF", {"sign": 1}), ("US", "Turkey", {"sign": 1}), ("SDF", "Turkey", {"sign": -1})])
    >>> bloc_brokerage(G, [{"US", "Turkey"}, {"SDF"}])
    {'US': 1, 'SDF': 0, 'Turkey': 0}

    References
    ----------
    .. [1] Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation:
       A formal approach to brokerage in transaction networks.
       *Sociological Methodology* 19, 89–126.
    """
    A, nodes = signed_adjacency(G, sign=sign)
    if not isinstance(blocs, Mapping):
        blocs = {n: i for i, bloc in enumerate(blocs) for n in bloc}
    if not nodes:
        return {}
    # Counted with sparse products instead of pairs of neighbours: for v, the
    # pairs of its allies in different blocs, less those allied to each other.
    codes: dict[Hashable, int] = {}
    label = np.array([codes.setdefault(blocs[n], len(codes)) if n in blocs else -1 for n in nodes])
    mapped = (label >= 0).astype(float)
    P = (A > 0).astype(float).tocsr()
    Pm = (P @ sp.diags_array(mapped)).tocsr()
    counts = np.stack([Pm @ (label == k).astype(float) for k in range(len(codes))], axis=1) if codes else np.zeros((len(nodes), 1))
    total = counts.sum(axis=1)
    pairs = (total * (total - 1) - (counts * (counts - 1)).sum(axis=1)) / 2
    coo = Pm.tocoo()
    across = (label[coo.row] >= 0) & (label[coo.row] != label[coo.col])
    Pdiff = sp.csr_array((coo.data[across], (coo.row[across], coo.col[across])), shape=P.shape)
    allied = np.asarray((Pm @ Pdiff).multiply(Pm).sum(axis=1)).ravel() / 2
    return {v: int(round(pairs[i] - allied[i])) for i, v in enumerate(nodes)}
