"""The pool of worker processes, in the server process: killed and replaced on timeout, reopened after writes."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pyoxigraph as ox

from conflictkg.graph import errors
from conflictkg.graph.sparql.workers.job import (
    Answer, Limits, QueryJob, all_busy, default_terms, lane_stopped, ox_query, run_job, stopped,
)

__all__ = ["QueryPool"]

log = logging.getLogger("conflictkg.workers")


def _open(source: tuple[str, str]) -> ox.Store:
    kind, where = source
    if kind == "checkpoint":
        return ox.Store.read_only(where)
    store = ox.Store()
    store.bulk_load(path=where, format=ox.RdfFormat.N_QUADS)
    return store


def _worker_main(conn: Connection) -> None:
    store: ox.Store | None = None
    default: list[ox.NamedNode] = []
    opened: tuple[object, ...] | None = None
    conn.send(("ready",))  # imports done: the pool hands this worker queries from now on
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
                # Once per snapshot, not per query: the snapshot never changes.
                default = default_terms(store)
                opened = (source, generation)
            try:
                kind, media_type, tail = run_job(lambda j: ox_query(store, j, default), job, limits, send)
            except OSError:
                if started:
                    raise
                # A transient read error on the snapshot: reopen once.
                store = _open(source)
                default = default_terms(store)
                kind, media_type, tail = run_job(lambda j: ox_query(store, j, default), job, limits, send)
            conn.send(("done", kind, media_type, tail))
        except errors.KGError as err:
            conn.send(("error", type(err).__name__, err.message, err.details))
        except Exception as err:  # reported as a 500 by the server and logged there
            conn.send(("error", "KGError", f"the query failed: {type(err).__name__}: {err}", {"internal": True}))


class _Worker:
    def __init__(self, ctx: mp.context.BaseContext, lane: bool = False) -> None:
        #: A worker of the reserved lane (cheap queries, short time limit).
        self.lane = lane
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
    lane : int
        Workers of the reserved lane, beyond ``size``: a query the caller
        marks cheap runs there when the other workers are all busy, within
        ``limits.lane_timeout_s`` (see :mod:`conflictkg.graph.sparql.admission`).
    """

    def __init__(
        self, kind: str, snapshot, *, size: int, limits: Limits, workdir: str | None = None, lane: int = 1
    ) -> None:
        self.kind = kind
        self.size, self.limits = size, limits
        self._snapshot = snapshot
        # Workers fork from a fork server that imported this module once (per process, for every
        # pool): a spawned worker imported it all again (three services on a memory store started
        # in 2.65 s that way, 1.33 s forked). A plain fork would copy the server's threads and handles.
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["__main__", __name__])
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lane_idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
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
        for _ in range(lane):
            self._add_worker(True)

    # -- lifecycle ---------------------------------------------------------

    def _add_worker(self, lane: bool = False) -> None:
        worker = _Worker(self._ctx, lane)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        threading.Thread(target=self._when_ready, args=(worker,), daemon=True).start()

    def _when_ready(self, worker: _Worker) -> None:
        # A worker still starting (seconds on a loaded machine) gets no query: one sent to it
        # would spend its time limit waiting for the imports.
        try:
            ready = worker.conn.poll(300) and worker.conn.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if ready:
            (self._lane_idle if worker.lane else self._idle).put(worker)
        elif not self._closed:
            log.error("a query worker did not start; replacing it")
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self.replaced += 1
        if not self._closed:
            # Start the replacement off the request's path: spawning takes a moment.
            threading.Thread(target=self._add_worker, args=(worker.lane,), daemon=True).start()

    def close(self) -> None:
        """Stop every worker and delete the snapshots."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        shutil.rmtree(self._dir, ignore_errors=True)

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Wait until every worker has started and is idle (for tests and benchmarks); whether they did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                workers = len(self._all)
            if workers and self._idle.qsize() + self._lane_idle.qsize() >= workers:
                return True
            time.sleep(0.05)
        return False

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

    def _timeout(self, worker: _Worker) -> errors.QueryTimeout:
        return lane_stopped(self.limits) if worker.lane else stopped(self.limits)

    def _take(self, lane: bool) -> _Worker | None:
        """A free worker now, or ``None``; the lane's only for a cheap query when the others are all busy."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        if lane:
            try:
                return self._lane_idle.get_nowait()
            except queue.Empty:
                pass
        return None

    def _wait(self, lane: bool) -> _Worker:
        """A worker within the time limit; a cheap query (``lane``) takes a normal or a lane worker, whichever frees first."""
        if not lane:
            try:
                return self._idle.get(timeout=self.limits.timeout_s)
            except queue.Empty:
                raise self._busy() from None
        deadline = time.monotonic() + self.limits.timeout_s
        while time.monotonic() < deadline:
            try:
                return self._idle.get(timeout=0.005)
            except queue.Empty:
                pass
            try:
                return self._lane_idle.get_nowait()
            except queue.Empty:
                pass
        raise self._busy()

    def _deadline(self, worker: _Worker, deadline: float) -> float:
        return min(deadline, time.monotonic() + self.limits.lane_timeout_s) if worker.lane else deadline

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
            (self._lane_idle if worker.lane else self._idle).put(worker)

    def run(self, job: QueryJob, *, lane: bool = False) -> Answer:
        """Run a job on a worker within the time limit (``lane``: it may use the reserved lane).

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
        worker = self._take(lane) or self._wait(lane)
        deadline = self._deadline(worker, deadline)
        generation, source = self._begin()
        try:
            worker.conn.send((source, generation, job, self.limits))
            message = self._receive(worker, deadline)
        except BaseException:
            self._release(worker, generation, broken=True)
            raise
        return self._answer(worker, generation, message, deadline)

    async def arun(self, job: QueryJob, *, lane: bool = False) -> Answer:
        """:meth:`run` for an event loop: waits on the worker's pipe without tying up a thread.

        Small answers (the common case) then cost no thread hand-off at all;
        a streaming body is still read by a plain iterator.
        """
        deadline = time.monotonic() + self.limits.timeout_s
        if self._stale():
            await asyncio.to_thread(self._ensure_snapshot)
        worker = self._take(lane) or await asyncio.to_thread(self._wait, lane)
        deadline = self._deadline(worker, deadline)
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
                    raise self._timeout(worker) from None
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
            raise self._timeout(worker)
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
