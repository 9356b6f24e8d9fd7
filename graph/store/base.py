"""What every kind of fact store is: the :class:`FactStore` interface, RDF formats, quads and terms.

Queries go to Oxigraph as *strings* so Oxigraph's engine runs them (a prepared rdflib ``Query``
would make rdflib fall back to its own, much slower evaluator). Results come back as pyoxigraph
objects, which the HTTP layer serializes natively.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol, Union

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.term import Identifier, Node

from conflictkg.graph.errors import (
    InputError,
    ParseError,
    StoreError,
    UnsupportedFormat,
)
from conflictkg.graph.store.frames import Rows
from conflictkg.graph.store.parsing import UploadLimits, check_literal, check_rdfxml

__all__ = [
    "MEMORY",
    "REMOTE_SCHEMES",
    "FactStore",
    "StoreListener",
    "graphs_of",
    "QueryResult",
    "Row",
    "insert_data",
    "read_quads",
    "format_for_path",
    "to_ox",
    "from_ox",
]

#: The store spec that means "in memory, gone when closed".
MEMORY = ":memory:"

#: Store specs starting with one of these name a SPARQL 1.1 server (Oxigraph's layout).
REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")

QueryResult = Union[ox.QuerySolutions, ox.QueryBoolean, ox.QueryTriples]

# File endings Oxigraph parses, beyond RdfFormat.from_extension's own list.
_EXTRA_EXTENSIONS = {
    "json": ox.RdfFormat.JSON_LD,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
}

_FORMAT_NAMES = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "n-quads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}


def format_for_path(path: str | os.PathLike[str], fmt: str | None = None) -> ox.RdfFormat:
    """The Oxigraph RDF format of a file, from ``fmt`` if given, else from its ending.

    Raises
    ------
    UnsupportedFormat
        If ``fmt`` is not a format name Oxigraph parses, or the ending is unknown.
    """
    if fmt is not None:
        try:
            return _FORMAT_NAMES[fmt.lower()]
        except KeyError:
            raise UnsupportedFormat(
                f"unknown RDF format {fmt!r}; use one of {', '.join(sorted(_FORMAT_NAMES))}", parameter="format"
            ) from None
    ext = Path(path).suffix.lstrip(".").lower()
    found = ox.RdfFormat.from_extension(ext) if ext else None
    found = found or _EXTRA_EXTENSIONS.get(ext)
    if found is None:
        raise UnsupportedFormat(
            f"{path}: cannot tell the RDF format from the ending {('.' + ext) if ext else '(none)'}; "
            "use .ttl, .trig, .nt, .nq, .jsonld, .rdf or .owl, or name the format",
            file=str(path),
        )
    return found


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    from oxrdflib._converter import to_ox as _to_ox

    return _to_ox(term)


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Identifier | None:
    """A pyoxigraph term as an rdflib term (``None`` stays ``None``)."""
    from oxrdflib._converter import from_ox as _from_ox

    return None if term is None else _from_ox(term)


class Row(Mapping[str, Union[Identifier, None]]):
    """One row of :meth:`FactStore.select`: variable name → rdflib term (``None`` where unbound).

    A read-only mapping over the pyoxigraph solution; each term becomes an
    rdflib term when first read, and the rows of one result share their
    terms (an actor in 5,000 rows is one ``URIRef``; rdflib terms are
    immutable). Building rdflib terms (``Literal`` parses its value into a
    Python object) cost twice the query itself on a 55k-row select
    (``bench/large_select.py``), so rows that are counted, filtered or read
    in part never pay for the terms they do not use. Equal to the plain
    ``dict`` of its terms.
    """

    __slots__ = ("_solution", "_result", "_terms")

    def __init__(self, solution: ox.QuerySolution, result: _Columns) -> None:
        self._solution = solution
        self._result = result
        self._terms: dict[str, Identifier | None] | None = None

    def __getitem__(self, name: str) -> Identifier | None:
        terms = self._terms
        if terms is None:
            terms = self._terms = {}
        elif name in terms:
            return terms[name]
        index = self._result.index.get(name)
        if index is None:
            raise KeyError(name)
        value = self._solution[index]
        if value is None:
            term = None
        else:
            known = self._result.known
            term = known.get(value)
            if term is None:
                term = known[value] = from_ox(value)
        terms[name] = term
        return term

    def __iter__(self) -> Iterator[str]:
        return iter(self._result.index)

    def __len__(self) -> int:
        return len(self._result.index)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self) -> tuple[object, tuple[dict[str, Identifier | None]]]:
        return dict, (dict(self),)


class _Columns:
    """What the rows of one result share: the column of each variable, the rdflib terms made so far."""

    __slots__ = ("index", "known")

    def __init__(self, variables: Sequence[ox.Variable]) -> None:
        self.index = {v.value: i for i, v in enumerate(variables)}
        self.known: dict[object, Identifier] = {}


def _as_graph_list(graphs: Sequence[str | Node] | None) -> list[ox.NamedNode] | None:
    if graphs is None:
        return None
    return [ox.NamedNode(str(g)) for g in graphs]


def _parse_error(err: SyntaxError, file: str | None) -> ParseError:
    # pyoxigraph puts (file, line, column, …, end line, end column) in args[1].
    msg = err.args[0] if err.args else str(err)
    line, column = err.lineno, err.offset
    return ParseError(str(msg), file=file, line=line, column=column)


def read_quads(
    paths: Sequence[str | os.PathLike[str]],
    *,
    fmt: str | None = None,
    graph: str | None = None,
    base_iri: str | None = None,
    limits: UploadLimits = UploadLimits(),
) -> list[ox.Quad]:
    """Parse RDF files completely with Oxigraph's parsers, before anything is written.

    Every kind of store stages a load through this function, so a bad file
    is refused with the same message whatever the store is. RDF/XML entity
    declarations that could expand the file (a "billion laughs") and literals
    past ``limits.max_literal_bytes`` are refused
    (:mod:`conflictkg.graph.store.parsing`).

    Parameters
    ----------
    paths, fmt, graph, base_iri
        As in :meth:`FactStore.load`.
    limits : UploadLimits
        The literal and entity-expansion caps.

    Returns
    -------
    list of pyoxigraph.Quad
        The quads of all files, in file order.

    Raises
    ------
    InputError, UnsupportedFormat, ParseError
        As in :meth:`FactStore.load`.
    """
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    staged: list[ox.Quad] = []
    for raw in paths:
        path = Path(raw)
        rdf_format = format_for_path(path, fmt)
        if not path.is_file():
            raise InputError(f"{path}: no such file", file=str(path))
        try:
            if rdf_format == ox.RdfFormat.RDF_XML:
                check_rdfxml(path.read_bytes(), limits, file=str(path))
            for quad in ox.parse(
                path=str(path),
                format=rdf_format,
                base_iri=base_iri or path.resolve().as_uri(),
            ):
                check_literal(quad, limits, file=str(path))
                if isinstance(quad.graph_name, ox.DefaultGraph) and graph:
                    quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
                staged.append(quad)
        except SyntaxError as err:
            raise _parse_error(err, str(path)) from err
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"{path}: cannot read: {err}", file=str(path)) from err
    return staged


def insert_data(quads: Iterable[ox.Quad]) -> str:
    """A SPARQL update adding these quads, grouped by graph, as one operation.

    Terms are written in their N-Triples form by pyoxigraph, so every value is
    escaped as an RDF term; nothing is spliced as text. Quads with blank nodes
    become ``INSERT { … } WHERE {}`` (one solution: each blank node is one new
    node), since some servers (Virtuoso) refuse blank nodes in ``INSERT DATA``.
    """
    by_graph: dict[str, list[str]] = {}
    blank = False
    for q in quads:
        blank = blank or isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for g, triples in by_graph.items():
        body = "\n".join(triples)
        parts.append(f"GRAPH {g} {{\n{body}\n}}" if g else body)
    body = "{\n" + "\n".join(parts) + "\n}"
    return f"INSERT {body} WHERE {{}}" if blank else f"INSERT DATA {body}"


class StoreListener(Protocol):
    """What :meth:`FactStore.watch` tells of writes (see there)."""

    def changed(self, graphs: set[str] | None, update: str | None) -> None: ...

    def flushed(self) -> None: ...


def graphs_of(quads: Iterable[ox.Quad], seen: set[str]) -> Iterator[ox.Quad]:
    """Pass the quads through, adding each one's graph to ``seen`` (``""``: the default graph)."""
    for q in quads:
        g = q.graph_name
        seen.add("" if isinstance(g, ox.DefaultGraph) else g.value)  # type: ignore[union-attr]
        yield q


class FactStore(ABC):
    """What a conflictkg store is, whatever holds the data.

    Implemented by :class:`Store` (embedded Oxigraph, on disk or in memory)
    and :class:`~conflictkg.graph.store.remote.RemoteStore` (any SPARQL 1.1 server).
    Results are pyoxigraph objects for every kind, so callers never ask which
    kind they hold. Every write is all or nothing.
    """

    #: The folder of an on-disk store; ``None`` for the other kinds.
    path: Path | None = None

    # -- who is told of writes --------------------------------------------------

    @property
    def generation(self) -> int:
        """How many writes this object has made (caches of derived data compare it)."""
        return getattr(self, "_generation", 0)

    def watch(self, listener: StoreListener) -> None:
        """Tell ``listener`` of every write made through this object, and of every flush.

        Derived data kept beside the store (the search index) stays in step
        this way: a write calls ``listener.changed(graphs, update)`` (the named
        graphs it touched, ``""`` the default graph, ``None`` unknown; the
        update's text for a SPARQL update) and :meth:`flush` calls
        ``listener.flushed()``.
        """
        self.__dict__.setdefault("_listeners", []).append(listener)

    @property
    def listeners(self) -> tuple[StoreListener, ...]:
        """What :meth:`watch` was given."""
        return tuple(self.__dict__.get("_listeners", ()))

    def changed(self, graphs: Iterable[str] | None = None, *, update: str | None = None) -> None:
        """Record a write (the store kinds call it after every successful write)."""
        self._generation = self.generation + 1
        for listener in self.__dict__.get("_listeners", ()):
            listener.changed(None if graphs is None else set(graphs), update)

    def flushed(self) -> None:
        """Tell the listeners a burst of writes is complete (the store kinds call it from :meth:`flush`)."""
        for listener in self.__dict__.get("_listeners", ()):
            listener.flushed()

    @property
    @abstractmethod
    def kind(self) -> str:
        """``"memory"``, ``"disk"`` or ``"remote"``."""

    @property
    @abstractmethod
    def dataset(self) -> Dataset:
        """An rdflib ``Dataset`` view of the same data (no copy)."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Node] | None = None,
        default_graph: Sequence[str | Node] | None = None,
        named_graphs: Sequence[str | Node] | None = None,
        union_default_graph: bool = False,
        prefixes: bool = True,
        raw: bool = False,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query and return its pyoxigraph result.

        Unless the query names its dataset (``FROM``, ``default_graph``,
        ``named_graphs``, ``union_default_graph``) or ``raw`` is true, its
        default graph is the analyst's: :meth:`default_graphs`
        (:mod:`conflictkg.graph.store.datasets`). ``raw`` gives the stored
        dataset as it is (its own default graph, every named graph).
        ``base_iri`` is the base of relative IRIs.
        """

    @abstractmethod
    def default_graphs(self) -> tuple[str, ...]:
        """The named graphs whose union is a query's default graph (see :mod:`~conflictkg.graph.store.datasets`).

        Computed once per state of the store and refreshed after its writes.
        """

    def select(self, sparql: str, **kwargs: object) -> Rows:
        """Run a SELECT query and return its rows, mappings of variable name to rdflib term.

        For analysis code and tests; the HTTP layer serializes :meth:`query`
        results natively instead. Every row is read before this returns; each
        term becomes an rdflib term only when read (see :class:`Row`). The
        rows are a list that also knows its columns and turns into a
        DataFrame: ``store.select(q).to_pandas()``
        (:class:`~conflictkg.graph.store.frames.Rows`).
        """
        result = self.query(sparql, **kwargs)  # type: ignore[arg-type]
        if not isinstance(result, ox.QuerySolutions):
            raise InputError("select() needs a SELECT query", parameter="query")
        columns = _Columns(result.variables)
        return Rows((Row(solution, columns) for solution in result), list(columns.index))

    def ask(self, sparql: str, **kwargs: object) -> bool:
        """Run an ASK query and return its boolean."""
        result = self.query(sparql, **kwargs)  # type: ignore[arg-type]
        if not isinstance(result, ox.QueryBoolean):
            raise InputError("ask() needs an ASK query", parameter="query")
        return bool(result)

    def refresh(self) -> None:
        """Recompute :meth:`default_graphs` on the next query (after writes that bypassed this object)."""

    @abstractmethod
    def count(self, graph: str | Node | None = None) -> int:
        """The number of quads in the store, or of triples in one named graph."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs in the store, sorted."""

    @abstractmethod
    def quads(self) -> Iterator[ox.Quad]:
        """Every quad in the store, streamed."""

    @abstractmethod
    def update(self, sparql_update: str, *, prefixes: bool = True, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update atomically (``base_iri``: the base of relative IRIs)."""

    @abstractmethod
    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction: all of them or, on error, none."""

    def load(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        fmt: str | None = None,
        graph: str | None = None,
        base_iri: str | None = None,
        limits: UploadLimits = UploadLimits(),
    ) -> int:
        """Load RDF files, all or nothing, with Oxigraph's parsers.

        Every file is parsed completely before anything is written, and the
        quads of all files are added in one transaction, so a syntax error in
        the last file leaves the store exactly as it was.

        Parameters
        ----------
        paths : sequence of paths
            Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML files.
        fmt : str, optional
            The format of every file; by default each file's ending decides.
        graph : str, optional
            The named graph that receives the triples of triple-only formats
            (and the default-graph triples of quad formats). By default they
            go to the default graph.
        base_iri : str, optional
            Base IRI for relative IRIs; by default the file's own ``file:`` IRI.
        limits : UploadLimits
            The literal and RDF/XML entity-expansion caps.

        Returns
        -------
        int
            The number of quads read (duplicates of stored quads included).

        Raises
        ------
        InputError
            A file is missing or unreadable.
        UnsupportedFormat
            A file's format cannot be told or is not RDF.
        ParseError
            A file has a syntax error (the message names file, line and
            column), an RDF/XML entity declaration that could expand it, or a
            literal past the cap.
        StoreError
            The store refused the write; nothing was written.
        """
        staged = read_quads(paths, fmt=fmt, graph=graph, base_iri=base_iri, limits=limits)
        self.extend(staged)
        return len(staged)

    @abstractmethod
    def replace_all(self, quads: Iterable[ox.Quad]) -> None:
        """Replace everything in the store by these quads, in one transaction."""

    @abstractmethod
    def clear_graph(self, graph: str | Node) -> None:
        """Remove one named graph and its triples."""

    @abstractmethod
    def flush(self) -> None:
        """Make sure everything written is durable."""

    def optimize(self) -> None:
        """Compact the store's indexes, so queries read fewer files.

        Raises
        ------
        StoreError
            The store is not embedded: a server compacts its own storage.
        """
        raise StoreError(f"{self!r} is not an embedded store: compacting it is the server's business")

    @abstractmethod
    def close(self) -> None:
        """Release the store."""

    def __enter__(self) -> FactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
