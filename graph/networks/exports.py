"""The actor network over time as GEXF, GraphML, Cytoscape.js or node-link JSON, for front ends.

Each edge carries when it held which sign: GEXF gets ``spells`` and a
dynamic ``sign`` attribute (Gephi's timeline plays them); the JSON formats
get ``start``, ``end`` and a ``timeline`` list (Cytoscape.js filters on
them); GraphML, which has no dynamics, gets the same as text attributes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date, timedelta

import networkx as nx

from conflictkg.graph.errors import UnsupportedFormat
from conflictkg.graph.networks.ties import Tie, TieSet, deciding_relationship as _decide, load_ties, parse_date
from conflictkg.graph.store import Store

__all__ = ["EXPORT_FORMATS", "timeline_graph", "export_network", "export_store_network"]

DAY = timedelta(days=1)


def _sign_at(group: list[Tie], t: date) -> int:
    rels = [x for x in group if x.basis == "relationship" and x.active(t, t)]
    decided = _decide(rels)
    if decided is not None:
        return decided.sign
    score = sum(x.score for x in group if x.basis == "event" and x.active(t, t))
    return 0 if score == 0 else (1 if score > 0 else -1)


def _timeline(group: list[Tie], first: date, horizon: date) -> list[tuple[int, date, date]]:
    """Maximal spells of constant, non-zero sign: ``(sign, first day, last day)``."""
    cuts = {first, horizon + DAY}
    for x in group:
        s = x.start or first
        e = (x.end or (x.start if x.basis == "event" else None) or horizon) + DAY
        cuts.update(d for d in (s, e) if first <= d <= horizon + DAY)
    points = sorted(cuts)
    spells: list[tuple[int, date, date]] = []
    for lo, nxt in zip(points, points[1:]):
        s = _sign_at(group, lo)
        if s == 0:
            continue
        if spells and spells[-1][0] == s and spells[-1][2] + DAY == lo:
            spells[-1] = (s, spells[-1][1], nxt - DAY)
        else:
            spells.append((s, lo, nxt - DAY))
    return spells


def timeline_graph(ties: TieSet, *, until: str | date | None = None) -> nx.Graph:
    """One edge per pair of actors that ever had a sign, with when it had which.

    Parameters
    ----------
    ties : TieSet
        From :func:`conflictkg.graph.networks.ties.load_ties`.
    until : date or ISO text, optional
        Where open spans end (default: the last date in the data).

    Returns
    -------
    networkx.Graph
        Nodes: ``label``, ``kind``, ``aliases`` (list), ``start``, ``end``.
        Edges: ``sign`` (the last), ``start``, ``end``, ``timeline``
        (list of ``(sign, start, end)``, ISO dates, inclusive), ``kind``,
        ``weight`` (|sum of event weights|, or 1).
    """
    first, last = ties.span()
    horizon = parse_date(until, parameter="until") or last
    G = nx.Graph(name="conflictkg actor network")
    if first is None or horizon is None:
        return G
    for (a, b), group in sorted(ties.by_dyad().items()):
        spells = _timeline(group, first, horizon)
        if not spells:
            continue
        for n in (a, b):
            if n not in G:
                info = ties.actors.get(n, {})
                G.add_node(n, label=str(info.get("label", n)), kind=str(info.get("kind", "")),
                           aliases=list(info.get("aliases", [])), start=None, end=None)
        score = sum(x.score for x in group if x.basis == "event")
        decided = _decide([x for x in group if x.basis == "relationship"])
        G.add_edge(
            a, b, sign=spells[-1][0], start=spells[0][1].isoformat(), end=spells[-1][2].isoformat(),
            timeline=[(s, lo.isoformat(), hi.isoformat()) for s, lo, hi in spells],
            kind=decided.kind if decided else "events", weight=abs(score) if score else 1.0,
        )
        for n in (a, b):
            node = G.nodes[n]
            node["start"] = min(filter(None, [node["start"], spells[0][1].isoformat()]))
            node["end"] = max(filter(None, [node["end"], spells[-1][2].isoformat()]))
    return G


def _gexf(G: nx.Graph) -> bytes:
    H = nx.Graph(name=G.graph.get("name", ""), mode="dynamic")
    for n, d in G.nodes(data=True):
        H.add_node(n, label=d["label"], kind=d["kind"], aliases="; ".join(d["aliases"]), spells=[(d["start"], d["end"])])
    for u, v, d in G.edges(data=True):
        H.add_edge(
            u, v, weight=d["weight"], kind=d["kind"],
            spells=[(lo, hi) for _, lo, hi in d["timeline"]],
            sign=[(s, lo, hi) for s, lo, hi in d["timeline"]],
        )
    buf = io.BytesIO()
    nx.write_gexf(H, buf, version="1.2draft")
    return buf.getvalue()


def _graphml(G: nx.Graph) -> bytes:
    H = nx.Graph()
    for n, d in G.nodes(data=True):
        H.add_node(n, label=d["label"], kind=d["kind"], aliases="; ".join(d["aliases"]), start=d["start"], end=d["end"])
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, sign=d["sign"], weight=d["weight"], kind=d["kind"], start=d["start"], end=d["end"],
                   timeline=json.dumps(d["timeline"]))
    buf = io.BytesIO()
    nx.write_graphml(H, buf)
    return buf.getvalue()


def _json_ready(G: nx.Graph) -> nx.Graph:
    H = G.copy()
    for u, v, d in H.edges(data=True):
        d["timeline"] = [list(x) for x in d["timeline"]]
    return H


def _cytoscape(G: nx.Graph) -> bytes:
    H = _json_ready(G)
    for n, d in H.nodes(data=True):
        d["name"] = d["label"]
    data = nx.cytoscape_data(H)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _node_link(G: nx.Graph) -> bytes:
    data = nx.node_link_data(_json_ready(G), edges="edges")
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


#: Format name → (serializer, media type).
EXPORT_FORMATS: dict[str, tuple[Callable[[nx.Graph], bytes], str]] = {
    "gexf": (_gexf, "application/gexf+xml"),
    "graphml": (_graphml, "application/graphml+xml"),
    "cytoscape": (_cytoscape, "application/json"),
    "node-link": (_node_link, "application/json"),
}


def export_network(G: nx.Graph, fmt: str) -> tuple[bytes, str]:
    """Serialize a :func:`timeline_graph`; returns the bytes and their media type.

    Raises
    ------
    UnsupportedFormat
        If ``fmt`` is not one of :data:`EXPORT_FORMATS`.
    """
    try:
        writer, media_type = EXPORT_FORMATS[fmt]
    except KeyError:
        raise UnsupportedFormat(
            f"unknown network format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}", parameter="format"
        ) from None
    return writer(G), media_type


def export_store_network(
    store: Store, fmt: str, *, until: str | date | None = None, include_claims: bool = False
) -> tuple[bytes, str]:
    """The store's actor network over time in ``fmt``; see :func:`timeline_graph`."""
    if fmt not in EXPORT_FORMATS:
        export_network(nx.Graph(), fmt)  # raises the error naming the formats
    return export_network(timeline_graph(load_ties(store, include_claims=include_claims), until=until), fmt)
