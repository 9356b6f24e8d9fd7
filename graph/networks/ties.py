"""Ties between actors read from the store: relationships and events, with their evidence.

Two kinds of record tie two actors (:class:`Tie`):

- a relationship (``ck:Alliance``, ``ck:Cooperation``, ``ck:Support``,
  ``ck:Membership`` +; ``ck:Hostility``, ``ck:Strain`` −; ``ck:sign`` when
  given), active from ``ck:startDate`` to ``ck:endDate``;
- an event between its ``ck:actor`` and its ``ck:target``, weighted on
  Goldstein's scale (:mod:`conflictkg.graph.networks.weights`), and between its actor
  and a ``ck:participant`` when the event is cooperation (fighting alongside,
  support). An accusation is the accuser's act against the accused: strain.

What a claim graph (``ck:Claim``) holds is what someone alleges, not a fact:
it makes no tie unless ``include_claims=True``. A weight of 0 is neutral and
makes no tie; no tie is not a negative tie.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING
from datetime import date

import pyoxigraph as ox

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.dates import MAX_WINDOW_DAYS, YEARS, parse_date, parse_window  # re-exported
from conflictkg.graph.store import Store
from conflictkg.graph.networks.weights import COOPERATION_CLASSES, event_weight
from conflictkg.ontology.vocab import CK

if TYPE_CHECKING:
    from conflictkg.graph.networks.index import NetworkIndex

__all__ = [
    "RELATIONSHIP_SIGNS",
    "Tie",
    "TieSet",
    "deciding_relationship",
    "event_labels",
    "load_ties",
    "parse_date",
    "parse_window",
]

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

#: The sign of each relationship kind when the relationship carries no ``ck:sign``.
RELATIONSHIP_SIGNS = {
    str(CK.Alliance): 1,
    str(CK.Cooperation): 1,
    str(CK.Support): 1,
    str(CK.Membership): 1,
    str(CK.Hostility): -1,
    str(CK.Strain): -1,
}


@dataclass(frozen=True, slots=True)  # slots: a million ties at 1M ACLED rows, a third of the memory without
class Tie:
    """One record tying two actors: a relationship or an event.

    ``a`` acts (``ck:actor``, ``ck:fromActor``, first party), ``b`` is acted
    on or with. ``score`` is the Goldstein weight of an event, the sign of a
    relationship. ``start``/``end`` are inclusive; ``None`` is open.
    """

    a: str
    b: str
    sign: int
    score: float
    start: date | None
    end: date | None
    kind: str
    iri: str
    basis: str  # "relationship" or "event"
    evidence: tuple[str, ...] = ()
    cameo: str | None = None

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # By the constructor: a frozen slotted dataclass's own __setstate__ took 10 µs a tie (10 s for the
        # million ties of 1M ACLED rows kept between analyses).
        return (Tie, (self.a, self.b, self.sign, self.score, self.start, self.end, self.kind, self.iri, self.basis,
                      self.evidence, self.cameo))

    @property
    def dyad(self) -> tuple[str, str]:
        return (self.a, self.b) if self.a <= self.b else (self.b, self.a)

    def active(self, lo: date | None, hi: date | None) -> bool:
        """Whether the tie's span meets ``[lo, hi]`` (``None``: unbounded).

        A relationship without an end is ongoing; an event without one lasted its
        day; an undated event belongs to no period, only to the whole history.
        """
        if self.basis == "event" and self.start is None:
            return lo is None and hi is None
        last = self.end if self.basis == "relationship" or self.end else self.start
        return (hi is None or self.start is None or self.start <= hi) and (lo is None or last is None or last >= lo)


@dataclass
class TieSet:
    """Everything read from the store: actors, ties, and what evidences them."""

    actors: dict[str, dict[str, object]] = field(default_factory=dict)
    ties: list[Tie] = field(default_factory=list)
    #: IRI of an event or claim graph → its label, date, graph, source, claimant …
    evidence: dict[str, dict[str, object]] = field(default_factory=dict)

    def span(self) -> tuple[date | None, date | None]:
        """The earliest and latest date any tie mentions."""
        days = [d for t in self.ties for d in (t.start, t.end) if d is not None]
        return (min(days), max(days)) if days else (None, None)

    def by_dyad(self) -> dict[tuple[str, str], list[Tie]]:
        """The ties grouped by pair of actors (computed once, again only if ``ties`` changed)."""
        cached = self.__dict__.get("_by_dyad")
        if cached is not None and cached[0] == len(self.ties) and (not self.ties or cached[1] is self.ties[-1]):
            return cached[2]
        out: dict[tuple[str, str], list[Tie]] = defaultdict(list)
        for t in self.ties:
            out[t.dyad].append(t)
        self.__dict__["_by_dyad"] = (len(self.ties), self.ties[-1] if self.ties else None, out)
        return out

    def label(self, iri: str) -> str:
        return str(self.actors.get(iri, {}).get("label") or iri.rsplit("/", 1)[-1])


_PREDICATE_IRIS = {p: (str(CK) + p[3:]) if p.startswith("ck:") else "" for p in
                   ("ck:actor", "ck:target", "ck:participant", "ck:date", "ck:endDate", "ck:cameoCode", "ck:claimContent")}
_PREDICATE_IRIS["rdf:type"] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PREDICATE_IRIS["rdfs:label"] = "http://www.w3.org/2000/01/rdf-schema#label"
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


def _event_rows(store: Store, labels: bool) -> Iterable[tuple[str, str, object, str]]:
    """``(subject, predicate IRI, object, graph)`` of every event property ``load_ties`` reads, and the
    same rows of other subjects, which it skips (``labels``: ``rdfs:label`` too).

    One scan of the store's index per predicate: one query joining every event with its
    properties held the whole join in memory (1.6 GB, 53 s at 1M ACLED rows).
    """
    for predicate in _EVENT_PREDICATES + (("rdfs:label",) if labels else ()):
        result = store.query(f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s {predicate} ?o }} }}")
        iri = None
        for s, o, g in result:  # type: ignore[union-attr, misc]
            if iri is None:
                iri = _PREDICATE_IRIS[predicate]
            yield s.value, iri, o, g.value

_LABEL_QUERY = "SELECT ?s ?label WHERE { VALUES ?s { %s } GRAPH ?g { ?s rdfs:label ?label } }"

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


def load_ties(store: Store, *, include_claims: bool = False, labels: bool = True) -> TieSet:
    """Read every actor tie from the store, with what evidences it (kept until the next write).

    Where the store has a network index (:func:`~conflictkg.graph.networks.index.open_network_index`:
    every CLI command and the server open one), what was read is kept beside it until the next write,
    so the next analysis of an unchanged store starts from it (3 s of the 3.5 s of ``network balance``
    at 50k ACLED rows were this read). A store showing a crash's half-written graphs is never cached.

    Parameters
    ----------
    store : Store
        The fact store.
    include_claims : bool
        Also take what claim graphs (``ck:Claim``) hold as ties. By default
        an allegation is only the claimant's act (its ``ck:Accusation``
        event), never the fact alleged.
    labels : bool
        Also read the events' labels (no network measure reads them).

    Returns
    -------
    TieSet
    """
    index = keeping_index(store)
    key = f"claims{int(include_claims)}-labels{int(labels)}"
    if index is not None:
        hit = index.kept(key)
        if isinstance(hit, TieSet):
            return hit
    ties = _read_ties(store, include_claims=include_claims, labels=labels)
    if index is not None:
        index.keep(key, ties)
    return ties


def keeping_index(store: Store) -> NetworkIndex | None:
    """The network index that keeps what is read from ``store`` until its next write, if it has one.

    ``None`` where nothing may be kept: no index follows the store, or the store is a view
    that hides a crash's half-written graphs (what is read there holds only until recovery).
    """
    from conflictkg.graph.networks.index import NetworkIndex  # noqa: F811 - at run time; the index imports the store

    if getattr(store, "hidden", None):
        return None
    return next((x for x in getattr(store, "listeners", ()) if isinstance(x, NetworkIndex)), None)


def _read_ties(store: Store, *, include_claims: bool = False, labels: bool = True) -> TieSet:
    """Read every actor tie from the store, with what evidences it (see :func:`load_ties`)."""
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
    claims = {g for g, m in meta.items() if m.get("claim")}

    def usable(g: str) -> bool:
        return include_claims or g not in claims

    supers: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_SUBCLASS_QUERY):  # type: ignore[union-attr]
        if isinstance(row["sub"], ox.NamedNode) and isinstance(row["sup"], ox.NamedNode):
            supers[row["sub"].value].add(row["sup"].value)

    def closure(types: set[str]) -> set[str]:
        seen, todo = set(types), list(types)
        while todo:
            for sup in supers.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    def source_of(g: str) -> dict[str, object]:
        m = meta.get(g, {})
        src = m.get("source")
        out: dict[str, object] = {"graph": g, "source": src}
        if src and meta.get(str(src), {}).get("label"):
            out["source_label"] = meta[str(src)]["label"]
        return out

    ties = TieSet()
    for g in claims:
        m = meta[g]
        ties.evidence[g] = {
            "iri": g, "type": "claim", "label": m.get("label"), "claimant": m.get("claimant"),
            "attribution": m.get("attribution"), **source_of(g),
        }

    # -- events --------------------------------------------------------------
    # Thousands of events share a handful of type sets and codes: their class
    # closure, kind and Goldstein weight are worked out once per combination.
    typing: dict[tuple[frozenset[str], str | None], tuple[set[str], str, tuple[float, str] | None, tuple[float, str] | None, str]] = {}

    def typed(types: frozenset[str], code: str | None) -> tuple[set[str], str, tuple[float, str] | None, tuple[float, str] | None, str]:
        key = (types, code)
        hit = typing.get(key)
        if hit is None:
            classes = closure(set(types))
            kind = (_most_specific(classes, supers) or "Event").rsplit("#", 1)[-1]
            cooperative = classes & COOPERATION_CLASSES
            coop = event_weight(None, cooperative) if cooperative else None
            coop_name = sorted(cooperative)[0].rsplit("#", 1)[-1] if cooperative else ""
            hit = typing[key] = (classes, kind, event_weight(code, classes), coop, coop_name)
        return hit

    dates: dict[str, date | None] = {}

    def day_of(term: object) -> date | None:
        text = term.value  # type: ignore[attr-defined]
        if text not in dates:
            dates[text] = _literal_date(term)
        return dates[text]

    # Rows are folded into one small record per event as they stream in:
    # holding every row until the end took most of the memory at 1M events.
    # Actor and graph IRIs repeat millions of times, so each is kept once.
    shared: dict[str, str] = {}
    state: dict[str, _EventRecord] = {}
    for ev, p, o, g in _event_rows(store, labels):
        if g in claims and not include_claims:
            continue
        r = state.get(ev)
        if r is None:
            if p != _CK_ACTOR:
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
    sources: dict[str, dict[str, object]] = {}
    iso: dict[date, str] = {}
    # Each record is dropped once read, so the records and what they become are never all in memory at once.
    for ev in list(state):
        r = state.pop(ev)
        actors, targets, participants, day, end, code = r.actors, r.targets, r.participants, r.day, r.end, r.code
        if not actors:
            continue
        classes, name, weighed, coop, coop_name = typed(frozenset(r.types), code)
        home = r.home or r.first_g
        source = sources.get(home)
        if source is None:
            source = sources[home] = source_of(home)
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

    # -- relationships ------------------------------------------------------------
    for rel, triples in _records(store, _REL_QUERY).items():
        vals = defaultdict(list)
        for p, o, g in triples:
            if usable(g):
                vals[p].append(o)
        types = {o.value for o in vals[RDF_TYPE] if isinstance(o, ox.NamedNode)}
        kind = next((t for t in sorted(types) if t in RELATIONSHIP_SIGNS), None) or _most_specific(types, supers)
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
        home = next((g for p, o, g in triples if p in (_CK_PARTY, _CK_FROMACTOR) and usable(g)), "")
        ties.evidence[rel] = {
            "iri": rel, "type": "relationship", "kind": name,
            "label": next((o.value for o in vals[RDFS_LABEL]), None),  # type: ignore[attr-defined]
            "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
            **source_of(home),
        }

    # -- actors -----------------------------------------------------------------------
    wanted = {x for t in ties.ties for x in (t.a, t.b)}
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
        kind = _most_specific(types, supers)
        ties.actors[actor] = {
            "label": labels[0] if labels else actor.rsplit("/", 1)[-1],
            "kind": kind.rsplit("#", 1)[-1] if kind else "",
            "aliases": sorted({o.value for p, o, _ in triples if p == SKOS_ALT}),  # type: ignore[attr-defined]
        }
    for actor in wanted - set(ties.actors):
        ties.actors[actor] = {"label": actor.rsplit("/", 1)[-1], "kind": "", "aliases": []}
    return ties


def event_labels(store: Store, ties: TieSet, iris: Iterable[str], *, chunk: int = 500) -> None:
    """Fill in the ``label`` of the evidence records ``iris`` (read with ``labels=False``), in a few queries."""
    todo = sorted({i for i in iris if i in ties.evidence and ties.evidence[i].get("label") is None})
    for k in range(0, len(todo), chunk):
        values = " ".join(f"<{i}>" for i in todo[k : k + chunk] if ">" not in i)
        if not values:
            continue
        for s, label in store.query(_LABEL_QUERY % values):  # type: ignore[union-attr, misc]
            record = ties.evidence.get(s.value)
            if record is not None and record.get("label") is None:
                record["label"] = label.value


def deciding_relationship(rels: list[Tie]) -> Tie | None:
    """The relationship that speaks for a dyad: the latest to start (then the latest to end).

    Two that start and end together with opposite signs cancel: nothing is guessed.
    """
    if not rels:
        return None
    key = lambda t: (t.start or date.min, t.end or date.max)  # noqa: E731
    best = max(key(t) for t in rels)
    top = [t for t in rels if key(t) == best]
    if len({t.sign for t in top}) > 1:
        return None
    return top[-1]
