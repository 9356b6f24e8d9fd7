"""Candidates into one ``ck:PendingGraph`` per report, replaced whole on re-ingest, metadata in the meta graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pyoxigraph as ox

from conflictkg.graph.reports.extraction import extract
from conflictkg.graph.reports.model import Extraction
from conflictkg.graph.reports.text import Report
from conflictkg.graph.store import FactStore, insert_data
from conflictkg.ontology.vocab import CK, ID, META_GRAPH, PENDING_GRAPHS

__all__ = ["IngestResult", "ingest", "pending_graph", "source_iri", "term", "delete_data"]

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass
class IngestResult:
    """What ``ingest`` did: the pending graph and its candidates, or that the report was already accepted."""

    slug: str
    graph: str
    extraction: Extraction | None
    replaced: bool = False
    already_accepted: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    linked: int = 0


def pending_graph(slug: str) -> str:
    """The IRI of a report's pending graph."""
    return PENDING_GRAPHS + slug


def source_iri(slug: str) -> str:
    """The IRI of a report as a ``ck:SourceDocument``."""
    return str(ID[f"source/{slug}"])


def term(obj: object) -> ox.NamedNode | ox.Literal:
    """A candidate's object (IRI string or literal tuple) as a pyoxigraph term."""
    if isinstance(obj, tuple):
        lexical, datatype, language = obj
        if language:
            return ox.Literal(lexical, language=language)
        return ox.Literal(lexical, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(lexical)
    return ox.NamedNode(str(obj))


def delete_data(quads: list[ox.Quad]) -> str:
    """``DELETE DATA`` of these quads (no blank nodes), written like :func:`insert_data`."""
    return "DELETE DATA" + insert_data(quads)[len("INSERT DATA"):]


def _lit(value: object, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + datatype)) if datatype else ox.Literal(str(value))


def candidate_quads(extraction: Extraction, graph: str) -> list[ox.Quad]:
    """The pending graph's quads: every candidate's statements and one ``ck:Evidence`` record each."""
    g = ox.NamedNode(graph)
    quads: list[ox.Quad] = []
    seen: set[ox.Quad] = set()

    def add(s: str, p: str | ox.NamedNode, o: object) -> None:
        q = ox.Quad(ox.NamedNode(s), p if isinstance(p, ox.NamedNode) else ox.NamedNode(p),
                    o if isinstance(o, (ox.NamedNode, ox.Literal)) else term(o), g)
        if q not in seen:
            seen.add(q)
            quads.append(q)

    for cand in extraction.candidates:
        for p, o in cand.facts:
            add(cand.iri, p, o)
        for s, p, o in cand.extra:
            add(s, p, o)
        record = str(ID[f"evidence/{extraction.slug}/{cand.cid}"])
        add(record, _RDF_TYPE, ox.NamedNode(str(CK.Evidence)))
        add(record, str(CK.evidenceOf), ox.NamedNode(cand.iri))
        add(record, str(CK.candidateId), _lit(cand.cid))
        add(record, _RDFS + "label", _lit(cand.label))
        if cand.start >= 0:
            add(record, str(CK.spanStart), _lit(cand.start, "integer"))
            add(record, str(CK.spanEnd), _lit(cand.end, "integer"))
            add(record, str(CK.mention), _lit(cand.mention))
            add(record, str(CK.sourceText), _lit(cand.sentence))
        if cand.kind == "entity":
            add(record, str(CK.newEntity), _lit("true" if cand.new else "false", "boolean"))
        if cand.claim:
            add(record, str(CK.inClaim), ox.NamedNode(cand.claim))
        add(record, str(_PROV + "wasDerivedFrom"), ox.NamedNode(source_iri(extraction.slug)))
    return quads


def _meta_quads(report: Report, extraction: Extraction, graph: str, report_date: date) -> list[ox.Quad]:
    m = ox.NamedNode(str(META_GRAPH))
    src, g = ox.NamedNode(source_iri(report.slug)), ox.NamedNode(graph)
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    rows = [
        (src, _RDF_TYPE, ox.NamedNode(str(CK.SourceDocument))),
        (src, ox.NamedNode(_RDFS + "label"), _lit(report.title or report.slug)),
        (src, ox.NamedNode(_DCT + "title"), _lit(report.title or report.slug)),
        (src, ox.NamedNode(str(CK.checksum)), _lit(report.checksum)),
        (src, ox.NamedNode(str(CK.reportDate)), _lit(report_date.isoformat(), "date")),
        (g, _RDF_TYPE, ox.NamedNode(str(CK.PendingGraph))),
        (g, ox.NamedNode(_RDFS + "label"), _lit(f"Candidates read from {report.title or report.slug} (not reviewed)")),
        (g, ox.NamedNode(_PROV + "wasDerivedFrom"), src),
        (g, ox.NamedNode(_PROV + "generatedAtTime"), _lit(now, "dateTime")),
        (g, ox.NamedNode(str(CK.extractedWith)), _lit(extraction.pipeline)),
    ]
    if not report.published:
        rows.append((src, ox.NamedNode(str(CK.datePrecision)), ox.NamedNode(str(CK.Approximate))))
    if report.publisher:
        rows.append((src, ox.NamedNode(_DCT + "publisher"), _lit(report.publisher)))
    if report.url:
        rows.append((src, ox.NamedNode(_DCT + "source"), _lit(report.url)))
    elif report.path:
        rows.append((src, ox.NamedNode(_DCT + "source"), _lit(report.path)))
    return [ox.Quad(s, p, o, m) for s, p, o in rows]


def _accepted(store: FactStore, report: Report) -> bool:
    return store.ask(
        f"""ASK {{ GRAPH <{META_GRAPH}> {{ ?src <{CK.checksum}> "{report.checksum}" .
                   ?g a <{CK.FactGraph}> ; <{_PROV}wasDerivedFrom> ?src }} }}""", prefixes=False)


def ingest(store: FactStore, report: Report, *, report_date: date | None = None) -> IngestResult:
    """Extract a report's candidates and write them as its pending graph, in one transaction.

    The same report ingested again replaces its pending graph with the same candidates (nothing
    doubles); a report whose candidates were already accepted is left alone.

    Parameters
    ----------
    store : FactStore
        Where the pending graph goes; its reviewed graphs give the names candidates link to.
    report : Report
        From :func:`~conflictkg.graph.reports.text.read_report`.
    report_date : date, optional
        The date relative dates are read from; defaults to ``report.published``, else today.

    Returns
    -------
    IngestResult
    """
    graph = pending_graph(report.slug)
    if _accepted(store, report):
        return IngestResult(report.slug, graph, None, already_accepted=True)
    when = report_date or (date.fromisoformat(report.published) if report.published else date.today())
    extraction = extract(report, store, report_date=when)
    replaced = graph in store.named_graphs()
    quads = candidate_quads(extraction, graph) + _meta_quads(report, extraction, graph, when)
    src = source_iri(report.slug)
    store.update(
        f"DROP SILENT GRAPH <{graph}> ;\n"
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }} ;\n"
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{src}> ?p ?o }} }} ;\n" + insert_data(quads),
        prefixes=False,
    )
    counts = {kind: len(extraction.of(kind)) for kind in ("entity", "event", "quantity", "claim")}
    linked = sum(1 for c in extraction.of("entity") if not c.new)
    return IngestResult(report.slug, graph, extraction, replaced=replaced, counts=counts, linked=linked)
