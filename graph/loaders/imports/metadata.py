"""What an import records about itself: its graph IRI, its status, its provenance."""


from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.loaders.imports.convert import ImportReport, _values
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import CK, GRAPH, ID, META_GRAPH

#: Written into every import's metadata; bump when the produced triples change.
IMPORTER_VERSION = "conflictkg-importer/1"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"

PENDING, SUPERSEDING, DROPPING, COMPLETE = (
    CK.ImportPending, CK.ImportSuperseding, CK.ImportDropping, CK.ImportComplete
)

__all__ = ["IMPORTER_VERSION", "METADATA_GRAPH", "in_staging", "published"]

#: Where a published import's record lives (``vocab.META_GRAPH``). Until an import
#: is published, and while it is dropped, its record waits in a staging graph
#: instead (``load._meta_staging``), which readers never see.
METADATA_GRAPH: ox.DefaultGraph | ox.NamedNode = ox.NamedNode(str(META_GRAPH))


def in_staging(quads: list[ox.Quad], staging: str) -> list[ox.Quad]:
    """The record's quads in its staging graph."""
    g = ox.NamedNode(staging)
    return [ox.Quad(q.subject, q.predicate, q.object, g) for q in quads]


def published(quads: list[ox.Quad], status: object) -> list[ox.Quad]:
    """The record's quads in :data:`METADATA_GRAPH`, with this status."""
    return [
        ox.Quad(q.subject, q.predicate, ox.NamedNode(str(status)) if q.predicate.value == str(CK.importStatus) else q.object,
                METADATA_GRAPH)
        for q in quads
    ]

def _import_graph(fmt: str, checksum: str, now: datetime) -> str:
    return f"{GRAPH}import/{fmt}/{checksum[:16]}-{now.strftime('%Y%m%dT%H%M%S%fZ')}"


def _already_imported(store: FactStore, fmt: str, checksum: str) -> str | None:
    rows = store.select(
        f"SELECT ?g WHERE {{ {_values('c', [ox.Literal('sha256:' + checksum)])} {_values('fmt', [ox.Literal(fmt)])} "
        "GRAPH g:meta { ?g ck:importFormat ?fmt ; ck:importStatus ck:ImportComplete ; prov:wasDerivedFrom ?src . "
        "?src ck:checksum ?c } } LIMIT 1",
        raw=True,
    )
    return str(rows[0]["g"]) if rows else None


def _ck(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(CK[name]))


def _pending_record(report: ImportReport, path: Path, publisher: str, now: datetime) -> list[ox.Quad]:
    """What is known of an import before its rows are read: enough for :func:`recover_imports` to undo it."""
    g = ox.NamedNode(report.graph)
    src = ox.NamedNode(f"{ID}source/file/sha256-{report.checksum}")
    dg = ox.NamedNode(str(META_GRAPH))  # every graph's metadata lives in g:meta
    return [
        ox.Quad(g, ox.NamedNode(_RDF + "type"), _ck("FactGraph"), dg),
        ox.Quad(g, _ck("importFormat"), ox.Literal(report.format), dg),
        ox.Quad(g, _ck("importStatus"), ox.NamedNode(str(PENDING)), dg),
        ox.Quad(g, ox.NamedNode(_PROV + "wasDerivedFrom"), src, dg),
        ox.Quad(g, ox.NamedNode(_PROV + "generatedAtTime"),
                ox.Literal(now.isoformat().replace("+00:00", "Z"), datatype=ox.NamedNode(_XSD + "dateTime")), dg),
        ox.Quad(g, _ck("importerVersion"), ox.Literal(f"{IMPORTER_VERSION} ({report.format})"), dg),
        ox.Quad(src, ox.NamedNode(_RDF + "type"), _ck("SourceDocument"), dg),
        ox.Quad(src, ox.NamedNode(_RDFS + "label"), ox.Literal(path.name), dg),
        ox.Quad(src, _ck("fileName"), ox.Literal(path.name), dg),
        ox.Quad(src, _ck("checksum"), ox.Literal("sha256:" + report.checksum), dg),
        ox.Quad(src, ox.NamedNode(_DCT + "publisher"), ox.Literal(publisher), dg),
    ]


def _metadata(report: ImportReport, path: Path, publisher: str, now: datetime, latest: date | None) -> list[ox.Quad]:
    g = ox.NamedNode(report.graph)
    dg = ox.NamedNode(str(META_GRAPH))  # every graph's metadata lives in g:meta
    integer = ox.NamedNode(_XSD + "integer")
    quads = [
        *_pending_record(report, path, publisher, now),
        ox.Quad(g, _ck("rowCount"), ox.Literal(str(report.rows), datatype=integer), dg),
        ox.Quad(g, _ck("rejectedRowCount"), ox.Literal(str(report.rejected), datatype=integer), dg),
        ox.Quad(g, _ck("tripleCount"), ox.Literal(str(report.triples), datatype=integer), dg),
    ]
    if latest is not None:
        quads.append(ox.Quad(g, _ck("reportedOn"), ox.Literal(latest.isoformat(), datatype=ox.NamedNode(_XSD + "date")), dg))
    return quads
