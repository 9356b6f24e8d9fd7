"""Signed actor networks: snapshots of the store's ties as of a date or over a window, their balance and centralities.

A pair of actors gets one edge: its curated relationship decides the sign,
else the sum of its events' Goldstein weights (see :mod:`conflictkg.graph.networks.ties`).
No tie is not a negative tie.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable
from datetime import date, timedelta

import networkx as nx

from conflictkg.graph.errors import InputError
from conflictkg.graph.store import Store
from conflictkg.graph.networks.index import no_gc
from conflictkg.graph.networks.parts import read_dyads
from conflictkg.graph.networks.snapshots import signed_network, whole_history_network  # signed_network re-exported
from conflictkg.graph.networks.ties import TieSet, deciding_relationship, keeping_index, load_ties, parse_date, parse_window

#: ``progress(stage, done, total)``; ``total`` is ``None`` while unknown.
Progress = Callable[[str, int, "int | None"], None]

__all__ = [
    "signed_network",
    "actor_network",
    "network_series",
    "network_balance",
    "network_centrality",
    "node_names",
    "check_snapshot",
    "sign_changes",
    "Progress",
]


def actor_network(store: Store, *, include_claims: bool = False, **options: object) -> nx.Graph:
    """:func:`signed_network` of everything in ``store`` (see there for ``options``)."""
    return signed_network(load_ties(store, include_claims=include_claims), **options)  # type: ignore[arg-type]


def network_series(
    ties: TieSet,
    *,
    window: str | timedelta = "90d",
    step: str | timedelta | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
) -> list[tuple[date, nx.Graph]]:
    """Snapshots over rolling windows: the network as of each step, events within ``window`` before it.

    Parameters
    ----------
    ties : TieSet
        From :func:`~conflictkg.graph.networks.ties.load_ties`.
    window : "90d" or timedelta
        How far back events count in each snapshot.
    step : "30d" or timedelta, optional
        Distance between snapshots; by default one snapshot per day on which
        a tie starts or ends (the network changes on no other day).
    start, end : date or ISO text, optional
        The first and last snapshot; by default the span of the data.

    Returns
    -------
    list of (date, networkx.Graph)
    """
    span = parse_window(window)
    first, last = ties.span()
    lo = parse_date(start, parameter="start") or first
    hi = parse_date(end, parameter="end") or last
    if lo is None or hi is None:
        return []
    if step is None:
        days = {lo, hi}
        for t in ties.ties:
            # an event counts from its day to ``window`` after its last day, and leaves the day after
            leaves = t.basis == "event" and t.start and (t.end or t.start) + span + timedelta(days=1)  # type: ignore[operator]
            for d in (t.start, t.end and t.end + timedelta(days=1), leaves):
                if isinstance(d, date) and lo <= d <= hi:
                    days.add(d)
        times = sorted(days)
    else:
        inc = parse_window(step, parameter="step")
        times, t = [], lo
        while t <= hi:
            times.append(t)
            t += inc  # type: ignore[operator]
    return [(t, signed_network(ties, at=t, window=span)) for t in times]


def check_snapshot(at: str | date | None, window: str | timedelta | None) -> None:
    """Refuse a snapshot's ``at`` or ``window`` that does not parse, before any work.

    Raises
    ------
    InputError
        Naming the parameter.
    """
    parse_date(at)
    parse_window(window)


def node_names(G: nx.Graph, nodes: Iterable[Hashable]) -> list[str]:
    """The labels of ``nodes`` (their ids where they have none)."""
    return [str(G.nodes[n].get("label", n)) if n in G else str(n) for n in nodes]


def network_balance(
    store: Store | None = None,
    *,
    at: str | date | None = None,
    window: str | timedelta | None = None,
    edges: str | os.PathLike[str] | None = None,
    edges_text: str | None = None,
    include_claims: bool = False,
    time_limit: float | None = 60.0,
    progress: Progress | None = None,
) -> dict[str, object]:
    """The balance report of the store's actor network, or of a researcher's signed edge list.

    Parameters
    ----------
    store : Store, optional
        Where the actor network comes from, unless an edge list is given.
    at, window : optional
        The snapshot (see :func:`signed_network`); only with the store.
    edges : path, optional
        A CSV file ``source,target,sign`` (see :func:`~conflictkg.graph.networks.edgelists.read_signed_edgelist`).
    edges_text : str, optional
        The same CSV as text (an HTTP request body).
    include_claims : bool
        See :func:`~conflictkg.graph.networks.ties.load_ties`.
    time_limit : float or None
        Seconds for the exact frustration solver per component.
    progress : callable, optional
        ``progress(stage, done, total)`` as each stage starts (``total`` ``None``: not counted).

    Returns
    -------
    dict
        :func:`~conflictkg.graph.networks.signed.report.balance_report`, plus
        ``network`` (``"store"`` or ``"edge list"``) and ``at``.

    Raises
    ------
    InputError
        If neither a store nor an edge list is given, or ``at`` comes with an edge list.
    """
    from conflictkg.graph.networks.signed.report import balance_report

    G, origin, at_d = _chosen_network(store, at, window, edges, edges_text, include_claims, progress)
    return {"network": origin, "at": at_d, **balance_report(G, time_limit=time_limit)}


def network_centrality(
    store: Store | None = None,
    *,
    at: str | date | None = None,
    window: str | timedelta | None = None,
    edges: str | os.PathLike[str] | None = None,
    edges_text: str | None = None,
    include_claims: bool = False,
    time_limit: float | None = 60.0,
    progress: Progress | None = None,
    betweenness: bool = False,
    backend: str | None = None,
) -> dict[str, object]:
    """Signed centralities of every actor in the store's network, or in a researcher's signed edge list.

    Per actor: the PN index (Everett & Borgatti), the signed degree, and
    its brokerage between the two blocs of the frustration index's optimal
    bipartition (see :func:`~conflictkg.graph.networks.signed.report.centrality_report`
    for why those blocs).

    Parameters
    ----------
    store : Store, optional
        Where the actor network comes from, unless an edge list is given.
    at, window : optional
        The snapshot (see :func:`signed_network`); only with the store.
    edges : path, optional
        A CSV file ``source,target,sign`` (see :func:`~conflictkg.graph.networks.edgelists.read_signed_edgelist`).
    edges_text : str, optional
        The same CSV as text (an HTTP request body).
    include_claims : bool
        See :func:`~conflictkg.graph.networks.ties.load_ties`.
    time_limit : float or None
        Seconds for the exact frustration solver per component.
    progress : callable, optional
        ``progress(stage, done, total)`` as each stage starts (``total`` ``None``: not counted).

    Returns
    -------
    dict
        ``network`` (``"store"`` or ``"edge list"``), ``at`` (ISO date or
        ``None``), ``nodes``, ``edges``, ``blocs`` (``method``, ``exact``,
        ``frustration_index``, ``partition``: two lists of names) and
        ``actors``, highest PN index first (ties by label), each with
        ``iri`` (``None`` for an edge list, whose nodes are bare names),
        ``label``, ``bloc`` (index into ``partition``), ``pn_index``,
        ``signed_degree`` (``pos``, ``neg``, ``net``, ``ratio``; ``ratio``
        ``None`` where undefined) and ``brokerage``. An empty snapshot
        gives no actors; the PN index is ``None`` where it is undefined
        (a network of two actors and one negative tie).

    Raises
    ------
    InputError
        If neither a store nor an edge list is given, ``at`` or ``window``
        comes with an edge list, or a date or window does not parse
        (``parameter`` names it).
    ParseError
        If the edge list breaks a rule (the message names the file and row).

    Examples
    --------
    >>> r = network_centrality(edges_text="source,target,sign\\nUS,SDF,-1\\nUS,Turkey,1\\nTurkey,SDF,-1\\n")
    >>> r["blocs"]["partition"]
    [['Turkey', 'US'], ['SDF']]
    >>> [(a["label"], a["signed_degree"]["net"], a["brokerage"]) for a in r["actors"]]
    [('Turkey', 0, 0), ('US', 0, 0), ('SDF', -2, 0)]

    References
    ----------
    .. [1] Everett, M. G. and Borgatti, S. P. (2014). Networks containing
       negative ties. *Social Networks* 38, 111–120.
    .. [2] Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation:
       A formal approach to brokerage in transaction networks.
       *Sociological Methodology* 19, 89–126.
    """
    from conflictkg.graph.networks.signed.report import centrality_report

    if backend is not None and backend not in _backends():
        known = ", ".join(sorted(_backends())) or "none installed"
        raise InputError(f"unknown networkx backend {backend!r} (installed: {known})", parameter="backend")
    G, origin, at_d = _chosen_network(store, at, window, edges, edges_text, include_claims, progress)
    report = centrality_report(G, time_limit=time_limit)
    if betweenness:
        if progress is not None:
            progress("betweenness", 0, None)
        between = nx.betweenness_centrality(G, backend=backend) if backend else nx.betweenness_centrality(G)
        for a in report["actors"]:  # type: ignore[attr-defined]
            a["betweenness"] = float(between[a["id"] if a["id"] in between else _node_of(G, a["id"])])
    iris = origin == "store"
    report["actors"] = [
        {"iri": a["id"] if iris else None, **{k: v for k, v in a.items() if k != "id"}}
        for a in report["actors"]  # type: ignore[attr-defined]
    ]
    return {"network": origin, "at": at_d, **report}


def _backends() -> set[str]:
    """The networkx backends installed (``parallel`` for nx-parallel …)."""
    return set(getattr(nx.utils.backends, "backends", {}))


def _node_of(G: nx.Graph, name: str) -> object:
    return next(n for n in G if str(n) == name)


def _chosen_network(
    store: Store | None,
    at: str | date | None,
    window: str | timedelta | None,
    edges: str | os.PathLike[str] | None,
    edges_text: str | None,
    include_claims: bool,
    progress: Progress | None = None,
) -> tuple[nx.Graph, str, str | None]:
    """The graph an analysis runs on: an edge list if one is given, else the store's snapshot; its origin and date."""
    from conflictkg.graph.networks.edgelists import parse_signed_edgelist, read_signed_edgelist

    # Checked before any work: a typo in a date must not cost a minute of reading.
    check_snapshot(at, window)
    at_d = parse_date(at)
    say = progress or (lambda stage, done, total: None)
    if edges is not None or edges_text is not None:
        if at is not None or window is not None:
            raise InputError("at and window select a snapshot of the store; an edge list has no dates", parameter="at")
        G = read_signed_edgelist(edges) if edges is not None else parse_signed_edgelist(edges_text or "", file="request body")
        origin = "edge list"
    elif store is not None:
        # The snapshot itself is kept beside the network index until the next write, as the ties are.
        index = keeping_index(store)
        span = parse_window(window)
        key = f"network-claims{int(include_claims)}-at{at_d.isoformat() if at_d else ''}-window{span.days if span else ''}"
        say("reading ties", 0, None)
        since = index.generation if index is not None else None
        G = index.kept(key) if index is not None else None
        # The whole history's network from the pairs' sums kept per graph, where they are: after a small
        # write, without unpickling the import's million ties.
        if not isinstance(G, nx.Graph):
            summed = (read_dyads(store, include_claims=include_claims, index=index)
                      if index is not None and at_d is None and span is None else None)
            if summed is not None:
                say("building the network", 0, None)
                G = whole_history_network(*summed)
            else:
                ties = load_ties(store, include_claims=include_claims, labels=False)
                say("building the network", 0, None)
                with no_gc():  # a million ties grouped by pair: nothing cyclic to collect, everything to walk
                    G = signed_network(ties, at=at, window=window, evidence=False)
                del ties  # before measuring: a collection then would walk every tie still held
            if index is not None:
                index.keep(key, G, since)
        origin = "store"
    else:
        raise InputError("give a store or an edge list", parameter="edges")
    say("measuring", 0, None)
    return G, origin, at_d.isoformat() if at_d else None


def sign_changes(
    ties: TieSet,
    *,
    window: str | timedelta = "90d",
    start: str | date | None = None,
    end: str | date | None = None,
) -> tuple[date | None, dict[tuple[str, str], int], list[tuple[date, dict[tuple[str, str], int]]]]:
    """The signs of every pair as of ``start``, then each day on which one changes, and to what.

    The same signs as :func:`signed_network` with ``at=day, window=window``
    on every day, found from each pair's own ties (the days a relationship
    starts or ends, an event comes into the window or leaves it) instead
    of rebuilding the network day after day.

    Parameters
    ----------
    ties : TieSet
        From :func:`~conflictkg.graph.networks.ties.load_ties`.
    window : "90d" or timedelta
        How far back events count.
    start, end : date or ISO text, optional
        The first and last day; by default the span of the data.

    Returns
    -------
    (date, dict, list)
        The first day (``None`` for no data), the pairs' signs that day
        (``(a, b)`` with ``a < b`` → ±1; pairs without a tie are absent),
        and, in time order, ``(day, {pair: sign})`` where a sign of ``0``
        means the pair lost its edge.
    """
    span = parse_window(window)
    first, last = ties.span()
    lo = parse_date(start, parameter="start") or first
    hi = parse_date(end, parameter="end") or last
    if lo is None or hi is None or span is None:
        return lo, {}, []
    day = timedelta(days=1)
    initial: dict[tuple[str, str], int] = {}
    changes: dict[date, dict[tuple[str, str], int]] = {}
    for dyad, group in ties.by_dyad().items():
        rels = [t for t in group if t.basis == "relationship"]
        events = sorted((t.start, t.end or t.start, t.score) for t in group if t.basis == "event" and t.start)
        days = {lo}
        for s, e, _ in events:
            days.update((s, e + span + day))
        for t in rels:
            days.update(d for d in (t.start, t.end and t.end + day) if d)
        previous = 0
        for d in sorted(x for x in days if lo <= x <= hi):
            decided = deciding_relationship([t for t in rels if t.active(d, d)])
            if decided is not None:
                sign = decided.sign
            else:
                # events are few per pair: a scan is cheaper than any index
                score = round(sum(w for s, e, w in events if s <= d and e >= d - span), 9)
                sign = 0 if score == 0 else (1 if score > 0 else -1)
            if d == lo:
                if sign:
                    initial[dyad] = sign
            elif sign != previous:
                changes.setdefault(d, {})[dyad] = sign
            previous = sign
    return lo, initial, sorted(changes.items())
