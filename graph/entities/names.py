"""IRIs as paths on this server, the metadata of named graphs, and the kind an entity is shown as."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from conflictkg.graph.errors import InputError
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import (
    BASE,
    CK,
    INFERRED_GRAPH,
    JUSTIFICATIONS_GRAPH,
    META_GRAPH,
    ONTOLOGY_GRAPH,
    PENDING_GRAPHS,
)

__all__ = [
    "DEREFERENCEABLE",
    "GraphInfo",
    "graph_metadata",
    "hidden_graph",
    "iri_of_path",
    "kind_of",
    "local_name",
    "path_of",
    "subclass_map",
    "term_text",
]

#: The folders under :data:`~conflictkg.ontology.vocab.BASE` this server answers for (``/id/…``, ``/graph/…``).
DEREFERENCEABLE = ("id/", "graph/")
_CK = str(CK)
#: Longest path accepted for an entity (an IRI longer than this is not one of ours).
MAX_PATH = 2000
# Import staging graphs (see graph.store.remote.STAGING_PREFIX) are never shown.
_STAGING = "urn:conflictkg:staging:"


def path_of(iri: str) -> str | None:
    """The path that dereferences ``iri`` on this server (``/id/actor/sdf``), or ``None`` if it has none."""
    if not iri.startswith(BASE) or "#" in iri:
        return None
    rest = iri[len(BASE):]
    return "/" + rest if rest.startswith(DEREFERENCEABLE) and len(rest) > 5 else None


def iri_of_path(path: str) -> str:
    """The IRI a request path names: ``/id/actor/sdf`` → ``https://w3id.org/conflictkg/id/actor/sdf``.

    Raises
    ------
    InputError
        If the path is not under ``/id/`` or ``/graph/``, too long, or not an IRI.
    """
    rest = path.lstrip("/")
    if not rest.startswith(DEREFERENCEABLE) or len(rest) > MAX_PATH:
        raise InputError(f"{path!r} is not the path of an entity (/id/… or /graph/…)", parameter="iri")
    iri = BASE + rest
    check_iri(iri)
    return iri


def check_iri(iri: str, *, parameter: str = "iri") -> str:
    """``iri`` if it is an absolute IRI of at most :data:`MAX_PATH` characters.

    Raises
    ------
    InputError
        Naming ``parameter``.
    """
    if not iri or len(iri) > MAX_PATH:
        raise InputError(f"{parameter}: give an IRI of 1 to {MAX_PATH} characters", parameter=parameter)
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise InputError(f"{parameter}: {iri[:80]!r} is not an IRI", parameter=parameter) from None
    return iri


def local_name(iri: str) -> str:
    """The last segment of an IRI (``…#ArmedGroup`` → ``ArmedGroup``)."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def term_text(term: object) -> str:
    """An RDF term's value as text."""
    return str(getattr(term, "value", term))


def hidden_graph(graph: str) -> bool:
    """Graphs whose content is never shown as an entity's facts: pending, staging, the ontology, the justifications.

    The justifications are reified premises of inferences (the ``why`` saved query reads them); shown as
    facts, their statement nodes filled the entity pages and neighbourhoods.
    """
    return (
        graph.startswith(PENDING_GRAPHS) or graph.startswith(_STAGING)
        or graph in (str(ONTOLOGY_GRAPH), str(JUSTIFICATIONS_GRAPH))
    )


class GraphInfo(dict):
    """What the store says about one named graph: ``kind`` (``fact``, ``claim``, ``pending``,
    ``inferred``, ``default`` or ``other``), ``label``, ``source``, ``source_label``, ``claimant``,
    ``claimant_label``, ``attribution``, ``reported_on``."""


_META_QUERY = """
SELECT ?g ?p ?o ?olabel WHERE {
  { GRAPH <%(meta)s> { ?g ?p ?o } } UNION { ?g ?p ?o }
  VALUES ?p { rdf:type rdfs:label prov:wasDerivedFrom ck:claimant ck:attribution ck:reportedOn }
  OPTIONAL { { GRAPH <%(meta)s> { ?o rdfs:label ?olabel } } UNION { ?o rdfs:label ?olabel }
             UNION { GRAPH ?lg { ?o rdfs:label ?olabel } FILTER(STRSTARTS(STR(?lg), "%(base)sgraph/")) } }
}""" % {"meta": META_GRAPH, "base": BASE}


def graph_metadata(store: FactStore, graphs: Iterable[str] | None = None) -> dict[str, GraphInfo]:
    """The metadata of named graphs, read where it is kept: the graph ``…/graph/meta`` or the default graph.

    Parameters
    ----------
    store : FactStore
    graphs : iterable of IRIs, optional
        Only these graphs (default: every graph with metadata).

    Returns
    -------
    dict
        Graph IRI → :class:`GraphInfo`. A graph typed ``ck:PendingGraph`` (or
        named under ``…/graph/pending/``) is ``pending`` even if it is also typed
        otherwise: nobody has reviewed it.
    """
    wanted = None if graphs is None else set(graphs)
    raw: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(lambda: defaultdict(list))
    query = _META_QUERY
    if wanted is not None:
        if not wanted:
            return {}
        query = query.replace("WHERE {", "WHERE {\n  VALUES ?g { " + " ".join(f"<{g}>" for g in wanted) + " }", 1)
    # raw: the stored default graph, where older stores kept graph metadata. The analyst's default graph
    # is the union of the fact graphs: read here, every type and label of an import (7.7 s at 50k rows).
    for row in store.query(query, raw=True):  # type: ignore[union-attr]
        g = row["g"]
        if not isinstance(g, ox.NamedNode):
            continue
        label = row["olabel"]
        raw[g.value][row["p"].value].append((term_text(row["o"]), label.value if label is not None else None))
    out: dict[str, GraphInfo] = {}
    for g, props in raw.items():
        types = {o for o, _ in props.get(RDF_TYPE, [])}
        if not types & GRAPH_TYPES and not g.startswith(PENDING_GRAPHS) and g != str(INFERRED_GRAPH):
            continue  # a subject of the default graph that is not a graph
        info = GraphInfo(iri=g)
        if g.startswith(PENDING_GRAPHS) or str(CK.PendingGraph) in types:
            info["kind"] = "pending"
        elif str(CK.Claim) in types:
            info["kind"] = "claim"
        elif g == str(INFERRED_GRAPH):
            info["kind"] = "inferred"
        elif str(CK.FactGraph) in types:
            info["kind"] = "fact"
        else:
            info["kind"] = "other"
        for key, prop in (("label", RDFS_LABEL), ("source", PROV_DERIVED), ("claimant", str(CK.claimant)),
                          ("attribution", str(CK.attribution)), ("reported_on", str(CK.reportedOn))):
            values = sorted(props.get(prop, []), key=lambda v: (v[0], v[1] or ""))
            if values:
                info[key] = values[0][0]
                if key in ("source", "claimant", "attribution"):
                    info[key + "_label"] = next((lab for o, lab in values if lab), None) or local_name(values[0][0])
        out[g] = info
    if wanted is None or str(INFERRED_GRAPH) in wanted:
        out.setdefault(str(INFERRED_GRAPH), GraphInfo(iri=str(INFERRED_GRAPH), kind="inferred", label="Inferred by OWL RL reasoning"))
    return out


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
GRAPH_TYPES = {str(CK.FactGraph), str(CK.Claim), str(CK.PendingGraph)}

_SUBCLASS_QUERY = "SELECT DISTINCT ?sub ?sup WHERE { GRAPH ?g { ?sub rdfs:subClassOf ?sup } FILTER(isIRI(?sub) && isIRI(?sup)) }"


def subclass_map(store: FactStore) -> dict[str, set[str]]:
    """Class IRI → its direct superclasses, from every graph (the ontology graph above all)."""
    supers: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_SUBCLASS_QUERY):  # type: ignore[union-attr]
        supers[row["sub"].value].add(row["sup"].value)
    return dict(supers)


def kind_of(types: Iterable[str], supers: dict[str, set[str]]) -> str:
    """The most specific conflictkg class among ``types`` (its local name), else another type's, else ``""``.

    Examples
    --------
    >>> kind_of(["https://w3id.org/conflictkg/ontology#Actor", "https://w3id.org/conflictkg/ontology#ArmedGroup"],
    ...         {"https://w3id.org/conflictkg/ontology#ArmedGroup": {"https://w3id.org/conflictkg/ontology#Actor"}})
    'ArmedGroup'
    """
    types = set(types)
    ancestors: set[str] = set()
    for t in types:
        todo = list(supers.get(t, ()))
        while todo:
            s = todo.pop()
            if s not in ancestors:
                ancestors.add(s)
                todo.extend(supers.get(s, ()))
    ours = sorted(t for t in types if t.startswith(_CK) and t not in ancestors)
    if ours:
        return local_name(ours[0])
    ours = sorted(t for t in types if t.startswith(_CK))
    if ours:
        return local_name(ours[0])
    others = sorted(types)
    return local_name(others[0]) if others else ""
