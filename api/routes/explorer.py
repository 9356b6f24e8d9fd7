"""The network for front ends: ``/network/elements`` (Cytoscape.js elements over time) and ``/network/edge``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse

from conflictkg.graph.entities.names import check_iri

if TYPE_CHECKING:
    from conflictkg.graph.networks.explorer import NetworkExplorer

__all__ = ["router", "networks_imported"]


def networks_imported(request: Request) -> NetworkExplorer:
    """The server's network explorer, once its thread has made it (see ``conflictkg.api.app.Explorer``).

    Every ``/network`` route waits for it: the analyses are imported by that thread,
    and a request importing ``networks.signed`` beside it could deadlock on the import locks.
    """
    return request.app.state.explorer.start().result()


router = APIRouter(prefix="/network", tags=["network"], dependencies=[Depends(networks_imported)])


@router.get("/elements", summary="The actor network over a window or at a date, as Cytoscape.js elements")
def elements(
    request: Request,
    at: Optional[str] = Query(None, description="Only what holds on this day (YYYY-MM-DD)."),
    start: Optional[str] = Query(None, description="First day of the window (default: the first date in the data)."),
    end: Optional[str] = Query(None, description="Last day of the window (default: the last date plus the window)."),
    window: str = Query("365d", description="How long an event counts for its pair's score (90d, 12w, 6m, 1y)."),
    threshold: float = Query(1.0, description="Goldstein score at which events alone make a pair cooperative or hostile."),
    kinds: Optional[str] = Query(None, description="Comma-separated tie kinds to keep (Cooperation, Strain, Hostility, events …)."),
    actor_kinds: Optional[str] = Query(None, description="Comma-separated actor kinds to keep (ArmedGroup, Coalition, State …)."),
    include_claims: bool = Query(False, description="Also ties that only claims carry (marked claim_only, with the claimants)."),
    focus: Optional[str] = Query(None, description="Only this actor (IRI) and the actors within depth ties of it."),
    depth: int = Query(1, description="With focus: 1 to 3."),
    limit: int = Query(150, description="At most this many nodes (1 to 500); at most four times as many edges."),
) -> JSONResponse:
    """Nodes with ``label``, ``kind``, ``href``, ``degree``; each edge with its ``timeline`` of spells
    (``sign``, ``start``, ``end``, ``basis`` relationship or events, ``kind``, ``claim_only``,
    ``claimants``), so a front end replays the network without asking again. ``breakdowns`` are
    the alliance breakdowns for the time track; ``cap`` says the caps and the totals before them;
    ``read.mode`` is ``aggregated`` on a large store (the most active actors only)."""
    report = networks_imported(request).elements(
        at=at, start=start, end=end, window=window, threshold=threshold, kinds=kinds, actor_kinds=actor_kinds,
        include_claims=include_claims, focus=check_iri(focus, parameter="focus") if focus is not None else None,
        depth=depth, limit=limit,
    )
    return JSONResponse(report)


@router.get("/edge", summary="One pair of actors: its spells, each with its evidence, sources and claimants")
def edge(
    request: Request,
    source: str = Query(..., description="One actor's IRI."),
    target: str = Query(..., description="The other actor's IRI."),
    at: Optional[str] = Query(None, description="Only the spell in force on this day."),
    window: str = Query("365d", description="As for /network/elements."),
    threshold: float = Query(1.0, description="As for /network/elements."),
    include_claims: bool = Query(False, description="Also ties that only claims carry."),
) -> JSONResponse:
    """Each spell lists what carries it: the deciding relationship and its evidence (events and claims,
    each with ``source_label``, and for a claim ``claimant_label`` and ``attribution``), or the events
    in the window."""
    report = networks_imported(request).edge(
        check_iri(source, parameter="source"), check_iri(target, parameter="target"),
        at=at, window=window, threshold=threshold, include_claims=include_claims,
    )
    return JSONResponse(report)
