"""Materializing what the ontology entails into the named graph ``g:inferred``.

The OWL 2 RL engine is ``reasonable`` (Rust). Its input is the TBox
(``g:ontology``) and the reviewed fact graphs of the analyst's default graph
(:mod:`conflictkg.graph.store.datasets`); claim graphs (``ck:Claim``),
pending graphs and unfinished imports are left out, because what someone
alleges must not turn into inferred plain facts. Its output, minus what was
asserted and minus trivia (``owl:Thing`` memberships, reflexive
``owl:sameAs``, blank nodes), replaces ``g:inferred``, which is part of
every query's default graph: a plain pattern finds asserted and inferred
facts at once; ``GRAPH g:inferred`` finds the inferred ones alone.

Two shortcut edges need a rule OWL RL cannot express (a property chain
restricted to one kind of relationship); they run as SPARQL inside Oxigraph
before the RL engine, which then closes them under symmetry:
``ck:hostileTo`` between the parties of a ``ck:Hostility`` and
``ck:cooperatesWith`` between the parties of a ``ck:Cooperation`` or
``ck:Alliance`` — only for relationships without a time span.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

import pyoxigraph as ox
from rdflib import OWL, PROV, RDF, RDFS, XSD, BNode

from conflictkg.graph.knowledge.justifications import Justifier
from conflictkg.graph.store import FactStore, Store, from_ox, to_ox
from conflictkg.ontology.vocab import CK, INFERRED_GRAPH, JUSTIFICATIONS_GRAPH, META_GRAPH, ONTOLOGY_GRAPH

__all__ = ["ASSERTED_QUERY", "RULES", "Inference", "asserted_graphs", "asserted_triples", "materialize"]

#: The asserted statements inference reads: the TBox and the analyst's default graph
#: but the inferred graph (reviewed, non-claim fact graphs), as a query's default graph.
ASSERTED_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

#: Rules OWL 2 RL cannot state, as SPARQL SELECTs over the asserted statements: each row
#: gives the shortcut ``?a <rule> ?b`` and its premises (``?r a ?kind ; ck:party ?a , ?b``).
#: A relationship with a time span gives no shortcut: an undated ``ck:cooperatesWith``
#: would read as true now, whatever the span says (ask by date instead:
#: ``queries/cooperation-at.rq``).
RULES = {
    "hostileTo": """
SELECT ?a ?b ?r ?kind WHERE {
  ?r a ?kind ; ck:party ?a , ?b
  VALUES ?kind { ck:Hostility }
  FILTER (?a != ?b)
  FILTER NOT EXISTS { ?r ck:startDate|ck:endDate ?bound }
}
""",
    "cooperatesWith": """
SELECT ?a ?b ?r ?kind WHERE {
  ?r a ?kind ; ck:party ?a , ?b
  VALUES ?kind { ck:Cooperation ck:Alliance }
  FILTER (?a != ?b)
  FILTER NOT EXISTS { ?r ck:startDate|ck:endDate ?bound }
}
""",
}

_TRIVIAL_OBJECTS = {OWL.Thing, OWL.Nothing}


@dataclass
class Inference:
    """What one materialization did."""

    #: Asserted triples given to the reasoner (TBox and metadata included).
    asserted: int
    #: Triples written to ``g:inferred``.
    inferred: int
    #: Of those, how many came from the SPARQL rules (before RL closure).
    from_rules: int
    seconds: float
    #: Inferred triples whose derivation the explainer could not name (``rule:owl2rl``).
    unexplained: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {"asserted": self.asserted, "inferred": self.inferred, "from_rules": self.from_rules,
                "unexplained": self.unexplained, "seconds": round(self.seconds, 3)}


def asserted_graphs(store: FactStore, *, metadata: bool = False) -> list[str]:
    """The graphs inference reads: ``g:ontology`` and the reviewed fact graphs (and ``g:meta`` if asked)."""
    facts = [g for g in store.default_graphs() if g != str(INFERRED_GRAPH)]
    return [str(ONTOLOGY_GRAPH), *facts, *([str(META_GRAPH)] if metadata else [])]


def asserted_triples(store: FactStore, *, metadata: bool = False) -> list[ox.Triple]:
    """The asserted triples (TBox and reviewed, non-claim fact graphs; ``g:meta`` if asked)."""
    return list(store.query(ASSERTED_QUERY, default_graph=asserted_graphs(store, metadata=metadata)))  # type: ignore[arg-type]


def _trivial(s: object, p: object, o: object) -> bool:
    if isinstance(s, BNode) or isinstance(o, BNode):
        return True
    if p == RDF.type and o in _TRIVIAL_OBJECTS:
        return True
    if s in _TRIVIAL_OBJECTS or o in _TRIVIAL_OBJECTS:
        return True
    return p == OWL.sameAs and s == o


def materialize(
    store: FactStore, *, graph: str = str(INFERRED_GRAPH), justifications: str = str(JUSTIFICATIONS_GRAPH)
) -> Inference:
    """Run OWL 2 RL over the asserted facts and replace ``graph`` with what is new, with the reasons.

    Parameters
    ----------
    store : Store
        A store holding the ontology in ``g:ontology`` and asserted fact graphs.
    graph : str
        The named graph that receives the inferences (``g:inferred``).
    justifications : str
        The named graph that receives, for each inferred triple, its rule and
        premises (``g:justifications``, :mod:`~conflictkg.graph.knowledge.justifications`).

    Returns
    -------
    Inference
        Counts of asserted input and inferred output, and the time taken.
        ``g:meta`` then describes both graphs: what made them, when, from
        which graphs.

    Examples
    --------
    >>> from conflictkg.graph.store import Store
    >>> from conflictkg.graph.knowledge.seed import build_seed
    >>> store = Store()
    >>> _ = build_seed(store)  # runs materialize()
    >>> store.ask("ASK { GRAPH g:inferred { <https://w3id.org/conflictkg/id/place/al-aqtaan-prison> ck:locatedIn <https://w3id.org/conflictkg/id/place/syria> } }")
    True

    References
    ----------
    .. [1] OWL 2 Web Ontology Language Profiles, section 4.3: reasoning in OWL 2 RL
       and RDF graphs using rules. https://www.w3.org/TR/owl2-profiles/#OWL_2_RL
    .. [2] Fierro, G. et al., "reasonable": a reasonably fast OWL 2 RL reasoner.
       https://github.com/gtfierro/reasonable
    """
    import reasonable

    start = time.perf_counter()
    inputs = asserted_graphs(store)
    # Plain tuples of rdflib terms: an rdflib Graph costs more than the reasoning itself.
    where: dict[tuple, list[str]] = defaultdict(list)
    values = " ".join(f"<{g}>" for g in inputs)
    for row in store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}", raw=True):  # type: ignore[union-attr]
        where[(from_ox(row["s"]), from_ox(row["p"]), from_ox(row["o"]))].append(row["g"].value)  # type: ignore[index]
    base = set(where)
    ruled: dict[tuple, tuple[str, list[tuple]]] = {}
    for name, rule in RULES.items():
        predicate = CK[name]
        for row in store.query(rule, default_graph=inputs):  # type: ignore[union-attr]
            a, b, r, kind = (from_ox(row[v]) for v in ("a", "b", "r", "kind"))  # type: ignore[index]
            t = (a, predicate, b)
            if t not in base and t not in ruled:
                ruled[t] = (f"ck-{name}", [(r, RDF.type, kind), (r, CK.party, a), (r, CK.party, b)])
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(list(base | ruled.keys()))
    closure = reasoner.reason()
    # What g:meta already says (facts point at claim graphs, so RL types them) is not new either.
    described = {
        (from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
        for t in store.query(ASSERTED_QUERY, default_graph=[str(META_GRAPH)])  # type: ignore[union-attr]
    }
    new = {t for t in set(closure) if t not in base and t not in described and not _trivial(*t)}
    # A premise may be one of those: it then holds in g:meta.
    for t in described:
        if t not in where:
            where[t].append(str(META_GRAPH))
    justifier = Justifier(where, ruled)
    found = justifier.explain(new)
    target = ox.NamedNode(graph)
    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), target) for s, p, o in new]  # type: ignore[arg-type]
    why = justifier.quads(found, justifications)
    unexplained = sum(1 for rule, _ in found.values() if rule == "owl2rl")
    seconds = time.perf_counter() - start
    meta = _metadata(graph, justifications, inputs, len(quads), unexplained)
    # Old inferences, their reasons and their metadata go; the new ones come in one transaction.
    store.update(
        f"DROP SILENT GRAPH <{graph}> ;\nDROP SILENT GRAPH <{justifications}> ;\n"
        f"DELETE WHERE {{ GRAPH g:meta {{ <{graph}> ?p ?o }} }} ;\n"
        f"DELETE WHERE {{ GRAPH g:meta {{ <{justifications}> ?p2 ?o2 }} }}"
    )
    store.extend([*quads, *why, *meta])
    return Inference(asserted=len(base), inferred=len(quads), from_rules=len(ruled), seconds=seconds,
                     unexplained=unexplained)


def _metadata(graph: str, justifications: str, inputs: list[str], triples: int, unexplained: int) -> list[ox.Quad]:
    """What g:meta says of the inferred graph and of its justifications: what made them, when, from what."""
    import reasonable

    meta = ox.NamedNode(str(META_GRAPH))
    g, j = ox.NamedNode(graph), ox.NamedNode(justifications)
    # Whole seconds: HermiT refuses a dateTime with microseconds.
    now = ox.Literal(datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"), datatype=ox.NamedNode(str(XSD.dateTime)))
    version = getattr(reasonable, "__version__", None) or _version("reasonable")
    n = lambda term: ox.NamedNode(str(term))  # noqa: E731
    quads = [
        (g, n(RDF.type), n(CK.InferredGraph)),
        (g, n(RDFS.label), ox.Literal("What follows from the reviewed fact graphs (OWL 2 RL and conflictkg's rules)")),
        (g, n(PROV.generatedAtTime), now),
        (g, n(CK.producedBy), ox.Literal(f"reasonable {version} (OWL 2 RL), conflictkg rules {', '.join(RULES)}")),
        (g, ox.NamedNode("http://rdfs.org/ns/void#triples"), ox.Literal(str(triples), datatype=n(XSD.integer))),
        (g, n(CK.justifiedIn), j),
        *((g, n(PROV.wasDerivedFrom), ox.NamedNode(x)) for x in inputs),
        (j, n(RDF.type), n(CK.JustificationGraph)),
        (j, n(RDFS.label), ox.Literal("Why each triple of g:inferred holds: its rule and premises")),
        (j, n(PROV.generatedAtTime), now),
        (j, n(PROV.wasDerivedFrom), g),
        (j, n(CK.unexplainedCount), ox.Literal(str(unexplained), datatype=n(XSD.integer))),
    ]
    return [ox.Quad(s, p, o, meta) for s, p, o in quads]


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
