"""The SPARQL 1.1 Graph Store HTTP Protocol: ``/store?graph=IRI``, ``/store?default``, and graphs named by their URL.

Indirect identification: ``/store?graph=<IRI>`` or ``/store?default``.
Direct identification: a request to ``/store/<anything>`` is about the graph
whose IRI is that request URL (without its query), so ``POST /store`` (no
graph) creates a graph there and answers its IRI in ``Location``. No other
route lives under ``/store/``, so the two never compete.

Reading (GET, HEAD) is open like SPARQL queries are; PUT, POST and DELETE need
the update bearer token and are refused (401/403) without it.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from conflictkg.api.http import query_fields, read_body, require_token, respond, service_of, single
from conflictkg.graph.errors import InputError, RequestTooLarge
from conflictkg.graph.store import format_for_path

__all__ = ["router"]

router = APIRouter(prefix="/store", tags=["graph store"])

_MULTIPART = "multipart/form-data"


def _target(request: Request, *, store_ok: bool = False) -> str | None | type[Ellipsis]:
    """The graph a request is about: an IRI, ``None`` (the default graph), or ``...`` (the graph store itself)."""
    fields = query_fields(request)
    graph = single(fields, "graph")
    default = any(k == "default" for k, _ in fields)
    if request.url.path.rstrip("/") != "/store":
        if graph is not None or default:
            raise InputError("a graph named by its URL takes neither ?graph= nor ?default", parameter="graph")
        return str(request.url.replace(query="", fragment=""))
    if graph is None and not default and store_ok:
        return ...
    if (graph is None) == (not default):
        raise InputError("name exactly one graph: ?graph=<IRI> or ?default", parameter="graph")
    return graph


async def _payload(request: Request) -> tuple[bytes | list[tuple[str, bytes, str | None]], str | None]:
    """The RDF a write sends: one body, or the files of a ``multipart/form-data`` form."""
    content_type = request.headers.get("content-type")
    if (content_type or "").split(";")[0].strip().lower() != _MULTIPART:
        return await read_body(request), content_type
    cap = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise RequestTooLarge(f"the request body has {declared} bytes; the limit is {cap}", limit=cap)
    files: list[tuple[str, bytes, str | None]] = []
    async with request.form(max_part_size=cap) as form:
        total = 0
        for name, part in form.multi_items():
            if isinstance(part, str):
                raise InputError(f"the form field {name!r} is not a file; send each graph as a file part", parameter=name)
            data = await part.read()
            total += len(data)
            if total > cap:
                raise RequestTooLarge(f"the files are larger than {cap} bytes, the limit", limit=cap)
            media = (part.content_type or "").split(";")[0].strip().lower()
            label = part.filename or name
            if media in ("", "application/octet-stream"):
                # Browsers send a file of unknown type so: its ending tells the format.
                media = _media_of_ending(label)
            files.append((label, data, media))
    if not files:
        raise InputError("the multipart/form-data body has no file", parameter="body")
    return files, None


def _media_of_ending(name: str) -> str | None:
    try:
        return format_for_path(name).media_type
    except Exception:  # an unknown ending: the parse step names the file and what it accepts
        return None


def _head(answer) -> Response:
    headers = {"Vary": "Accept", "Content-Type": answer.media_type}
    if answer.body is not None:
        headers["Content-Length"] = str(len(answer.body))
    return Response(b"", headers=headers)


@router.get("", summary="Read a graph")
@router.get("/{path:path}", summary="Read a graph named by its URL")
async def read(request: Request) -> Response:
    """A graph's triples in the negotiated RDF format (404 for a graph the store does not hold)."""
    graph = _target(request)
    answer = await run_in_threadpool(service_of(request).read_graph, graph, accept=request.headers.get("accept"))
    return respond(answer)


@router.head("", summary="A graph's headers, as GET would give them")
@router.head("/{path:path}", summary="A graph's headers, named by its URL")
async def head(request: Request) -> Response:
    """What GET would answer, without the body (404 for a missing graph)."""
    graph = _target(request)
    answer = await run_in_threadpool(service_of(request).read_graph, graph, accept=request.headers.get("accept"))
    return _head(answer)


@router.put("", summary="Replace a graph (token needed)")
@router.put("/{path:path}", summary="Replace a graph named by its URL (token needed)")
async def replace(request: Request) -> Response:
    """Replace a graph with the body's triples: 201 when created, 204 otherwise."""
    require_token(request)
    graph = _target(request)
    body = await read_body(request)
    created = await run_in_threadpool(service_of(request).replace_graph, graph, body, request.headers.get("content-type"))
    return Response(status_code=201 if created else 204)


@router.post("", summary="Add triples to a graph, or create a new graph (token needed)")
@router.post("/{path:path}", summary="Add triples to a graph named by its URL (token needed)")
async def add(request: Request) -> Response:
    """Add the body's triples (or a multipart form's files) to a graph.

    Without ``?graph`` or ``?default`` the store makes a new graph, answered
    ``201 Created`` with its IRI in ``Location``; a graph that did not exist
    is also ``201``, an existing one ``204``.
    """
    require_token(request)
    graph = _target(request, store_ok=True)
    new = graph is ...
    if new:
        graph = str(request.url.replace(query="", fragment="")).rstrip("/") + "/" + uuid.uuid4().hex
    payload, content_type = await _payload(request)
    created = await run_in_threadpool(service_of(request).add_to_graph, graph, payload, content_type)
    if new:
        return Response(status_code=201, headers={"Location": graph})
    return Response(status_code=201 if created else 204)


@router.delete("", summary="Delete a graph (token needed)")
@router.delete("/{path:path}", summary="Delete a graph named by its URL (token needed)")
async def delete(request: Request) -> Response:
    """Remove a graph and its triples (404 for a graph the store does not hold)."""
    require_token(request)
    graph = _target(request)
    await run_in_threadpool(service_of(request).delete_graph, graph)
    return Response(status_code=204)
