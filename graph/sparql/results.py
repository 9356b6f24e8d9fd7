"""Query result formats: one table from media type to Oxigraph's own serializer, and negotiation."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.graph.errors import InputError, NotAcceptable, UnsupportedFormat
from conflictkg.graph.store import QueryResult

__all__ = [
    "SOLUTIONS",
    "GRAPH",
    "MediaFormat",
    "MEDIA_FORMATS",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "Negotiated",
    "negotiate",
    "media_format",
    "parse_accept",
    "serialize_result",
    "FORMAT_NAMES",
    "accept_for_format",
]

#: The kind of result of SELECT and ASK queries.
SOLUTIONS = "solutions"
#: The kind of result of CONSTRUCT and DESCRIBE queries.
GRAPH = "graph"


@dataclass(frozen=True)
class MediaFormat:
    """One row of the format table: a media type, the kind of result it carries, Oxigraph's writer."""

    media_type: str
    kind: str
    name: str
    ox_format: ox.QueryResultsFormat | ox.RdfFormat
    w3c: str | None = None  # the W3C format IRI a service description names

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text types say their charset)."""
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type


_NS = "http://www.w3.org/ns/formats/"

#: THE table: every media type the endpoint speaks, in order of preference within a kind
#: (the first row of a kind is its default when the client accepts anything).
MEDIA_FORMATS: tuple[MediaFormat, ...] = (
    MediaFormat("application/sparql-results+json", SOLUTIONS, "json", ox.QueryResultsFormat.JSON, _NS + "SPARQL_Results_JSON"),
    MediaFormat("application/sparql-results+xml", SOLUTIONS, "xml", ox.QueryResultsFormat.XML, _NS + "SPARQL_Results_XML"),
    MediaFormat("text/csv", SOLUTIONS, "csv", ox.QueryResultsFormat.CSV, _NS + "SPARQL_Results_CSV"),
    MediaFormat("text/tab-separated-values", SOLUTIONS, "tsv", ox.QueryResultsFormat.TSV, _NS + "SPARQL_Results_TSV"),
    MediaFormat("application/json", SOLUTIONS, "json", ox.QueryResultsFormat.JSON),
    MediaFormat("application/xml", SOLUTIONS, "xml", ox.QueryResultsFormat.XML),
    MediaFormat("text/turtle", GRAPH, "turtle", ox.RdfFormat.TURTLE, _NS + "Turtle"),
    MediaFormat("application/n-triples", GRAPH, "ntriples", ox.RdfFormat.N_TRIPLES, _NS + "N-Triples"),
    MediaFormat("application/n-quads", GRAPH, "nquads", ox.RdfFormat.N_QUADS, _NS + "N-Quads"),
    MediaFormat("application/trig", GRAPH, "trig", ox.RdfFormat.TRIG, _NS + "TriG"),
    MediaFormat("application/rdf+xml", GRAPH, "rdfxml", ox.RdfFormat.RDF_XML, _NS + "RDF_XML"),
    MediaFormat("application/ld+json", GRAPH, "jsonld", ox.RdfFormat.JSON_LD, _NS + "JSON-LD"),
    MediaFormat("text/plain", GRAPH, "ntriples", ox.RdfFormat.N_TRIPLES),
)

_BY_TYPE = {f.media_type: f for f in MEDIA_FORMATS}

#: SELECT/ASK formats by short name (the CLI's ``--format``).
RESULT_FORMATS = {f.name: f.ox_format for f in MEDIA_FORMATS if f.kind == SOLUTIONS}
#: CONSTRUCT/DESCRIBE formats by short name.
GRAPH_FORMATS = {f.name: f.ox_format for f in MEDIA_FORMATS if f.kind == GRAPH}


#: The short names ``?format=`` takes (a link or ``pandas.read_csv(url)`` cannot set
#: Accept), each standing for the table's media types of that name; ``json`` and
#: ``xml`` also name the graph format of that syntax, so one link fits any query form.
FORMAT_NAMES: dict[str, tuple[str, ...]] = {
    name: tuple(
        f.media_type
        for f in MEDIA_FORMATS
        if f.name == name or (name, f.name) in (("json", "jsonld"), ("xml", "rdfxml"))
    )
    for name in dict.fromkeys(f.name for f in MEDIA_FORMATS)
}


def accept_for_format(name: str) -> str:
    """The ``Accept`` value a ``format`` parameter stands for: a short name or a media type of the table.

    Raises
    ------
    InputError
        If the name is neither.

    Examples
    --------
    >>> accept_for_format("csv")
    'text/csv'
    >>> accept_for_format("json")
    'application/sparql-results+json, application/json, application/ld+json'
    """
    key = name.strip().lower()
    if key in FORMAT_NAMES:
        return ", ".join(FORMAT_NAMES[key])
    if key in _BY_TYPE:
        return key
    raise InputError(
        f"format={name!r} is not a format this endpoint writes; use one of {', '.join(FORMAT_NAMES)} (or a media type)",
        parameter="format",
    )


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """The media ranges of an ``Accept`` header as ``(range, q, position)``, unsorted.

    A missing or empty header means ``*/*``. Parameters other than ``q`` are
    ignored; a malformed ``q`` counts as 1 (RFC 9110 asks servers to be lenient).
    """
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append((media, q, position))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int, int]:
    # The most specific matching range decides (RFC 9110 §12.5.1): exact > type/* > */*.
    best: tuple[int, float, int] | None = None
    major = media_type.split("/")[0]
    for media, q, position in ranges:
        if media == media_type:
            specificity = 3
        elif media == f"{major}/*":
            specificity = 2
        elif media == "*/*":
            specificity = 1
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q, position)
    if best is None:
        return (0.0, 0, 0)
    return (best[1], best[0], -best[2])


@dataclass(frozen=True)
class Negotiated:
    """The chosen format for each kind of result (``None``: the client accepts none of that kind)."""

    solutions: MediaFormat | None
    graph: MediaFormat | None

    def for_kind(self, kind: str) -> MediaFormat:
        """The format of one kind of result.

        Raises
        ------
        NotAcceptable
            If the client accepts no format of that kind.
        """
        chosen = self.solutions if kind == SOLUTIONS else self.graph
        if chosen is None:
            offered = ", ".join(f.media_type for f in MEDIA_FORMATS if f.kind == kind)
            what = "SELECT/ASK" if kind == SOLUTIONS else "CONSTRUCT/DESCRIBE"
            raise NotAcceptable(f"none of the accepted media types fits a {what} result; offered: {offered}", parameter="Accept")
        return chosen


def negotiate(accept: str | None, *, kinds: tuple[str, ...] = (SOLUTIONS, GRAPH)) -> Negotiated:
    """Choose a format per kind of result from an ``Accept`` header, honouring q-values.

    The highest q wins; among equal q, the more specific range, then the
    range listed first, then the table order.

    Raises
    ------
    NotAcceptable
        If no format of any of ``kinds`` is acceptable.

    Examples
    --------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml").solutions.name
    'xml'
    >>> negotiate(None).graph.media_type
    'text/turtle'
    """
    return _negotiate(accept, kinds)


# Clients send the same few Accept headers over and over; the choice is pure.
@functools.lru_cache(maxsize=256)
def _negotiate(accept: str | None, kinds: tuple[str, ...]) -> Negotiated:
    ranges = parse_accept(accept)
    chosen: dict[str, MediaFormat | None] = {}
    for kind in (SOLUTIONS, GRAPH):
        best: tuple[tuple[float, int, int, int], MediaFormat] | None = None
        for order, fmt in enumerate(f for f in MEDIA_FORMATS if f.kind == kind):
            q, specificity, position = _quality(fmt.media_type, ranges)
            if q <= 0:
                continue
            key = (q, specificity, position, -order)
            if best is None or key > best[0]:
                best = (key, fmt)
        chosen[kind] = best[1] if best else None
    result = Negotiated(chosen[SOLUTIONS], chosen[GRAPH])
    if all(chosen[k] is None for k in kinds):
        offered = ", ".join(dict.fromkeys(f.media_type for f in MEDIA_FORMATS if f.kind in kinds))
        raise NotAcceptable(f"none of the accepted media types ({accept}) is offered; offered: {offered}", parameter="Accept")
    return result


def media_format(media_type: str) -> MediaFormat | None:
    """The table row of an exact media type (parameters ignored), or ``None``."""
    return _BY_TYPE.get(media_type.split(";")[0].strip().lower())


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
