"""Materializing what the ontology entails into the named graph ``g:inferred``.

The OWL 2 RL engine is ``reasonable`` (Rust). Its input is the TBox
(``g:ontology``), the default graph (graph metadata) and every asserted fact
graph; claim graphs (``ck:Claim``) are left out, because what someone alleges
must not turn into inferred plain facts. Its output, minus what was asserted
and minus trivia (``owl:Thing`` memberships, reflexive ``owl:sameAs``, blank
nodes), replaces ``g:inferred``. A query asks for asserted facts with
``GRAPH ?g`` over the fact graphs, for inferred ones with ``GRAPH g:inferred``,
or for both at once.

Two shortcut edges need a rule OWL RL cannot express (a property chain
restricted to one kind of relationship); they run as SPARQL inside Oxigraph
before the RL engine, which then closes them under symmetry:
``ck:hostileTo`` between the parties of a ``ck:Hostility`` and
``ck:cooperatesWith`` between the parties of a ``ck:Cooperation`` or
``ck:Alliance``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import OWL, RDF, BNode

from conflictkg.graph.store import Store, from_ox, to_ox
from conflictkg.ontology.vocab import INFERRED_GRAPH

__all__ = ["ASSERTED_QUERY", "RULES", "Inference", "asserted_triples", "materialize"]

#: The asserted statements inference and HermiT read: TBox, graph metadata,
#: and every named fact graph that is not a claim, not inferred.
ASSERTED_QUERY = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { GRAPH g:ontology { ?s ?p ?o } }
  UNION { ?s ?p ?o }
  UNION {
    GRAPH ?g { ?s ?p ?o }
    FILTER (?g NOT IN (g:ontology, g:inferred))
    FILTER NOT EXISTS { ?g a ck:Claim }
  }
}
"""

#: Rules OWL 2 RL cannot state, as SPARQL CONSTRUCTs over asserted fact graphs.
RULES = {
    "hostileTo": """
CONSTRUCT { ?a ck:hostileTo ?b } WHERE {
  GRAPH ?g { ?r a ck:Hostility ; ck:party ?a , ?b }
  FILTER (?a != ?b)
  FILTER NOT EXISTS { ?g a ck:Claim }
}
""",
    "cooperatesWith": """
CONSTRUCT { ?a ck:cooperatesWith ?b } WHERE {
  GRAPH ?g { ?r a ?kind ; ck:party ?a , ?b }
  VALUES ?kind { ck:Cooperation ck:Alliance }
  FILTER (?a != ?b)
  FILTER NOT EXISTS { ?g a ck:Claim }
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

    def as_dict(self) -> dict[str, float | int]:
        return {"asserted": self.asserted, "inferred": self.inferred, "from_rules": self.from_rules,
                "seconds": round(self.seconds, 3)}


def asserted_triples(store: Store) -> list[ox.Triple]:
    """The asserted triples (TBox, metadata, non-claim fact graphs), deduplicated."""
    return list(store.query(ASSERTED_QUERY))  # type: ignore[arg-type]


def _trivial(s: object, p: object, o: object) -> bool:
    if isinstance(s, BNode) or isinstance(o, BNode):
        return True
    if p == RDF.type and o in _TRIVIAL_OBJECTS:
        return True
    if s in _TRIVIAL_OBJECTS or o in _TRIVIAL_OBJECTS:
        return True
    return p == OWL.sameAs and s == o


def materialize(store: Store, *, graph: str = str(INFERRED_GRAPH)) -> Inference:
    """Run OWL 2 RL over the asserted facts and replace ``graph`` with what is new.

    Parameters
    ----------
    store : Store
        A store holding the ontology in ``g:ontology`` and asserted fact graphs.
    graph : str
        The named graph that receives the inferences (``g:inferred``).

    Returns
    -------
    Inference
        Counts of asserted input and inferred output, and the time taken.

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
    # Plain sets of rdflib tuples: an rdflib Graph costs more than the reasoning itself.
    base = {(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in asserted_triples(store)}
    ruled = set()
    for rule in RULES.values():
        for t in store.query(rule):  # type: ignore[union-attr]
            ruled.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    ruled -= base
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(list(base | ruled))
    closure = reasoner.reason()
    target = ox.NamedNode(graph)
    quads = [
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), target)  # type: ignore[arg-type]
        for s, p, o in set(closure)
        if (s, p, o) not in base and not _trivial(s, p, o)
    ]
    store.clear_graph(graph)
    store.extend(quads)
    return Inference(asserted=len(base), inferred=len(quads), from_rules=len(ruled), seconds=time.perf_counter() - start)
