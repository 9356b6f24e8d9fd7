"""Saved queries over HTTP: ``GET /queries`` lists them, ``GET /queries/{name}?param=value`` runs one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from conflictkg.api.http import RAW_DATASET, client_of, query_fields, raw_dataset, respond, service_of
from conflictkg.graph.errors import InputError
from conflictkg.graph.sparql.saved import QUERIES_DIR, find_saved, load_folder

__all__ = ["router"]

router = APIRouter(prefix="/queries", tags=["saved queries"])


def _folder(request: Request) -> str:
    return request.app.state.settings.queries_dir or str(QUERIES_DIR)


@router.get("", summary="List the saved queries")
def list_queries(request: Request) -> JSONResponse:
    """Every saved query: name, title, description, tags, parameters, text."""
    saved = load_folder(_folder(request))
    return JSONResponse({"queries": [q.as_dict() for q in saved.values()]})


@router.get("/{name}", summary="Run a saved query; its parameters are URL parameters")
async def run_query(request: Request, name: str) -> Response:
    """Run one saved query with ``?param=value`` bound as RDF terms; results negotiated like /sparql."""
    saved = find_saved(name, _folder(request))
    fields = query_fields(request)
    raw = raw_dataset(fields)
    values: dict[str, str] = {}
    for key, value in fields:
        if key == RAW_DATASET:
            continue
        if key in values:
            raise InputError(f"the parameter {key!r} is given more than once", parameter=key)
        values[key] = value
    answer = await run_in_threadpool(
        service_of(request).run_saved, saved, values, accept=request.headers.get("accept"), raw=raw,
        client=client_of(request),
    )
    return respond(answer)
