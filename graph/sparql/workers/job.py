"""One query job, bounded: its limits, its evaluation by Oxigraph, its serialization under row and byte caps.

Shared by the worker processes and by in-process execution.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.graph import errors
from conflictkg.graph.sparql.lexer import MAX_DEPTH, MAX_OPERATORS, undeclared_prefix
from conflictkg.graph.sparql.results import media_format
from conflictkg.graph.store.datasets import default_graphs, has_dataset_clause
from conflictkg.ontology.vocab import PREFIXES

__all__ = ["Answer", "Limits", "QueryJob", "all_busy", "default_terms", "lane_stopped", "ox_query", "run_job", "stopped"]

log = logging.getLogger("conflictkg.workers")

_SYNTAX_AT = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class Limits:
    """The bounds of one query."""

    timeout_s: float = 30.0
    max_rows: int = 100_000
    max_bytes: int = 256 * 1024 * 1024
    stream_threshold: int = 1024 * 1024
    #: Deepest nesting and most chained operators of a request (see :mod:`conflictkg.graph.sparql.lexer`).
    max_depth: int = MAX_DEPTH
    max_operators: int = MAX_OPERATORS
    #: Time limit of a query in the reserved lane (see :mod:`conflictkg.graph.sparql.admission`).
    lane_timeout_s: float = 2.0


@dataclass(frozen=True)
class QueryJob:
    """One query to run: its text, dataset, bindings, and the formats to write each kind of result in.

    ``solutions_format`` and ``graph_format`` are media types of
    :data:`~conflictkg.graph.sparql.results.MEDIA_FORMATS`, or ``None`` when the
    client accepts no format of that kind.
    """

    sparql: str
    solutions_format: str | None
    graph_format: str | None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: tuple[tuple[str, object], ...] = ()
    #: Predeclare the conflictkg prefixes (``ck:``, ``actor:`` …); the worker knows them.
    prefixes: bool = True
    #: The stored dataset as it is, instead of the analyst's default graph.
    raw: bool = False
    #: The base IRI of relative IRIs in the query (the endpoint's URL).
    base_iri: str | None = None


@dataclass
class Answer:
    """A serialized query result: its media type and its bytes, possibly still arriving."""

    media_type: str
    chunks: Iterator[bytes]
    kind: str = "solutions"
    #: The whole body when it came in one piece (then ``chunks`` yields just it).
    body: bytes | None = None

    def read(self) -> bytes:
        """All of the body at once."""
        return b"".join(self.chunks)




class _Overflow(Exception):
    pass


class _Sink(io.RawIOBase):
    """A binary writer that enforces the byte cap and a row cap, and forwards chunks.

    Rows are counted on the serialized bytes by ``markers`` that occur once
    per row and nowhere else, so no row becomes a Python object: a row cap is
    exceeded once the markers number more than ``max_marks``.
    """

    def __init__(self, limits: Limits, send=None, markers: tuple[bytes, ...] = (), max_marks: int | None = None) -> None:
        self.limits, self.send = limits, send
        self.markers, self.max_marks = markers, max_marks
        self.keep = max((len(m) for m in markers), default=1) - 1
        self.tail = b""
        self.buffer = bytearray()
        self.total = 0
        self.marks = 0
        self.streaming = False
        self.overflow: str | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        data = bytes(data)
        self.total += len(data)
        if self.total > self.limits.max_bytes:
            self.overflow = "bytes"
            raise _Overflow()
        if self.max_marks is not None:
            # Markers may straddle two writes: count over the previous write's tail too.
            window = self.tail + data
            self.marks += sum(window.count(m) for m in self.markers)
            self.tail = window[-self.keep :] if self.keep else b""
            if self.marks > self.max_marks:
                self.overflow = "rows"
                raise _Overflow()
        self.buffer += data
        if self.send is not None and len(self.buffer) >= self.limits.stream_threshold:
            self.send(bytes(self.buffer), self.streaming)
            self.streaming = True
            self.buffer.clear()
        return len(data)


def _row_markers(fmt: object, max_rows: int) -> tuple[tuple[bytes, ...], int] | None:
    """How to count rows in Oxigraph's serialization of a format, or ``None`` when it cannot be done exactly.

    - TSV: one line per row (terms escape their newlines) after the header.
    - XML: one ``<result>`` per row (text escapes ``<``).
    - JSON: a row after the first starts with ``,{"`` (it has bindings) or
      is ``,{}`` (it has none); nothing else in the document has a comma
      before a brace, and inside strings ``"`` is escaped, so ``,{"`` never
      occurs there. ``,{}`` can occur inside a literal, which can only make
      the count err high, never low.
    - CSV quotes newlines inside values: no exact marker.
    """
    if fmt == ox.QueryResultsFormat.TSV:
        return (b"\n",), max_rows + 1
    if fmt == ox.QueryResultsFormat.XML:
        return (b"<result>",), max_rows
    if fmt == ox.QueryResultsFormat.JSON:
        return (b',{"', b",{}"), max_rows - 1
    return None


def _too_large(what: str, limits: Limits) -> errors.ResultTooLarge:
    if what == "rows":
        return errors.ResultTooLarge(
            f"the result has more than {limits.max_rows} rows, the endpoint's limit; add LIMIT or narrow the query",
            limit=limits.max_rows,
        )
    return errors.ResultTooLarge(
        f"the result is larger than {limits.max_bytes} bytes, the endpoint's limit; add LIMIT or narrow the query",
        limit=limits.max_bytes,
    )


def _serialize_capped(write, limits: Limits, sink: _Sink) -> None:
    try:
        write(sink)
    except Exception as err:  # Oxigraph wraps the writer's exception; the sink knows why
        if sink.overflow:
            raise _too_large(sink.overflow, limits) from None
        raise err


def stopped(limits: Limits) -> errors.QueryTimeout:
    """The error of a query stopped at the time limit."""
    return errors.QueryTimeout(
        f"the query ran longer than {limits.timeout_s:g} s, the endpoint's limit, and was stopped",
        timeout_s=limits.timeout_s,
    )


def lane_stopped(limits: Limits) -> errors.QueryTimeout:
    """The error of a query stopped at the reserved lane's time limit."""
    return errors.QueryTimeout(
        f"every query slot was busy and the query ran longer than {limits.lane_timeout_s:g} s, the limit of the "
        "reserved lane for cheap queries, and was stopped; try again later",
        timeout_s=limits.lane_timeout_s,
    )


def all_busy(size: int, what: str, limits: Limits) -> errors.QueryTimeout:
    """The error of a query that found no free worker within the time limit."""
    return errors.QueryTimeout(
        f"all {size} {what} stayed busy for {limits.timeout_s:g} s; try again later", timeout_s=limits.timeout_s
    )


def _syntax(err: SyntaxError, job: QueryJob) -> errors.QuerySyntaxError:
    named = undeclared_prefix(job.sparql, frozenset(PREFIXES) if job.prefixes else frozenset())
    if named is not None:
        return named
    message = str(err.args[0] if err.args else err)
    where = _SYNTAX_AT.search(message)
    details = {"line": int(where[1]), "column": int(where[2])} if where else {}
    return errors.QuerySyntaxError(message, parameter="query", **details)


def ox_query(store: ox.Store, job: QueryJob, default: list[ox.NamedNode] | None = None) -> object:
    """Evaluate a job's query on a pyoxigraph store (what a worker does).

    ``default`` is the analyst's default graph of that store
    (:func:`~conflictkg.graph.store.datasets.default_graphs`, computed once
    per snapshot): the query's default graph unless the job names a
    dataset, the query has ``FROM``, or the job is ``raw``.
    """
    kwargs: dict[str, object] = {}
    # Handing Oxigraph the prefix table costs about as much as a small lookup's
    # evaluation; a query that names none of the prefixes does not need it.
    if job.prefixes and any(name + ":" in job.sparql for name in PREFIXES):
        kwargs["prefixes"] = PREFIXES
    if job.base_iri:
        kwargs["base_iri"] = job.base_iri
    if job.default_graph is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif default is not None and job.default_graph is None and not job.raw and not has_dataset_clause(job.sparql):
        kwargs["default_graph"] = default
    if job.substitutions:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in job.substitutions}
    try:
        return store.query(job.sparql, **kwargs)
    except SyntaxError as err:
        raise _syntax(err, job) from None
    except RuntimeError as err:
        if job.substitutions and "variable" in str(err):
            raise errors.InputError(str(err), parameter="substitutions") from None
        raise


def default_terms(store: ox.Store) -> list[ox.NamedNode]:
    """The analyst's default graph of a snapshot, as the terms :func:`ox_query` takes."""
    return [ox.NamedNode(g) for g in default_graphs(store)]


def _format(media_type: str) -> tuple[str, object]:
    row = media_format(media_type)
    if row is None:
        raise errors.NotAcceptable(f"{media_type} is not a format this endpoint writes", parameter="Accept")
    return row.content_type, row.ox_format


def run_job(evaluate, job: QueryJob, limits: Limits, send=None) -> tuple[str, str, bytes]:
    """Evaluate one job and serialize its result natively, within the row and byte caps.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(job)`` returns the pyoxigraph query result.
    job : QueryJob
    limits : Limits
    send : callable, optional
        ``send(kind, media_type, chunk, more)`` receives the body in chunks once
        it passes ``limits.stream_threshold``; the rest is returned.

    Returns
    -------
    (kind, media_type, tail)
        The kind of result, its media type, and the bytes not yet sent.

    Raises
    ------
    QuerySyntaxError, NotAcceptable, ResultTooLarge, InputError
    """
    result = evaluate(job)
    if isinstance(result, ox.QueryTriples):
        if job.graph_format is None:
            raise errors.NotAcceptable("none of the accepted media types fits a CONSTRUCT/DESCRIBE result", parameter="Accept")
        media_type, fmt = _format(job.graph_format)
        emit = (lambda chunk, more: send("graph", media_type, chunk, more)) if send else None
        triples = []
        for triple in result:
            triples.append(triple)
            if len(triples) > limits.max_rows:
                raise _too_large("rows", limits)
        sink = _Sink(limits, emit)
        _serialize_capped(lambda out: ox.serialize(triples, out, format=fmt), limits, sink)
        return "graph", media_type, bytes(sink.buffer)
    if job.solutions_format is None:
        raise errors.NotAcceptable("none of the accepted media types fits a SELECT/ASK result", parameter="Accept")
    media_type, fmt = _format(job.solutions_format)
    if isinstance(result, ox.QueryBoolean):
        return "solutions", media_type, result.serialize(format=fmt)
    emit = (lambda chunk, more: send("solutions", media_type, chunk, more)) if send else None
    counting = _row_markers(fmt, limits.max_rows)
    if counting is not None:
        sink = _Sink(limits, emit, *counting)
        _serialize_capped(lambda out: result.serialize(out, format=fmt), limits, sink)
        return "solutions", media_type, bytes(sink.buffer)
    # CSV: rows are counted on TSV (one line per row), which is then re-read and
    # written as CSV, all natively: no row ever becomes a Python term.
    tsv = _Sink(limits, None, *_row_markers(ox.QueryResultsFormat.TSV, limits.max_rows))
    _serialize_capped(lambda out: result.serialize(out, format=ox.QueryResultsFormat.TSV), limits, tsv)
    parsed = ox.parse_query_results(bytes(tsv.buffer), format=ox.QueryResultsFormat.TSV)
    sink = _Sink(limits, emit)
    _serialize_capped(lambda out: parsed.serialize(out, format=fmt), limits, sink)
    return "solutions", media_type, bytes(sink.buffer)
