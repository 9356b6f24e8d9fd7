"""Checking the store: HermiT consistency of ontology plus asserted facts, and SHACL shapes.

:func:`check` is the one core function ``conflictkg check`` (and later the
HTTP API) calls. What is checked, and why:

* **HermiT** (owlready2) reads the ontology with the *asserted* facts only: the
  graph metadata (``g:meta``) and every reviewed fact graph that is not a
  ``ck:Claim``. Claims are left out on purpose: two claimants may contradict
  each other, and an allegation is not a fact the ontology should hold the
  world to. ``g:inferred`` is left out because it only restates what follows.
* **SHACL** (pySHACL, shapes in ``ontology/shapes.ttl``) checks the shape of
  *all* data, claims included: every event has a date and a place, every
  quantity a qualifier, every fact graph a source.
* Every named graph (but ``g:ontology`` and ``g:inferred``) must be described
  in ``g:meta`` with ``prov:wasDerivedFrom``; SHACL cannot see graph
  names in a merged graph, so this is one SPARQL query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, SH

from conflictkg.graph.store import Store, from_ox
from conflictkg.ontology.owl import Consistency, check_consistency, ontology_paths, to_ntriples
from conflictkg.ontology.vocab import ONTOLOGY_GRAPH, PREFIXES

__all__ = ["CheckReport", "Violation", "check", "check_graph_metadata", "check_reasoner", "check_shapes", "shapes_path"]

#: All data, claims included, without the TBox and the inferences.
_DATA_QUERY = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { ?s ?p ?o }
  UNION { GRAPH ?g { ?s ?p ?o } FILTER (?g NOT IN (g:ontology, g:inferred, g:justifications)) }
}
"""

#: What HermiT reads: the TBox, the graph metadata, and every named graph of data that is
#: not a claim nor pending review (described or not: ``check`` is also for graphs just loaded).
_HERMIT_QUERY = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { GRAPH g:ontology { ?s ?p ?o } }
  UNION { GRAPH g:meta { ?s ?p ?o } }
  UNION {
    GRAPH ?g { ?s ?p ?o }
    FILTER (?g NOT IN (g:ontology, g:inferred, g:justifications, g:meta))
    FILTER (!STRSTARTS(STR(?g), "urn:conflictkg:staging:"))
    FILTER NOT EXISTS { GRAPH g:meta { ?g a ck:Claim } }
    FILTER NOT EXISTS { GRAPH g:meta { ?g a ck:PendingGraph } }
  }
}
"""

_UNDESCRIBED_GRAPHS = """
SELECT ?g WHERE {
  GRAPH ?g { }
  FILTER (?g NOT IN (g:ontology, g:inferred, g:justifications, g:meta))
  FILTER NOT EXISTS { GRAPH g:meta { ?g prov:wasDerivedFrom ?source } }
} ORDER BY ?g
"""


def shapes_path() -> Path:
    """The SHACL shapes file, ``ontology/shapes.ttl``."""
    return Path(ontology_paths()[0]).parent / "shapes.ttl"


@dataclass
class Violation:
    """One broken rule, with the node it is about."""

    focus: str
    message: str
    path: str | None = None
    value: str | None = None
    severity: str = "Violation"
    #: ``"shacl"`` or ``"metadata"`` (HermiT's findings are in :class:`Consistency`).
    check: str = "shacl"
    shape: str | None = None

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"[{self.check}] {_curie(self.focus)}{where}: {self.message}{value}"


@dataclass
class CheckReport:
    """What :func:`check` found."""

    violations: list[Violation] = field(default_factory=list)
    consistency: Consistency | None = None
    shacl_conforms: bool | None = None
    data_triples: int = 0
    asserted_triples: int = 0
    shacl_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No violation and, if HermiT ran, consistent with no unsatisfiable class."""
        return not self.violations and (self.consistency is None or self.consistency.ok)

    def text(self) -> str:
        """A readable report, one line per finding."""
        lines = []
        if self.consistency is not None:
            c = self.consistency
            lines.append(
                f"HermiT: {'consistent' if c.consistent else 'INCONSISTENT'} "
                f"({c.classes} classes, {c.individuals} individuals, {self.asserted_triples} asserted triples, "
                f"{c.seconds:.1f} s)"
            )
            if c.consistent:
                lines.append(f"  classification: {c.inferred_types} inferred class membership(s)")
            if c.ignored_datatypes:
                lines.append(f"  ignored by HermiT (not OWL 2 datatypes): {', '.join(_curie(d) for d in c.ignored_datatypes)}")
            lines += [f"  unsatisfiable class: {_curie(u)}" for u in c.unsatisfiable]
            lines += [f"  culprit: {_curie(k.individual)}: {k.reason}" for k in c.culprits]
            if not c.consistent and not c.culprits:
                lines.append("  (owlready2 cannot tell which individual is at fault)")
        if self.shacl_conforms is not None:
            n = len(self.violations)
            lines.append(
                f"SHACL: {'conforms' if not n else f'{n} violation(s)'} "
                f"({self.data_triples} data triples, {self.shacl_seconds:.1f} s)"
            )
        lines += [f"  {v}" for v in self.violations]
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


def _curie(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and prefix not in ("id",):
            return f"{prefix}:{iri[len(ns):]}"
    if iri.startswith(PREFIXES["id"]):
        return iri[len(PREFIXES["id"]) :]
    return iri if not iri.startswith("http") else f"<{iri}>"


def check_reasoner(store: Store) -> tuple[Consistency, int]:
    """HermiT over the ontology and the asserted facts (claims and inferences left out).

    Returns
    -------
    (Consistency, int)
        HermiT's verdict and the number of asserted triples it read.
    """
    triples = list(store.query(_HERMIT_QUERY, raw=True))  # type: ignore[arg-type]
    # _HERMIT_QUERY brings the TBox from g:ontology; without a seed, use the package's files.
    paths = [] if str(ONTOLOGY_GRAPH) in store.named_graphs() else ontology_paths()
    consistency = check_consistency(to_ntriples(paths, triples))
    return consistency, len(triples)


def check_shapes(store: Store) -> tuple[bool, list[Violation], int, float]:
    """pySHACL over all data (claims included) with the ontology alongside.

    Returns
    -------
    (bool, list of Violation, int, float)
        Whether the data conforms, the violations, the number of data
        triples validated and the seconds pySHACL took.
    """
    import pyshacl

    data = rdflib.Graph()
    for t in store.query(_DATA_QUERY, raw=True):  # type: ignore[union-attr]
        data.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    ontology = rdflib.Graph()
    if str(ONTOLOGY_GRAPH) in store.named_graphs():
        for t in store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH g:ontology { ?s ?p ?o } }"):  # type: ignore[union-attr]
            ontology.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    else:
        for path in ontology_paths():
            ontology.parse(path, format="turtle")
    shapes = rdflib.Graph().parse(shapes_path(), format="turtle")
    start = time.perf_counter()
    conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=False, allow_warnings=True
    )
    seconds = time.perf_counter() - start
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        violations.append(
            Violation(
                focus=str(focus),
                path=_curie(str(path)) if isinstance(path, rdflib.URIRef) else None,
                value=str(value) if value is not None else None,
                message=str(message) if message else "violates a shape",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=_curie(str(shape)) if isinstance(shape, rdflib.URIRef) else None,
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return bool(conforms), violations, len(data), seconds


def check_graph_metadata(store: Store) -> list[Violation]:
    """Named graphs that have no ``prov:wasDerivedFrom`` source in ``g:meta``."""
    return [
        Violation(focus=str(row["g"]), path="prov:wasDerivedFrom", check="metadata",
                  message="a named graph of facts needs its metadata in g:meta (prov:wasDerivedFrom a source)")
        for row in store.select(_UNDESCRIBED_GRAPHS)
    ]


def check(store: Store, *, reasoner: bool = True, shapes: bool = True) -> CheckReport:
    """Check the store: HermiT over ontology and asserted facts, SHACL and graph metadata over all data.

    Parameters
    ----------
    store : Store
        The store to check; the TBox comes from ``g:ontology`` if present,
        else from the package's ontology files.
    reasoner : bool
        Run HermiT (a Java subprocess, a few seconds).
    shapes : bool
        Run pySHACL and the graph-metadata check.

    Returns
    -------
    CheckReport
        ``report.ok`` is false on any violation, inconsistency or unsatisfiable
        class; ``report.text()`` is the readable listing.
    """
    report = CheckReport()
    if reasoner:
        report.consistency, report.asserted_triples = check_reasoner(store)
    if shapes:
        conforms, violations, report.data_triples, report.shacl_seconds = check_shapes(store)
        metadata = check_graph_metadata(store)
        report.shacl_conforms = conforms and not metadata
        report.violations += violations + metadata
    return report
