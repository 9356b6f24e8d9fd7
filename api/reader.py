"""A reader process's ASGI app (:mod:`conflictkg.api.prefork`): queries on the newest snapshot, the rest to the writer.

Queries on ``/sparql`` and ``/queries`` run on the reader's own threads
(:class:`conflictkg.graph.sparql.inprocess.InProcessPool`); every other request,
and every update, is passed unchanged to the writer on its Unix socket.
"""

from __future__ import annotations

import gc
from urllib.parse import unquote_plus

import httpx
from fastapi import FastAPI, Request
from starlette.types import Message, Receive, Scope, Send

from conflictkg.api.app import add_cors
from conflictkg.api.connections import quiet_logs
from conflictkg.api.errors import error_response, install_error_handlers, unexpected_response
from conflictkg.api.http import READ_BODY
from conflictkg.api.routes import queries, sparql
from conflictkg.api.settings import Settings
from conflictkg.graph.errors import KGError, Unavailable
from conflictkg.graph.sparql.admission import Admission, SharedCounts
from conflictkg.graph.sparql.inprocess import InProcessPool
from conflictkg.graph.sparql.protocol import SparqlService
from conflictkg.graph.store.snapshots import SnapshotFollower

__all__ = ["create_reader_app"]

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
            if not more:
                scope[READ_BODY] = body  # read_body takes it from here, not from the replay
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
        gc.freeze()  # as the writer does (conflictkg.api.app): start-up objects are not collected per request
        try:
            yield
        finally:
            gc.unfreeze()
            app.state.service.close()

    local = FastAPI(title="conflictkg reader", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    local.state.settings = settings
    install_error_handlers(local)
    add_cors(local, settings)
    local.include_router(sparql.router)
    local.include_router(queries.router)
    return _Dispatch(local, writer_uds, settings)
