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
from urllib.parse import unquote_plus

import httpx
from fastapi import FastAPI, Request
from starlette.types import Message, Receive, Scope, Send

from conflictkg.api.app import add_cors
from conflictkg.api.connections import http_protocol, quiet_logs
from conflictkg.api.errors import error_response, install_error_handlers, unexpected_response
from conflictkg.api.routes import queries, sparql
from conflictkg.api.settings import Settings
from conflictkg.graph.errors import KGError, Unavailable
from conflictkg.graph.sparql.admission import BUCKETS, Admission, SharedCounts
from conflictkg.graph.sparql.inprocess import InProcessPool
from conflictkg.graph.sparql.protocol import SparqlService
from conflictkg.graph.store.snapshots import POINTER, SnapshotFollower

__all__ = ["create_reader_app", "serve_with_readers"]

log = logging.getLogger("conflictkg.serve")

# Hop-by-hop headers (RFC 9110 §7.6.1) are not passed on by a proxy.
_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
# The reader's own server writes these; passing the writer's too would double them.
_OWN = _HOP | {"server", "date"}
_UPDATE = "application/sparql-update"
_FORM = "application/x-www-form-urlencoded"


class _Dispatch:
    """A reader's ASGI app: queries to the local app, everything else to the writer."""

    def __init__(self, local: FastAPI, writer_uds: str, settings: Settings) -> None:
        self.local = local
        self.settings = settings
        self.client = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(uds=writer_uds), base_url="http://writer", timeout=None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.local(scope, receive, send)  # lifespan
            return
        path, method = scope["path"], scope["method"]
        if path == "/sparql" and method == "GET":
            await self._query(sparql.sparql_get, scope, receive, send)
            return
        if path.startswith("/queries") or (path == "/sparql" and method != "POST"):
            await self.local(scope, receive, send)
            return
        if path != "/sparql":
            await self._proxy(scope, receive, send, None)
            return
        content_type = _header(scope, b"content-type").split(";")[0].strip().lower()
        if content_type == _UPDATE:
            await self._proxy(scope, receive, send, None)
            return
        if content_type != _FORM:
            await self._query(sparql.sparql_post, scope, receive, send)
            return
        # A form may hold a query or an update: read it (within the cap) to know which.
        body, more = await _read_upto(receive, self.settings.max_body_bytes)
        replay = _replay(body, more, receive)
        if len(body) <= self.settings.max_body_bytes and _has_update(body):
            await self._proxy(scope, replay, send, body)
        else:
            await self._query(sparql.sparql_post, scope, replay, send)

    async def _query(self, handler, scope: Scope, receive: Receive, send: Send) -> None:
        """A query on ``/sparql``: the route's handler called directly, errors mapped as the app maps them.

        The app's middleware stack and route matching measured a tenth of a
        lookup's time in a reader; with CORS configured the request goes
        through the app, whose middleware answers preflights and adds the headers.
        """
        if self.settings.cors_origins:
            await self.local(scope, receive, send)
            return
        scope["app"] = self.local
        request = Request(scope, receive, send)
        try:
            response = await handler(request)
        except KGError as err:
            response = error_response(err)
        except Exception as err:  # logged, never echoed
            response = unexpected_response(request, err)
        await response(scope, receive, send)

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, body: bytes | None) -> None:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"] if k.decode("latin-1").lower() not in _HOP]
        # The path as the client sent it (still percent-encoded): a decoded one may hold characters no URL can.
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        url = raw_path.decode("latin-1") + ("?" + scope["query_string"].decode("latin-1") if scope["query_string"] else "")

        async def stream():
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                yield message.get("body", b"")
                if not message.get("more_body"):
                    return

        request = self.client.build_request(scope["method"], url, headers=headers, content=body if body is not None else stream())
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as err:
            # The supervisor restarts a dead writer; until then, writes are refused and can be retried.
            refused = Unavailable(f"the writer process did not answer ({type(err).__name__}); it is being restarted, retry shortly")
            await error_response(refused)(scope, receive, send)
            return
        try:
            await send({
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.multi_items() if k.lower() not in _OWN],
            })
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _has_update(body: bytes) -> bool:
    """Whether a form has an ``update`` field; only the names are decoded (the query may be long)."""
    for field in body.split(b"&"):
        name = field.split(b"=", 1)[0]
        if name == b"update" or (b"%" in name or b"+" in name) and unquote_plus(name.decode("latin-1")) == "update":
            return True
    return False


async def _read_upto(receive: Receive, cap: int) -> tuple[bytes, bool]:
    """The body, or as much past ``cap`` as came in (the route then refuses it); and whether more follows."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return bytes(body), False
        body += message.get("body", b"")
        if not message.get("more_body"):
            return bytes(body), False
        if len(body) > cap:
            return bytes(body), True


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


def create_reader_app(settings: Settings, snapshots: str, writer_uds: str, on_overrun, counts: SharedCounts | None = None) -> _Dispatch:
    """The ASGI app of one reader process.

    Parameters
    ----------
    settings : Settings
    snapshots : str
        The writer's snapshot folder.
    writer_uds : str
        The writer's Unix socket.
    on_overrun : callable
        Called when a query passes its time limit: the process must retire.
    counts : SharedCounts, optional
        The per-client query counts shared by all readers.
    """
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        quiet_logs()
        limits = settings.query_limits()
        pool = InProcessPool(
            SnapshotFollower(snapshots), limits=limits, size=settings.query_workers, on_overrun=on_overrun, lane=settings.query_lane
        )
        app.state.service = SparqlService(
            None, limits=limits, allow=settings.service_allowlist, pool=pool,
            admission=Admission(settings.max_client_queries, counts),
        )
        try:
            yield
        finally:
            app.state.service.close()

    local = FastAPI(title="conflictkg reader", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    local.state.settings = settings
    install_error_handlers(local)
    add_cors(local, settings)
    local.include_router(sparql.router)
    local.include_router(queries.router)
    return _Dispatch(local, writer_uds, settings)


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
    ctx = mp.get_context("spawn")
    store_parent = Path(settings.store).resolve().parent
    store_parent.mkdir(parents=True, exist_ok=True)
    # Snapshots hard-link the store's files: they must live on its file system.
    run_dir = Path(tempfile.mkdtemp(prefix=".conflictkg-serve-", dir=store_parent))
    uds, snapshots = str(run_dir / "writer.sock"), str(run_dir / "snapshots")
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
        log.warning("conflictkg serving on http://%s:%d with %d readers", settings.host, settings.port, readers)
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
    if writer_died:
        raise KGError(f"the writer process died {len(deaths)} times within a minute (last status {writer.exitcode}); the readers were stopped")
