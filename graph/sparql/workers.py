"""Bounded query execution: a pool of worker processes that are killed and replaced on timeout.

pyoxigraph cannot cancel a running query, so a query that must be stoppable
cannot run in the server's own process. Each worker is a separate process
that reads a *snapshot* of the store; the server process is the only writer.
After each committed write the server bumps a *generation*
(:meth:`QueryPool.committed`); the next query makes a snapshot of that
generation, every job names its snapshot, and a worker whose open snapshot is
older reopens first — so workers see every write committed before the query
was received.

- On disk, a snapshot is a RocksDB checkpoint (``Store.backup``: hard links
  to immutable table files, milliseconds), opened with
  ``pyoxigraph.Store.read_only``. Opening the live folder read-only instead
  is not safe while the writer compacts: the reader can find table files
  gone (seen in testing as "Corruption: … No such file").
- In memory, a snapshot is an N-Quads file the workers load. Honest limit:
  each write costs a full copy, so this is for small stores (tests, demos);
  serve large data from an on-disk store.

A query that runs past its deadline gets :class:`QueryTimeout`; its worker is
killed (the only way to stop Oxigraph) and a fresh one is started in the
background, so other queries keep their workers and are not delayed.

Results are evaluated and serialized by Oxigraph inside the worker and come
back as bytes, in chunks once they pass ``stream_threshold``. Row and byte
caps are checked while serializing, so a huge result is cut off early.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing as mp
import os
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from conflictkg.graph import errors
from conflictkg.graph.sparql.results import media_format
from conflictkg.ontology.vocab import PREFIXES

__all__ = ["QueryJob", "Limits", "Answer", "QueryPool", "run_job", "ox_query", "stopped", "all_busy"]

log = logging.getLogger("conflictkg.workers")

_SYNTAX_AT = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class Limits:
    """The bounds of one query."""

    timeout_s: float = 30.0
    max_rows: int = 100_000
    max_bytes: int = 256 * 1024 * 1024
    stream_threshold: int = 1024 * 1024


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


# --------------------------------------------------------------------------
# The work itself: shared by the worker processes and by in-process execution.


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


def all_busy(size: int, what: str, limits: Limits) -> errors.QueryTimeout:
    """The error of a query that found no free worker within the time limit."""
    return errors.QueryTimeout(
        f"all {size} {what} stayed busy for {limits.timeout_s:g} s; try again later", timeout_s=limits.timeout_s
    )


def _syntax(err: SyntaxError) -> errors.QuerySyntaxError:
    message = str(err.args[0] if err.args else err)
    where = _SYNTAX_AT.search(message)
    details = {"line": int(where[1]), "column": int(where[2])} if where else {}
    return errors.QuerySyntaxError(message, parameter="query", **details)


def ox_query(store: ox.Store, job: QueryJob) -> object:
    """Evaluate a job's query on a pyoxigraph store (what a worker does)."""
    kwargs: dict[str, object] = {}
    # Handing Oxigraph the prefix table costs about as much as a small lookup's
    # evaluation; a query that names none of the prefixes does not need it.
    if job.prefixes and any(name + ":" in job.sparql for name in PREFIXES):
        kwargs["prefixes"] = PREFIXES
    if job.default_graph is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    if job.substitutions:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in job.substitutions}
    try:
        return store.query(job.sparql, **kwargs)
    except SyntaxError as err:
        raise _syntax(err) from None
    except RuntimeError as err:
        if job.substitutions and "variable" in str(err):
            raise errors.InputError(str(err), parameter="substitutions") from None
        raise


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


# --------------------------------------------------------------------------
# The worker process.


def _open(source: tuple[str, str]) -> ox.Store:
    kind, where = source
    if kind == "checkpoint":
        return ox.Store.read_only(where)
    store = ox.Store()
    store.bulk_load(path=where, format=ox.RdfFormat.N_QUADS)
    return store


def _worker_main(conn: Connection) -> None:
    store: ox.Store | None = None
    opened: tuple[object, ...] | None = None
    while True:
        try:
            source, generation, job, limits = conn.recv()
        except (EOFError, OSError):
            return
        started = False

        def send(kind: str, media_type: str, chunk: bytes, more: bool) -> None:
            nonlocal started
            started = True
            conn.send(("chunk", chunk) if more else ("head", kind, media_type, chunk))

        try:
            if opened != (source, generation):
                store = None
                store = _open(source)
                opened = (source, generation)
            try:
                kind, media_type, tail = run_job(lambda j: ox_query(store, j), job, limits, send)
            except OSError:
                if started:
                    raise
                # A transient read error on the snapshot: reopen once.
                store = _open(source)
                kind, media_type, tail = run_job(lambda j: ox_query(store, j), job, limits, send)
            conn.send(("done", kind, media_type, tail))
        except errors.KGError as err:
            conn.send(("error", type(err).__name__, err.message, err.details))
        except Exception as err:  # reported as a 500 by the server and logged there
            conn.send(("error", "KGError", f"the query failed: {type(err).__name__}: {err}", {"internal": True}))


# --------------------------------------------------------------------------
# The pool, in the server process.


class _Worker:
    def __init__(self, ctx: mp.context.BaseContext) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="conflictkg-query-worker")
        self.process.start()
        child.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _rebuild_error(name: str, message: str, details: dict[str, object]) -> errors.KGError:
    cls = getattr(errors, name, errors.KGError)
    if not (isinstance(cls, type) and issubclass(cls, errors.KGError)):
        cls = errors.KGError
    err = cls.__new__(cls)
    errors.KGError.__init__(err, message, **details)
    return err


class QueryPool:
    """Worker processes that run queries within a time limit and are replaced when they overrun.

    Workers never read the live store. For each generation of the store
    (each committed write) the pool makes a *snapshot* the workers open: for
    an on-disk store a RocksDB checkpoint (``kind="checkpoint"``: hard links
    to the immutable table files, so it is cheap, and the writer's
    compactions cannot pull files from under a reader), for an in-memory
    store an N-Quads file (``kind="nquads"``). A snapshot is deleted once no
    running query uses it.

    Parameters
    ----------
    kind : {"checkpoint", "nquads"}
        What ``snapshot`` writes.
    snapshot : callable
        ``snapshot(path)`` writes the store's current state at ``path``.
    size : int
        How many queries run at once.
    limits : Limits
    workdir : str, optional
        Where snapshots go (a checkpoint must be on the store's file system).
    """

    def __init__(self, kind: str, snapshot, *, size: int, limits: Limits, workdir: str | None = None) -> None:
        self.kind = kind
        self.size, self.limits = size, limits
        self._snapshot = snapshot
        self._ctx = mp.get_context("spawn")
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._generation = 0
        self._dir = tempfile.mkdtemp(prefix="conflictkg-readers-", dir=workdir)
        self._snapshots: dict[int, str] = {}
        self._running: dict[int, int] = {}  # generation -> queries running on it
        self._closed = False
        self.replaced = 0
        self._ensure_snapshot()
        for _ in range(size):
            self._add_worker()

    # -- lifecycle ---------------------------------------------------------

    def _add_worker(self) -> None:
        worker = _Worker(self._ctx)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self.replaced += 1
        if not self._closed:
            # Start the replacement off the request's path: spawning takes a moment.
            threading.Thread(target=self._add_worker, daemon=True).start()

    def close(self) -> None:
        """Stop every worker and delete the snapshots."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        shutil.rmtree(self._dir, ignore_errors=True)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid)

    # -- generations and snapshots -------------------------------------------

    @property
    def generation(self) -> int:
        """How many committed writes the pool has been told about."""
        return self._generation

    def committed(self) -> None:
        """Tell the pool a write was committed: the next query gets a fresh snapshot."""
        with self._lock:
            self._generation += 1

    def _stale(self) -> bool:
        return self._generation not in self._snapshots

    def _ensure_snapshot(self) -> None:
        with self._lock:
            generation = self._generation
            if generation in self._snapshots:
                return
            path = os.path.join(self._dir, f"gen-{generation}" + (".nq" if self.kind == "nquads" else ""))
            self._snapshot(path)
            self._snapshots[generation] = path
            self._collect()

    def _collect(self) -> None:
        # Called with the lock held: drop snapshots that are neither current nor in use.
        for generation in [g for g in self._snapshots if g != self._generation and not self._running.get(g)]:
            path = self._snapshots.pop(generation)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.remove(path)
                except OSError:
                    pass

    def _begin(self) -> tuple[int, tuple[str, str]]:
        with self._lock:
            generation = max(self._snapshots)  # the newest snapshot (made just before)
            self._running[generation] = self._running.get(generation, 0) + 1
            return generation, (self.kind, self._snapshots[generation])

    def _end(self, generation: int) -> None:
        with self._lock:
            self._running[generation] -= 1
            if not self._running[generation]:
                del self._running[generation]
                self._collect()

    def _busy(self) -> errors.QueryTimeout:
        return all_busy(self.size, "query workers", self.limits)

    def _timeout(self) -> errors.QueryTimeout:
        return stopped(self.limits)

    def _answer(self, worker: _Worker, generation: int, message: tuple, deadline: float) -> Answer:
        if message[0] == "done":
            self._release(worker, generation)
            return Answer(message[2], iter([message[3]]), message[1], message[3])
        if message[0] == "error":
            self._release(worker, generation)
            raise _rebuild_error(*message[1:])
        # ("head", kind, media_type, chunk): the body streams; the worker is ours until it ends.
        return Answer(message[2], self._stream(worker, generation, message[3], deadline), message[1])

    def _release(self, worker: _Worker, generation: int, *, broken: bool = False) -> None:
        self._end(generation)
        if broken:
            self._discard(worker)
        else:
            self._idle.put(worker)

    def run(self, job: QueryJob) -> Answer:
        """Run a job on a worker within the time limit.

        The returned :class:`Answer` may still be streaming: iterate its
        chunks promptly; the deadline covers the whole body.

        Raises
        ------
        QueryTimeout
            If the query (or waiting for a free worker) takes longer than the limit.
        KGError
            Whatever the query raised in the worker.
        """
        deadline = time.monotonic() + self.limits.timeout_s
        if self._stale():
            self._ensure_snapshot()
        try:
            worker = self._idle.get(timeout=self.limits.timeout_s)
        except queue.Empty:
            raise self._busy() from None
        generation, source = self._begin()
        try:
            worker.conn.send((source, generation, job, self.limits))
            message = self._receive(worker, deadline)
        except BaseException:
            self._release(worker, generation, broken=True)
            raise
        return self._answer(worker, generation, message, deadline)

    async def arun(self, job: QueryJob) -> Answer:
        """:meth:`run` for an event loop: waits on the worker's pipe without tying up a thread.

        Small answers (the common case) then cost no thread hand-off at all;
        a streaming body is still read by a plain iterator.
        """
        deadline = time.monotonic() + self.limits.timeout_s
        if self._stale():
            await asyncio.to_thread(self._ensure_snapshot)
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            try:
                worker = await asyncio.to_thread(self._idle.get, True, self.limits.timeout_s)
            except queue.Empty:
                raise self._busy() from None
        generation, source = self._begin()
        try:
            worker.conn.send((source, generation, job, self.limits))
            if not worker.conn.poll(0):
                loop = asyncio.get_running_loop()
                readable = loop.create_future()
                fd = worker.conn.fileno()
                loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
                try:
                    await asyncio.wait_for(readable, max(deadline - time.monotonic(), 0.001))
                except asyncio.TimeoutError:
                    raise self._timeout() from None
                finally:
                    loop.remove_reader(fd)
                    # uvloop leaves a watched descriptor non-blocking; recv() of a
                    # message still arriving would then fail with EAGAIN.
                    os.set_blocking(fd, True)
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                raise errors.KGError("the query worker died while running the query") from None
        except BaseException:
            self._release(worker, generation, broken=True)
            raise
        return self._answer(worker, generation, message, deadline)

    def _receive(self, worker: _Worker, deadline: float) -> tuple:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not worker.conn.poll(remaining):
            raise self._timeout()
        try:
            return worker.conn.recv()
        except (EOFError, OSError):
            raise errors.KGError("the query worker died while running the query") from None

    def _stream(self, worker: _Worker, generation: int, first: bytes, deadline: float) -> Iterator[bytes]:
        finished = False
        try:
            yield first
            while True:
                message = self._receive(worker, deadline)
                if message[0] == "chunk":
                    yield message[1]
                elif message[0] == "done":
                    if message[3]:
                        yield message[3]
                    finished = True
                    return
                else:  # an error after the status line went out: cut the body off
                    raise _rebuild_error(*message[1:])
        finally:
            self._release(worker, generation, broken=not finished)

