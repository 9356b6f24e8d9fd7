"""What a SPARQL update touched: the graphs (and subjects) that indexes kept beside the store re-read.

Shared by the search index (:mod:`conflictkg.graph.entities.search`) and the
network index (:mod:`conflictkg.graph.networks.index`).
"""

from __future__ import annotations

from conflictkg.ontology.vocab import sparql_prefixes

__all__ = ["MAX_PARSED_UPDATE", "touched_by_update"]

#: An update longer than this is not parsed to find what it touched: the whole index is re-read.
MAX_PARSED_UPDATE = 256 * 1024


def touched_by_update(update: str) -> dict[str, set[str] | None] | None:
    """What a SPARQL update may have changed: graph (``""`` default) → subjects (``None``: any), or ``None`` for anything.

    ``INSERT DATA`` and ``DELETE DATA`` name their subjects; templates with a
    variable graph, ``CLEAR ALL``/``NAMED`` and what does not parse mean anything.
    """
    if len(update) > MAX_PARSED_UPDATE:
        return None
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate
    from rdflib.term import URIRef, Variable

    try:
        ops = translateUpdate(parseUpdate(sparql_prefixes() + update)).algebra
    except Exception:  # noqa: BLE001 - what rdflib cannot read, Oxigraph did: assume the worst
        return None
    out: dict[str, set[str] | None] = {}

    def mark(graph: object, subjects: list[object] | None) -> bool:
        if isinstance(graph, Variable):
            return False
        key = "" if graph in (None, "DEFAULT") else str(graph)
        if subjects is None or any(not isinstance(s, URIRef) for s in subjects):
            out[key] = None
        elif key not in out or out[key] is not None:
            out.setdefault(key, set()).update(str(s) for s in subjects)  # type: ignore[union-attr]
        return True

    for op in ops:
        name = op.name
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            data = name != "DeleteWhere"
            for g, triples in (op.quads or {}).items():
                if not mark(g, [t[0] for t in triples] if data else None):
                    return None
            if op.triples:
                mark(None, [t[0] for t in op.triples] if data else None)
        elif name == "Modify":
            with_graph = op.withClause
            for clause in (op.delete, op.insert):
                if clause is None:
                    continue
                for g, _ in (clause.quads or {}).items():
                    if not mark(g, None):
                        return None
                if clause.triples:
                    mark(with_graph, None)
        elif name in ("Clear", "Drop"):
            target = op.graphiri
            if target in ("ALL", "NAMED"):
                return None
            mark(target, None)
        elif name == "Load":
            mark(op.graphiri, None)
        elif name in ("Add", "Move", "Copy"):
            src, dst = op.graph
            mark(dst, None)
            if name == "Move":
                mark(src, None)
        elif name == "Create":
            continue
        else:
            return None
    return out
