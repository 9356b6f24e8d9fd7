"""Bounded query execution on threads of a reader process, which retires when a query overruns.

The :class:`~conflictkg.graph.sparql.workers.QueryPool` sends every query to a
worker process and back; on a lookup that round trip costs more than the
query (measured: 0.5 ms of a 1.9 ms HTTP lookup, against 0.35 ms for the
query). A *reader process* (``conflictkg serve --readers N``) serves HTTP
and runs the queries itself, on threads (pyoxigraph releases the GIL while
it evaluates and serializes), on the newest published snapshot
(:class:`~conflictkg.graph.store.snapshots.SnapshotFollower`).

pyoxigraph still cannot cancel a query, so the way to stop one is still to
end its process: a query past its limit gets :class:`QueryTimeout` and
calls ``on_overrun``, which makes the reader stop taking connections,
finish what it is serving, and exit; the supervisor starts another. Queries
on the other readers, and on this one's other threads, go on meanwhile.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Iterator

from conflictkg.graph import errors
from conflictkg.graph.store.snapshots import SnapshotFollower
from conflictkg.graph.sparql.workers import (
    Answer, Limits, QueryJob, all_busy, default_terms, lane_stopped, ox_query, run_job, stopped,
)

__all__ = ["InProcessPool"]

_STOP = object()


def _detached(err: BaseException) -> BaseException:
    # The frames of its traceback (and of the error it replaced) hold pyoxigraph
    # results, which may only be dropped on the thread that made them.
    err.__traceback__ = err.__context__ = err.__cause__ = None
    return err


class _Abandoned(Exception):
    """The client went away or the deadline passed: stop serializing."""


class _Run:
    """One query on one thread: its messages to the request, in order."""

    def __init__(self, deadline: float, loop: asyncio.AbstractEventLoop | None, lane: bool = False) -> None:
        self.deadline = deadline
        #: Runs in the reserved lane (its own, shorter time limit).
        self.lane = lane
        self.loop = loop
        self.first: asyncio.Future | None = loop.create_future() if loop is not None else None
        self.first_sync: queue.Queue[tuple] | None = queue.Queue(maxsize=1) if loop is None else None
        # Made when a result streams (most do not); small on purpose: a slow
        # client holds the thread back instead of filling memory.
        self.rest: queue.Queue[object] | None = None
        self.abandoned = False
        self.sent_first = False

    def _deliver_first(self, message: tuple) -> None:
        self.sent_first = True
        if self.first is not None:
            assert self.loop is not None
            self.loop.call_soon_threadsafe(lambda: self.first.done() or self.first.set_result(message))
        else:
            assert self.first_sync is not None
            self.first_sync.put(message)

    def _put(self, item: object) -> None:
        while True:
            if self.abandoned or time.monotonic() > self.deadline:
                raise _Abandoned()
            try:
                self.rest.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def send(self, kind: str, media_type: str, chunk: bytes, more: bool) -> None:
        if not more:
            self.rest = queue.Queue(maxsize=4)  # before the head: its reader takes from it next
            self._deliver_first(("head", kind, media_type, chunk))
        else:
            self._put(chunk)

    def finish(self, message: tuple) -> None:
        if not self.sent_first:
            self._deliver_first(message)
        elif message[0] == "done":
            if message[3]:
                self._put(message[3])
            self._put(_STOP)
        else:
            self._put(message[1])


class InProcessPool:
    """Queries on threads of this process, on the newest snapshot, within the time, row and byte limits.

    Same interface as :class:`~conflictkg.graph.sparql.workers.QueryPool` for
    :class:`~conflictkg.graph.sparql.protocol.SparqlService`.

    Parameters
    ----------
    follower : SnapshotFollower
        Where the newest published snapshot is.
    limits : Limits
    size : int
        Queries that run at once in this process.
    on_overrun : callable
        Called (once) when a query passes its limit: the process must retire.
    lane : int
        Threads of the reserved lane, beyond ``size``, for queries the caller
        marks cheap when the others are all busy, within ``limits.lane_timeout_s``.
    """

    def __init__(
        self, follower: SnapshotFollower, *, limits: Limits, size: int, on_overrun: Callable[[], None], lane: int = 1
    ) -> None:
        self.follower = follower
        self.limits = limits
        self.size = size
        self._on_overrun = on_overrun
        self._overran = threading.Event()
        self._slots = threading.BoundedSemaphore(size)
        self._default: tuple[int, object, list] | None = None
        self._lane_slots = threading.BoundedSemaphore(lane) if lane else None
        self._jobs: queue.SimpleQueue[tuple[QueryJob, _Run] | None] = queue.SimpleQueue()
        # Daemon threads, not an executor's: a runaway must not hold the process open at exit.
        self._threads = [
            threading.Thread(target=self._serve, name=f"conflictkg-query-{i}", daemon=True) for i in range(size + lane)
        ]
        for thread in self._threads:
            thread.start()

    # -- what SparqlService asks of a pool ---------------------------------

    def committed(self) -> None:
        """Writes happen in the writer process; a reader only follows its snapshots."""

    def close(self) -> None:
        """Stop taking queries (a thread still running a query ends with the process)."""
        for _ in self._threads:
            self._jobs.put(None)

    def named_graphs(self) -> list[str]:
        """The named graphs of the newest snapshot."""
        return [g.value for g in self.follower.current().named_graphs()]

    @property
    def overran(self) -> bool:
        """Whether a query of this process passed its limit (the process is retiring)."""
        return self._overran.is_set()

    # -- running -----------------------------------------------------------

    def _overrun(self, run: _Run) -> errors.QueryTimeout:
        if not self._overran.is_set():
            self._overran.set()
            self._on_overrun()
        return lane_stopped(self.limits) if run.lane else stopped(self.limits)

    def _busy(self) -> errors.QueryTimeout:
        return all_busy(self.size, "query threads", self.limits)

    def _work(self, job: QueryJob, run: _Run) -> None:
        message: tuple | None
        try:
            store, default = self._current()
            kind, media_type, tail = run_job(lambda j: ox_query(store, j, default), job, self.limits, run.send)
            message = ("done", kind, media_type, tail)
        except errors.KGError as err:
            message = ("error", _detached(err))
        except Exception as err:  # reported as a 500 and logged by the server
            # Serializing into an abandoned stream fails too: that is not an error to report.
            message = None if run.abandoned else ("error", errors.KGError(f"the query failed: {type(err).__name__}: {err}", internal=True))
        try:
            if message is not None and not run.abandoned:
                run.finish(message)
        except _Abandoned:
            pass
        finally:
            (self._lane_slots if run.lane else self._slots).release()

    def _current(self) -> tuple[object, list]:
        # The default graph of a snapshot is computed once, when it is first queried.
        store = self.follower.current()
        cached = self._default
        if cached is None or cached[0] != self.follower.generation or cached[1] is not store:
            cached = (self.follower.generation, store, default_terms(store))
            self._default = cached
        return store, cached[2]

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            self._work(*item)

    def _start(self, job: QueryJob, run: _Run) -> None:
        self._jobs.put((job, run))

    def _answer(self, message: tuple, run: _Run) -> Answer:
        if message[0] == "done":
            return Answer(message[2], iter([message[3]]), message[1], message[3])
        if message[0] == "error":
            raise message[1]
        return Answer(message[2], self._stream(run, message[3]), message[1])

    def _stream(self, run: _Run, first: bytes) -> Iterator[bytes]:
        try:
            yield first
            while True:
                remaining = run.deadline - time.monotonic()
                if remaining <= 0:
                    raise self._overrun(run)
                try:
                    item = run.rest.get(timeout=min(remaining, 0.5))
                except queue.Empty:
                    continue
                if item is _STOP:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            run.abandoned = True

    def _wait_for_slot(self, deadline: float, lane: bool = False) -> bool | None:
        """Wait for a slot: ``False`` for a normal one, ``True`` for the lane's (if ``lane``), ``None`` for none in time.

        A retiring process (a query overran) answers its waiting requests 503 at
        once rather than have them cancelled (a 500) when its graceful shutdown runs out.
        """
        lane = lane and self._lane_slots is not None
        while not self._overran.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            # A cheap query takes whichever frees first, so it polls both; the others wait on theirs.
            if self._slots.acquire(timeout=min(remaining, 0.005 if lane else 0.25)):
                return False
            if lane and self._lane_slots.acquire(blocking=False):
                return True
        return None

    def _lane(self, deadline: float) -> _Run | None:
        if self._lane_slots is not None and self._lane_slots.acquire(blocking=False):
            return _Run(min(deadline, time.monotonic() + self.limits.lane_timeout_s), None, True)
        return None

    def run(self, job: QueryJob, *, lane: bool = False) -> Answer:
        """Run a job within the time limit (blocking; ``lane``: it may use the reserved lane).

        Raises
        ------
        QueryTimeout
            If the query, or waiting for a free thread, takes longer than the limit.
        KGError
            Whatever the query raised.
        """
        deadline = time.monotonic() + self.limits.timeout_s
        run = None
        if not self._slots.acquire(blocking=False):
            run = self._lane(deadline) if lane else None
            if run is None:
                got = self._wait_for_slot(deadline, lane)
                if got is None:
                    raise self._busy()
                if got:
                    run = _Run(min(deadline, time.monotonic() + self.limits.lane_timeout_s), None, True)
        run = run or _Run(deadline, None)
        self._start(job, run)
        assert run.first_sync is not None
        try:
            message = run.first_sync.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            run.abandoned = True
            raise self._overrun(run) from None
        return self._answer(message, run)

    async def arun(self, job: QueryJob, *, lane: bool = False) -> Answer:
        """:meth:`run` for an event loop."""
        deadline = time.monotonic() + self.limits.timeout_s
        loop = asyncio.get_running_loop()
        in_lane = False
        if not self._slots.acquire(blocking=False):
            in_lane = lane and self._lane_slots is not None and self._lane_slots.acquire(blocking=False)
            if not in_lane:
                got = await asyncio.to_thread(self._wait_for_slot, deadline, lane)
                if got is None:
                    raise self._busy()
                in_lane = got
        if in_lane:
            deadline = min(deadline, time.monotonic() + self.limits.lane_timeout_s)
        run = _Run(deadline, loop, in_lane)
        first = run.first
        assert first is not None
        # A plain timer, not asyncio.wait_for: this is the hot path of every query.
        timer = loop.call_later(max(deadline - time.monotonic(), 0.001), lambda: first.done() or first.set_result(None))
        self._start(job, run)
        try:
            message = await first
        finally:
            timer.cancel()
        if message is None:
            run.abandoned = True
            raise self._overrun(run)
        return self._answer(message, run)
