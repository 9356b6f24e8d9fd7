"""Saved queries over HTTP: ``GET /queries`` lists them, ``GET /queries/{name}?param=value`` runs one.

Asked for ``Accept: application/sparql-query``, ``GET /queries/{name}?param=value``
answers the query text with the values bound (what would run), not its results:
the query page puts that in its editor.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from conflictkg.api.http import RAW_DATASET, client_of, query_fields, raw_dataset, respond, service_of
from conflictkg.graph.errors import InputError
from conflictkg.graph.sparql.results import parse_accept
from conflictkg.graph.sparql.saved import QUERIES_DIR, find_saved, load_folder

__all__ = ["router"]

router = APIRouter(prefix="/queries", tags=["saved queries"])

_QUERY_TEXT = "application/sparql-query"


def _wants_query_text(accept: str | None) -> bool:
    ranges = parse_accept(accept)
    text = max((q for media, q, _ in ranges if media == _QUERY_TEXT), default=0.0)
    return text > 0 and text >= max((q for media, q, _ in ranges if media != _QUERY_TEXT), default=0.0)


def _folder(request: Request) -> str:
    return request.app.state.settings.queries_dir or str(QUERIES_DIR)


@router.get("", summary="List the saved queries")
def list_queries(request: Request) -> JSONResponse:
    """Every saved query: name, title, description, tags, parameters, text."""
    saved = load_folder(_folder(request))
    return JSONResponse({"queries": [q.as_dict() for q in saved.values()]})


@router.get("/{name}", summary="Run a saved query; its parameters are URL parameters")
async def run_query(request: Request, name: str) -> Response:
    """Run one saved query with ``?param=value`` bound as RDF terms; results negotiated like /sparql.

    With ``Accept: application/sparql-query``: the bound query text instead.
    """
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
    accept = request.headers.get("accept")
    if _wants_query_text(accept):
        return Response(saved.bind(values), media_type=_QUERY_TEXT, headers={"Vary": "Accept"})
    answer = await run_in_threadpool(
        service_of(request).run_saved, saved, values, accept=accept, raw=raw, client=client_of(request),
    )
    return respond(answer)
