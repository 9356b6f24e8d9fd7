"""What the store says about one entity: its facts grouped by named graph, quantities with their qualifier,
the events it took part in, its relationships with spans and evidence, and its RDF description."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from conflictkg.graph.entities.names import (
    GraphInfo,
    check_iri,
    graph_metadata,
    hidden_graph,
    kind_of,
    local_name,
    path_of,
    subclass_map,
    term_text,
)
from conflictkg.graph.errors import UnknownEntity
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import CK, INFERRED_GRAPH, META_GRAPH, ONTOLOGY_GRAPH, PREFIXES

__all__ = ["MAX_EVENTS", "MAX_FACTS", "describe_entity", "entity_exists", "entity_rdf", "quantity_text"]

#: Most facts per direction, and most events, one description lists (the totals are said).
MAX_FACTS = 500
MAX_EVENTS = 200

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"
_CK = str(CK)
_ROLES = {str(CK.actor): "actor", str(CK.target): "target", str(CK.participant): "participant", str(CK.place): "place"}
_REL_LINKS = (str(CK.party), str(CK.fromActor), str(CK.toActor))


def _rows(store: FactStore, sparql: str) -> list[dict[str, object]]:
    result = store.query(sparql)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: row[n] for n in names} for row in result]  # type: ignore[union-attr]


def _graph_of(row: dict[str, object]) -> str:
    g = row.get("g")
    return g.value if isinstance(g, ox.NamedNode) else ""  # type: ignore[union-attr]


def _visible(graph: str, meta: dict[str, GraphInfo]) -> bool:
    return not hidden_graph(graph) and meta.get(graph, {}).get("kind") != "pending"


def entity_exists(store: FactStore, iri: str) -> bool:
    """Whether any graph that is shown (not pending, not staging) mentions ``iri``."""
    check_iri(iri)
    node = f"<{iri}>"
    rows = _rows(store, f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH ?g {{ {node} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p {node} }} }} "
                        f"UNION {{ GRAPH ?g {{ ?x ?y ?z }} FILTER(?g = {node}) }} }} LIMIT 50")
    if not rows:
        return False
    graphs = {_graph_of(r) for r in rows}
    meta = graph_metadata(store, [g for g in graphs if g] + [iri])
    if meta.get(iri, {}).get("kind") == "pending":
        return False
    return any(_visible(g, meta) for g in graphs)


def _labels(store: FactStore, iris: Iterable[str], meta: dict[str, GraphInfo]) -> dict[str, str]:
    """IRI → label (``rdfs:label``, else ``skos:prefLabel``), facts before claims; pending graphs never count."""
    iris = sorted({i for i in iris if i})
    out: dict[str, tuple[int, str]] = {}
    for start in range(0, len(iris), 400):
        chunk = " ".join(f"<{i}>" for i in iris[start:start + 400])
        for r in _rows(store, f"SELECT ?x ?l ?g ?p WHERE {{ VALUES ?x {{ {chunk} }} VALUES ?p {{ rdfs:label skos:prefLabel }} "
                              f"GRAPH ?g {{ ?x ?p ?l }} }}"):
            g = _graph_of(r)
            if not (_visible(g, meta) or g == str(ONTOLOGY_GRAPH)):
                continue
            rank = (meta.get(g, {}).get("kind") == "claim") * 2 + (r["p"].value == SKOS_PREF)  # type: ignore[union-attr]
            x, text = r["x"].value, r["l"].value  # type: ignore[union-attr]
            if x not in out or (rank, text) < out[x]:
                out[x] = (rank, text)
    return {x: v[1] for x, v in out.items()}


def _number(value: str) -> str:
    try:
        f = float(value)
    except ValueError:
        return value
    return f"{int(f):,}" if f == int(f) else f"{f:,}"


def quantity_text(props: dict[str, list[str]], labels: dict[str, str]) -> str:
    """A quantity as the source said it: qualifier, number (or bound), unit — ``approximately 120``, never ``120``.

    Examples
    --------
    >>> quantity_text({"https://w3id.org/conflictkg/ontology#value": ["120.0"],
    ...                "https://w3id.org/conflictkg/ontology#qualifier": ["https://w3id.org/conflictkg/ontology#Approximately"]},
    ...               {"https://w3id.org/conflictkg/ontology#Approximately": "approximately"})
    'approximately 120'
    """
    qualifier = props.get(str(CK.qualifier), [])
    words = labels.get(qualifier[0], local_name(qualifier[0]).lower()) if qualifier else ""
    value = props.get(str(CK.value), [])
    lower = props.get(str(CK.lowerBound), [])
    unit = props.get(str(CK.unit), [])
    unit_text = ""
    if unit:
        unit_text = "%" if unit[0] == str(CK.Percent) else " " + labels.get(unit[0], local_name(unit[0]))
    if value:
        text = f"{words} {_number(value[0])}{unit_text}".strip()
    elif lower:
        text = f"{words} (at least {_number(lower[0])}{unit_text})".strip()
    else:
        text = words or "a quantity"
    return text


def describe_entity(store: FactStore, iri: str, *, max_facts: int = MAX_FACTS, max_events: int = MAX_EVENTS) -> dict[str, object]:
    """Everything the store shows about one entity, for its page.

    Facts are grouped by the named graph that holds them, each group with the
    graph's kind (``fact``, ``claim``, ``inferred``, ``default`` for graph
    metadata), source, claimant and kind of attribution. What a pending graph
    holds is never shown.

    Parameters
    ----------
    store : FactStore
    iri : str
        The entity.
    max_facts, max_events : int
        Caps on the facts listed per direction and on the events; the totals are in the answer.

    Returns
    -------
    dict
        ``iri``, ``href``, ``label``, ``labels``, ``aliases``, ``kind``, ``types``
        (each ``iri``, ``label``), ``graphs`` (each with its metadata and
        ``facts``: ``predicate``, ``predicate_label``, ``object`` — an IRI with
        ``href`` and ``label``, a literal with ``value`` and ``datatype``, or a
        quantity with ``text``), ``incoming`` (the same, pointing at the entity),
        ``events`` (newest first: ``iri``, ``label``, ``date``, ``role``,
        ``kind``, ``claim``), ``events_total``, ``relationships`` (``iri``,
        ``label``, ``kind``, ``sign``, ``start``, ``end``, ``others``,
        ``evidence``; a date that comes from a claim says whose),
        ``claims_made`` (claim graphs whose claimant it is), ``caps``.

    Raises
    ------
    UnknownEntity
        If no shown graph mentions ``iri``.
    InputError
        If ``iri`` is not an IRI.
    """
    if not entity_exists(store, iri):
        raise UnknownEntity(f"nothing in the store is called <{iri}>", parameter="iri")
    node = f"<{iri}>"
    meta = graph_metadata(store)
    out_rows = _rows(store, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} LIMIT {max_facts + 1}")
    roles = " ".join(f"<{r}>" for r in _ROLES)
    in_rows = _rows(store, f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} FILTER(?p NOT IN ({roles.replace(' ', ', ')})) }} "
                           f"LIMIT {max_facts + 1}")
    out_rows = [r for r in out_rows if _visible(_graph_of(r), meta)]
    in_rows = [r for r in in_rows if _visible(_graph_of(r), meta)]
    quantity_iris = {r["o"].value for r in out_rows if isinstance(r["o"], ox.NamedNode)}  # type: ignore[union-attr]
    quantities = _quantities(store, quantity_iris, meta)

    mentioned = {iri} | {term_text(r["p"]) for r in out_rows + in_rows} | quantity_iris
    mentioned |= {r["s"].value for r in in_rows if isinstance(r["s"], ox.NamedNode)}  # type: ignore[union-attr]
    mentioned |= {v for q in quantities.values() for vs in q.values() for v in vs if v.startswith("http")}
    events, events_total = _events(store, iri, meta, max_events)
    event_quantities = _event_quantities(store, [e["iri"] for e in events], meta)  # type: ignore[misc]
    quantities.update({q: props for qs in event_quantities.values() for _, q, props in qs})
    mentioned |= {p for qs in event_quantities.values() for p, _, _ in qs}
    mentioned |= {v for qs in event_quantities.values() for _, _, props in qs for vs in props.values() for v in vs if v.startswith("http")}
    relationships = _relationships(store, iri, meta)
    mentioned |= {e["iri"] for e in events} | {x for r in relationships for x in [r["iri"], *r["others"], *(e["iri"] for e in r["evidence"])]}
    claims_made = sorted((g for g, m in meta.items() if m.get("claimant") == iri and m.get("kind") == "claim"))
    mentioned |= set(claims_made)
    labels = _labels(store, mentioned, meta)
    supers = subclass_map(store)

    def term(o: object) -> dict[str, object]:
        if isinstance(o, ox.NamedNode):
            if o.value in quantities:
                return {"quantity": o.value, "href": path_of(o.value),
                        "text": quantity_text(quantities[o.value], labels),
                        "stated_as": (quantities[o.value].get(str(CK.statedAs)) or [None])[0]}
            return {"iri": o.value, "href": path_of(o.value), "label": labels.get(o.value) or local_name(o.value)}
        if isinstance(o, ox.Literal):
            return {"value": o.value, "datatype": o.datatype.value, "language": o.language}
        return {"value": term_text(o)}

    groups: dict[str, dict[str, object]] = {}

    def group(g: str) -> dict[str, object]:
        if g not in groups:
            info = dict(meta.get(g, {})) if g else {"kind": "default", "label": "the store's default graph (graph metadata)"}
            info.setdefault("kind", "other")
            info["graph"] = g or None
            info["href"] = path_of(g) if g else None
            info["facts"], info["incoming"] = [], []
            groups[g] = info
        return groups[g]

    types, names, aliases = set(), [], set()
    for r in out_rows:
        g, p, o = _graph_of(r), term_text(r["p"]), r["o"]
        fact_graph = meta.get(g, {}).get("kind") != "claim"
        if p == RDF_TYPE and isinstance(o, ox.NamedNode) and fact_graph:
            types.add(o.value)
        elif p == RDFS_LABEL and fact_graph:
            names.append(o.value)  # type: ignore[union-attr]
        elif p == SKOS_ALT and fact_graph:
            aliases.add(o.value)  # type: ignore[union-attr]
        group(g)["facts"].append({"predicate": p, "predicate_label": labels.get(p) or local_name(p), "object": term(o)})  # type: ignore[union-attr]
    for r in in_rows:
        g, p = _graph_of(r), term_text(r["p"])
        group(g)["incoming"].append({"predicate": p, "predicate_label": labels.get(p) or local_name(p), "subject": term(r["s"])})  # type: ignore[union-attr]
    order = {"fact": 0, "inferred": 1, "claim": 2, "default": 3, "other": 4}
    graphs = sorted(groups.values(), key=lambda x: (order.get(str(x["kind"]), 5), str(x["graph"] or "")))
    for gr in graphs:
        gr["facts"].sort(key=lambda f: (f["predicate"] != RDF_TYPE, f["predicate_label"], str(f["object"])))  # type: ignore[union-attr, index]
    own = meta.get(iri)
    label = labels.get(iri) or (names[0] if names else None) or (own or {}).get("label") or local_name(iri)
    for e in events:
        e["label"] = labels.get(e["iri"]) or local_name(e["iri"])
        e["quantities"] = [{"predicate": p, "predicate_label": labels.get(p) or local_name(p), **term(ox.NamedNode(q))}
                           for p, q, _ in event_quantities.get(e["iri"], [])]  # type: ignore[index]
    for rel in relationships:
        rel["label"] = labels.get(rel["iri"]) or rel["kind"]
        rel["others"] = [{"iri": x, "href": path_of(x), "label": labels.get(x) or local_name(x)} for x in rel["others"]]
        for e in rel["evidence"]:
            e["label"] = labels.get(e["iri"]) or (meta.get(e["iri"], {}).get("label")) or local_name(e["iri"])
    return {
        "iri": iri,
        "href": path_of(iri),
        "label": label,
        "labels": sorted(set(names)),
        "aliases": sorted(aliases),
        "kind": kind_of(types, supers) or ("Claim" if (own or {}).get("kind") == "claim" else "NamedGraph" if own else ""),
        "types": [{"iri": t, "label": labels.get(t) or local_name(t)} for t in sorted(types)],
        "graph_info": own,
        "graphs": graphs,
        "events": events,
        "events_total": events_total,
        "relationships": relationships,
        "claims_made": [{"graph": g, "href": path_of(g), "label": meta[g].get("label") or labels.get(g),
                         "attribution": meta[g].get("attribution_label")} for g in claims_made],
        "caps": {"facts": max_facts, "events": max_events,
                 "facts_truncated": len(out_rows) > max_facts or len(in_rows) > max_facts,
                 "events_truncated": events_total > len(events)},
    }


def _quantities(store: FactStore, iris: set[str], meta: dict[str, GraphInfo]) -> dict[str, dict[str, list[str]]]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris)[:1000])
    out: dict[str, dict[str, list[str]]] = {}
    props: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = _rows(store, f"SELECT ?q ?p ?o ?g WHERE {{ VALUES ?q {{ {values} }} GRAPH ?g {{ ?q ?p ?o }} "
                        f"VALUES ?p {{ rdf:type ck:value ck:qualifier ck:lowerBound ck:upperBound ck:unit ck:statedAs }} }}")
    for r in rows:
        if _visible(_graph_of(r), meta):
            props[r["q"].value][r["p"].value].append(term_text(r["o"]))  # type: ignore[union-attr]
    for q, p in props.items():
        if str(CK.Quantity) in p.get(RDF_TYPE, []):
            out[q] = dict(p)
    return out


def _event_quantities(store: FactStore, events: list[str], meta: dict[str, GraphInfo]) -> dict[str, list[tuple[str, str, dict[str, list[str]]]]]:
    """Event → (property, quantity, the quantity's properties) of the quantities stated about it."""
    if not events:
        return {}
    values = " ".join(f"<{e}>" for e in events)
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in _rows(store, f"SELECT ?e ?p ?q ?g WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{ ?e ?p ?q }} "
                          f"GRAPH ?g2 {{ ?q a ck:Quantity }} }} ORDER BY (?g = <{INFERRED_GRAPH}>)"):
        g = _graph_of(r)
        e, q = r["e"].value, r["q"].value  # type: ignore[union-attr]
        # what reasoning adds (the super-property ck:quantity) repeats a stated link: keep the stated one
        if _visible(g, meta) and not (g == str(INFERRED_GRAPH) and any(q == x for _, x in links[e])):
            links[e].append((r["p"].value, q))  # type: ignore[union-attr]
    props = _quantities(store, {q for ls in links.values() for _, q in ls}, meta)
    return {e: [(p, q, props[q]) for p, q in sorted(set(ls)) if q in props] for e, ls in links.items()}


def _events(store: FactStore, iri: str, meta: dict[str, GraphInfo], cap: int) -> tuple[list[dict[str, object]], int]:
    node = f"<{iri}>"
    roles = "VALUES ?role { " + " ".join(f"<{r}>" for r in _ROLES) + " }"
    total = _rows(store, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {roles} GRAPH ?g {{ ?e ?role {node} }} }}")
    n = int(total[0]["n"].value) if total else 0  # type: ignore[union-attr]
    rows = _rows(store, f"SELECT ?e ?role ?g ?d WHERE {{ {{ SELECT DISTINCT ?e ?role ?g WHERE {{ {roles} GRAPH ?g {{ ?e ?role {node} }} }} }} "
                        f"OPTIONAL {{ GRAPH ?dg {{ ?e ck:date ?d }} }} }} ORDER BY DESC(?d) ?e LIMIT {cap * 3}")
    seen: dict[str, dict[str, object]] = {}
    for r in rows:
        g = _graph_of(r)
        if not _visible(g, meta):
            continue
        e = r["e"].value  # type: ignore[union-attr]
        claim = meta.get(g, {}).get("kind") == "claim"
        item = seen.setdefault(e, {"iri": e, "href": path_of(e), "date": term_text(r["d"])[:10] if r["d"] is not None else None,
                                   "roles": [], "claim": True, "claimants": [], "graph": g})
        role = _ROLES[r["role"].value]  # type: ignore[union-attr]
        if role not in item["roles"]:
            item["roles"].append(role)  # type: ignore[union-attr]
        if claim:
            who = meta[g].get("claimant_label")
            if who and who not in item["claimants"]:
                item["claimants"].append(who)  # type: ignore[union-attr]
        else:
            item["claim"] = False
        if len(seen) >= cap:
            break
    events = list(seen.values())
    for e in events:
        if not e["claim"]:
            e["claimants"] = []
    types = _types(store, [e["iri"] for e in events], meta)  # type: ignore[misc]
    supers = subclass_map(store) if events else {}
    for e in events:
        e["kind"] = kind_of(types.get(e["iri"], ()), supers)  # type: ignore[arg-type]
    return events, n


def _types(store: FactStore, iris: list[str], meta: dict[str, GraphInfo]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(iris), 400):
        values = " ".join(f"<{i}>" for i in iris[start:start + 400])
        for r in _rows(store, f"SELECT ?x ?t ?g WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x a ?t }} }}"):
            if _visible(_graph_of(r), meta) and isinstance(r["t"], ox.NamedNode):
                out[r["x"].value].add(r["t"].value)  # type: ignore[union-attr]
    return out


def _relationships(store: FactStore, iri: str, meta: dict[str, GraphInfo]) -> list[dict[str, object]]:
    node = f"<{iri}>"
    rows = _rows(store, f"""SELECT ?r ?p ?o ?g WHERE {{
      {{ SELECT DISTINCT ?r WHERE {{ GRAPH ?g0 {{ ?r ck:party|ck:fromActor|ck:toActor {node} }} }} LIMIT 500 }}
      GRAPH ?g {{ ?r ?p ?o }}
      VALUES ?p {{ rdf:type ck:party ck:fromActor ck:toActor ck:startDate ck:endDate ck:sign ck:evidencedBy }} }}""")
    rels: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        g = _graph_of(r)
        if _visible(g, meta):
            rels[r["r"].value][r["p"].value].append((term_text(r["o"]), g))  # type: ignore[union-attr]
    supers = subclass_map(store) if rels else {}
    evidence_iris = {v for p in rels.values() for v, _ in p.get(str(CK.evidencedBy), [])}
    dates = _dates(store, evidence_iris, meta)
    out = []
    for rel, props in sorted(rels.items()):
        facts = {p: [(v, g) for v, g in vs if meta.get(g, {}).get("kind") != "claim"] for p, vs in props.items()}
        if not any(v for p in _REL_LINKS for v in facts.get(p, [])):
            continue  # the relationship itself is only alleged: its claim graph shows it

        def dated(prop: str) -> dict[str, object] | None:
            values = sorted(props.get(prop, []), key=lambda x: (meta.get(x[1], {}).get("kind") == "claim", x[0]))
            if not values:
                return None
            value, g = values[0]
            item: dict[str, object] = {"date": value[:10]}
            if meta.get(g, {}).get("kind") == "claim":
                item["claim"] = {"graph": g, "href": path_of(g), "claimant": meta[g].get("claimant"),
                                 "claimant_label": meta[g].get("claimant_label"), "label": meta[g].get("label")}
            return item

        signs = [v for v, _ in facts.get(str(CK.sign), [])]
        evidence = []
        for e, g in sorted(set(props.get(str(CK.evidencedBy), []))):
            m = meta.get(e, {})
            evidence.append({"iri": e, "href": path_of(e), "date": dates.get(e),
                             "claim": m.get("kind") == "claim", "claimant_label": m.get("claimant_label"),
                             "attribution": m.get("attribution_label"), "source_label": meta.get(g, {}).get("source_label")})
        evidence.sort(key=lambda x: (str(x["date"] or ""), x["iri"]))
        others = sorted({v for p in _REL_LINKS for v, _ in facts.get(p, []) if v != iri})
        kind = kind_of([v for v, _ in facts.get(RDF_TYPE, [])], supers)
        out.append({"iri": rel, "href": path_of(rel), "kind": kind, "sign": int(signs[0]) if signs else None,
                    "start": dated(str(CK.startDate)), "end": dated(str(CK.endDate)), "others": others, "evidence": evidence})
    out.sort(key=lambda r: (str((r["start"] or {}).get("date") or ""), r["iri"]))  # type: ignore[union-attr]
    return out


def _dates(store: FactStore, iris: set[str], meta: dict[str, GraphInfo]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    out = {}
    for r in _rows(store, f"SELECT ?x ?d ?g WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x ck:date ?d }} }}"):
        if _visible(_graph_of(r), meta):
            out[r["x"].value] = term_text(r["d"])[:10]  # type: ignore[union-attr]
    return out


def entity_rdf(store: FactStore, iri: str, fmt: ox.RdfFormat) -> bytes:
    """The RDF description of an entity: the triples about it, in ``fmt``.

    A triple format (Turtle, N-Triples, JSON-LD, RDF/XML) gets what the fact
    graphs, the inferred graph and the graph metadata say, with no claim: a
    claim without its graph would read as a fact. A quad format (TriG, N-Quads)
    gets every shown graph, claims included, each in its own named graph, and
    the metadata of those graphs.

    Raises
    ------
    UnknownEntity
        If no shown graph mentions ``iri``.
    """
    if not entity_exists(store, iri):
        raise UnknownEntity(f"nothing in the store is called <{iri}>", parameter="iri")
    node = f"<{iri}>"
    meta = graph_metadata(store)
    quads_wanted = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
    quads: list[ox.Quad] = []
    seen_graphs = set()
    for r in _rows(store, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }}"):
        g = _graph_of(r)
        if not _visible(g, meta) or (not quads_wanted and meta.get(g, {}).get("kind") == "claim"):
            continue
        target = ox.NamedNode(g) if (g and quads_wanted) else ox.DefaultGraph()
        quads.append(ox.Quad(ox.NamedNode(iri), r["p"], r["o"], target))  # type: ignore[arg-type]
        seen_graphs.add(g)
    if quads_wanted:
        for g in sorted(x for x in seen_graphs if x):
            for r in _rows(store, f"SELECT ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ <{g}> ?p ?o }} }}"):
                quads.append(ox.Quad(ox.NamedNode(g), r["p"], r["o"], ox.NamedNode(str(META_GRAPH))))  # type: ignore[arg-type]
    if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        return ox.serialize(quads, format=fmt, **({"prefixes": PREFIXES} if fmt == ox.RdfFormat.TRIG else {}))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    return ox.serialize(triples, format=fmt)
