"""Reviewing a report's candidates: list, show, edit, accept (one transaction, with provenance) and reject."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timezone

import pyoxigraph as ox

from conflictkg.graph.errors import InputError, UnknownEntity
from conflictkg.graph.reports.model import KINDS
from conflictkg.graph.reports.pending import delete_data, pending_graph
from conflictkg.graph.reports.vocabulary import ontology
from conflictkg.graph.store import FactStore, insert_data
from conflictkg.ontology.vocab import CK, GRAPH, META_GRAPH, PENDING_GRAPHS

__all__ = ["EDITABLE", "accept", "edit", "list_pending", "reject", "show"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_KIND_OF_LETTER = {v: k for k, v in KINDS.items()}

#: What ``edit`` can change, by candidate kind, and the property each field names.
EDITABLE = {
    "entity": {"label": _RDFS + "label", "type": _RDF_TYPE, "link": None},
    "event": {"label": _RDFS + "label", "type": _RDF_TYPE, "actor": str(CK.actor), "target": str(CK.target),
              "participant": str(CK.participant), "place": str(CK.place), "date": str(CK.date)},
    "quantity": {"value": str(CK.value), "qualifier": str(CK.qualifier), "lowerBound": str(CK.lowerBound),
                 "upperBound": str(CK.upperBound)},
    "claim": {"label": _RDFS + "label", "claimant": str(CK.claimant), "attribution": str(CK.attribution)},
}


def _slug(slug: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", slug or ""):
        raise InputError(f"{slug!r} is not a report slug (lower-case letters, digits and dashes)", parameter="report")
    return slug


class _Pending:
    """One pending graph read into memory: its triples and its evidence records by candidate id."""

    def __init__(self, store: FactStore, slug: str) -> None:
        self.slug = _slug(slug)
        self.graph = pending_graph(slug)
        # a report that named nothing has an empty pending graph: it exists by its metadata alone
        if not store.ask(f"ASK {{ GRAPH <{META_GRAPH}> {{ <{self.graph}> a <{CK.PendingGraph}> }} }}", prefixes=False):
            raise UnknownEntity(f"no pending report {slug!r}; `conflictkg review list` shows them", parameter="report")
        self.triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
            (r["s"], r["p"], r["o"]) for r in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{self.graph}> {{ ?s ?p ?o }} }}",
                                                          prefixes=False)]
        self.records: dict[str, dict[str, object]] = {}
        by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in self.triples:
            by_subject[s.value][p.value].append(o)
        self.by_subject = by_subject
        for s, props in by_subject.items():
            if ox.NamedNode(str(CK.Evidence)) in props.get(_RDF_TYPE, []):
                cid = props[str(CK.candidateId)][0].value
                self.records[cid] = {"record": s, "thing": props[str(CK.evidenceOf)][0].value,
                                     "claim": props[str(CK.inClaim)][0].value if str(CK.inClaim) in props else None,
                                     "props": props}
        self.thing_cid = {r["thing"]: cid for cid, r in self.records.items()}
        self.mention_claim = {}
        for cid, r in self.records.items():
            if cid.startswith("c"):
                self.mention_claim[r["props"].get(str(CK.mention), [ox.Literal("")])[0].value] = cid

    def kind(self, cid: str) -> str:
        return _KIND_OF_LETTER[cid[0]]

    def owner(self, s, p, o) -> str | None:
        """The candidate a triple stands or falls with."""
        if s.value in self.records.values() or s.value.startswith(str(CK)):
            return None
        if isinstance(o, ox.NamedNode) and o.value in self.thing_cid and self.thing_cid[o.value].startswith("q"):
            return self.thing_cid[o.value]
        if p.value == str(CK.assessment) and o.value in self.mention_claim:
            return self.mention_claim[o.value]
        if s.value in self.thing_cid:
            return self.thing_cid[s.value]
        holder = self.by_subject.get(s.value, {}).get(str(CK.roleHolder))
        if holder and holder[0].value in self.thing_cid:
            return self.thing_cid[holder[0].value]
        if isinstance(o, ox.NamedNode) and o.value in self.thing_cid:
            return self.thing_cid[o.value]
        return None

    def owned(self) -> dict[str, list[tuple]]:
        out: dict[str, list[tuple]] = defaultdict(list)
        records = {r["record"] for r in self.records.values()}
        for s, p, o in self.triples:
            if s.value in records:
                continue
            cid = self.owner(s, p, o)
            if cid is not None:
                out[cid].append((s, p, o))
        return out

    def check(self, ids: list[str]) -> list[str]:
        unknown = [i for i in ids if i not in self.records]
        if unknown:
            raise UnknownEntity(f"report {self.slug!r} has no candidate {', '.join(unknown)}; "
                                f"`conflictkg review show {self.slug}` lists them", parameter="candidates")
        return ids

    def meta(self, store: FactStore) -> dict[str, str]:
        rows = store.select(
            f"""SELECT ?src ?title ?date ?when ?with WHERE {{ GRAPH <{META_GRAPH}> {{
                  <{self.graph}> <{_PROV}wasDerivedFrom> ?src .
                  OPTIONAL {{ ?src <{CK.reportDate}> ?date }}
                  OPTIONAL {{ <{self.graph}> <{_PROV}generatedAtTime> ?when }}
                  OPTIONAL {{ <{self.graph}> <{CK.extractedWith}> ?with }}
                  OPTIONAL {{ ?src <http://purl.org/dc/terms/title> ?title }} }} }}""", prefixes=False)
        return {k: str(v) for k, v in (rows[0] if rows else {}).items() if v is not None}


def list_pending(store: FactStore) -> list[dict[str, object]]:
    """Every pending report: slug, graph, title, source, report date and how many candidates of each kind."""
    rows = store.select(
        f"""SELECT ?g ?src ?title ?date (COUNT(?e) AS ?n) (GROUP_CONCAT(?id; separator=" ") AS ?ids) WHERE {{
              GRAPH <{META_GRAPH}> {{ ?g a <{CK.PendingGraph}> ; <{_PROV}wasDerivedFrom> ?src .
                                     OPTIONAL {{ ?src <{CK.reportDate}> ?date }}
                                     OPTIONAL {{ ?src <http://purl.org/dc/terms/title> ?title }} }}
              OPTIONAL {{ GRAPH ?g {{ ?e <{CK.candidateId}> ?id }} }}
            }} GROUP BY ?g ?src ?title ?date ORDER BY ?g""", prefixes=False)
    out = []
    for r in rows:
        ids = str(r["ids"] or "").split()
        counts = {kind: sum(1 for i in ids if i[:1] == letter) for kind, letter in KINDS.items()}
        out.append({"report": str(r["g"])[len(PENDING_GRAPHS):], "graph": str(r["g"]), "title": str(r["title"] or ""),
                    "source": str(r["src"]), "reportDate": str(r["date"] or ""), "candidates": counts})
    return out


def _value(o) -> object:
    if isinstance(o, ox.Literal):
        dt = o.datatype.value if o.datatype else ""
        if dt.endswith(("#decimal", "#integer", "#double")):
            return float(o.value)
        if dt.endswith("#boolean"):
            return o.value == "true"
        return o.value
    return o.value


def show(store: FactStore, slug: str) -> dict[str, object]:
    """A pending report's candidates, each with its id, kind, statements, claim and the words it came from.

    Raises
    ------
    UnknownEntity
        No pending report of that slug.
    """
    pending = _Pending(store, slug)
    owned = pending.owned()
    candidates = []
    for cid, rec in sorted(pending.records.items(), key=lambda kv: ("necq".index(kv[0][0]), int(kv[0][1:]))):
        props = rec["props"]
        facts: dict[str, list] = defaultdict(list)
        for s, p, o in owned.get(cid, []):
            name = p.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            key = name if s.value == rec["thing"] else f"{s.value.rsplit('/', 1)[-1]} {name}"
            facts[key].append(_value(o))
        entry = {
            "id": cid, "kind": pending.kind(cid), "iri": rec["thing"],
            "label": _value(props[_RDFS + "label"][0]) if _RDFS + "label" in props else "",
            "types": sorted(v.rsplit("#", 1)[-1] for v in facts.get("type", [])),
            "claim": pending.thing_cid.get(rec["claim"]) if rec["claim"] else None,
            "span": [int(_value(props[str(CK.spanStart)][0])), int(_value(props[str(CK.spanEnd)][0]))]
            if str(CK.spanStart) in props else None,
            "mention": _value(props[str(CK.mention)][0]) if str(CK.mention) in props else None,
            "sentence": _value(props[str(CK.sourceText)][0]) if str(CK.sourceText) in props else None,
            "facts": {k: v for k, v in facts.items() if k != "type"},
        }
        if entry["kind"] == "entity":
            entry["new"] = bool(_value(props[str(CK.newEntity)][0])) if str(CK.newEntity) in props else True
        candidates.append(entry)
    meta = pending.meta(store)
    return {"report": pending.slug, "graph": pending.graph, "title": meta.get("title", ""),
            "source": meta.get("src", ""), "reportDate": meta.get("date", ""),
            "extractedWith": meta.get("with", ""), "candidates": candidates}


def _closure(pending: _Pending, owned: dict[str, list[tuple]], ids: list[str]) -> set[str]:
    chosen, todo = set(), list(ids)
    members: dict[str, list[str]] = defaultdict(list)
    for cid, rec in pending.records.items():
        if rec["claim"] and rec["claim"] in pending.thing_cid:
            members[pending.thing_cid[rec["claim"]]].append(cid)
    while todo:
        cid = todo.pop()
        if cid in chosen:
            continue
        chosen.add(cid)
        rec = pending.records[cid]
        if rec["claim"] in pending.thing_cid:
            todo.append(pending.thing_cid[rec["claim"]])
        todo += members.get(cid, [])
        for s, p, o in owned.get(cid, []):
            for node in (s, o):
                other = pending.thing_cid.get(node.value) if isinstance(node, ox.NamedNode) else None
                if other and other != cid and (other[0] in "q" or (other[0] == "n" and _is_new(pending, other))
                                               or (node is s and other[0] == "e")):
                    todo.append(other)
    return chosen


def _is_new(pending: _Pending, cid: str) -> bool:
    props = pending.records[cid]["props"]
    return str(CK.newEntity) in props and props[str(CK.newEntity)][0].value == "true"


def accept(store: FactStore, slug: str, ids: list[str] | None = None, *, reviewer: str,
           at: datetime | None = None) -> dict[str, object]:
    """Move candidates into reviewed fact and claim graphs, with their provenance, in one transaction.

    New entities go to ``g:reports/<slug>/entities``, stated events and quantities to
    ``g:reports/<slug>/facts``, attributed ones to their claim graph (``ck:FactGraph`` and ``ck:Claim``
    with ``ck:claimant``, ``ck:attribution``, ``ck:sourceText``). Every graph's metadata, in the meta
    graph, says ``prov:wasDerivedFrom`` the report, ``ck:reviewedBy`` and ``prov:generatedAtTime``; each
    candidate's evidence record goes there too. What a chosen candidate needs (its claim, the new
    entities and quantities it names) is accepted with it. The pending graph keeps the rest, and goes
    when nothing is left.

    Parameters
    ----------
    ids : list of str, optional
        Candidate ids (``n3``, ``e1``, ``c2`` …); all of them by default.

    Raises
    ------
    UnknownEntity
        No such pending report or candidate.
    InputError
        No reviewer named.
    """
    if not reviewer or not reviewer.strip():
        raise InputError("name the reviewer (--reviewer)", parameter="reviewer")
    pending = _Pending(store, slug)
    owned = pending.owned()
    chosen = _closure(pending, owned, pending.check(list(ids)) if ids else list(pending.records))
    when = ox.Literal((at or datetime.now(timezone.utc)).replace(microsecond=0).isoformat(),
                      datetime=None) if False else ox.Literal(
        (at or datetime.now(timezone.utc)).replace(microsecond=0).isoformat(), datatype=ox.NamedNode(_XSD + "dateTime"))
    meta = ox.NamedNode(str(META_GRAPH))
    info = pending.meta(store)
    src = ox.NamedNode(info["src"])
    reported = ox.Literal(info["date"], datatype=ox.NamedNode(_XSD + "date")) if info.get("date") else None
    facts_g = ox.NamedNode(str(GRAPH[f"reports/{pending.slug}/facts"]))
    entities_g = ox.NamedNode(str(GRAPH[f"reports/{pending.slug}/entities"]))
    title = info.get("title", pending.slug)
    inserts: list[ox.Quad] = []
    deletes: list[ox.Quad] = []
    graphs: dict[str, tuple[ox.NamedNode, str]] = {}
    pg = ox.NamedNode(pending.graph)
    for cid in sorted(chosen):
        rec = pending.records[cid]
        kind = pending.kind(cid)
        claim = ox.NamedNode(rec["claim"]) if rec["claim"] else None
        for s, p, o in owned.get(cid, []):
            deletes.append(ox.Quad(s, p, o, pg))
            if kind == "claim" and s.value == rec["thing"]:
                target = meta
            elif kind == "claim":
                target = ox.NamedNode(rec["thing"])
            elif kind == "entity":
                target = entities_g
            else:
                target = claim or facts_g
            inserts.append(ox.Quad(s, p, o, target))
            if target not in (meta,):
                graphs.setdefault(target.value, (target, kind))
        if kind == "claim":
            c = ox.NamedNode(rec["thing"])
            graphs[c.value] = (c, "claim")
        for p, objs in rec["props"].items():
            for o in objs:
                deletes.append(ox.Quad(rec["record"] if isinstance(rec["record"], ox.NamedNode) else ox.NamedNode(rec["record"]),
                                       ox.NamedNode(p), o, pg))
                inserts.append(ox.Quad(ox.NamedNode(rec["record"]), ox.NamedNode(p), o, meta))
    for g, kind in graphs.values():
        rows = [(ox.NamedNode(_RDF_TYPE), ox.NamedNode(str(CK.FactGraph))),
                (ox.NamedNode(_PROV + "wasDerivedFrom"), src),
                (ox.NamedNode(str(CK.reviewedBy)), ox.Literal(reviewer.strip())),
                (ox.NamedNode(_PROV + "generatedAtTime"), when)]
        if reported is not None:
            rows.append((ox.NamedNode(str(CK.reportedOn)), reported))
        if kind == "claim":
            rows.append((ox.NamedNode(_RDF_TYPE), ox.NamedNode(str(CK.Claim))))
        elif g == facts_g:
            rows.append((ox.NamedNode(_RDFS + "label"), ox.Literal(f"What {title} states as fact")))
        elif g == entities_g:
            rows.append((ox.NamedNode(_RDFS + "label"), ox.Literal(f"Actors, places and groups named in {title}")))
        inserts += [ox.Quad(g, p, o, meta) for p, o in rows]
    left = set(pending.records) - chosen
    ops = []
    if left:
        ops.append(delete_data(deletes))
    else:
        ops += [f"DROP SILENT GRAPH <{pending.graph}>", f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{pending.graph}> ?p ?o }} }}"]
    ops.append(insert_data(inserts))
    store.update(" ;\n".join(ops), prefixes=False)
    counts = {kind: sum(1 for c in chosen if pending.kind(c) == kind) for kind in KINDS}
    return {"report": pending.slug, "accepted": sorted(chosen, key=lambda c: ("necq".index(c[0]), int(c[1:]))),
            "counts": counts, "graphs": sorted(graphs), "left": len(left), "reviewer": reviewer.strip()}


def _forget_unused_source(pending: _Pending) -> str:
    """An update removing the report's source document from the meta graph, unless accepted facts cite it."""
    src = f"<https://w3id.org/conflictkg/id/source/{pending.slug}>"
    return (f"DELETE {{ GRAPH <{META_GRAPH}> {{ {src} ?p ?o }} }} WHERE {{ GRAPH <{META_GRAPH}> {{ {src} ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH <{META_GRAPH}> {{ ?g a <{CK.FactGraph}> ; <{_PROV}wasDerivedFrom> {src} }} }} }}")


def reject(store: FactStore, slug: str, ids: list[str] | None = None) -> dict[str, object]:
    """Drop candidates (all of them: the whole pending graph) in one transaction.

    Rejecting a claim rejects what it holds; statements of other candidates that name a rejected
    candidate go with it. When nothing is left and no accepted fact cites the report, its source
    document leaves the meta graph too.

    Raises
    ------
    UnknownEntity
        No such pending report or candidate.
    """
    pending = _Pending(store, slug)
    if not ids:
        store.update(f"DROP SILENT GRAPH <{pending.graph}> ;\n"
                     f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{pending.graph}> ?p ?o }} }} ;\n"
                     + _forget_unused_source(pending), prefixes=False)
        return {"report": pending.slug, "rejected": sorted(pending.records), "left": 0}
    chosen = set(pending.check(list(ids)))
    for cid, rec in pending.records.items():
        if rec["claim"] and pending.thing_cid.get(rec["claim"]) in chosen:
            chosen.add(cid)
    owned = pending.owned()
    things = {pending.records[c]["thing"] for c in chosen}
    records = {pending.records[c]["record"] for c in chosen}
    pg = ox.NamedNode(pending.graph)
    gone = [ox.Quad(s, p, o, pg) for s, p, o in pending.triples
            if s.value in records or s.value in things or (isinstance(o, ox.NamedNode) and o.value in things)
            or any((s, p, o) in owned.get(c, []) for c in chosen)]
    left = set(pending.records) - chosen
    if left:
        store.update(delete_data(gone), prefixes=False)
    else:
        store.update(f"DROP SILENT GRAPH <{pending.graph}> ;\n"
                     f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{pending.graph}> ?p ?o }} }} ;\n"
                     + _forget_unused_source(pending), prefixes=False)
    return {"report": pending.slug, "rejected": sorted(chosen), "left": len(left)}


def _iri(value: str, field: str) -> ox.NamedNode:
    try:
        node = ox.NamedNode(value)
    except ValueError:
        raise InputError(f"{field}={value!r} is not an IRI", parameter=field) from None
    if not re.match(r"^[a-z][a-z0-9+.-]*:", value):
        raise InputError(f"{field}={value!r} is not an absolute IRI", parameter=field)
    return node


def edit(store: FactStore, slug: str, cid: str, field: str, value: str) -> dict[str, object]:
    """Change one field of one candidate (see :data:`EDITABLE`), in one transaction.

    ``link`` makes an entity candidate stand for an entity the graph already has (its IRI): every
    statement about the candidate is rewritten to name that entity, and the minted one goes.

    Raises
    ------
    UnknownEntity
        No such report, candidate, or (for ``link``) entity in the reviewed graphs.
    InputError
        A field the candidate's kind has not, or a value of the wrong form (a class that is not in
        the ontology or not of the candidate's kind, a qualifier or attribution that is not one, a
        number that is not one, a date that is not YYYY-MM-DD).
    """
    pending = _Pending(store, slug)
    pending.check([cid])
    kind = pending.kind(cid)
    fields = EDITABLE[kind]
    if field not in fields:
        raise InputError(f"a {kind} candidate has no field {field!r}; edit one of {', '.join(fields)}", parameter="field")
    rec = pending.records[cid]
    thing = ox.NamedNode(rec["thing"])
    pg = ox.NamedNode(pending.graph)
    onto = ontology()
    deletes: list[ox.Quad] = []
    inserts: list[ox.Quad] = []
    if field == "link":
        target = _iri(value, field)
        if not store.ask(f"""ASK {{ GRAPH ?g {{ <{target.value}> ?p ?o }}
                               FILTER (!STRSTARTS(STR(?g), "{PENDING_GRAPHS}")) }}""", prefixes=False):
            raise UnknownEntity(f"the reviewed graphs have no entity <{value}>", parameter="value")
        for s, p, o in pending.triples:
            if s == thing or o == thing:
                deletes.append(ox.Quad(s, p, o, pg))
                if s == thing and p.value in (_RDF_TYPE, _RDFS + "label", "http://www.w3.org/2004/02/skos/core#altLabel"):
                    continue
                inserts.append(ox.Quad(target if s == thing else s, p, target if o == thing else o, pg))
        record = ox.NamedNode(rec["record"])
        for o in rec["props"].get(str(CK.newEntity), []):
            deletes.append(ox.Quad(record, ox.NamedNode(str(CK.newEntity)), o, pg))
        inserts.append(ox.Quad(record, ox.NamedNode(str(CK.newEntity)),
                               ox.Literal("false", datatype=ox.NamedNode(_XSD + "boolean")), pg))
    else:
        prop = ox.NamedNode(fields[field])
        if field == "type":
            if value not in onto.classes or onto.kind_of(value) != kind:
                raise InputError(f"type={value!r} is not an ontology class of a {kind} (e.g. "
                                 f"{', '.join(c for c in onto.classes if onto.kind_of(c) == kind)[:200]} …)",
                                 parameter="value")
            new = ox.NamedNode(str(CK[value]))
        elif field in ("qualifier", "attribution"):
            options = onto.qualifiers() if field == "qualifier" else onto.attributions()
            if value not in options:
                raise InputError(f"{field}={value!r} is not one of {', '.join(options)}", parameter="value")
            new = ox.NamedNode(str(CK[value]))
        elif field in ("value", "lowerBound", "upperBound"):
            try:
                number = float(value)
            except ValueError:
                raise InputError(f"{field}={value!r} is not a number", parameter="value") from None
            new = ox.Literal(repr(number), datatype=ox.NamedNode(_XSD + "decimal"))
        elif field == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise InputError(f"date={value!r} is not YYYY-MM-DD", parameter="value")
            new = ox.Literal(value, datatype=ox.NamedNode(_XSD + "date"))
            for s, p, o in pending.triples:
                if s == thing and p.value == str(CK.datePrecision):
                    deletes.append(ox.Quad(s, p, o, pg))
            inserts.append(ox.Quad(thing, ox.NamedNode(str(CK.datePrecision)), ox.NamedNode(str(CK.Day)), pg))
        elif field == "label":
            if not value.strip():
                raise InputError("a label cannot be empty", parameter="value")
            new = ox.Literal(value.strip())
        else:
            new = _iri(value, field)
        for s, p, o in pending.triples:
            if s == thing and p == prop:
                deletes.append(ox.Quad(s, p, o, pg))
        inserts.append(ox.Quad(thing, prop, new, pg))
    ops = ([delete_data(deletes)] if deletes else []) + [insert_data(inserts)]
    store.update(" ;\n".join(ops), prefixes=False)
    return {"report": pending.slug, "candidate": cid, "field": field, "value": value}
