"""The SPARQL 1.1 Query and Update protocols on the wire: what to accept, how answers stream back."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from rdflib.term import Node

from conflictkg.graph.errors import (
    InputError,
    QueryTimeout,
    StoreError,
)
from conflictkg.graph.store.base import (
    to_ox,
)
from conflictkg.ontology.vocab import PREFIXES

__all__ = ["safe_url"]

_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: When the query's form cannot be told from its text: results first.
_ACCEPT = f"{_ACCEPT_RESULTS}, application/n-triples;q=0.8, text/turtle;q=0.7, application/rdf+xml;q=0.5"
#: The query form after the prologue (comments, BASE and PREFIX declarations).
_QUERY_FORM = re.compile(
    r"(?:\s|#[^\n]*+|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)
_RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_VIRTUOSO_NO_DEFAULT_GRAPH = "No plain default graph specified"


def safe_url(url: str) -> str:
    """The URL without any ``user:password@`` part, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _prologue() -> str:
    # One line, so a server's line numbers in syntax errors are off by one only.
    return " ".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()) + "\n"


def _base(base_iri: str | None) -> str:
    # On the prologue's line (a BASE declaration may precede PREFIX ones); a later BASE in the text overrides it.
    return f"BASE {_iri(base_iri)} " if base_iri else ""


def _accept_for(sparql: str) -> str:
    # Virtuoso answers a CONSTRUCT as SPARQL results (rows of ?s ?p ?o) when the
    # Accept header ranks those first: ask for what the query's form gives.
    form = _QUERY_FORM.match(sparql)
    if form is None:
        return _ACCEPT
    return _ACCEPT_GRAPH if form.group(1).upper() in ("CONSTRUCT", "DESCRIBE") else _ACCEPT_RESULTS


def _values_clause(substitutions: Mapping[str, Node]) -> str:
    # A trailing VALUES block binds each variable to one RDF term written in its
    # N-Triples form by pyoxigraph: a value, never spliced query text.
    names = []
    for name in substitutions:
        if not _VARIABLE.match(name):
            raise InputError(f"{name!r} is not a SPARQL variable name", parameter="substitutions")
        names.append(f"?{name}")
    terms = " ".join(
        str(term if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else to_ox(term))
        for term in substitutions.values()
    )
    return f"\nVALUES ({' '.join(names)}) {{ ({terms}) }}"


class _ChunkStream(io.RawIOBase):
    """Chunks of bytes as a binary file, each read when needed (:meth:`_next_chunk`, ``None`` at the end)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._pending = chunks, b""

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes | None:
        return next(self._chunks, None)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = self._next_chunk()
            if chunk is None:
                return 0
            self._pending = chunk
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _ResponseStream(_ChunkStream):
    """A streamed HTTP response body as a binary file, closed when read to the end.

    Errors while streaming surface as conflictkg errors from the iteration
    that reads them (pyoxigraph passes them through unchanged).
    """

    def __init__(self, response: httpx.Response, where: str, limit: float) -> None:
        super().__init__(response.iter_bytes())
        self._response = response
        self._where, self._limit = where, limit
        server = response.headers.get("server", "")
        self._oxigraph = server.startswith("Oxigraph")
        self._virtuoso = server.startswith("Virtuoso")
        self._tail = b""

    def _next_chunk(self) -> bytes | None:
        chunk = self._read_chunk()
        if chunk is None:  # the end: what _unvirtuoso held back, then nothing
            chunk, self._tail = self._tail, b""
            if not chunk:
                self.close()
                return None
        return chunk

    def _read_chunk(self) -> bytes | None:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            return None
        except httpx.TimeoutException as err:
            self.close()
            raise QueryTimeout(
                f"the SPARQL server at {self._where} sent no more results within {self._limit:g} s", url=self._where
            ) from err
        except httpx.HTTPError as err:
            self.close()
            raise StoreError(f"the SPARQL server at {self._where} broke off its answer: {err}", url=self._where) from err
        if self._oxigraph and chunk.rstrip().endswith(_OXIGRAPH_CANCELLED):
            # Oxigraph has already answered 200 when its --timeout-s strikes, so it
            # ends the body with this sentence instead of the rest of the results.
            self.close()
            raise QueryTimeout(f"the SPARQL server at {self._where} stopped the query at its time limit", url=self._where)
        if self._virtuoso:
            chunk = self._unvirtuoso(chunk)
        return chunk

    def _unvirtuoso(self, chunk: bytes) -> bytes:
        # Virtuoso names blank nodes "nodeID://b123" in results, which is not a
        # blank node label; keep the label. A short tail is held back so a
        # pattern split across two chunks is still seen whole.
        data = _VIRTUOSO_BNODE.sub(rb"\1", self._tail + chunk)
        cut = max(0, len(data) - 48)
        self._tail = data[cut:]
        return data[:cut]

    def close(self) -> None:
        self._response.close()
        super().close()


def _iri(graph: str | Node) -> ox.NamedNode:
    try:
        return ox.NamedNode(str(graph))
    except ValueError as err:
        raise InputError(f"{graph!r} is not an IRI: {err}", parameter="graph") from err
