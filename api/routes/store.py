"""The SPARQL 1.1 Graph Store HTTP Protocol: ``/store?graph=IRI`` or ``/store?default``.

Reading (GET) is open like SPARQL queries are; PUT, POST and DELETE need the
update bearer token and are refused (401/403) without it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from conflictkg.api.http import query_fields, read_body, require_token, respond, service_of, single
from conflictkg.graph.errors import InputError

__all__ = ["router"]

router = APIRouter(prefix="/store", tags=["graph store"])


def _target(request: Request) -> str | None:
    fields = query_fields(request)
    graph = single(fields, "graph")
    default = any(k == "default" for k, _ in fields)
    if (graph is None) == (not default):
        raise InputError("name exactly one graph: ?graph=<IRI> or ?default", parameter="graph")
    return graph


@router.get("", summary="Read a graph")
async def read(request: Request) -> Response:
    """A graph's triples in the negotiated RDF format."""
    graph = _target(request)
    answer = await run_in_threadpool(service_of(request).read_graph, graph, accept=request.headers.get("accept"))
    return respond(answer)


@router.put("", summary="Replace a graph (token needed)")
async def replace(request: Request) -> Response:
    """Replace a graph with the body's triples: 201 when created, 204 otherwise."""
    require_token(request)
    graph = _target(request)
    body = await read_body(request)
    created = await run_in_threadpool(service_of(request).replace_graph, graph, body, request.headers.get("content-type"))
    return Response(status_code=201 if created else 204)


@router.post("", summary="Add triples to a graph (token needed)")
async def add(request: Request) -> Response:
    """Add the body's triples to a graph."""
    require_token(request)
    graph = _target(request)
    body = await read_body(request)
    await run_in_threadpool(service_of(request).add_to_graph, graph, body, request.headers.get("content-type"))
    return Response(status_code=204)


@router.delete("", summary="Delete a graph (token needed)")
async def delete(request: Request) -> Response:
    """Remove a graph and its triples."""
    require_token(request)
    graph = _target(request)
    await run_in_threadpool(service_of(request).delete_graph, graph)
    return Response(status_code=204)
