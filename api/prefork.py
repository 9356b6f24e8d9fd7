"""``conflictkg serve --readers N``: one writer process and N reader processes on one port.

With the single-process server every query crosses to a worker process
and back (:mod:`conflictkg.graph.sparql.workers`), which on a lookup costs more
than the query. Here the processes that take the connections run the
queries themselves:

- the **supervisor** (this process) binds the port, starts the others,
  replaces a reader that retires or dies, restarts a writer that dies
  (the readers keep answering queries meanwhile; writes get 503 until it
  is back; five deaths within a minute stop everything), and stops
  everything on SIGTERM;
- the **writer** is the usual app (:func:`conflictkg.api.app.create_app`)
  on a Unix socket only the readers reach. It is the one process that opens
  the store for writing, and after each committed write it publishes a
  snapshot (:mod:`conflictkg.graph.store.snapshots`) before it answers;
- each **reader** accepts connections on the shared port. Queries on
  ``/sparql`` and ``/queries`` run on its own threads on the newest snapshot
  (:class:`conflictkg.graph.sparql.inprocess.InProcessPool`); every other request,
  and every update, is passed to the writer unchanged. A reader whose query
  passes the time limit answers with the timeout error, stops accepting,
  finishes its other requests and exits: that is what stops the query
  (pyoxigraph cannot cancel one). The supervisor has started its successor
  by then.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

from conflictkg.api.settings import Settings
from conflictkg.graph.errors import KGError
from conflictkg.graph.sparql.admission import BUCKETS
from conflictkg.graph.store.snapshots import POINTER

__all__ = ["serve_with_readers"]

log = logging.getLogger("conflictkg.serve")

#: What the processes run, imported once by the fork server they are forked from
#: (a spawned process imports it again: about 3 s each, one after the other on two cores).
PRELOAD = ["__main__", "conflictkg.api.prefork", "conflictkg.api.reader", "conflictkg.api.app", "uvicorn"]

# --------------------------------------------------------------------------
# The processes.


def _writer_main(settings: Settings, uds: str, snapshots: str) -> None:
    import uvicorn

    from conflictkg.api.app import create_app

    # The writer's own queries (pages, graph store reads, network analyses) are few.
    app = create_app(settings.model_copy(update={"query_workers": 1, "query_lane": 0}), publish_to=snapshots)
    uvicorn.run(app, uds=uds, log_level="warning", access_log=False)


def _reader_main(
    settings: Settings, sock: socket.socket, uds: str, snapshots: str, retiring, log_level: str, counts, row: int
) -> None:
    import uvicorn

    from conflictkg.api.connections import http_protocol
    from conflictkg.api.reader import create_reader_app
    from conflictkg.graph.sparql.admission import SharedCounts

    server: uvicorn.Server | None = None

    def on_overrun() -> None:
        retiring.set()
        if server is not None:
            server.should_exit = True

    app = create_reader_app(settings, snapshots, uds, on_overrun, SharedCounts(counts, row))
    config = uvicorn.Config(
        app, log_level=log_level, access_log=False, timeout_graceful_shutdown=int(settings.query_timeout_s) + 1,
        http=http_protocol(settings.header_timeout_s),
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    # A query past its limit may still be running on a thread: ending the process stops it.
    os._exit(0)


class _Reader:
    def __init__(self, ctx, settings: Settings, sock: socket.socket, uds: str, snapshots: str, log_level: str, counts, row: int) -> None:
        self.retiring = ctx.Event()
        self.retired_at: float | None = None
        self.replaced = False
        #: This reader's row of the shared per-client counts (cleared when it is gone).
        self.row = row
        self.process = ctx.Process(
            target=_reader_main, args=(settings, sock, uds, snapshots, self.retiring, log_level, counts, row),
            name="conflictkg-reader", daemon=False,
        )
        self.process.start()


class _Rows:
    """Rows of the shared per-client counts: one per live reader, cleared when its reader is gone."""

    def __init__(self, ctx, rows: int) -> None:
        self.array = ctx.Array("i", rows * BUCKETS)
        self.free = list(range(rows))

    def take(self) -> int:
        # More readers retiring at once than rows: share the last row (counts err high, never low).
        return self.free.pop(0) if self.free else len(self.array) // BUCKETS - 1

    def give_back(self, row: int) -> None:
        with self.array.get_lock():
            for i in range(row * BUCKETS, (row + 1) * BUCKETS):
                self.array[i] = 0
        if row not in self.free:
            self.free.append(row)


def _start_writer(ctx, settings: Settings, uds: str, snapshots: str):
    if os.path.exists(uds):
        os.remove(uds)  # the socket of a writer that died
    writer = ctx.Process(target=_writer_main, args=(settings, uds, snapshots), name="conflictkg-writer")
    writer.start()
    return writer


def _wait_for_writer(writer: mp.process.BaseProcess, uds: str, snapshots: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not writer.is_alive():
            raise KGError(f"the writer process exited with status {writer.exitcode} while starting")
        if os.path.exists(uds) and os.path.exists(os.path.join(snapshots, POINTER)):
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(uds)
                return
            except OSError:
                pass
        time.sleep(0.05)
    raise KGError(f"the writer process did not start within {timeout:g} s")


def serve_with_readers(settings: Settings, readers: int, *, log_level: str = "info") -> None:
    """Serve the API on ``settings.host:settings.port`` with one writer and ``readers`` reader processes.

    Blocks until SIGTERM or SIGINT.

    Raises
    ------
    KGError
        If the store is not an on-disk store, or the writer does not start,
        or dies five times within a minute (its error is in the log; the
        readers are stopped with it). A writer that dies less often is
        restarted while the readers go on answering queries.
    """
    if "://" in settings.store or settings.store in (":memory:", "sparql"):
        raise KGError("--readers needs the embedded on-disk store (readers open its snapshots)", parameter="--readers")
    # A fork server imports the app once; each process forked from it starts in
    # well under a second, where a spawned one imports everything again.
    # (A plain fork would copy this process's threads and open handles.)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    store_parent = Path(settings.store).resolve().parent
    store_parent.mkdir(parents=True, exist_ok=True)
    # Snapshots hard-link the store's files: they must live on its file system.
    run_dir = Path(tempfile.mkdtemp(prefix=".conflictkg-serve-", dir=store_parent))
    snapshots = str(run_dir / "snapshots")
    # A Unix socket's path has at most 107 bytes: beside a deep store it may not fit.
    socket_dir = Path(tempfile.mkdtemp(prefix="conflictkg-"))
    uds = str(socket_dir / "writer.sock")
    sock = socket.create_server((settings.host, settings.port), backlog=2048)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    writer = _start_writer(ctx, settings, uds, snapshots)
    pool: list[_Reader] = []
    rows = _Rows(ctx, 2 * readers + 2)
    writer_died = False
    deaths: list[float] = []
    try:
        _wait_for_writer(writer, uds, snapshots)
        pool = [_Reader(ctx, settings, sock, uds, snapshots, log_level, rows.array, rows.take()) for _ in range(readers)]
        log.warning("conflictkg serving on http://%s:%d with %d reader%s", settings.host, settings.port, readers, "" if readers == 1 else "s")
        grace = settings.query_timeout_s + 10
        while not stopping:
            if not writer.is_alive():
                now = time.monotonic()
                deaths = [t for t in deaths if now - t < 60] + [now]
                if len(deaths) >= 5:
                    writer_died = True
                    break
                log.error("the writer process exited with status %s; restarting it (the readers go on)", writer.exitcode)
                writer.join()
                writer = _start_writer(ctx, settings, uds, snapshots)
            for reader in list(pool):
                if reader.retiring.is_set() and reader.retired_at is None:
                    reader.retired_at = time.monotonic()
                alive = reader.process.is_alive()
                if (reader.retired_at is not None or not alive) and not reader.replaced:
                    reader.replaced = True
                    pool.append(_Reader(ctx, settings, sock, uds, snapshots, log_level, rows.array, rows.take()))
                if reader.retired_at is not None and alive and time.monotonic() - reader.retired_at > grace:
                    reader.process.kill()
                if not alive:
                    reader.process.join()
                    pool.remove(reader)
                    rows.give_back(reader.row)
            time.sleep(0.05)
    finally:
        for process in [r.process for r in pool] + [writer]:
            if process.is_alive():
                process.terminate()
        for process in [r.process for r in pool] + [writer]:
            process.join(settings.query_timeout_s + 15)
            if process.is_alive():
                process.kill()
                process.join(5)
        sock.close()
        shutil.rmtree(run_dir, ignore_errors=True)
        shutil.rmtree(socket_dir, ignore_errors=True)
    if writer_died:
        raise KGError(f"the writer process died {len(deaths)} times within a minute (last status {writer.exitcode}); the readers were stopped")
