"""The SPARQL endpoint: ``GET /sparql?query=…``."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response

from conflictkg.graph.results import serialize_result

__all__ = ["router"]

router = APIRouter(tags=["sparql"])


@router.get("/sparql")
def sparql_get(request: Request, query: str = Query(..., description="A SPARQL 1.1 query.")) -> Response:
    """Run a SPARQL query; SELECT/ASK answer SPARQL JSON results, CONSTRUCT answers Turtle."""
    # A plain ``def``: FastAPI runs it in a worker thread, off the event loop.
    result = request.app.state.store.query(query)
    if isinstance(result, ox.QueryTriples):
        return Response(serialize_result(result, "turtle"), media_type="text/turtle")
    return Response(serialize_result(result, "json"), media_type="application/sparql-results+json")
