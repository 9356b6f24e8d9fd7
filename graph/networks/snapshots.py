"""One signed network of a period, built from the store's ties or from the pairs' sums kept per graph.

A pair of actors gets one edge: its relationship active in the period decides
the sign, else the sum of its events' Goldstein weights. No tie is not a
negative tie. :mod:`~conflictkg.graph.networks.series` measures these networks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import networkx as nx

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.records import Tie, TieSet, deciding_relationship
from conflictkg.graph.networks.ties import parse_date, parse_window

__all__ = ["signed_network", "whole_history_network"]


def _add_pair(G: nx.Graph, actors: dict[str, dict[str, object]], a: str, b: str, rels: list[Tie], total: float,
              first: date | None, last: date | None) -> Tie | None | bool:
    """Add the edge of one pair, signed by its deciding relationship, else by its events' summed weight
    (spanning ``first`` to ``last``); ``False`` (no edge) when neither decides. Returns the relationship."""
    # Goldstein weights have one decimal: rounding makes 1 + 3.4 − 4.4 zero in any order of summing
    score = round(total, 9)
    decided = deciding_relationship(rels)
    if decided is not None:
        sign, basis, kind = decided.sign, "relationship", decided.kind
        s0, e0 = decided.start, decided.end
    elif score != 0:
        sign, basis, kind = (1 if score > 0 else -1), "events", "events"
        s0, e0 = first, last
    else:
        return False
    for n in (a, b):
        if n not in G:
            info = actors.get(n, {})
            G.add_node(n, label=info.get("label", n), kind=info.get("kind", ""), aliases=list(info.get("aliases", [])))  # type: ignore[call-overload]
    G.add_edge(
        a, b, sign=sign, weight=abs(score) if score else 1.0, score=float(score), basis=basis, kind=kind,
        relationship=decided.iri if decided else "", start=s0.isoformat() if s0 else "",
        end=e0.isoformat() if e0 else "",
    )
    return decided


def whole_history_network(dyads: dict[tuple[str, str], list[object]], rest: TieSet) -> nx.Graph:
    """:func:`signed_network` of the whole history (``evidence=False``) from the pairs' sums
    :func:`~conflictkg.graph.networks.parts.read_dyads` keeps, and the ties it does not sum.

    The same graph, node and edge order included: the pairs come in the order
    the ties would group them, the sums' pairs first.
    """
    G = nx.Graph()
    groups = rest.by_dyad()
    node, adj = G._node, G._adj
    iso: dict[date, str] = {}
    # Most pairs are only events: their edges go straight into the graph's own dicts, as networkx
    # keeps them (one data dict shared by both directions): add_edge, then add_edges_from, were
    # most of this function on 81,806 pairs. The few pairs with a relationship go through _add_pair.
    for pair in list(dyads) + [p for p in groups if p not in dyads]:
        group = groups.get(pair)
        total, first, last = dyads.get(pair) or (0.0, None, None)
        if group:
            events = [t for t in group if t.basis == "event"]
            total = total + sum(t.score for t in events)  # type: ignore[operator]
            for t in events:
                if t.start and (first is None or t.start < first):  # type: ignore[operator]
                    first = t.start
                if (t.end or t.start) and (last is None or (t.end or t.start) > last):  # type: ignore[operator]
                    last = t.end or t.start
            rels = [t for t in group if t.basis == "relationship"]
            if rels:
                _add_pair(G, rest.actors, pair[0], pair[1], rels, total, first, last)  # type: ignore[arg-type]
                continue
        score = round(total, 9)  # type: ignore[call-overload]
        if score == 0:
            continue
        a, b = pair
        for n in pair:
            if n not in node:
                node[n] = _node(rest.actors, n)[1]
                adj[n] = {}
        start = (iso.get(first) or iso.setdefault(first, first.isoformat())) if first else ""  # type: ignore[arg-type, union-attr]
        end = (iso.get(last) or iso.setdefault(last, last.isoformat())) if last else ""  # type: ignore[arg-type, union-attr]
        adj[a][b] = adj[b][a] = {
            "sign": 1 if score > 0 else -1, "weight": abs(score), "score": float(score), "basis": "events",
            "kind": "events", "relationship": "", "start": start, "end": end,
        }
    return G


def _node(actors: dict[str, dict[str, object]], n: str) -> tuple[str, dict[str, object]]:
    info = actors.get(n, {})
    return n, {"label": info.get("label", n), "kind": info.get("kind", ""), "aliases": list(info.get("aliases", []))}  # type: ignore[call-overload]


def signed_network(
    ties: TieSet,
    *,
    at: str | date | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    window: str | timedelta | None = None,
    kinds: Iterable[str] | None = None,
    evidence: bool = True,
) -> nx.Graph:
    """The signed actor network of a period, one edge per pair of actors.

    A pair's sign comes from its relationship active in the period (the
    latest to start wins: a strain that follows a cooperation replaces it),
    else from the sum of its events' Goldstein weights in the period: above
    0 positive, below 0 negative, 0 no edge.

    Parameters
    ----------
    ties : TieSet
        From :func:`~conflictkg.graph.networks.ties.load_ties`.
    at : date or ISO text, optional
        The network as of this day: relationships active that day, events up
        to it (within ``window`` before it, if given).
    start, end : date or ISO text, optional
        The network over a period (instead of ``at``).
    window : "90d", timedelta, optional
        With ``at``: how far back events count.
    kinds : iterable of str, optional
        Only these relationship and event kinds (``"Cooperation"``, ``"Accusation"`` …).
    evidence : bool
        Give edges their ``events``, ``relationships``, ``claims`` and
        ``sources``; the measures need none of them, and without them a
        network of 30,000 edges builds several times faster.

    Returns
    -------
    networkx.Graph
        Nodes are actor IRIs with ``label``, ``kind``, ``aliases``; edges have
        ``sign``, ``weight`` (|score|, or 1), ``score`` (sum of event
        weights), ``basis``, ``kind``, ``relationship``, ``start``, ``end``
        (ISO text, ``""`` when open), and unless ``evidence=False``, ``events``
        and ``relationships`` (IRIs), ``claims`` (the claim graphs they point
        to) and ``sources`` (source documents).

    Raises
    ------
    InputError
        If a date or window does not parse, or ``at`` is combined with ``start``/``end``.
    """
    at_d, lo, hi = parse_date(at), parse_date(start, parameter="start"), parse_date(end, parameter="end")
    span = parse_window(window)
    if at_d is not None and (lo or hi):
        raise InputError("give either at, or start and end, not both", parameter="at")
    if lo and hi and lo > hi:
        raise InputError(f"start {lo} is after end {hi}", parameter="start")
    if at_d is not None:
        rel_lo = rel_hi = at_d
        ev_lo, ev_hi = (at_d - span if span else None), at_d
    else:
        rel_lo, rel_hi, ev_lo, ev_hi = lo, hi, lo, hi
    wanted = set(kinds) if kinds is not None else None
    G = nx.Graph()
    for (a, b), group in ties.by_dyad().items():
        group = [t for t in group if wanted is None or t.kind in wanted]
        rels = [t for t in group if t.basis == "relationship" and t.active(rel_lo, rel_hi)]
        events = [t for t in group if t.basis == "event" and t.active(ev_lo, ev_hi)]
        first = min((t.start for t in events if t.start), default=None)
        last = max((t.end or t.start for t in events if t.end or t.start), default=None)
        decided = _add_pair(G, ties.actors, a, b, rels, sum(t.score for t in events), first, last)
        if decided is False:
            continue
        if evidence:
            records = [ties.evidence.get(t.iri, {}) for t in (*events, *rels)]
            claims = {c for r in records for c in r.get("claims", ())}  # type: ignore[union-attr]
            for t in rels:
                claims.update(e for e in t.evidence if ties.evidence.get(e, {}).get("type") == "claim")
            G[a][b].update(
                events=sorted({t.iri for t in events}), relationships=sorted({t.iri for t in rels}),
                claims=sorted(claims), sources=sorted({str(r["source"]) for r in records if r.get("source")}),
            )
    return G
