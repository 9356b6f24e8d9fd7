"""Serializing query results with Oxigraph's own writers, for the CLI and the HTTP API."""

from __future__ import annotations

import pyoxigraph as ox

from conflictkg.graph.errors import UnsupportedFormat
from conflictkg.graph.store import QueryResult

__all__ = ["RESULT_FORMATS", "GRAPH_FORMATS", "serialize_result"]

#: Result formats of SELECT and ASK, by short name.
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

#: RDF formats of CONSTRUCT and DESCRIBE, by short name.
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """Serialize a query result natively, never through rdflib terms.

    Parameters
    ----------
    result : QuerySolutions, QueryBoolean or QueryTriples
        What :meth:`Store.query` returned.
    fmt : str
        A key of :data:`RESULT_FORMATS` for SELECT/ASK results, of
        :data:`GRAPH_FORMATS` for CONSTRUCT/DESCRIBE results.

    Raises
    ------
    UnsupportedFormat
        If ``fmt`` does not fit the kind of result.
    """
    if isinstance(result, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise UnsupportedFormat(
                f"a graph result cannot be written as {fmt!r}; use one of {', '.join(GRAPH_FORMATS)}",
                parameter="format",
            )
        return result.serialize(format=GRAPH_FORMATS[fmt])
    if fmt not in RESULT_FORMATS:
        raise UnsupportedFormat(
            f"a SELECT or ASK result cannot be written as {fmt!r}; use one of {', '.join(RESULT_FORMATS)}",
            parameter="format",
        )
    return result.serialize(format=RESULT_FORMATS[fmt])
