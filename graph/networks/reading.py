"""Reading ties from the store: every event and relationship, whole or one named graph at a time.

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
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pyoxigraph as ox

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.dates import parse_date
from conflictkg.graph.networks.index import no_gc
from conflictkg.graph.networks.records import RELATIONSHIP_SIGNS, Tie, TieSet
from conflictkg.graph.networks.weights import COOPERATION_CLASSES, event_weight
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import CK

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

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_CK = str(CK)
# Term IRIs as plain strings: rdflib Namespace lookups are slow in tight loops.
_CK_CLAIM = str(CK.Claim)
_CK_ACTOR = str(CK.actor)
_CK_ATTRIBUTION = str(CK.attribution)
_CK_CAMEOCODE = str(CK.cameoCode)
_CK_CLAIMCONTENT = str(CK.claimContent)
_CK_CLAIMANT = str(CK.claimant)
_CK_DATE = str(CK.date)
_CK_ENDDATE = str(CK.endDate)
_CK_EVIDENCEDBY = str(CK.evidencedBy)
_CK_FROMACTOR = str(CK.fromActor)
_CK_PARTICIPANT = str(CK.participant)
_CK_PARTY = str(CK.party)
_CK_SIGN = str(CK.sign)
_CK_STARTDATE = str(CK.startDate)
_CK_TARGET = str(CK.target)
_CK_TOACTOR = str(CK.toActor)
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

_PREDICATE_IRIS = {p: (str(CK) + p[3:]) if p.startswith("ck:") else "" for p in
                   ("ck:actor", "ck:target", "ck:participant", "ck:date", "ck:endDate", "ck:cameoCode", "ck:claimContent")}
_PREDICATE_IRIS["rdf:type"] = RDF_TYPE
_PREDICATE_IRIS["rdfs:label"] = RDFS_LABEL
_NO_CLAIMS: list[str] = []  # shared by the events that point to no claim (most): never changed in place


def _literal_date(term: object) -> date | None:
    if isinstance(term, ox.Literal):
        try:
            return parse_date(term.value)
        except InputError:
            return None
    return None


def _rows(store: Store, sparql: str) -> Iterable[tuple[str, str, object, str]]:
    result = store.query(sparql)
    # Unpacking a solution by position is three times faster than by name (?s ?p ?o ?g, in that order).
    for s, p, o, g in result:  # type: ignore[union-attr, misc]
        yield s.value, p.value, o, (g.value if g is not None else "")


# No DISTINCT on the outer rows: quads are a set, and deduplicating 300k rows costs more than reading them.
# FILTER, not VALUES ?p: Oxigraph joins a VALUES after reading every ?s ?p ?o of the store (2.6 GB and
# 15 s at 1M ACLED rows for a few hundred relationships; 0.24 s against 0.004 s at 50k).
_REL_QUERY = """
SELECT ?s ?p ?o ?g WHERE {
  { SELECT DISTINCT ?s WHERE { GRAPH ?g0 { ?s ck:party|ck:fromActor ?x } } }
  GRAPH ?g { ?s ?p ?o
    FILTER(?p IN (rdf:type, ck:party, ck:fromActor, ck:toActor, ck:sign, ck:startDate, ck:endDate, ck:evidencedBy, rdfs:label)) }
}"""

#: What an event's rows say, one predicate at a time: ck:actor first, whose rows make the events.
_EVENT_PREDICATES = ("ck:actor", "ck:target", "ck:participant", "rdf:type", "ck:date", "ck:endDate", "ck:cameoCode",
                     "ck:claimContent")


def _event_rows(store: Store, labels: bool, graph: str | None = None) -> Iterable[tuple[str, str, object, str]]:
    """``(subject, predicate IRI, object, graph)`` of every event property ``load_ties`` reads, and the
    same rows of other subjects, which it skips (``labels``: ``rdfs:label`` too); ``graph``: of that
    named graph only.

    One scan of the store's index per predicate: one query joining every event with its
    properties held the whole join in memory (1.6 GB, 53 s at 1M ACLED rows).
    """
    where = "GRAPH ?g" if graph is None else f"GRAPH <{graph}>"
    for predicate in _EVENT_PREDICATES + (("rdfs:label",) if labels else ()):
        iri = _PREDICATE_IRIS[predicate]
        if graph is None:
            for s, o, g in store.query(f"SELECT ?s ?o ?g WHERE {{ {where} {{ ?s {predicate} ?o }} }}"):  # type: ignore[union-attr, misc]
                yield s.value, iri, o, g.value
        else:
            for s, o in store.query(f"SELECT ?s ?o WHERE {{ {where} {{ ?s {predicate} ?o }} }}"):  # type: ignore[union-attr, misc]
                yield s.value, iri, o, graph


def _rows_of_subjects(store: Store, subjects: list[str], labels: bool, chunk: int = 500) -> Iterable[tuple[str, str, object, str]]:
    """The rows :func:`_event_rows` reads, of the named ``subjects`` only (every row of a subject within its chunk,
    ``ck:actor`` first)."""
    for k in range(0, len(subjects), chunk):
        values = " ".join(f"<{s}>" for s in subjects[k : k + chunk])
        for predicate in _EVENT_PREDICATES + (("rdfs:label",) if labels else ()):
            iri = _PREDICATE_IRIS[predicate]
            for s, o, g in store.query(f"SELECT ?s ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s {predicate} ?o }} }}"):  # type: ignore[union-attr, misc]
                yield s.value, iri, o, g.value


_ACTOR_QUERY = """
SELECT ?s ?p ?o ?g WHERE {
  VALUES ?s { %s }
  GRAPH ?g { ?s ?p ?o FILTER(?p IN (rdf:type, rdfs:label, skos:altLabel)) }
}"""

_GRAPH_QUERY = """
SELECT ?s ?p ?o (?none AS ?g) WHERE {
  GRAPH g:meta { ?s ?p ?o }
  VALUES ?p { rdf:type prov:wasDerivedFrom ck:claimant ck:attribution rdfs:label }
}"""

_SUBCLASS_QUERY = "SELECT DISTINCT ?sub ?sup WHERE { GRAPH ?g { ?sub rdfs:subClassOf ?sup } }"


def _records(store: Store, sparql: str) -> dict[str, list[tuple[str, object, str]]]:
    out: dict[str, list[tuple[str, object, str]]] = defaultdict(list)
    for s, p, o, g in _rows(store, sparql):
        out[s].append((p, o, g))
    return out


class _EventRecord:
    """What the rows of one event said, folded as they arrive."""

    __slots__ = ("first_g", "home", "actors", "targets", "participants", "types", "claims", "day", "end", "code", "label")

    def __init__(self, first_g: str) -> None:
        self.first_g = first_g
        self.home: str | None = None
        self.actors: list[str] = []
        self.targets: list[str] = []
        self.participants: list[str] = []
        self.types: list[str] = []
        self.claims: list[str] = []
        self.day: date | None = None
        self.end: date | None = None
        self.code: str | None = None
        self.label: str | None = None


def _most_specific(types: set[str], supers: dict[str, set[str]]) -> str | None:
    ck = [t for t in types if t.startswith(_CK)]
    if not ck:
        return None
    leaves = [t for t in ck if not any(t != o and t in supers.get(o, ()) for o in ck)]
    return sorted(leaves or ck)[0]


_Typed = tuple[set[str], str, "tuple[float, str] | None", "tuple[float, str] | None", str]


class _Context:
    """What every event's reading needs besides its own rows: the graphs' metadata and the class hierarchy."""

    def __init__(self, store: Store, include_claims: bool) -> None:
        self.include_claims = include_claims
        meta: dict[str, dict[str, object]] = defaultdict(dict)
        for s, p, o, _ in _rows(store, _GRAPH_QUERY):
            m = meta[s]
            if p == RDF_TYPE and o.value == _CK_CLAIM:  # type: ignore[attr-defined]
                m["claim"] = True
            elif p == PROV_DERIVED:
                m["source"] = o.value  # type: ignore[attr-defined]
            elif p == _CK_CLAIMANT:
                m["claimant"] = o.value  # type: ignore[attr-defined]
            elif p == _CK_ATTRIBUTION:
                m["attribution"] = o.value  # type: ignore[attr-defined]
            elif p == RDFS_LABEL:
                m.setdefault("label", o.value)  # type: ignore[attr-defined]
        self.meta = meta
        self.claims = {g for g, m in meta.items() if m.get("claim")}
        self.supers: dict[str, set[str]] = defaultdict(set)
        for row in store.query(_SUBCLASS_QUERY):  # type: ignore[union-attr]
            if isinstance(row["sub"], ox.NamedNode) and isinstance(row["sup"], ox.NamedNode):
                self.supers[row["sub"].value].add(row["sup"].value)
        # Thousands of events share a handful of type sets and codes: their class
        # closure, kind and Goldstein weight are worked out once per combination.
        self._typing: dict[tuple[frozenset[str], str | None], _Typed] = {}
        self._dates: dict[str, date | None] = {}
        self._sources: dict[str, dict[str, object]] = {}

    def usable(self, g: str) -> bool:
        return self.include_claims or g not in self.claims

    @property
    def fingerprint(self) -> str:
        """What a part's ties depend on beyond its graph's rows: the class hierarchy (and the part format)."""
        text = repr(sorted((k, sorted(v)) for k, v in self.supers.items()))
        return PART_FORMAT + hashlib.sha1(text.encode("utf-8")).hexdigest()

    def closure(self, types: set[str]) -> set[str]:
        seen, todo = set(types), list(types)
        while todo:
            for sup in self.supers.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    def source_of(self, g: str) -> dict[str, object]:
        hit = self._sources.get(g)
        if hit is None:
            m = self.meta.get(g, {})
            src = m.get("source")
            hit = {"graph": g, "source": src}
            if src and self.meta.get(str(src), {}).get("label"):
                hit["source_label"] = self.meta[str(src)]["label"]
            self._sources[g] = hit
        return hit

    def typed(self, types: frozenset[str], code: str | None) -> _Typed:
        key = (types, code)
        hit = self._typing.get(key)
        if hit is None:
            classes = self.closure(set(types))
            kind = (_most_specific(classes, self.supers) or "Event").rsplit("#", 1)[-1]
            cooperative = classes & COOPERATION_CLASSES
            coop = event_weight(None, cooperative) if cooperative else None
            coop_name = sorted(cooperative)[0].rsplit("#", 1)[-1] if cooperative else ""
            hit = self._typing[key] = (classes, kind, event_weight(code, classes), coop, coop_name)
        return hit

    def day_of(self, term: object) -> date | None:
        text = term.value  # type: ignore[attr-defined]
        if text not in self._dates:
            self._dates[text] = _literal_date(term)
        return self._dates[text]


def _fold(rows: Iterable[tuple[str, str, object, str]], ctx: _Context,
          skipped: set[str] | None = None) -> dict[str, _EventRecord]:
    """Fold rows into one small record per event (a subject with a ``ck:actor`` row), as they stream in.

    Holding every row until the end took most of the memory at 1M events. Rows of
    claim graphs are left out unless claims are included; ``skipped`` collects the
    other subjects whose rows were passed over (no ``ck:actor`` among the rows).
    """
    # Actor and graph IRIs repeat millions of times, so each is kept once.
    shared: dict[str, str] = {}
    state: dict[str, _EventRecord] = {}
    claims = set() if ctx.include_claims else ctx.claims
    day_of = ctx.day_of
    for ev, p, o, g in rows:
        if g in claims:
            continue
        r = state.get(ev)
        if r is None:
            if p != _CK_ACTOR:
                if skipped is not None:
                    skipped.add(ev)
                continue  # not an event (the actor rows come first and make every event's record)
            g = shared.setdefault(g, g)
            r = state[ev] = _EventRecord(g)
        named = isinstance(o, ox.NamedNode)
        if p == _CK_ACTOR:
            if r.home is None:
                r.home = shared.setdefault(g, g)
            if named:
                v = o.value  # type: ignore[attr-defined]
                r.actors.append(shared.setdefault(v, v))
        elif p == _CK_TARGET:
            if named:
                v = o.value  # type: ignore[attr-defined]
                r.targets.append(shared.setdefault(v, v))
        elif p == _CK_PARTICIPANT:
            if named:
                v = o.value  # type: ignore[attr-defined]
                r.participants.append(shared.setdefault(v, v))
        elif p == RDF_TYPE:
            if named:
                v = o.value  # type: ignore[attr-defined]
                r.types.append(shared.setdefault(v, v))
        elif p == _CK_DATE:
            d = day_of(o) if isinstance(o, ox.Literal) else None
            if d and (r.day is None or d < r.day):
                r.day = d
        elif p == _CK_ENDDATE:
            d = day_of(o) if isinstance(o, ox.Literal) else None
            if d and (r.end is None or d > r.end):
                r.end = d
        elif p == _CK_CAMEOCODE:
            if r.code is None and isinstance(o, ox.Literal):
                r.code = o.value
        elif p == _CK_CLAIMCONTENT:
            if named:
                r.claims.append(o.value)  # type: ignore[attr-defined]
        elif p == RDFS_LABEL:
            if r.label is None:
                r.label = o.value  # type: ignore[attr-defined]
    return state


def _build(state: dict[str, _EventRecord], ctx: _Context, ties: TieSet) -> None:
    """Turn folded records into ties and evidence (each record is dropped once read, so the records
    and what they become are never all in memory at once)."""
    iso: dict[date, str] = {}
    for ev in list(state):
        r = state.pop(ev)
        actors, targets, participants, day, end, code = r.actors, r.targets, r.participants, r.day, r.end, r.code
        if not actors:
            continue
        classes, name, weighed, coop, coop_name = ctx.typed(frozenset(r.types), code)
        source = ctx.source_of(r.home or r.first_g)
        ties.evidence[ev] = {
            "iri": ev, "type": "event", "kind": name,
            "label": r.label,
            "date": (iso.get(day) or iso.setdefault(day, day.isoformat())) if day else None, "cameo": code,
            "claims": sorted(r.claims) if r.claims else _NO_CLAIMS,
            **source,
        }
        if weighed is not None and weighed[0] != 0:
            w, used = weighed
            ties.evidence[ev]["goldstein"] = w
            s = 1 if w > 0 else -1
            for a in actors:
                for b in targets:
                    if a != b:
                        ties.ties.append(Tie(a, b, s, w, day, end, name, ev, "event", (ev,), used))
        if coop is not None and participants:
            w, used = coop
            for a in actors:
                for b in participants:
                    if a != b:
                        ties.ties.append(Tie(a, b, 1, w, day, end, coop_name, ev, "event", (ev,), used))


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
            day, last = t.start, t.end or t.start
            d = dyads.get(t.dyad)
            if d is None:
                dyads[t.dyad] = [t.score, day, last]
                continue
            d[0] += t.score  # type: ignore[operator]
            if day is not None and (d[1] is None or day < d[1]):  # type: ignore[operator]
                d[1] = day
            if last is not None and (d[2] is None or last > d[2]):  # type: ignore[operator]
                d[2] = last
        return cls(dyads, _hashes(events), _hashes(others), fingerprint)


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
        self.blank: dict[str, _EventRecord] = {}  # blank-node events of small graphs (not to be asked for by name)


def _plan(store: Store, ctx: _Context, index: NetworkIndex, labels: bool, what: str) -> _Plan | None:
    """Each usable named graph's kept part (``what``: ``"ties"`` or ``"dyads"``), reading and keeping the
    large graphs that have none, and the events to read by name (see the module notes); ``None`` where
    reading everything at once is cheaper or the only exact way. Reading a large graph keeps all it makes:
    its ties and evidence, its other subjects and its pairs' sums."""
    key = f"labels{int(labels)}"
    fingerprint = ctx.fingerprint
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
        state = _fold(_event_rows(store, labels, g), ctx, skipped)
        if len(state) >= PART_MIN_EVENTS:
            made = TieSet()
            _build(state, ctx, made)
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


def _by_name(store: Store, ctx: _Context, plan: _Plan, labels: bool, ties: TieSet) -> None:
    """Add the ties of the events the plan reads by name (and of the small graphs' blank-node events)."""
    state = _fold(_rows_of_subjects(store, sorted(plan.by_name), labels), ctx)
    state.update(plan.blank)
    _build(state, ctx, ties)


def _events_by_graph(store: Store, ctx: _Context, index: NetworkIndex, labels: bool) -> TieSet | None:
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
        ctx = _Context(store, include_claims)
        plan = _plan(store, ctx, index, False, "dyads")
        if plan is None:
            return None
        rest = TieSet()
        _by_name(store, ctx, plan, False, rest)
        _relationships(store, ctx, rest)
        merged: dict[tuple[str, str], list[object]] = {}
        for part in plan.parts.values():
            for pair, (score, day, last) in part.dyads.items():  # type: ignore[attr-defined]
                d = merged.get(pair)
                if d is None:
                    merged[pair] = [score, day, last]
                    continue
                d[0] += score
                if day is not None and (d[1] is None or day < d[1]):  # type: ignore[operator]
                    d[1] = day
                if last is not None and (d[2] is None or last > d[2]):  # type: ignore[operator]
                    d[2] = last
        _actors(store, ctx, rest, {x for pair in merged for x in pair})
        return merged, rest


def _resource(record: dict[str, object], source: dict[str, object]) -> None:
    record.pop("source_label", None)
    record.update(source)


def _is_iri(subject: str) -> bool:
    # A blank node's value is its bare id; an IRI always has a scheme and its colon.
    return ":" in subject


def _relationships(store: Store, ctx: _Context, ties: TieSet) -> None:
    for rel, triples in _records(store, _REL_QUERY).items():
        vals = defaultdict(list)
        for p, o, g in triples:
            if ctx.usable(g):
                vals[p].append(o)
        types = {o.value for o in vals[RDF_TYPE] if isinstance(o, ox.NamedNode)}
        kind = next((t for t in sorted(types) if t in RELATIONSHIP_SIGNS), None) or _most_specific(types, ctx.supers)
        signs = {int(o.value) for o in vals[_CK_SIGN] if isinstance(o, ox.Literal) and o.value.lstrip("+-").isdigit()}  # type: ignore[union-attr]
        if len(signs) == 1 and signs <= {1, -1}:
            sign = signs.pop()
        elif not signs and kind in RELATIONSHIP_SIGNS:
            sign = RELATIONSHIP_SIGNS[kind]
        else:
            continue  # no sign, or contradictory signs: nothing is guessed
        parties = sorted({o.value for o in vals[_CK_PARTY] if isinstance(o, ox.NamedNode)})
        if len(parties) >= 2:
            # a multilateral alliance ties every pair of its parties
            pairs = list(combinations(parties, 2))
        else:
            froms = [o.value for o in vals[_CK_FROMACTOR] if isinstance(o, ox.NamedNode)]
            tos = [o.value for o in vals[_CK_TOACTOR] if isinstance(o, ox.NamedNode)]
            if len(froms) != 1 or len(tos) != 1 or froms == tos:
                continue
            pairs = [(froms[0], tos[0])]
        start = min((d for d in map(_literal_date, vals[_CK_STARTDATE]) if d), default=None)
        end = max((d for d in map(_literal_date, vals[_CK_ENDDATE]) if d), default=None)
        evidence = tuple(sorted(o.value for o in vals[_CK_EVIDENCEDBY] if isinstance(o, ox.NamedNode)))
        name = (kind or "ActorRelationship").rsplit("#", 1)[-1]
        for a, b in pairs:
            ties.ties.append(Tie(a, b, sign, float(sign), start, end, name, rel, "relationship", evidence))
        home = next((g for p, o, g in triples if p in (_CK_PARTY, _CK_FROMACTOR) and ctx.usable(g)), "")
        ties.evidence[rel] = {
            "iri": rel, "type": "relationship", "kind": name,
            "label": next((o.value for o in vals[RDFS_LABEL]), None),  # type: ignore[attr-defined]
            "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
            **ctx.source_of(home),
        }


def _actors(store: Store, ctx: _Context, ties: TieSet, more: set[str] | None = None) -> None:
    wanted = {x for t in ties.ties for x in (t.a, t.b)} | (more or set())
    # The actors are known by now: asked by name, 500 at a time, instead of finding them again among
    # every event's links (0.5 GB and 5 s at 1M ACLED rows).
    named = sorted(a for a in wanted if ">" not in a)
    records: dict[str, list[tuple[str, object, str]]] = {}
    for k in range(0, len(named), 500):
        values = " ".join(f"<{a}>" for a in named[k : k + 500])
        records.update(_records(store, _ACTOR_QUERY % values))
    for actor, triples in records.items():
        if actor not in wanted:
            continue
        types = {o.value for p, o, _ in triples if p == RDF_TYPE and isinstance(o, ox.NamedNode)}
        labels = sorted(o.value for p, o, _ in triples if p == RDFS_LABEL)  # type: ignore[attr-defined]
        kind = _most_specific(types, ctx.supers)
        ties.actors[actor] = {
            "label": labels[0] if labels else actor.rsplit("/", 1)[-1],
            "kind": kind.rsplit("#", 1)[-1] if kind else "",
            "aliases": sorted({o.value for p, o, _ in triples if p == SKOS_ALT}),  # type: ignore[attr-defined]
        }
    for actor in wanted - set(ties.actors):
        ties.actors[actor] = {"label": actor.rsplit("/", 1)[-1], "kind": "", "aliases": []}


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
    ctx = _Context(store, include_claims)
    ties = _events_by_graph(store, ctx, index, labels) if index is not None else None
    if ties is None:
        ties = TieSet()
        _build(_fold(_event_rows(store, labels), ctx), ctx, ties)
    for g in ctx.claims:
        m = ctx.meta[g]
        ties.evidence.setdefault(g, {
            "iri": g, "type": "claim", "label": m.get("label"), "claimant": m.get("claimant"),
            "attribution": m.get("attribution"), **ctx.source_of(g),
        })
    _relationships(store, ctx, ties)
    _actors(store, ctx, ties)
    return ties
