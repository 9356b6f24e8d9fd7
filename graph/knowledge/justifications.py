"""Why each inferred triple holds: the OWL 2 RL rule (or conflictkg rule) and the premises it came from.

``reasonable`` gives the closure, not its derivations, so after it ran each
inferred triple is explained again by one rule application whose premises
are already explained: asserted triples (with the graph that states them,
axioms of ``g:ontology`` included) or inferred triples explained in an
earlier round. Rounds go on until nothing new is explained, so every
justification is well-founded (no triple is its own reason, through any
chain), and the one found is a shortest one in rounds.

The justifications go to :data:`~conflictkg.ontology.vocab.JUSTIFICATIONS_GRAPH`
as RDF reification (SPARQL 1.1 reads it on every server)::

    statement:… a rdf:Statement ;
        rdf:subject place:al-aqtaan-prison ; rdf:predicate ck:locatedIn ; rdf:object place:syria ;
        ck:inGraph g:inferred ;
        ck:derivedBy rule:prp-trp ;
        ck:premise statement:… , statement:… .       # each with rdf:subject/… and ck:inGraph

Rules are named as in the OWL 2 RL tables of the OWL 2 Profiles
recommendation (``cax-sco``, ``prp-trp`` …), each with a label.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS
from rdflib.term import Node

from conflictkg.ontology.vocab import CK, ID, INFERRED_GRAPH

__all__ = ["RULE_LABELS", "Justifier", "statement_iri"]

Triple = tuple[Node, Node, Node]

_OWL2RL = "https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules"

#: Every rule a justification may name, with what it says.
RULE_LABELS = {
    "cax-sco": "class membership through a subclass axiom (x a B, B rdfs:subClassOf C ⇒ x a C)",
    "prp-dom": "class membership from a property's domain (x P y, P rdfs:domain C ⇒ x a C)",
    "prp-rng": "class membership from a property's range (x P y, P rdfs:range C ⇒ y a C)",
    "prp-spo1": "a subproperty implies its superproperty (x P y, P rdfs:subPropertyOf Q ⇒ x Q y)",
    "prp-inv": "an inverse property (x P y, P owl:inverseOf Q ⇒ y Q x)",
    "prp-symp": "a symmetric property (x P y, P a owl:SymmetricProperty ⇒ y P x)",
    "prp-trp": "a transitive property (x P y, y P z, P a owl:TransitiveProperty ⇒ x P z)",
    "scm-sco": "subclass axioms chain (A rdfs:subClassOf B, B rdfs:subClassOf C ⇒ A rdfs:subClassOf C)",
    "scm-spo": "subproperty axioms chain (P rdfs:subPropertyOf Q, Q rdfs:subPropertyOf R ⇒ P rdfs:subPropertyOf R)",
    "ck-hostileTo": "conflictkg rule: the parties of an undated ck:Hostility are ck:hostileTo each other",
    "ck-cooperatesWith": "conflictkg rule: the parties of an undated ck:Cooperation or ck:Alliance ck:cooperatesWith each other",
    "owl2rl": "an OWL 2 RL rule this explainer does not name (the premises are not recorded)",
}

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def statement_iri(s: Node, p: Node, o: Node) -> str:
    """The IRI of the reified statement of one triple (the same triple always gets the same IRI)."""
    key = f"{s.n3()} {p.n3()} {o.n3()}".encode("utf-8")
    return f"{ID}statement/{hashlib.sha1(key).hexdigest()[:24]}"


class Justifier:
    """Explains inferred triples from asserted ones, round by round.

    Parameters
    ----------
    asserted : mapping
        Each asserted triple (TBox included) → the graphs that state it.
    ruled : mapping
        Each triple a conflictkg SPARQL rule produced → (rule name, premises).
    """

    def __init__(self, asserted: Mapping[Triple, Iterable[str]], ruled: Mapping[Triple, tuple[str, list[Triple]]]) -> None:
        self.asserted = {t: tuple(sorted(set(gs))) for t, gs in asserted.items()}
        self.ruled = dict(ruled)

    def explain(self, inferred: Iterable[Triple]) -> dict[Triple, tuple[str, list[Triple]]]:
        """One justification (rule name, premises) per inferred triple; ``owl2rl`` with no premises if none is found."""
        todo = set(inferred)
        known: set[Triple] = set(self.asserted)
        found: dict[Triple, tuple[str, list[Triple]]] = {}
        for t in list(todo):
            if t in self.ruled and all(p in known for p in self.ruled[t][1]):
                found[t] = self.ruled[t]
        known |= found.keys()
        todo -= found.keys()
        while todo:
            index = _Index(known)
            new = {}
            for t in todo:
                why = index.why(t)
                if why is not None:
                    new[t] = why
            if not new:
                break
            found.update(new)
            known |= new.keys()
            todo -= new.keys()
        for t in todo:
            found[t] = ("owl2rl", [])
        return found

    def quads(self, found: Mapping[Triple, tuple[str, list[Triple]]], graph: str) -> list[ox.Quad]:
        """The justification graph: each inferred triple reified with its rule and premises, and the rules."""
        from conflictkg.graph.store import to_ox

        g = ox.NamedNode(graph)
        rdf = lambda local: ox.NamedNode(_RDF + local)  # noqa: E731
        ck = lambda local: ox.NamedNode(str(CK[local]))  # noqa: E731
        inferred_graph = ox.NamedNode(str(INFERRED_GRAPH))
        out: list[ox.Quad] = []
        described: set[str] = set()

        def statement(t: Triple, graphs: Iterable[ox.NamedNode]) -> ox.NamedNode:
            iri = statement_iri(*t)
            node = ox.NamedNode(iri)
            if iri not in described:
                described.add(iri)
                out.extend(ox.Quad(node, p, o, g) for p, o in (
                    (rdf("type"), rdf("Statement")), (rdf("subject"), to_ox(t[0])),
                    (rdf("predicate"), to_ox(t[1])), (rdf("object"), to_ox(t[2])),
                ))
                out.extend(ox.Quad(node, ck("inGraph"), where, g) for where in graphs)
            return node

        def where(t: Triple) -> list[ox.NamedNode]:
            graphs = self.asserted.get(t)
            return [ox.NamedNode(x) for x in graphs] if graphs else [inferred_graph]

        rules = set()
        for t, (rule, premises) in sorted(found.items(), key=lambda item: statement_iri(*item[0])):
            node = statement(t, [inferred_graph])
            rule_node = ox.NamedNode(f"{ID}rule/{rule}")
            rules.add(rule)
            out.append(ox.Quad(node, ck("derivedBy"), rule_node, g))
            for premise in premises:
                out.append(ox.Quad(node, ck("premise"), statement(premise, where(premise)), g))
        for rule in sorted(rules):
            node = ox.NamedNode(f"{ID}rule/{rule}")
            out.append(ox.Quad(node, rdf("type"), ck("InferenceRule"), g))
            out.append(ox.Quad(node, ox.NamedNode(str(RDFS.label)), ox.Literal(f"{rule}: {RULE_LABELS[rule]}"), g))
            if not rule.startswith("ck-"):
                out.append(ox.Quad(node, ox.NamedNode(str(RDFS.seeAlso)), ox.NamedNode(_OWL2RL), g))
        return out


class _Index:
    """Lookups over the triples explained so far, for the rules of :data:`RULE_LABELS`."""

    def __init__(self, known: Iterable[Triple]) -> None:
        self.known = known if isinstance(known, set) else set(known)
        self.by_sp: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        self.by_po: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        self.by_s: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        self.by_o: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        self.by_p: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        # Sorted, so the same store always gets the same justifications (the first rule and premises found).
        for s, p, o in sorted(self.known):
            self.by_sp[(s, p)].append(o)
            self.by_po[(p, o)].append(s)
            self.by_s[s].append((p, o))
            self.by_o[o].append((s, p))
            self.by_p[p].append((s, o))

    def _has(self, s: Node, p: Node, o: Node) -> bool:
        return (s, p, o) in self.known

    def why(self, t: Triple) -> tuple[str, list[Triple]] | None:
        s, p, o = t
        if p == RDF.type:
            for b in self.by_sp[(s, RDF.type)]:
                if b != o and self._has(b, RDFS.subClassOf, o):
                    return "cax-sco", [(s, RDF.type, b), (b, RDFS.subClassOf, o)]
            for prop, _y in self.by_s[s]:
                if self._has(prop, RDFS.domain, o):
                    return "prp-dom", [(s, prop, _y), (prop, RDFS.domain, o)]
            for _x, prop in self.by_o[s]:
                if self._has(prop, RDFS.range, o):
                    return "prp-rng", [(_x, prop, s), (prop, RDFS.range, o)]
            return None
        if p in (RDFS.subClassOf, RDFS.subPropertyOf):
            for m in self.by_sp[(s, p)]:
                if m not in (s, o) and self._has(m, p, o):
                    return ("scm-sco" if p == RDFS.subClassOf else "scm-spo"), [(s, p, m), (m, p, o)]
            return None
        if self._has(o, p, s) and self._has(p, RDF.type, OWL.SymmetricProperty):
            return "prp-symp", [(o, p, s), (p, RDF.type, OWL.SymmetricProperty)]
        for q in self.by_sp[(p, OWL.inverseOf)]:
            if self._has(o, q, s):
                return "prp-inv", [(o, q, s), (p, OWL.inverseOf, q)]
        for q in self.by_po[(OWL.inverseOf, p)]:
            if self._has(o, q, s):
                return "prp-inv", [(o, q, s), (q, OWL.inverseOf, p)]
        for q in self.by_po[(RDFS.subPropertyOf, p)]:
            if q != p and self._has(s, q, o):
                return "prp-spo1", [(s, q, o), (q, RDFS.subPropertyOf, p)]
        if self._has(p, RDF.type, OWL.TransitiveProperty):
            for y in self.by_sp[(s, p)]:
                if y not in (s, o) and self._has(y, p, o):
                    return "prp-trp", [(s, p, y), (y, p, o), (p, RDF.type, OWL.TransitiveProperty)]
        return None
