"""Entities for front ends: ``/entities/search``, ``/entities/describe``, ``/entities/neighbourhood`` (JSON)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse

from conflictkg.graph.entities.describe import describe_entity
from conflictkg.graph.entities.names import check_iri
from conflictkg.graph.entities.neighbourhood import neighbourhood

__all__ = ["router"]

router = APIRouter(prefix="/entities", tags=["entities"])


@router.get("/search", summary="Entities by label or alias, ranked, as you type")
def search(
    request: Request,
    q: str = Query(..., description="What the user typed (at most 200 characters); every word matches as a prefix."),
    limit: int = Query(10, description="At most this many results (1 to 50)."),
) -> JSONResponse:
    """Exact names first (a label before an alias), then names that start with the text, then BM25 rank.
    Each result has ``iri``, ``href`` (its page here), ``label``, ``kind``, ``matched`` and ``field``
    (label or alias), ``claim`` (true when only claims name it) and ``claimants``. Pending
    (unreviewed) graphs are never searched."""
    # A plain def: FastAPI runs it in a worker thread, off the event loop.
    return JSONResponse(request.app.state.search.search(q, limit=limit))


@router.get("/describe", summary="Everything shown about one entity: facts by named graph, events, relationships")
def describe(request: Request, iri: str = Query(..., description="The entity's IRI.")) -> JSONResponse:
    """Facts grouped by the named graph holding them, each graph with its kind (fact, claim,
    inferred), source, claimant and attribution; quantities with their qualifier (``text``:
    "approximately 120"); the events it took part in (newest first, capped, with the total);
    its relationships with their spans (a date that only a claim gives says whose claim) and
    evidence. 404 for an IRI nothing in the store mentions."""
    return JSONResponse(describe_entity(request.app.state.store, check_iri(iri)))


@router.get("/neighbourhood", summary="The entities within N links of one entity, as Cytoscape.js elements")
def neighbours(
    request: Request,
    iri: str = Query(..., description="The centre's IRI."),
    depth: int = Query(1, description="Links out, 1 to 3."),
    limit: int = Query(100, description="At most this many nodes (1 to 500); the answer says if it was cut."),
) -> JSONResponse:
    """Nodes (``id``, ``label``, ``kind``, ``href``, ``distance``) and edges (``predicate``, ``label``,
    ``claim``: true when only claim graphs hold the link, ``claimants``); ``cap`` says the node cap
    and whether the neighbourhood was cut there."""
    return JSONResponse(neighbourhood(request.app.state.store, check_iri(iri), depth=depth, limit=limit))
