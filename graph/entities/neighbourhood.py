"""The entities within N links of one entity, as Cytoscape.js elements, with a cap said in the answer."""

from __future__ import annotations

from collections import defaultdict

from conflictkg.graph.entities.describe import _labels, _rows, _types, _visible, entity_exists
from conflictkg.graph.entities.names import graph_metadata, kind_of, local_name, path_of, subclass_map
from conflictkg.graph.errors import InputError, UnknownEntity
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import CK

__all__ = ["MAX_DEPTH", "MAX_NODES", "neighbourhood"]

#: The deepest neighbourhood served, and the most nodes in one.
MAX_DEPTH = 3
MAX_NODES = 500
_SKIP = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/ns/prov#wasDerivedFrom")
_TERMS = str(CK)  # links to ontology terms (qualifiers, units, classes) are not neighbours


def neighbourhood(store: FactStore, iri: str, *, depth: int = 1, limit: int = 100) -> dict[str, object]:
    """The entities within ``depth`` links of ``iri`` (either direction, any property between two entities).

    Parameters
    ----------
    store : FactStore
    iri : str
        The centre.
    depth : int
        1 to :data:`MAX_DEPTH`.
    limit : int
        At most this many nodes (1 to :data:`MAX_NODES`); a neighbourhood that
        is larger is cut breadth first, nearest entities kept, and says so.

    Returns
    -------
    dict
        ``center``, ``depth``, ``cap`` (``nodes``, ``truncated``) and ``elements``
        (Cytoscape.js: ``nodes`` with ``id``, ``label``, ``kind``, ``href``,
        ``distance``; ``edges`` with ``id``, ``source``, ``target``,
        ``predicate``, ``label``, ``claim``, ``claimants``, ``graphs``).

    Raises
    ------
    InputError
        If ``depth`` or ``limit`` is out of range (``parameter`` names which).
    UnknownEntity
        If no shown graph mentions ``iri``.
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise InputError(f"depth: {depth} is not between 1 and {MAX_DEPTH}", parameter="depth")
    if not 1 <= limit <= MAX_NODES:
        raise InputError(f"limit: {limit} is not between 1 and {MAX_NODES}", parameter="limit")
    if not entity_exists(store, iri):
        raise UnknownEntity(f"nothing in the store is called <{iri}>", parameter="iri")
    meta = graph_metadata(store)
    distance = {iri: 0}
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    frontier, truncated = [iri], False
    skip = ", ".join(f"<{p}>" for p in _SKIP)
    for level in range(1, depth + 1):
        if not frontier:
            break
        values = " ".join(f"<{x}>" for x in frontier)
        room = limit - len(distance)
        rows = _rows(store, f"""SELECT ?x ?p ?y ?g ?out WHERE {{ VALUES ?x {{ {values} }}
            {{ GRAPH ?g {{ ?x ?p ?y }} BIND(true AS ?out) }} UNION {{ GRAPH ?g {{ ?y ?p ?x }} BIND(false AS ?out) }}
            FILTER(isIRI(?y) && ?p NOT IN ({skip}) && !STRSTARTS(STR(?y), "{_TERMS}")) }} LIMIT {max(room, 1) * 20 + 100}""")
        nxt = []
        for r in rows:
            g = r["g"].value  # type: ignore[union-attr]
            if not _visible(g, meta):
                continue
            x, p, y = r["x"].value, r["p"].value, r["y"].value  # type: ignore[union-attr]
            if y not in distance:
                if len(distance) >= limit:
                    truncated = True
                    continue
                distance[y] = level
                nxt.append(y)
            a, b = (x, y) if r["out"].value == "true" else (y, x)  # type: ignore[union-attr]
            edges[(a, p, b)].add(g)
        if len(rows) >= max(room, 1) * 20 + 100:
            truncated = True
        frontier = nxt
    labels = _labels(store, set(distance) | {p for _, p, _ in edges}, meta)
    types = _types(store, list(distance), meta)
    supers = subclass_map(store)
    nodes = [{"data": {"id": n, "label": labels.get(n) or meta.get(n, {}).get("label") or local_name(n),
                       "kind": kind_of(types.get(n, ()), supers) or ("Claim" if meta.get(n, {}).get("kind") == "claim" else ""),
                       "href": path_of(n), "distance": d}}
             for n, d in sorted(distance.items(), key=lambda kv: (kv[1], kv[0]))]
    out_edges = []
    for (a, p, b), graphs in sorted(edges.items()):
        claim = all(meta.get(g, {}).get("kind") == "claim" for g in graphs)
        out_edges.append({"data": {
            "id": f"{a} {p} {b}", "source": a, "target": b, "predicate": p, "label": labels.get(p) or local_name(p),
            "claim": claim, "graphs": sorted(graphs),
            "claimants": sorted({str(meta[g].get("claimant_label")) for g in graphs if meta.get(g, {}).get("claimant_label")}) if claim else [],
        }})
    return {"center": iri, "depth": depth, "cap": {"nodes": limit, "truncated": truncated},
            "elements": {"nodes": nodes, "edges": out_edges}}
