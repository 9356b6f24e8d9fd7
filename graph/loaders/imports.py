"""Imports of tabular event files: one named graph per import, with provenance, all or nothing.

Every importer (ACLED, UCDP GED) is a *converter* that turns one CSV row into
N-Triples text; this module does the rest, the same way for every format:

1. **Read and convert, streaming.** Rows are read one at a time, checked and
   converted; the N-Triples go to temporary chunk files on disk, never to a
   list in memory. A bad row stops the import with file, line, row, column
   and value (:class:`BadRow`), or, with ``skip_bad_rows``, goes to a reject
   file with its reason. Either way the store ends as it was: on the embedded
   store the chunks already read are loading meanwhile (step 2, in a
   thread), and a bad row undoes them before the error is raised.
2. **Load, recoverably.** The import's metadata goes into the default graph
   with ``ck:importStatus ck:ImportPending`` before the first chunk; the
   chunks are bulk-loaded into
   the import's own named graph (``g:import/<format>/<id>``); older versions
   of the same events are removed from earlier imports of the format
   (status ``ck:ImportSuperseding``); then the status becomes
   ``ck:ImportComplete``. A crash (even SIGKILL) at any point leaves a
   status that :func:`recover_imports` finishes: a pending import is dropped,
   a superseding one is completed. Importers call it before they start.

A single pyoxigraph transaction over millions of quads would hold them all in
memory, and chunked transactional writes would leave half an import after a
crash; the pending/complete status makes chunked bulk loading all or nothing.

What readers see depends on the store:

- **Embedded, on disk**: RocksDB lets one process open the folder, so while
  ``conflictkg import`` runs every other process (``conflictkg query``,
  ``serve``) is refused with an error naming the store's lock: it never sees
  half an import. A reader *in the importing process* (library code sharing
  the :class:`Store` across threads) is not isolated: it sees the pending
  metadata, then the new graph beside the old versions, then the old
  versions going batch by batch. Isolating it would need the whole import
  (and every deletion it causes) in one RocksDB transaction, held in memory
  (gigabytes at a million rows), which is what bulk loading avoids.
- **SPARQL server with Oxigraph's layout** (``sparql+http://…``): steps 2–3
  are *one streamed update* (supersede ``DELETE``, ``INSERT DATA`` read from
  the chunk files, the metadata as ``ck:ImportComplete``): one server
  transaction, so every client sees the import whole or not at all, and a
  client killed mid-request leaves nothing to recover (the server refuses a
  truncated request). The server holds that transaction in memory.
- **Other SPARQL servers**: the chunks go to hidden staging graphs
  (:data:`~conflictkg.graph.store.remote.STAGING_PREFIX`, skipped by conflictkg's
  own reads; the metadata waits in a staging graph as ``ck:ImportPending``)
  and one update publishes them (``ADD``, supersede, metadata). A raw
  ``GRAPH ?g`` query by another client sees the staging graphs; Virtuoso
  commits the operations of one update one by one.

Metadata of an import (default graph, about the graph IRI)::

    g:import/acled/… a ck:FactGraph ; ck:importFormat "acled" ;
        ck:importStatus ck:ImportComplete ; prov:wasDerivedFrom <id/source/file/sha256-…> ;
        prov:generatedAtTime "…"^^xsd:dateTime ; ck:importerVersion "…" ;
        ck:rowCount 1000 ; ck:rejectedRowCount 0 ; ck:tripleCount 18000 ; ck:reportedOn "…"^^xsd:date .
    <id/source/file/sha256-…> a ck:SourceDocument ; rdfs:label "export.csv" ;
        ck:fileName "export.csv" ; ck:checksum "sha256:…" ; dcterms:publisher "ACLED" .
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Protocol, TextIO

import pyoxigraph as ox

from conflictkg.graph.errors import InputError, ParseError, QuerySyntaxError, StoreError, UnknownEntity
from conflictkg.graph.store.remote import STAGING_PREFIX, RemoteStore
from conflictkg.graph.store import FactStore, Store, insert_data
from conflictkg.ontology.vocab import BASE, CK, GRAPH, ID

__all__ = [
    "BadRow",
    "Converter",
    "IMPORTER_VERSION",
    "ImportReport",
    "RejectWriter",
    "RowError",
    "bulk_load_file",
    "delete_events",
    "delete_events_update",
    "drop_import",
    "import_file",
    "list_imports",
    "nt_iri",
    "nt_literal",
    "recover_imports",
]

#: Written into every import's metadata; bump when the produced triples change.
IMPORTER_VERSION = "conflictkg-importer/1"

#: Triples per bulk load on the embedded store. pyoxigraph's ``bulk_load`` encodes
#: a file of up to a million triples on one thread, so chunks are loaded
#: :data:`LOAD_THREADS` at a time; a bulk load's memory grows with its chunk,
#: so the chunks are small enough for both to fit where one 1M-triple load did
#: (measured on 1.87M triples: 2 x 500k in 19.6 s and 0.9 GB, against 35.4 s for
#: 1M-triple loads one by one, and 23.0 s and 1.5 GB for one load of it all).
CHUNK_TRIPLES = 500_000
#: Chunks bulk-loaded at once into the embedded store (see :data:`CHUNK_TRIPLES`).
LOAD_THREADS = 2
#: Triples per load for stores that are not embedded (their ``load`` parses a chunk in memory).
REMOTE_CHUNK_TRIPLES = 200_000

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"

PENDING, SUPERSEDING, DROPPING, COMPLETE = (
    CK.ImportPending, CK.ImportSuperseding, CK.ImportDropping, CK.ImportComplete
)

Progress = Callable[[str, int, int, int], None]
"""``progress(stage, done, total, rows)``: stage ``"read"`` counts bytes, ``"load"`` triples."""


# -- errors -----------------------------------------------------------------


class RowError(Exception):
    """A converter's complaint about one field of one row (turned into :class:`BadRow`)."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


class BadRow(ParseError):
    """A row of an import file is wrong; the store is unchanged.

    ``details`` carries ``file``, ``line`` (physical line), ``row`` (data row,
    1 = the first row after the header), ``field`` (column name) and ``value``.
    """

    code = "bad_row"

    def __init__(self, file: str, line: int, row: int, field: str, value: object, reason: str) -> None:
        shown = value if isinstance(value, str) else repr(value)
        super().__init__(
            f"row {row}, column {field} = {shown!r}: {reason}",
            file=file,
            line=line,
            row=row,
            field=field,
            value=None if value is None else str(value),
        )
        self.row, self.field, self.value, self.reason = row, field, value, reason


# -- N-Triples text -----------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt_literal(text: str, datatype: str | None = None) -> str:
    """An N-Triples literal, escaped (``datatype`` is a full IRI)."""
    body = text.translate(_ESCAPES)
    return f'"{body}"^^<{datatype}>' if datatype else f'"{body}"'


def nt_iri(iri: str) -> str:
    """An N-Triples IRI reference (the IRI must already be valid)."""
    return f"<{iri}>"


# -- converters ----------------------------------------------------------------


class Converter(Protocol):
    """What an importer provides: how one row becomes N-Triples."""

    #: Short name: ``"acled"``, ``"ucdp"``.
    format: str
    #: Who publishes the files (``dcterms:publisher`` of the source).
    publisher: str
    #: IRI prefix of the events, e.g. ``…/id/event/acled/``.
    event_prefix: str
    #: Names never seen in the alias table, with how many rows used them.
    unknown_actors: dict[str, int]
    #: The newest version date seen (the export's "as of"), if the format has one.
    latest: date | None

    def check_header(self, header: list[str]) -> None:
        """Raise :class:`RowError` (field ``header``) if the columns are not the expected ones."""

    def convert(self, row: list[str]) -> tuple[str, int, str]:
        """N-Triples text, its triple count, and the event IRI, or raise :class:`RowError`.

        Must raise before changing any state of its own, so a rejected row
        leaves no trace.
        """


# -- reports -----------------------------------------------------------------


@dataclass
class ImportReport:
    """What one import did."""

    file: str
    format: str
    graph: str
    checksum: str
    rows: int = 0
    rejected: int = 0
    triples: int = 0
    superseded: int = 0
    unknown_actors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    already_imported: bool = False

    @property
    def import_id(self) -> str:
        """The short name of the import (the graph IRI after ``g:import/``)."""
        return self.graph.removeprefix(str(GRAPH) + "import/")


class RejectWriter:
    """A CSV of rejected rows: ``file, row, line, field, value, reason, record``.

    ``record`` is the rejected row itself, re-written as one CSV line, so the
    file can hold rows of several formats. Bytes that were not UTF-8 are
    written back as they were.
    """

    HEADER = ["file", "row", "line", "field", "value", "reason", "record"]

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._f: TextIO = self.path.open("w", encoding="utf-8", errors="surrogateescape", newline="")
        self._w = csv.writer(self._f)
        self._w.writerow(self.HEADER)
        self.count = 0

    def write(self, file: str, row: int, line: int, err: RowError, record: list[str]) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(record)
        self._w.writerow([file, row, line, err.field, "" if err.value is None else err.value, err.reason, buf.getvalue()])
        self.count += 1

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> RejectWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the store side ------------------------------------------------------------


def bulk_load_file(store: FactStore, path: str | os.PathLike[str], graph: str) -> None:
    """Load an N-Triples file into one named graph, fast and without a transaction.

    Not atomic on its own: callers make it so with the import status.

    FAST PATH: on the embedded :class:`Store` this is pyoxigraph's
    ``bulk_load`` (writes index files directly; its memory grows with the
    file up to about 2 GB, 0.9 GB for two 500k-triple loads at once). Any other store
    gets the public
    :meth:`FactStore.load` (a remote server: Graph Store Protocol), which is
    why the chunk files stay small.
    """
    if isinstance(store, Store):
        try:
            store.ox.bulk_load(
                path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph), lenient=True
            )
            # No compaction between chunks: RocksDB's own background compaction keeps
            # later loads from slowing down (measured, 19 1M-triple chunks of a 1M-row
            # ACLED file: 4-17 s each, no trend), while a full optimize() after each
            # chunk made the import quadratic (510 s against 285 s at 1M rows). One
            # optimize() at the end is left to `conflictkg optimize`: on a 1M-row store
            # it took 88 s (the import 356 s) and a 2-hop join went from 26.5 s to 17 s.
        except SyntaxError as err:  # our own output: a bug, not bad input
            raise StoreError(f"internal error: generated N-Triples do not parse: {err}") from err
        except OSError as err:
            raise StoreError(f"bulk load into the store failed: {err}") from err
    else:
        store.load([path], fmt="nt", graph=graph)


def _term(value: object) -> str:
    """A SPARQL term for a VALUES clause, written by pyoxigraph (never spliced text)."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return str(value)
    return str(ox.NamedNode(str(value)))


def _values(var: str, terms: Iterable[object]) -> str:
    return f"VALUES ?{var} {{ {' '.join(_term(t) for t in terms)} }}"


def _set_status(store: FactStore, graph: str, status: object) -> None:
    store.update(
        f"DELETE {{ ?g ck:importStatus ?old }} INSERT {{ ?g ck:importStatus ?new }} "
        f"WHERE {{ {_values('g', [graph])} {_values('new', [status])} OPTIONAL {{ ?g ck:importStatus ?old }} }}"
    )


def _delete_graph_in_chunks(store: FactStore, graph: str, chunk: int = 200_000) -> None:
    # One transaction per chunk: memory stays bounded; the caller's status
    # (ck:ImportPending / ck:ImportDropping) makes a crash here recoverable.
    values = _values("g", [graph])
    while store.ask(f"ASK {{ {values} GRAPH ?g {{ ?s ?p ?o }} }}"):
        store.update(
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?g ?s ?p ?o WHERE "
            f"{{ {values} GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {chunk} }} }}"
        )
    # Now empty, but Oxigraph still lists it as a named graph until dropped.
    store.update(f"DROP SILENT GRAPH {_term(graph)}")


def _delete_metadata(store: FactStore, graph: str) -> None:
    # The source file's description goes too, unless another import came from the same file.
    g = _values("g", [graph])
    store.update(
        f"DELETE {{ ?src ?p ?o }} WHERE {{ {g} ?g prov:wasDerivedFrom ?src . ?src ?p ?o "
        "FILTER NOT EXISTS { ?other prov:wasDerivedFrom ?src FILTER(?other != ?g) } } ;\n"
        f"DELETE {{ ?g ?p ?o }} WHERE {{ {g} ?g ?p ?o }}"
    )


def _subjects_in_graphs(values: str, fmt: str, keep_graph: str | None, *, lateral: bool) -> str:
    """The pattern ``?g ?s ?p ?o``: every triple of the subjects in ``values`` in the format's import graphs.

    With ``lateral`` (Oxigraph's SPARQL 1.2 ``LATERAL``) each subject is looked
    up by index; the plain SPARQL 1.1 join is evaluated by Oxigraph as one
    scan of the store per subject (measured: 13 s for 2,000 events in a
    140k-triple store, against 0.03 s with ``LATERAL``).
    """
    keep = f"FILTER(?g != {_term(keep_graph)})" if keep_graph else ""
    fmt_values = _values("fmt", [ox.Literal(fmt)])
    if lateral:
        return f"{values} LATERAL {{ GRAPH ?g {{ ?s ?p ?o }} }} {fmt_values} ?g ck:importFormat ?fmt {keep}"
    return f"{values} {fmt_values} ?g ck:importFormat ?fmt {keep} GRAPH ?g {{ ?s ?p ?o }}"


def _lateral_or_plain(run: Callable[[bool], object]) -> object:
    # Servers without LATERAL (Virtuoso, Fuseki) refuse it as a syntax error,
    # which changes nothing; they get the plain SPARQL 1.1 form.
    try:
        return run(True)
    except QuerySyntaxError:
        return run(False)


def delete_events_update(event_iris: list[str], fmt: str, *, keep_graph: str | None = None, lateral: bool = True) -> str:
    """The SPARQL update that :func:`delete_events` runs (for callers that batch it with others)."""
    subjects = [iri for e in event_iris for iri in (e, e + "/fatalities")]
    where = _subjects_in_graphs(_values("s", subjects), fmt, keep_graph, lateral=lateral)
    return f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {where} }}"


def delete_events(store: FactStore, event_iris: list[str], fmt: str, *, keep_graph: str | None = None) -> int:
    """Remove events (and their ``…/fatalities`` quantities) from every import graph of a format.

    Graphs that are not imports of ``fmt`` (curated seed graphs, say) keep
    what they say about the events. Runs as one update: all or nothing.

    Returns
    -------
    int
        How many of the events were found.
    """
    if not event_iris:
        return 0

    def count(lateral: bool) -> int:
        where = _subjects_in_graphs(_values("s", event_iris), fmt, keep_graph, lateral=lateral)
        found = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}")
        return int(next(iter(found))["n"].value)  # type: ignore[index, union-attr]

    n = int(_lateral_or_plain(count))  # type: ignore[call-overload]
    if n:
        _lateral_or_plain(
            lambda lateral: store.update(delete_events_update(event_iris, fmt, keep_graph=keep_graph, lateral=lateral))
        )
    return n


def _others_of_format(store: FactStore, graph: str, fmt: str) -> bool:
    return store.ask(
        f"ASK {{ {_values('fmt', [ox.Literal(fmt)])} {_values('new', [graph])} "
        "?g ck:importFormat ?fmt FILTER(?g != ?new) }"
    )


def _supersede(store: FactStore, graph: str, fmt: str, events: Path | None, batch: int = 2000) -> int:
    """Remove older versions of this import's events from the format's other imports."""
    if not _others_of_format(store, graph, fmt):
        return 0
    if events is None:  # recovery after a crash: the event list comes from the store
        fd, name = tempfile.mkstemp(suffix=".events")
        events = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for row in store.query(
                f"SELECT ?e WHERE {{ {_values('g', [graph])} GRAPH ?g {{ ?e <{_DCT}identifier> ?id }} }}"
            ):
                f.write(row["e"].value + "\n")  # type: ignore[index, union-attr]
        cleanup = True
    else:
        cleanup = False
    superseded = 0
    try:
        with events.open(encoding="utf-8") as f:
            while True:
                chunk = [line.rstrip("\n") for _, line in zip(range(batch), f)]
                if not chunk:
                    break
                superseded += delete_events(store, chunk, fmt, keep_graph=graph)
    finally:
        if cleanup:
            events.unlink(missing_ok=True)
    return superseded


_STAGED_IMPORTS = STAGING_PREFIX + "import:"


def _meta_staging(graph: str) -> str:
    """Where a staged import's metadata waits (with ``ck:ImportPending``) until it is published."""
    return f"{_STAGED_IMPORTS}{graph.removeprefix(str(GRAPH) + 'import/')}:meta"


def _data_staging(meta_staging: str) -> str:
    return meta_staging.removesuffix(":meta")


def _staged_events(data: str, fmt: str, graph: str, *, lateral: bool) -> str:
    """The pattern ``?s ?g ?p ?o``: triples of the staged events (and their fatalities) in the format's other imports."""
    subjects = (
        f"{{ SELECT DISTINCT ?s WHERE {{ GRAPH {_term(data)} {{ ?e <{_DCT}identifier> ?id }} "
        'VALUES ?suffix { "" "/fatalities" } BIND(IRI(CONCAT(STR(?e), ?suffix)) AS ?s) } }'
    )
    return _subjects_in_graphs(subjects, fmt, graph, lateral=lateral)


def _publish(store: FactStore, report: ImportReport, meta: str, metadata: list[ox.Quad]) -> int:
    """Make a staged import visible with one update: readers see all of it (and its supersedes) or none.

    One SPARQL update request is one transaction on the server (Oxigraph;
    not Virtuoso, which commits operation by operation). Returns how many
    earlier versions of events it replaced.
    """
    data, graph = _data_staging(meta), report.graph

    def count(lateral: bool) -> int:
        found = store.query(
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_staged_events(data, report.format, graph, lateral=lateral)} "
            f"FILTER(!STRENDS(STR(?s), \"/fatalities\")) }}"
        )
        return int(next(iter(found))["n"].value)  # type: ignore[index, union-attr]

    superseded = int(_lateral_or_plain(count))  # type: ignore[call-overload]
    complete = [
        ox.Quad(q.subject, q.predicate, ox.NamedNode(str(COMPLETE)), q.graph_name)
        if q.predicate.value == str(CK.importStatus) else q
        for q in metadata
    ]

    def publish(lateral: bool) -> None:
        supersede = (
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {_staged_events(data, report.format, graph, lateral=lateral)} }} ;\n"
            if superseded else ""
        )
        store.update(
            f"{supersede}ADD SILENT {_term(data)} TO {_term(graph)} ;\n"
            f"DROP SILENT GRAPH {_term(meta)} ;\n{insert_data(complete)}"
        )

    _lateral_or_plain(publish)
    # Outside the publishing transaction: dropping the staged copy in it doubled
    # its time (measured on oxigraph serve: ADD 4.5 s + DROP 6 s for 200k
    # triples as two updates, 20 s as one). Readers never see staging graphs;
    # a crash before this line leaves one that recover_imports drops.
    store.update(f"DROP SILENT GRAPH {_term(data)}")
    return superseded


def _count_superseded(store: FactStore, events: Path, fmt: str, graph: str, batch: int = 2000) -> int:
    """How many of the events listed in a file are in the format's other imports (read only)."""
    found = 0
    with events.open(encoding="utf-8") as f:
        while chunk := [line.rstrip("\n") for _, line in zip(range(batch), f)]:

            def count(lateral: bool, chunk: list[str] = chunk) -> int:
                where = _subjects_in_graphs(_values("s", chunk), fmt, graph, lateral=lateral)
                rows = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}")
                return int(next(iter(rows))["n"].value)  # type: ignore[index, union-attr]

            found += int(_lateral_or_plain(count))  # type: ignore[call-overload]
    return found


def _streams_updates(store: FactStore) -> bool:
    # Oxigraph's layout (sparql+http://…): the server takes one large streamed update.
    return isinstance(store, RemoteStore) and store.dataset_post


def _import_in_one_update(
    store: RemoteStore, report: ImportReport, files: list[Path], metadata: list[ox.Quad], events: Path,
    progress: Progress | None,
) -> int:
    """Send the whole import, its supersedes and its metadata as one streamed update (one server transaction).

    Readers (other clients of the server) see all of the import or none of
    it; a client killed mid-request leaves a truncated request that the
    server refuses, so nothing needs recovering. Measured on oxigraph serve,
    400k triples: 8.8 s, against 10.9 s for one Graph Store POST of the same
    N-Triples and 43 s for staging graphs published with ``ADD``; an import
    of 20k rows replacing 10k earlier events: 19 s, against 23 s for the
    earlier, non-atomic way (metadata, Graph Store POST, supersede in batches).
    """
    graph = report.graph
    superseded = _count_superseded(store, events, report.format, graph) if _others_of_format(store, graph, report.format) else 0
    complete = [
        ox.Quad(q.subject, q.predicate, ox.NamedNode(str(COMPLETE)), q.graph_name)
        if q.predicate.value == str(CK.importStatus) else q
        for q in metadata
    ]
    size = sum(f.stat().st_size for f in files) or 1

    def parts(lateral: bool) -> Iterator[bytes]:
        sent = 0
        if superseded:
            # First, while the store holds only the old versions (measured: 3x faster
            # than finding them from the newly inserted graph later in the request).
            yield b"DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { VALUES ?s {\n"
            with events.open(encoding="utf-8") as f:
                for line in f:
                    event = line.rstrip("\n")
                    yield f"{_term(event)} {_term(event + '/fatalities')}\n".encode()
            yield b"} "
            where = _subjects_in_graphs("", report.format, graph, lateral=lateral)
            yield f"{where} }} ;\n".encode()
        yield f"INSERT DATA {{ GRAPH {_term(graph)} {{\n".encode()
        for chunk in files:
            with chunk.open("rb") as f:
                while block := f.read(1 << 20):
                    yield block
                    sent += len(block)
                    if progress is not None:
                        progress("load", report.triples * sent // size, report.triples, report.rows)
        yield b"} } ;\n"
        yield insert_data(complete).encode()

    _lateral_or_plain(lambda lateral: store.update_stream(parts(lateral)))
    return superseded


def recover_imports(store: FactStore) -> list[tuple[str, str]]:
    """Finish what a crashed import or drop left: drop pending imports, complete superseding ones.

    Staging graphs a crashed import left on a SPARQL server are dropped too.

    Every import calls this first. Call it after opening a store a crash may
    have left behind (``conflictkg import recover`` does). Meant for one
    writer at a time: on a shared remote store it would also "recover" an
    import another process is running.

    Returns
    -------
    list of (graph IRI, action)
        ``"dropped"`` or ``"completed"`` for each import found unfinished.
    """
    done = []
    for row in store.select(
        f"SELECT DISTINCT ?m ?g WHERE {{ GRAPH ?m {{ ?g ck:importStatus ?status }} "
        f"FILTER(STRSTARTS(STR(?m), {ox.Literal(STAGING_PREFIX)})) }}"
    ):
        # A staged import that was never published: nothing of it is visible; drop the staging.
        meta = str(row["m"])
        store.update(f"DROP SILENT GRAPH {_term(meta)} ;\nDROP SILENT GRAPH {_term(_data_staging(meta))}")
        done.append((str(row["g"]), "dropped"))
    for row in store.select(
        f"SELECT DISTINCT ?d WHERE {{ GRAPH ?d {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?d), {ox.Literal(_STAGED_IMPORTS)})) }}"
    ):
        # The staged copy of an import that was published (its metadata staging is gone).
        store.update(f"DROP SILENT GRAPH {_term(str(row['d']))}")
    for row in store.select(
        "SELECT ?g ?status ?fmt WHERE { ?g ck:importStatus ?status ; ck:importFormat ?fmt "
        "FILTER(?status != ck:ImportComplete) }"
    ):
        g, status, fmt = str(row["g"]), row["status"], str(row["fmt"])
        if str(status) == str(SUPERSEDING):
            _supersede(store, g, fmt, None)
            _set_status(store, g, COMPLETE)
            done.append((g, "completed"))
        else:  # pending or dropping
            _set_status(store, g, DROPPING)
            _delete_graph_in_chunks(store, g)
            _delete_metadata(store, g)
            done.append((g, "dropped"))
    store.flush()
    return done


def list_imports(store: FactStore) -> list[dict[str, object]]:
    """Every import in the store, oldest first: id, graph, format, file, checksum, rows, status, time."""
    rows = store.select(
        "SELECT ?g ?fmt ?status ?file ?checksum ?rows ?rejected ?triples ?at WHERE { "
        "?g ck:importFormat ?fmt ; ck:importStatus ?status ; prov:wasDerivedFrom ?src ; "
        "prov:generatedAtTime ?at ; ck:rowCount ?rows ; ck:rejectedRowCount ?rejected ; ck:tripleCount ?triples . "
        "?src ck:fileName ?file ; ck:checksum ?checksum } ORDER BY ?at ?g"
    )
    prefix = str(GRAPH) + "import/"
    return [
        {
            "id": str(r["g"]).removeprefix(prefix),
            "graph": str(r["g"]),
            "format": str(r["fmt"]),
            "status": str(r["status"]).rsplit("#", 1)[-1].removeprefix("Import").lower(),
            "file": str(r["file"]),
            "checksum": str(r["checksum"]),
            "rows": int(r["rows"].toPython()),  # type: ignore[union-attr]
            "rejected": int(r["rejected"].toPython()),  # type: ignore[union-attr]
            "triples": int(r["triples"].toPython()),  # type: ignore[union-attr]
            "imported_at": str(r["at"]),
        }
        for r in rows
    ]


def drop_import(store: FactStore, import_id: str) -> str:
    """Remove one import: its named graph and its metadata.

    Events an import superseded in earlier imports are gone with it (a newer
    version replaced them); drop the newer import and re-import the older
    file to get them back.

    Parameters
    ----------
    import_id : str
        The id :func:`list_imports` shows (``acled/…``) or the full graph IRI.

    Returns
    -------
    str
        The IRI of the dropped graph.

    Raises
    ------
    UnknownEntity
        If no import has that id.
    """
    graph = import_id if import_id.startswith(BASE) else str(GRAPH) + "import/" + import_id
    if not store.ask(f"ASK {{ {_values('g', [graph])} ?g ck:importFormat ?fmt }}"):
        raise UnknownEntity(f"no import {import_id!r}; `conflictkg import list` shows them", parameter="import")
    _set_status(store, graph, DROPPING)
    _delete_graph_in_chunks(store, graph)
    _delete_metadata(store, graph)
    store.flush()
    return graph


# -- reading -------------------------------------------------------------------


def _checksum(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _encoding_error(row: list[str], header: list[str]) -> RowError | None:
    # Rows are decoded with surrogateescape, so a non-UTF-8 byte shows up as a
    # lone surrogate; find the first column holding one.
    for i, value in enumerate(row):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            bad = value[err.start : err.end].encode("utf-8", "surrogateescape")
            name = header[i] if i < len(header) else f"column {i + 1}"
            return RowError(name, value.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                            f"not UTF-8: byte {bad.hex(' ')} at character {err.start + 1}")
    return None


class _Chunks:
    """N-Triples text into numbered chunk files of at most ``limit`` triples.

    Each finished file goes to ``done(path, triples)`` when given (a
    :class:`_Loader`), otherwise into :attr:`files`.
    """

    def __init__(self, folder: Path, limit: int, done: Callable[[Path, int], None] | None = None) -> None:
        self.folder, self.limit, self.done = folder, limit, done
        self.files: list[Path] = []
        self.triples = 0
        self._count = 0
        self._in_chunk = 0
        self._path: Path | None = None
        self._f: TextIO | None = None

    def write(self, text: str, triples: int) -> None:
        if self._f is None or self._in_chunk >= self.limit:
            self._roll()
        assert self._f is not None
        self._f.write(text)
        self._in_chunk += triples
        self.triples += triples

    def _finish_file(self) -> None:
        if self._f is None:
            return
        self._f.close()
        self._f = None
        assert self._path is not None
        if self.done is not None:
            self.done(self._path, self._in_chunk)
        else:
            self.files.append(self._path)

    def _roll(self) -> None:
        self._finish_file()
        self._path = self.folder / f"chunk-{self._count:05d}.nt"
        self._count += 1
        self._f = self._path.open("w", encoding="utf-8", buffering=1 << 20)
        self._in_chunk = 0

    def close(self) -> None:
        self._finish_file()


class _Loader:
    """Bulk-loads finished chunk files into the embedded store in threads while later rows are converted.

    Converting rows is Python on one core; a bulk load is native code that
    releases the GIL, so they overlap instead of taking turns, and
    :data:`LOAD_THREADS` chunks load at once because one ``bulk_load`` of a
    chunk encodes it on a single thread (RocksDB takes concurrent ingests).
    The first chunk handed over writes the import's pending record before
    anything else: from then on an error or a crash is undone by
    :func:`recover_imports`. At most one chunk waits while the others load,
    so no more than ``LOAD_THREADS + 1`` chunk files are on disk at once.
    """

    def __init__(self, store: Store, graph: str, pending: list[ox.Quad]) -> None:
        self.store, self.graph, self._pending = store, graph, pending
        self.started = False
        self.loaded = 0
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[Path, int] | None] = queue.Queue(maxsize=1)
        self._threads = [
            threading.Thread(target=self._run, name=f"conflictkg-bulk-load-{i}", daemon=True)
            for i in range(LOAD_THREADS)
        ]
        self._error: BaseException | None = None
        self._cancelled = False

    def submit(self, path: Path, triples: int) -> None:
        """Queue a finished chunk; raises what an earlier load raised."""
        if not self.started:
            self.store.extend(self._pending)
            self.started = True
            for thread in self._threads:
                thread.start()
        self._raise()
        self._queue.put((path, triples))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None or self._cancelled:
                continue  # drain what was queued: the import is being undone
            path, triples = item
            try:
                bulk_load_file(self.store, path, self.graph)
                path.unlink()
                with self._lock:
                    self.loaded += triples
            except BaseException as err:  # handed to the converting thread
                with self._lock:
                    self._error = self._error or err

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _alive(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _stop(self, on_wait: Callable[[int], None] | None = None) -> None:
        for _ in self._threads:  # one end mark each: a thread takes one and stops
            self._queue.put(None)
        while True:
            for thread in self._threads:
                thread.join(0.25 / len(self._threads))
            if on_wait is not None:
                on_wait(self.loaded)
            if not self._alive():
                return

    def finish(self, on_wait: Callable[[int], None] | None = None) -> None:
        """Wait until every chunk is loaded (``on_wait(triples loaded)`` now and then); raise what a load raised."""
        if self.started:
            self._stop(on_wait)
            self._raise()

    def cancel(self) -> None:
        """Skip the chunks not yet loaded and wait for those loading (a bulk load cannot be interrupted)."""
        if self.started and self._alive():
            self._cancelled = True
            self._stop()


def _rows(path: Path) -> Iterator[tuple[int, int, list[str], int]]:
    """``(row number, line number, fields, bytes read so far)`` of a CSV, header included as row 0."""
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.reader(text, strict=True)
    n = 0
    try:
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise ParseError(f"row {n}: not valid CSV: {err}", file=str(path), line=reader.line_num) from None
            if not fields:  # blank line
                continue
            yield n, reader.line_num, fields, raw.tell() if n % 512 == 0 else -1
            n += 1
    finally:
        text.close()


def _import_graph(fmt: str, checksum: str, now: datetime) -> str:
    return f"{GRAPH}import/{fmt}/{checksum[:16]}-{now.strftime('%Y%m%dT%H%M%S%fZ')}"


def _already_imported(store: FactStore, fmt: str, checksum: str) -> str | None:
    rows = store.select(
        f"SELECT ?g WHERE {{ {_values('c', [ox.Literal('sha256:' + checksum)])} {_values('fmt', [ox.Literal(fmt)])} "
        "?g ck:importFormat ?fmt ; ck:importStatus ck:ImportComplete ; prov:wasDerivedFrom ?src . ?src ck:checksum ?c } LIMIT 1"
    )
    return str(rows[0]["g"]) if rows else None


def _ck(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(CK[name]))


def _pending_record(report: ImportReport, path: Path, publisher: str, now: datetime) -> list[ox.Quad]:
    """What is known of an import before its rows are read: enough for :func:`recover_imports` to undo it."""
    g = ox.NamedNode(report.graph)
    src = ox.NamedNode(f"{ID}source/file/sha256-{report.checksum}")
    dg = ox.DefaultGraph()
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
    dg = ox.DefaultGraph()
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


def import_file(
    store: FactStore,
    path: str | os.PathLike[str],
    converter: Converter,
    *,
    skip_bad_rows: bool = False,
    rejects: RejectWriter | None = None,
    progress: Progress | None = None,
    one_load: bool = False,
    chunk_triples: int | None = None,
    temp_dir: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Import one CSV file into its own named graph, all or nothing.

    Parameters
    ----------
    store : FactStore
        Where the facts go.
    path : path
        The CSV file.
    converter : Converter
        The format's row converter (``AcledConverter``, ``UcdpConverter``).
    skip_bad_rows : bool
        Import the good rows and send bad ones to ``rejects`` instead of stopping.
    rejects : RejectWriter, optional
        Where rejected rows go (needed with ``skip_bad_rows``).
    progress : callable, optional
        ``progress(stage, done, total, rows)``, called now and then.
    one_load : bool
        On the embedded store, one bulk load of the whole file instead of
        chunks of :data:`CHUNK_TRIPLES` loaded :data:`LOAD_THREADS` at a
        time (peak memory about 1 GB whatever the file's size). Slower, and
        its memory grows with the file (2.1 GB at a million rows); kept to
        compare with. See ``bench/imports.py``.
    chunk_triples : int, optional
        Triples per temporary file and load; overrides the choice above.
    temp_dir : path, optional
        Folder for the temporary N-Triples (default: the system's).

    Returns
    -------
    ImportReport

    Notes
    -----
    Other processes never see half an import; threads of this process that
    read the same embedded store do (see the module notes).

    Raises
    ------
    InputError
        The file is missing, or ``skip_bad_rows`` without ``rejects``.
    BadRow
        A row is bad (without ``skip_bad_rows``); the store is unchanged.
    ParseError
        The header is wrong or the file is not CSV; the store is unchanged.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file", file=str(path))
    if skip_bad_rows and rejects is None:
        raise InputError("--skip-bad-rows needs a reject file (--rejects FILE)", parameter="rejects")
    started = time.perf_counter()
    recover_imports(store)
    checksum = _checksum(path)
    now = datetime.now(timezone.utc)
    report = ImportReport(str(path), converter.format, _import_graph(converter.format, checksum, now), checksum)
    existing = _already_imported(store, converter.format, checksum)
    if existing:
        report.graph, report.already_imported = existing, True
        return report

    if chunk_triples is None:
        if _streams_updates(store):
            chunk_triples = sys.maxsize  # streamed from the file: memory stays flat
        elif not isinstance(store, Store):
            chunk_triples = REMOTE_CHUNK_TRIPLES  # each chunk crosses the network as one request
        else:
            chunk_triples = sys.maxsize if one_load else CHUNK_TRIPLES
    total = path.stat().st_size
    folder = Path(tempfile.mkdtemp(prefix=f"conflictkg-{converter.format}-", dir=temp_dir))
    # On the embedded store, chunks load while later rows are still read (see _Loader).
    loader = (
        _Loader(store, report.graph, _pending_record(report, path, converter.publisher, now))
        if isinstance(store, Store) and chunk_triples < sys.maxsize
        else None
    )
    touched = False  # whether the store has changed after the rows were read
    try:
        chunks = _Chunks(folder, chunk_triples, done=loader.submit if loader is not None else None)
        events_path = folder / "events.txt"
        with events_path.open("w", encoding="utf-8") as events:
            header: list[str] = []
            for n, line, fields, pos in _rows(path):
                if n == 0:
                    header = [h.lstrip("\ufeff").strip() for h in fields]
                    try:
                        converter.check_header(header)
                    except RowError as err:
                        raise ParseError(f"not a {converter.format} file: {err.reason}", file=str(path), line=line,
                                         field="header") from None
                    continue
                try:
                    bad = None if "".join(fields).isascii() else _encoding_error(fields, header)
                    if bad is not None:
                        raise bad
                    if len(fields) != len(header):
                        raise RowError("(row)", len(fields), f"expected {len(header)} columns, found {len(fields)}")
                    text, triples, event = converter.convert(fields)
                except RowError as err:
                    if not skip_bad_rows:
                        raise BadRow(str(path), line, n, err.field, err.value, err.reason) from None
                    assert rejects is not None
                    rejects.write(str(path), n, line, err, fields)
                    report.rejected += 1
                    continue
                chunks.write(text, triples)
                events.write(event + "\n")
                report.rows += 1
                if progress is not None and pos >= 0:
                    progress("read", pos, total, report.rows)
            if not header:
                raise ParseError(f"not a {converter.format} file: it is empty", file=str(path), line=1)
        chunks.close()
        if progress is not None:
            progress("read", total, total, report.rows)
        report.triples = chunks.triples
        report.unknown_actors = dict(converter.unknown_actors)
        if loader is not None:
            loader.finish(None if progress is None else lambda n: progress("load", n, report.triples, report.rows))

        metadata = _metadata(report, path, converter.publisher, now, converter.latest)
        if _streams_updates(store):
            assert isinstance(store, RemoteStore)
            report.superseded = _import_in_one_update(store, report, chunks.files, metadata, events_path, progress)
            report.seconds = time.perf_counter() - started
            return report
        # From here on the store changes (if it has not yet); the status makes it recoverable.
        touched = True
        staged = not isinstance(store, Store)
        if staged:
            # A server's readers are other clients: the import goes to staging graphs
            # (which conflictkg's reads skip) and is published by one update.
            meta = _meta_staging(report.graph)
            store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(meta)) for q in metadata)
        else:
            store.extend(metadata)
        loaded = loader.loaded if loader is not None else 0
        for chunk in chunks.files:
            target = _data_staging(meta) if staged else report.graph
            bulk_load_file(store, chunk, target)
            chunk.unlink()
            loaded += min(chunk_triples, report.triples - loaded)
            if progress is not None:
                progress("load", loaded, report.triples, report.rows)
        if staged:
            report.superseded = _publish(store, report, meta, metadata)
        else:
            _set_status(store, report.graph, SUPERSEDING)
            report.superseded = _supersede(store, report.graph, converter.format, events_path)
            _set_status(store, report.graph, COMPLETE)
        store.flush()
    except BaseException:
        if loader is not None:
            loader.cancel()
        if touched or (loader is not None and loader.started):
            # An error we can see (not a crash): undo now rather than at the next import;
            # the error raised is the import's, even if undoing fails too.
            try:
                recover_imports(store)
            finally:
                raise
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report
