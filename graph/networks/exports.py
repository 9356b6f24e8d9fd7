"""The actor network over time as GEXF, GraphML, Cytoscape.js or node-link JSON, for front ends.

Each pair of actors has a stable edge ``id`` (:func:`edge_id`) and carries
when it held which sign and kind: GEXF gets ``spells`` and dynamic ``sign``
and ``kind`` attributes (Gephi's timeline plays them); Cytoscape.js JSON and
GraphML, which have no dynamics, get one edge element per spell, each with
its own sign, kind, ``start`` and ``end`` (a front end filters on them),
``pair`` (the pair's id) and the pair's whole ``timeline``; with ``at``,
only the spells holding that day: the network as of a date. Node-link JSON
keeps one edge per pair with its ``spells``.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from datetime import date, timedelta

import networkx as nx

from conflictkg.graph.errors import UnsupportedFormat
from conflictkg.graph.networks.ties import Tie, TieSet, deciding_relationship as _decide, load_ties, parse_date
from conflictkg.graph.store import Store

__all__ = ["EXPORT_FORMATS", "edge_id", "spell_id", "timeline_graph", "export_network", "export_store_network"]

DAY = timedelta(days=1)


def edge_id(u: str, v: str) -> str:
    """The stable id of the edge between two actors, whichever way round: the same in every export and every run.

    Examples
    --------
    >>> edge_id("https://w3id.org/conflictkg/id/actor/us", "https://w3id.org/conflictkg/id/actor/sdf")
    'e-fab67c9e73b7f922'
    >>> edge_id("b", "a") == edge_id("a", "b")
    True
    """
    a, b = (u, v) if u <= v else (v, u)
    return "e-" + hashlib.sha1(f"{a}\t{b}".encode()).hexdigest()[:16]


def spell_id(u: str, v: str, start: str) -> str:
    """The stable id of one spell of an edge: its pair's :func:`edge_id` and the day it starts."""
    return f"{edge_id(u, v)}@{start}"


def _state_at(group: list[Tie], t: date) -> tuple[int, str]:
    rels = [x for x in group if x.basis == "relationship" and x.active(t, t)]
    decided = _decide(rels)
    if decided is not None:
        return decided.sign, decided.kind
    score = round(sum(x.score for x in group if x.basis == "event" and x.active(t, t)), 9)
    return (0, "") if score == 0 else ((1 if score > 0 else -1), "events")


def _sign_at(group: list[Tie], t: date) -> int:
    return _state_at(group, t)[0]


def _spells(group: list[Tie], first: date, horizon: date) -> list[tuple[int, str, date, date]]:
    """Maximal spells of constant, non-zero sign and kind: ``(sign, kind, first day, last day)``."""
    cuts = {first, horizon + DAY}
    for x in group:
        s = x.start or first
        e = (x.end or (x.start if x.basis == "event" else None) or horizon) + DAY
        cuts.update(d for d in (s, e) if first <= d <= horizon + DAY)
    points = sorted(cuts)
    spells: list[tuple[int, str, date, date]] = []
    for lo, nxt in zip(points, points[1:]):
        s, kind = _state_at(group, lo)
        if s == 0:
            continue
        if spells and spells[-1][:2] == (s, kind) and spells[-1][3] + DAY == lo:
            spells[-1] = (s, kind, spells[-1][2], nxt - DAY)
        else:
            spells.append((s, kind, lo, nxt - DAY))
    return spells


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


def timeline_graph(ties: TieSet, *, until: str | date | None = None, at: str | date | None = None) -> nx.Graph:
    """One edge per pair of actors that ever had a sign, with when it had which.

    Parameters
    ----------
    ties : TieSet
        From :func:`conflictkg.graph.networks.ties.load_ties`.
    until : date or ISO text, optional
        Where open spans end (default: the last date in the data).
    at : date or ISO text, optional
        The day whose sign and kind each edge shows as ``sign`` and ``kind``
        (default: ``until``); the graph keeps it as ``G.graph["at"]``.

    Returns
    -------
    networkx.Graph
        Nodes: ``label``, ``kind``, ``aliases`` (list), ``start``, ``end``.
        Edges: ``id`` (:func:`edge_id`), ``sign`` and ``kind`` as of ``at``
        (``0`` and ``""`` when the pair had no sign that day), ``start``,
        ``end``, ``timeline`` (list of ``(sign, start, end)``, ISO dates,
        inclusive, one per run of the same sign), ``spells`` (list of dicts
        ``sign``, ``kind``, ``start``, ``end``, one per run of the same sign
        and kind: the relationship kind that decided it, or ``"events"``),
        ``weight`` (|sum of event weights|, or 1).

    Raises
    ------
    InputError
        If ``until`` or ``at`` is not a date.

    Examples
    --------
    A cooperation from 2017 that turns to strain on 2026-01-10: ``sign`` is
    the sign on the day asked for, the spells say when each held.

    >>> from conflictkg.graph.networks.ties import Tie
    >>> ties = TieSet(ties=[
    ...     Tie("sdf", "us", 1, 1.0, date(2017, 6, 6), date(2026, 1, 9), "Cooperation", "r1", "relationship"),
    ...     Tie("sdf", "us", -1, -1.0, date(2026, 1, 10), None, "Strain", "r2", "relationship")])
    >>> G = timeline_graph(ties, at="2020-01-01")
    >>> G["sdf"]["us"]["sign"], G["sdf"]["us"]["kind"]
    (1, 'Cooperation')
    >>> [(s["sign"], s["kind"], s["start"], s["end"]) for s in G["sdf"]["us"]["spells"]]
    [(1, 'Cooperation', '2017-06-06', '2026-01-09'), (-1, 'Strain', '2026-01-10', '2026-01-10')]
    """
    first, last = ties.span()
    horizon = parse_date(until, parameter="until") or last
    day = parse_date(at, parameter="at") or horizon
    G = nx.Graph(name="conflictkg actor network", at=day.isoformat() if day else None)
    if first is None or horizon is None:
        return G
    for (a, b), group in sorted(ties.by_dyad().items()):
        spells = _spells(group, first, horizon)
        if not spells:
            continue
        timeline: list[tuple[int, str, str]] = []
        for s, _, lo, hi in spells:
            if timeline and timeline[-1][0] == s and date.fromisoformat(timeline[-1][2]) + DAY == lo:
                timeline[-1] = (s, timeline[-1][1], hi.isoformat())
            else:
                timeline.append((s, lo.isoformat(), hi.isoformat()))
        for n in (a, b):
            if n not in G:
                info = ties.actors.get(n, {})
                G.add_node(n, label=str(info.get("label", n)), kind=str(info.get("kind", "")),
                           aliases=list(info.get("aliases", [])), start=None, end=None)
        score = sum(x.score for x in group if x.basis == "event")
        now = next(((s, k) for s, k, lo, hi in spells if lo <= day <= hi), (0, ""))  # type: ignore[operator]
        G.add_edge(
            a, b, id=edge_id(a, b), sign=now[0], kind=now[1],
            start=spells[0][2].isoformat(), end=spells[-1][3].isoformat(), timeline=timeline,
            spells=[{"sign": s, "kind": k, "start": lo.isoformat(), "end": hi.isoformat()} for s, k, lo, hi in spells],
            weight=abs(score) if score else 1.0,
        )
        for n in (a, b):
            node = G.nodes[n]
            node["start"] = min(filter(None, [node["start"], spells[0][2].isoformat()]))
            node["end"] = max(filter(None, [node["end"], spells[-1][3].isoformat()]))
    return G


def _spell_edges(G: nx.Graph) -> list[tuple[str, str, dict[str, object]]]:
    """One edge per spell (only those holding ``G.graph["at"]`` when the export asked for a date)."""
    day = G.graph.get("only_at")
    out = []
    for u, v, d in G.edges(data=True):
        for sp in d["spells"]:
            if day is not None and not sp["start"] <= day <= sp["end"]:
                continue
            out.append((u, v, {
                "id": spell_id(u, v, sp["start"]), "pair": d["id"], "sign": sp["sign"], "kind": sp["kind"],
                "start": sp["start"], "end": sp["end"], "weight": d["weight"], "timeline": d["timeline"],
            }))
    return out


def _gexf(G: nx.Graph) -> bytes:
    # No ``name``: GEXF's <graph> has no such attribute, and the file must validate against the XSD.
    H = nx.Graph(mode="dynamic")
    for n, d in G.nodes(data=True):
        H.add_node(n, label=d["label"], kind=d["kind"], aliases="; ".join(d["aliases"]), spells=[(d["start"], d["end"])])
    for u, v, d in G.edges(data=True):
        H.add_edge(
            u, v, id=d["id"], weight=d["weight"],
            spells=[(lo, hi) for _, lo, hi in d["timeline"]],
            sign=[(s, lo, hi) for s, lo, hi in d["timeline"]],
            kind=[(sp["kind"], sp["start"], sp["end"]) for sp in d["spells"]],
        )
    writer = nx.readwrite.gexf.GEXFWriter(version="1.2draft")
    writer.add_graph(H)
    for graph in writer.xml.iter("graph"):
        graph.attrib.pop("name", None)  # networkx always writes one; the schema has none
        # spells are ISO dates; networkx before 3.5 leaves timeformat out of a graph already dynamic
        graph.set("mode", "dynamic")
        graph.set("timeformat", "date")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _graphml(G: nx.Graph) -> bytes:
    # One edge per spell, its id the spell's: GraphML has no dynamics, so each edge's sign holds for its own span.
    H = nx.MultiGraph()
    for n, d in G.nodes(data=True):
        H.add_node(n, label=d["label"], kind=d["kind"], aliases="; ".join(d["aliases"]), start=d["start"], end=d["end"])
    for u, v, d in _spell_edges(G):
        H.add_edge(u, v, key=d["id"], pair=d["pair"], sign=d["sign"], weight=d["weight"], kind=d["kind"],
                   start=d["start"], end=d["end"], timeline=json.dumps(d["timeline"]))
    buf = io.BytesIO()
    nx.write_graphml(H, buf)
    return buf.getvalue()


def _json_ready(G: nx.Graph) -> nx.Graph:
    H = G.copy()
    for u, v, d in H.edges(data=True):
        d["timeline"] = [list(x) for x in d["timeline"]]
    return H


def _cytoscape(G: nx.Graph) -> bytes:
    H = nx.MultiGraph(name=G.graph.get("name", ""), at=G.graph.get("at"))
    for n, d in G.nodes(data=True):
        H.add_node(n, **d, name=d["label"])
    for u, v, d in _spell_edges(G):
        H.add_edge(u, v, key=d["id"], **{**d, "timeline": [list(x) for x in d["timeline"]]})  # type: ignore[arg-type]
    data = nx.cytoscape_data(H)
    # networkx names multigraph edges by their key; Cytoscape.js wants the id in ``data.id``
    for element in data["elements"]["edges"]:
        element["data"]["id"] = element["data"].pop("key", element["data"].get("id"))
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
    store: Store,
    fmt: str,
    *,
    until: str | date | None = None,
    at: str | date | None = None,
    include_claims: bool = False,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> tuple[bytes, str]:
    """The store's actor network over time in ``fmt``; see :func:`timeline_graph`.

    With ``at``, edges show their sign that day, and the Cytoscape.js and
    GraphML exports hold only the spells of that day (the network as of
    ``at``). Options are checked before the store is read.
    """
    if fmt not in EXPORT_FORMATS:
        export_network(nx.Graph(), fmt)  # raises the error naming the formats
    parse_date(until, parameter="until")
    day = parse_date(at, parameter="at")
    if progress is not None:
        progress("reading ties", 0, None)
    G = timeline_graph(load_ties(store, include_claims=include_claims, labels=False), until=until, at=at)
    if day is not None:
        G.graph["only_at"] = day.isoformat()
    if progress is not None:
        progress(f"writing {fmt}", 0, None)
    return export_network(G, fmt)
