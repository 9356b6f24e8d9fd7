"""Step 2 of an import: chunks bulk-loaded recoverably, older versions superseded, staging published."""


from __future__ import annotations

import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.errors import QuerySyntaxError, StoreError
from conflictkg.graph.loaders.imports.convert import ImportReport, Progress, _term, _values
from conflictkg.graph.loaders.imports.metadata import _DCT, COMPLETE, METADATA_GRAPH, SUPERSEDING, published
from conflictkg.graph.store import FactStore, Store, insert_data
from conflictkg.graph.store.remote import STAGING_PREFIX, RemoteStore
from conflictkg.ontology.vocab import CK, GRAPH

__all__ = ["CHUNK_TRIPLES", "LOAD_THREADS", "REMOTE_CHUNK_TRIPLES", "bulk_load_file", "delete_events", "delete_events_update"]

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
            store.refresh()
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
        store.changed([graph])  # bulk_load bypasses the store's own write methods
    else:
        store.load([path], fmt="nt", graph=graph)

def _set_status(store: FactStore, graph: str, status: object) -> None:
    store.update(
        f"DELETE {{ GRAPH g:meta {{ ?g ck:importStatus ?old }} }} INSERT {{ GRAPH g:meta {{ ?g ck:importStatus ?new }} }} "
        f"WHERE {{ {_values('g', [graph])} {_values('new', [status])} OPTIONAL {{ GRAPH g:meta {{ ?g ck:importStatus ?old }} }} }}"
    )


def _delete_graph_in_chunks(store: FactStore, graph: str, chunk: int = 200_000) -> None:
    # One transaction per chunk: memory stays bounded; the caller's status
    # (ck:ImportPending / ck:ImportDropping) makes a crash here recoverable.
    values = _values("g", [graph])
    while store.ask(f"ASK {{ {values} GRAPH ?g {{ ?s ?p ?o }} }}", raw=True):
        store.update(
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?g ?s ?p ?o WHERE "
            f"{{ {values} GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {chunk} }} }}"
        )
    # Now empty, but Oxigraph still lists it as a named graph until dropped.
    store.update(f"DROP SILENT GRAPH {_term(graph)}")


def _delete_metadata(store: FactStore, graph: str) -> None:
    store.update(_delete_metadata_update(store, graph))


def _delete_metadata_update(store: FactStore, graph: str) -> str:
    # The source file's description goes too, unless another import came from the same file.
    g = _values("g", [graph])
    return (
        f"DELETE {{ GRAPH g:meta {{ ?src ?p ?o }} }} WHERE {{ {g} GRAPH g:meta {{ ?g prov:wasDerivedFrom ?src . ?src ?p ?o "
        "FILTER NOT EXISTS { ?other prov:wasDerivedFrom ?src FILTER(?other != ?g) } } } ;\n"
        f"DELETE {{ GRAPH g:meta {{ ?g ?p ?o }} }} WHERE {{ {g} GRAPH g:meta {{ ?g ?p ?o }} }}"
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
        return f"{values} LATERAL {{ GRAPH ?g {{ ?s ?p ?o }} }} {fmt_values} GRAPH g:meta {{ ?g ck:importFormat ?fmt }} {keep}"
    return f"{values} {fmt_values} GRAPH g:meta {{ ?g ck:importFormat ?fmt }} {keep} GRAPH ?g {{ ?s ?p ?o }}"


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
        found = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}", raw=True)
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
        "GRAPH g:meta { ?g ck:importFormat ?fmt } FILTER(?g != ?new) }",
        raw=True,
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
                f"SELECT ?e WHERE {{ {_values('g', [graph])} GRAPH ?g {{ ?e <{_DCT}identifier> ?id }} }}",
                raw=True,
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
            f"FILTER(!STRENDS(STR(?s), \"/fatalities\")) }}",
            raw=True,
        )
        return int(next(iter(found))["n"].value)  # type: ignore[index, union-attr]

    superseded = int(_lateral_or_plain(count))  # type: ignore[call-overload]
    complete = published(metadata, COMPLETE)
    stand_in = store._stand_in() if isinstance(store, RemoteStore) else None
    if stand_in is not None and isinstance(METADATA_GRAPH, ox.DefaultGraph):
        # A server without a writable default graph (Virtuoso) keeps it in a stand-in named graph.
        complete = [ox.Quad(q.subject, q.predicate, q.object, stand_in) for q in complete]

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


#: Events an embedded import may supersede in its publishing transaction (about 18
#: triples each); an import that replaces more publishes first, as ck:ImportSuperseding,
#: and then removes the older versions batch by batch (see README, "nothing lost").
ATOMIC_SUPERSEDE_EVENTS = 20_000


def _publish_embedded(store: FactStore, report: ImportReport, meta: str, metadata: list[ox.Quad], events: Path) -> int:
    """Publish an embedded import whose data is loaded (and hidden while its record is staged).

    One update moves the record from staging to :data:`METADATA_GRAPH` and,
    when the import replaces at most :data:`ATOMIC_SUPERSEDE_EVENTS` events,
    removes their older versions too: readers see the store before the import
    or after it, never between. Returns how many older versions it replaced.
    """
    graph, fmt = report.graph, report.format
    others = _others_of_format(store, graph, fmt)
    with events.open(encoding="utf-8") as f:
        listed = [line.rstrip("\n") for _, line in zip(range(ATOMIC_SUPERSEDE_EVENTS + 1), f)]
    if others and len(listed) > ATOMIC_SUPERSEDE_EVENTS:
        store.update(f"DROP SILENT GRAPH {_term(meta)} ;\n" + insert_data(published(metadata, SUPERSEDING)))
        superseded = _supersede(store, graph, fmt, events)
        _set_status(store, graph, COMPLETE)
        return superseded
    superseded = _count_superseded(store, events, fmt, graph) if others else 0
    publish = f"DROP SILENT GRAPH {_term(meta)} ;\n" + insert_data(published(metadata, COMPLETE))
    if superseded:
        store.update(delete_events_update(listed, fmt, keep_graph=graph) + " ;\n" + publish)
    else:
        store.update(publish)
    return superseded


def _count_superseded(store: FactStore, events: Path, fmt: str, graph: str, batch: int = 2000) -> int:
    """How many of the events listed in a file are in the format's other imports (read only)."""
    found = 0
    with events.open(encoding="utf-8") as f:
        while chunk := [line.rstrip("\n") for _, line in zip(range(batch), f)]:

            def count(lateral: bool, chunk: list[str] = chunk) -> int:
                where = _subjects_in_graphs(_values("s", chunk), fmt, graph, lateral=lateral)
                rows = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}", raw=True)
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
