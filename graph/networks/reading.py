"""Reading ties from the store: event rows folded into ties, relationships, actors.

The pieces :func:`~conflictkg.graph.networks.parts.read_ties` puts together,
whether it reads the whole store or one named graph at a time: the rows of
every event property (one scan per predicate, of the store, of one graph, or
of named subjects), each event's rows folded into one small record, the
records made into :class:`~conflictkg.graph.networks.records.Tie` objects with
their evidence, and the relationships and actors beside them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import combinations

import pyoxigraph as ox

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.dates import parse_date
from conflictkg.graph.networks.records import RELATIONSHIP_SIGNS, Tie, TieSet
from conflictkg.graph.networks.weights import COOPERATION_CLASSES, event_weight
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import CK

__all__ = [
    "Context", "EventRecord", "add_actors", "add_relationships", "build", "event_rows", "fold", "literal_date", "most_specific",
    "rows_of_subjects",
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

_PREDICATE_IRIS = {p: (str(CK) + p[3:]) if p.startswith("ck:") else "" for p in
                   ("ck:actor", "ck:target", "ck:participant", "ck:date", "ck:endDate", "ck:cameoCode", "ck:claimContent")}
_PREDICATE_IRIS["rdf:type"] = RDF_TYPE
_PREDICATE_IRIS["rdfs:label"] = RDFS_LABEL
_NO_CLAIMS: list[str] = []  # shared by the events that point to no claim (most): never changed in place


def literal_date(term: object) -> date | None:
    """The day an ``xsd:date`` (or date-like) literal names, else ``None``."""
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


def event_rows(store: Store, labels: bool, graph: str | None = None) -> Iterable[tuple[str, str, object, str]]:
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


def rows_of_subjects(store: Store, subjects: list[str], labels: bool, chunk: int = 500) -> Iterable[tuple[str, str, object, str]]:
    """The rows :func:`event_rows` reads, of the named ``subjects`` only (every row of a subject within its chunk,
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


class EventRecord:
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


def most_specific(types: set[str], supers: dict[str, set[str]]) -> str | None:
    ck = [t for t in types if t.startswith(_CK)]
    if not ck:
        return None
    leaves = [t for t in ck if not any(t != o and t in supers.get(o, ()) for o in ck)]
    return sorted(leaves or ck)[0]


_Typed = tuple[set[str], str, "tuple[float, str] | None", "tuple[float, str] | None", str]


class Context:
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
            kind = (most_specific(classes, self.supers) or "Event").rsplit("#", 1)[-1]
            cooperative = classes & COOPERATION_CLASSES
            coop = event_weight(None, cooperative) if cooperative else None
            coop_name = sorted(cooperative)[0].rsplit("#", 1)[-1] if cooperative else ""
            hit = self._typing[key] = (classes, kind, event_weight(code, classes), coop, coop_name)
        return hit

    def day_of(self, term: object) -> date | None:
        text = term.value  # type: ignore[attr-defined]
        if text not in self._dates:
            self._dates[text] = literal_date(term)
        return self._dates[text]


def fold(rows: Iterable[tuple[str, str, object, str]], ctx: Context,
          skipped: set[str] | None = None) -> dict[str, EventRecord]:
    """Fold rows into one small record per event (a subject with a ``ck:actor`` row), as they stream in.

    Holding every row until the end took most of the memory at 1M events. Rows of
    claim graphs are left out unless claims are included; ``skipped`` collects the
    other subjects whose rows were passed over (no ``ck:actor`` among the rows).
    """
    # Actor and graph IRIs repeat millions of times, so each is kept once.
    shared: dict[str, str] = {}
    state: dict[str, EventRecord] = {}
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
            r = state[ev] = EventRecord(g)
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


def build(state: dict[str, EventRecord], ctx: Context, ties: TieSet) -> None:
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


def add_relationships(store: Store, ctx: Context, ties: TieSet) -> None:
    for rel, triples in _records(store, _REL_QUERY).items():
        vals = defaultdict(list)
        for p, o, g in triples:
            if ctx.usable(g):
                vals[p].append(o)
        types = {o.value for o in vals[RDF_TYPE] if isinstance(o, ox.NamedNode)}
        kind = next((t for t in sorted(types) if t in RELATIONSHIP_SIGNS), None) or most_specific(types, ctx.supers)
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
        start = min((d for d in map(literal_date, vals[_CK_STARTDATE]) if d), default=None)
        end = max((d for d in map(literal_date, vals[_CK_ENDDATE]) if d), default=None)
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


def add_actors(store: Store, ctx: Context, ties: TieSet, more: set[str] | None = None) -> None:
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
        kind = most_specific(types, ctx.supers)
        ties.actors[actor] = {
            "label": labels[0] if labels else actor.rsplit("/", 1)[-1],
            "kind": kind.rsplit("#", 1)[-1] if kind else "",
            "aliases": sorted({o.value for p, o, _ in triples if p == SKOS_ALT}),  # type: ignore[attr-defined]
        }
    for actor in wanted - set(ties.actors):
        ties.actors[actor] = {"label": actor.rsplit("/", 1)[-1], "kind": "", "aliases": []}
