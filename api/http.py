"""What every route shares: reading a capped body, the bearer token, turning an answer into a response."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl, unquote_to_bytes

from collections.abc import Iterator

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from conflictkg.api.connections import StreamCut
from conflictkg.graph.errors import AuthenticationRequired, ForbiddenOperation, InputError, KGError, RequestTooLarge
from conflictkg.graph.sparql.protocol import SparqlService
from conflictkg.graph.sparql.workers import Answer

__all__ = ["READ_BODY", "client_of", "service_of", "read_body", "form_fields", "query_fields", "require_token", "respond", "single", "wants_complete", "complete"]


#: A scope key for a body already read whole (a reader reads a form to tell a query from an update).
READ_BODY = "conflictkg.body"


def service_of(request: Request) -> SparqlService:
    """The app's :class:`SparqlService`."""
    return request.app.state.service


def client_of(request: Request) -> str | None:
    """Who sends the request, for the per-client limit: its address (``None`` on a Unix socket)."""
    return request.client.host if request.client else None


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 past ``max_body_bytes`` without reading it all."""
    cap = request.app.state.settings.max_body_bytes
    given = request.scope.get(READ_BODY)
    if given is not None and len(given) <= cap:
        return given
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise RequestTooLarge(f"the request body has {declared} bytes; the limit is {cap}", limit=cap)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise RequestTooLarge(f"the request body is larger than {cap} bytes, the limit", limit=cap)
    return bytes(body)


def _pairs(raw: str, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise InputError(f"the {where} is not UTF-8 once percent-decoded", parameter=where) from None


def _ascii_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    # What parse_qsl(keep_blank_values=True, errors="strict") gives for ASCII text (a test
    # holds them equal), on bytes: a third of the time, on the path of every form query.
    pairs = []
    try:
        for field in raw.split(b"&"):
            if field:
                name, _, value = field.partition(b"=")
                pairs.append((unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8"),
                              unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")))
    except UnicodeDecodeError:
        raise InputError(f"the {where} is not UTF-8 once percent-decoded", parameter=where) from None
    return pairs


def query_fields(request: Request) -> list[tuple[str, str]]:
    """The URL's query parameters, in order, repeats kept."""
    # From the scope, not request.url: building the URL object measured a twentieth of a lookup.
    raw = request.scope["query_string"]
    if raw.isascii():
        return _ascii_pairs(raw, "query string")
    try:
        text = raw.decode("utf-8")  # raw bytes past ASCII, as Starlette's request.url.query reads them
    except UnicodeDecodeError:
        raise InputError("the query string is not UTF-8", parameter="query string") from None
    return _pairs(text, "query string")


def form_fields(body: bytes) -> list[tuple[str, str]]:
    """The fields of an ``application/x-www-form-urlencoded`` body, in order, repeats kept."""
    if not body.isascii():
        raise InputError("a form body must be ASCII (percent-encoded UTF-8)", parameter="body")
    return _ascii_pairs(body, "form body")


def single(fields: list[tuple[str, str]], name: str) -> str | None:
    """The one value of a parameter; several are refused (the protocol allows exactly one)."""
    values = [v for k, v in fields if k == name]
    if len(values) > 1:
        raise InputError(f"the parameter {name!r} is given {len(values)} times; give it once", parameter=name)
    return values[0] if values else None


#: The parameter that asks for the stored dataset instead of the analyst's default graph.
RAW_DATASET = "raw-dataset"


def raw_dataset(fields: list[tuple[str, str]]) -> bool:
    """Whether ``raw-dataset=true`` asks for the stored dataset (``false`` or absent: the analyst's default graph)."""
    value = single(fields, RAW_DATASET)
    if value is None or value.lower() in ("false", "0"):
        return False
    if value.lower() in ("true", "1", ""):
        return True
    raise InputError(f"{RAW_DATASET}={value!r}: give true or false", parameter=RAW_DATASET)


def require_token(request: Request) -> None:
    """Allow a write only with the configured bearer token (compared in constant time).

    Raises
    ------
    ForbiddenOperation
        403 when no token is configured (the endpoint is read-only) or the token is wrong.
    AuthenticationRequired
        401 when a token is configured but the request has none.
    """
    expected = request.app.state.settings.update_token
    if not expected:
        raise ForbiddenOperation("this endpoint is read-only: updates are disabled (no update token is configured)")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise AuthenticationRequired("updates need 'Authorization: Bearer <token>'", parameter="Authorization")
    if not hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8")):
        raise ForbiddenOperation("the bearer token is not valid for updates", parameter="Authorization")


def wants_complete(request: Request) -> bool:
    """Whether the client asked for an error up front rather than a cut-off stream (``Prefer: handling=strict``)."""
    prefer = ",".join(request.headers.getlist("prefer")).lower()
    return any(p.split(";")[0].strip().replace(" ", "") == "handling=strict" for p in prefer.split(","))


async def complete(answer: Answer) -> Answer:
    """The whole answer read before anything is sent, so a limit hit later is an error status, not a cut body.

    Raises
    ------
    ResultTooLarge, QueryTimeout
        Whatever cut the stream.
    """
    if answer.body is not None:
        return answer
    body = await run_in_threadpool(answer.read)
    return Answer(answer.media_type, iter([body]), answer.kind, body)


def _cut_on_error(chunks: Iterator[bytes]) -> Iterator[bytes]:
    # A limit hit after the 200 went out: abort the chunked transfer (StreamCut, no final
    # empty chunk) so the client sees an incomplete body; the JSON or XML document is left
    # unterminated too, since its closing part was never written.
    try:
        yield from chunks
    except KGError as err:
        raise StreamCut(f"{err.code}: {err.message}") from None


def respond(answer: Answer, *, status_code: int = 200, head: bool = False, headers: dict[str, str] | None = None) -> Response:
    """A response for an answer: whole when it came whole, streamed otherwise (aborted if cut off)."""
    headers = {"Vary": "Accept", **(headers or {})}
    if answer.body is not None:
        return Response(b"" if head else answer.body, status_code=status_code, media_type=answer.media_type, headers=headers)
    return StreamingResponse(_cut_on_error(answer.chunks), status_code=status_code, media_type=answer.media_type, headers=headers)
