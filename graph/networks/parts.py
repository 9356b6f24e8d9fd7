"""Ties kept per named graph: :func:`read_ties`, whole or one graph at a time, and the pairs' sums of :func:`read_dyads`.

:func:`read_ties` is what :func:`~conflictkg.graph.networks.ties.load_ties`
calls when nothing is kept for an unchanged store. Without a network index it
reads every event property in one scan of the store per predicate. With one
(every CLI command and the server open it), each named graph holding many
events is read on its own and what it makes is kept beside the index
(:meth:`~conflictkg.graph.networks.index.NetworkIndex.part`) until a write
touches that graph, so after an import or a review only the graphs the write
touched are read again — not the million events of the imports before it.

An event is one subject with a ``ck:actor``; its other properties may sit in
other graphs (an inferred type, a claim's ``ck:claimContent``). What a graph's
part holds is exactly what the whole read makes of the events whose rows all
sit in that graph; events found in more than one graph, and the events of the
small graphs, are read again by name over every graph, so the two ways give
the same ties. One case is not found: a blank-node event whose rows are split
between a large graph and another graph without its ``ck:actor`` there (blank
nodes cannot be asked for by name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from conflictkg.graph.networks.index import no_gc
from conflictkg.graph.networks.reading import (
    Context, EventRecord, add_actors, add_relationships, build, event_rows, fold, rows_of_subjects,
)
from conflictkg.graph.networks.records import Tie, TieSet
from conflictkg.graph.store import Store

if TYPE_CHECKING:
    from conflictkg.graph.networks.index import NetworkIndex

__all__ = ["PART_MIN_EVENTS", "read_dyads", "read_ties"]

#: A named graph with at least this many events is read on its own and kept (a "part"); smaller ones are
#: read by their events' names each time (a few queries for the seed's hundred events).
PART_MIN_EVENTS = 1_000
#: Bumped when what a part holds changes shape or meaning, so older pickles are read again.
PART_FORMAT = "3"
#: Past this many events to read by name, reading everything at once is cheaper.
MAX_BY_NAME = 20_000


def _fingerprint(ctx: Context) -> str:
    """What a part's ties depend on beyond its graph's rows: the class hierarchy (and the part format)."""
    text = repr(sorted((k, sorted(v)) for k, v in ctx.supers.items()))
    return PART_FORMAT + hashlib.sha1(text.encode("utf-8")).hexdigest()


class _Part:
    """What one named graph's rows make on their own: its events' ties and evidence (see the module notes)."""

    __slots__ = ("ties", "evidence", "source", "fingerprint")

    def __init__(self, ties: list[Tie], evidence: dict[str, dict[str, object]], source: dict[str, object],
                 fingerprint: str) -> None:
        self.ties, self.evidence, self.source, self.fingerprint = ties, evidence, source, fingerprint

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (_Part, (self.ties, self.evidence, self.source, self.fingerprint))

    @property
    def events(self) -> dict[str, dict[str, object]]:
        return self.evidence


class _Dyads:
    """What a part's ties add up to per pair of actors over the whole history, in the order the pairs
    first appear among them: the sum of the event weights, the first day and the last.

    Enough for the whole history's network without unpickling a million ties
    (:func:`read_dyads`). ``events`` and ``others`` are 64-bit hashes of the part's events and of its
    other subjects, sorted, to find the events split between graphs: a million IRIs took 0.4 s to
    unpickle, their hashes no time; two IRIs sharing a hash only send the read to the ties.
    """

    __slots__ = ("dyads", "events", "others", "fingerprint")

    def __init__(self, dyads: dict[tuple[str, str], list[object]], events: np.ndarray, others: np.ndarray,
                 fingerprint: str) -> None:
        self.dyads, self.events, self.others, self.fingerprint = dyads, events, others, fingerprint

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (_Dyads, (self.dyads, self.events, self.others, self.fingerprint))

    @classmethod
    def of(cls, ties: list[Tie], events: Iterable[str], others: Iterable[str], fingerprint: str) -> _Dyads:
        dyads: dict[tuple[str, str], list[object]] = {}
        for t in ties:
            _add_up(dyads, t.dyad, t.score, t.start, t.end or t.start)
        return cls(dyads, _hashes(events), _hashes(others), fingerprint)


def _add_up(sums: dict[tuple[str, str], list[object]], pair: tuple[str, str], score: float,
            day: date | None, last: date | None) -> None:
    """Add one event's (or one part's) weight and days to a pair's sum: weights add, days widen."""
    d = sums.get(pair)
    if d is None:
        sums[pair] = [score, day, last]
        return
    d[0] += score  # type: ignore[operator]
    if day is not None and (d[1] is None or day < d[1]):  # type: ignore[operator]
        d[1] = day
    if last is not None and (d[2] is None or last > d[2]):  # type: ignore[operator]
        d[2] = last


def _hashes(strings: Iterable[str]) -> np.ndarray:
    """Sorted 64-bit BLAKE2 hashes of ``strings`` (the same in every process, unlike :func:`hash`)."""
    digests = b"".join(hashlib.blake2b(x.encode("utf-8"), digest_size=8).digest() for x in strings)
    return np.sort(np.frombuffer(digests, dtype=np.uint64))


def _meets(sorted_hashes: np.ndarray, probe: np.ndarray) -> bool:
    """Whether any of ``probe`` is among ``sorted_hashes``."""
    if not len(sorted_hashes) or not len(probe):
        return False
    at = np.searchsorted(sorted_hashes, probe).clip(max=len(sorted_hashes) - 1)
    return bool((sorted_hashes[at] == probe).any())


class _Plan:
    """Which graphs' parts are used, and which events are read by name over every graph."""

    def __init__(self) -> None:
        self.parts: dict[str, object] = {}
        self.by_name: set[str] = set()  # events read again by name, over every graph
        self.blank: dict[str, EventRecord] = {}  # blank-node events of small graphs (not to be asked for by name)


def _plan(store: Store, ctx: Context, index: NetworkIndex, labels: bool, what: str) -> _Plan | None:
    """Each usable named graph's kept part (``what``: ``"ties"`` or ``"dyads"``), reading and keeping the
    large graphs that have none, and the events to read by name (see the module notes); ``None`` where
    reading everything at once is cheaper or the only exact way. Reading a large graph keeps all it makes:
    its ties and evidence, its other subjects and its pairs' sums."""
    key = f"labels{int(labels)}"
    fingerprint = _fingerprint(ctx)
    since = index.generation
    graphs = sorted(row["g"].value for row in store.query("SELECT ?g WHERE { GRAPH ?g { } }")  # type: ignore[union-attr, index]
                    if ctx.usable(row["g"].value))  # type: ignore[index]
    plan = _Plan()
    strays: set[str] = set()  # subjects of small graphs with event rows but no ck:actor there
    for g in graphs:
        part = index.part(g, key if what == "ties" else "dyads")
        if isinstance(part, (_Part, _Dyads)) and part.fingerprint == fingerprint:
            plan.parts[g] = part
            continue
        skipped: set[str] = set()
        state = fold(event_rows(store, labels, g), ctx, skipped)
        if len(state) >= PART_MIN_EVENTS:
            made = TieSet()
            build(state, ctx, made)
            whole = _Part(made.ties, made.evidence, ctx.source_of(g), fingerprint)
            dyads = _Dyads.of(made.ties, made.evidence, skipped, fingerprint)
            index.keep_part(g, key, whole, since)
            index.keep_part(g, "others", skipped, since)
            index.keep_part(g, "dyads", dyads, since)
            plan.parts[g] = whole if what == "ties" else dyads
            continue
        for ev, r in state.items():
            if _is_iri(ev):
                plan.by_name.add(ev)
            elif ev in plan.blank:
                return None  # one blank node with events rows in two graphs
            else:
                plan.blank[ev] = r
        strays |= skipped
    by_name, parts = plan.by_name, plan.parts
    if len(by_name) > MAX_BY_NAME:
        return None
    if what == "dyads":
        return plan if _none_split(parts, by_name | strays | set(plan.blank)) else None
    # An event in two parts, or in one part and among another large graph's other subjects, is read by name.
    home: dict[str, str] = {}
    if len(parts) == 1:
        [(only, part)] = parts.items()
        home = dict.fromkeys(by_name.union(strays, plan.blank).intersection(part.events), only)  # type: ignore[attr-defined]
    else:
        for g, part in parts.items():
            for ev in part.events:  # type: ignore[attr-defined]
                if home.setdefault(ev, g) != g:
                    by_name.add(ev)
        for g in parts:
            others = index.part(g, "others")
            if not isinstance(others, set):
                return None  # the part's other half is gone: read everything
            by_name.update(s for s in others if s in home and home[s] != g)
    by_name.update(s for s in strays if s in home)
    if any(ev in home for ev in plan.blank) or len(by_name) > MAX_BY_NAME or not all(map(_is_iri, by_name)):
        return None
    return plan


def _none_split(parts: dict[str, object], subjects: set[str]) -> bool:
    """Whether no event of a part has rows in another graph, by the parts' hashes (see :class:`_Dyads`):
    none among the small graphs' subjects, none in two parts, none among another part's other subjects."""
    if any(not isinstance(p, _Dyads) for p in parts.values()):
        return False
    probe = _hashes(subjects)
    if any(_meets(p.events, probe) for p in parts.values()):  # type: ignore[attr-defined]
        return False
    if len(parts) > 1:
        every = np.concatenate([p.events for p in parts.values()])  # type: ignore[attr-defined]
        if len(np.unique(every)) != len(every):
            return False
        for g, p in parts.items():
            rest = np.sort(np.concatenate([q.events for h, q in parts.items() if h != g]))  # type: ignore[attr-defined]
            if _meets(rest, p.others):  # type: ignore[attr-defined]
                return False
    return True


def _by_name(store: Store, ctx: Context, plan: _Plan, labels: bool, ties: TieSet) -> None:
    """Add the ties of the events the plan reads by name (and of the small graphs' blank-node events)."""
    state = fold(rows_of_subjects(store, sorted(plan.by_name), labels), ctx)
    state.update(plan.blank)
    build(state, ctx, ties)


def _events_by_graph(store: Store, ctx: Context, index: NetworkIndex, labels: bool) -> TieSet | None:
    """Every event's ties and evidence from the kept parts, reading only the graphs that have none (see
    the module notes); ``None`` where reading everything at once is cheaper or the only exact way."""
    plan = _plan(store, ctx, index, labels, "ties")
    if plan is None:
        return None
    ties = TieSet()
    for g, part in plan.parts.items():
        assert isinstance(part, _Part)
        drop = plan.by_name.intersection(part.evidence)
        chosen = part.ties if not drop else [t for t in part.ties if t.iri not in drop]
        source = ctx.source_of(g)
        fix = source != part.source  # the graph's metadata changed since the part was read (an import's, a review)
        if not ties.ties and not ties.evidence and not drop:
            ties.ties, ties.evidence = chosen, part.evidence  # the first (often only) large graph: no copy
            if fix:
                for record in ties.evidence.values():
                    _resource(record, source)
            continue
        ties.ties.extend(chosen)
        for ev, record in part.evidence.items():
            if ev not in drop:
                if fix:
                    _resource(record, source)
                ties.evidence[ev] = record
    _by_name(store, ctx, plan, labels, ties)
    return ties


def read_dyads(store: Store, *, include_claims: bool = False,
               index: NetworkIndex) -> tuple[dict[tuple[str, str], list[object]], TieSet] | None:
    """The whole history's pairs from the kept parts, without their ties: per pair of actors the sum of the
    event weights, the first day and the last, in the order the pairs first appear among the ties
    :func:`read_ties` would read; and the ties the parts do not hold (relationships, the small graphs'
    events), with every actor.

    Parameters
    ----------
    store : Store
        The fact store.
    include_claims : bool
        Also take what claim graphs hold as ties.
    index : NetworkIndex
        The network index keeping the parts.

    Returns
    -------
    (dict, TieSet) or None
        ``None`` where a large graph has no kept sums, or an event of a part must be read again by name
        (then read the ties: :func:`read_ties` keeps the sums for the next time).
    """
    with no_gc():
        ctx = Context(store, include_claims)
        plan = _plan(store, ctx, index, False, "dyads")
        if plan is None:
            return None
        rest = TieSet()
        _by_name(store, ctx, plan, False, rest)
        add_relationships(store, ctx, rest)
        merged: dict[tuple[str, str], list[object]] = {}
        for part in plan.parts.values():
            for pair, (score, day, last) in part.dyads.items():  # type: ignore[attr-defined]
                _add_up(merged, pair, score, day, last)  # type: ignore[arg-type]
        add_actors(store, ctx, rest, {x for pair in merged for x in pair})
        return merged, rest


def _resource(record: dict[str, object], source: dict[str, object]) -> None:
    record.pop("source_label", None)
    record.update(source)


def _is_iri(subject: str) -> bool:
    # A blank node's value is its bare id; an IRI always has a scheme and its colon.
    return ":" in subject


def read_ties(store: Store, *, include_claims: bool = False, labels: bool = True,
              index: NetworkIndex | None = None) -> TieSet:
    """Read every actor tie from the store, with what evidences it (see :func:`~conflictkg.graph.networks.ties.load_ties`).

    Parameters
    ----------
    store : Store
        The fact store.
    include_claims : bool
        Also take what claim graphs hold as ties.
    labels : bool
        Also read the events' labels.
    index : NetworkIndex, optional
        The network index that keeps each large graph's part until a write touches
        that graph; ``None`` reads every graph.

    Returns
    -------
    TieSet
    """
    with no_gc():
        return _read_ties(store, include_claims, labels, index)


def _read_ties(store: Store, include_claims: bool, labels: bool, index: NetworkIndex | None) -> TieSet:
    ctx = Context(store, include_claims)
    ties = _events_by_graph(store, ctx, index, labels) if index is not None else None
    if ties is None:
        ties = TieSet()
        build(fold(event_rows(store, labels), ctx), ctx, ties)
    for g in ctx.claims:
        m = ctx.meta[g]
        ties.evidence.setdefault(g, {
            "iri": g, "type": "claim", "label": m.get("label"), "claimant": m.get("claimant"),
            "attribution": m.get("attribution"), **ctx.source_of(g),
        })
    add_relationships(store, ctx, ties)
    add_actors(store, ctx, ties)
    return ties
