"""The signed actor network over HTTP: ``/network/`` balance, centrality, breakdowns, export."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from conflictkg.api.http import read_body
from conflictkg.api.routes.explorer import networks_imported
from conflictkg.graph.errors import InputError, UnsupportedFormat

# The analyses (networkx, scipy: about a second to import) are imported by the handlers that
# run them, so a reader process or the CLI starts without them; in the server, a thread imports
# them when first needed (a /network request, or the explorer page opening) and every route
# here waits for it (networks_imported).

__all__ = ["router"]

router = APIRouter(prefix="/network", tags=["network"], dependencies=[Depends(networks_imported)])

_CSV = ("text/csv", "application/csv", "text/plain")
#: The media types of ``/network/export`` (those of ``networks.exports.EXPORT_FORMATS``; a test checks).
EXPORT_MEDIA_TYPES = ("application/gexf+xml", "application/graphml+xml", "application/json")


@router.get("/balance", summary="Structural balance of the actor network, optionally as of a date")
def balance_of_store(
    request: Request,
    at: Optional[str] = Query(None, description="The network as of this date (YYYY-MM-DD)."),
    window: Optional[str] = Query(None, description="With at: how far back events count (90d, 12w, 1y)."),
    include_claims: bool = Query(False, description="Also count what claim graphs allege."),
) -> JSONResponse:
    """Triangle census and index, walk index, frustration index with the bipartition and frustrated edges."""
    # A plain def: FastAPI runs it in a worker thread, off the event loop.
    from conflictkg.graph.networks.series import network_balance
    report = network_balance(
        request.app.state.store, at=at, window=window, include_claims=include_claims,
        time_limit=request.app.state.settings.query_timeout_s,
    )
    return JSONResponse(report)


@router.post("/balance", summary="Structural balance of a signed edge list sent as CSV (source,target,sign)")
async def balance_of_edge_list(request: Request) -> JSONResponse:
    """The body is a CSV edge list with the header ``source,target,sign``; a bad row is a 400 naming it."""
    text = await _edge_list_text(request)
    limit = request.app.state.settings.query_timeout_s
    from conflictkg.graph.networks.series import network_balance
    report = await run_in_threadpool(network_balance, edges_text=text, time_limit=limit)
    return JSONResponse(report)


@router.get("/centrality", summary="PN index, signed degree and brokerage between blocs of every actor, optionally as of a date")
def centrality_of_store(
    request: Request,
    at: Optional[str] = Query(None, description="The network as of this date (YYYY-MM-DD)."),
    window: Optional[str] = Query(None, description="With at: how far back events count (90d, 12w, 1y)."),
    include_claims: bool = Query(False, description="Also count what claim graphs allege."),
) -> JSONResponse:
    """Actors by PN index, highest first, each with its signed degree, bloc and brokerage; the blocs are the
    frustration index's optimal bipartition."""
    # A plain def: FastAPI runs it in a worker thread, off the event loop.
    from conflictkg.graph.networks.series import network_centrality
    report = network_centrality(
        request.app.state.store, at=at, window=window, include_claims=include_claims,
        time_limit=request.app.state.settings.query_timeout_s,
    )
    return JSONResponse(report)


@router.post("/centrality", summary="Signed centralities of a signed edge list sent as CSV (source,target,sign)")
async def centrality_of_edge_list(request: Request) -> JSONResponse:
    """The body is a CSV edge list with the header ``source,target,sign``; a bad row is a 400 naming it."""
    text = await _edge_list_text(request)
    limit = request.app.state.settings.query_timeout_s
    from conflictkg.graph.networks.series import network_centrality
    report = await run_in_threadpool(network_centrality, edges_text=text, time_limit=limit)
    return JSONResponse(report)


async def _edge_list_text(request: Request) -> str:
    """The CSV body as text: 415 for another content type, 413 past the size cap, 400 if not UTF-8."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _CSV:
        raise UnsupportedFormat(f"send the edge list as text/csv, not {ctype or 'no content type'!r}", parameter="content-type")
    body = await read_body(request)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"the edge list is not UTF-8 (byte {err.start})", parameter="body") from None


@router.get("/breakdowns", summary="Alliance breakdowns and triad transitions, with evidence and sources")
def breakdowns(
    request: Request,
    window: str = Query("90d", description="Rolling window of the event scores (90d, 12w, 6m, 1y)."),
    threshold: float = Query(1.0, gt=0, description="Goldstein score at which events alone set a pair's state."),
    hold: Optional[str] = Query(None, description="How long hostility must last (default: the window)."),
    method: str = Query("hysteresis", description="hysteresis, or changepoint (PELT)."),
    include_claims: bool = Query(False, description="Also count what claim graphs allege."),
) -> JSONResponse:
    """Each breakdown: the pair, the date, the score before and after, the evidence events and claims with sources."""
    from conflictkg.graph.networks.alliances import breakdown_report
    report = breakdown_report(
        request.app.state.store, window=window, threshold=threshold, hold=hold, method=method,
        include_claims=include_claims,
    )
    return JSONResponse(report)


@router.get(
    "/export",
    summary="The actor network over time as GEXF, GraphML, Cytoscape.js or node-link JSON",
    responses={200: {"content": {media: {} for media in EXPORT_MEDIA_TYPES}}},
)
def export(
    request: Request,
    format: str = Query(..., description="gexf, graphml, cytoscape or node-link."),
    until: Optional[str] = Query(None, description="Where open spans end (default: the last date in the data)."),
    at: Optional[str] = Query(None, description="Edges show their sign that day; Cytoscape.js and GraphML hold only that day's spells."),
    include_claims: bool = Query(False, description="Also count what claim graphs allege."),
) -> Response:
    """Edges have stable ids and carry their sign over time: GEXF spells for Gephi's timeline; one element per spell
    (own sign, kind, start, end) in Cytoscape.js JSON and GraphML."""
    from conflictkg.graph.networks.exports import export_store_network
    data, media_type = export_store_network(request.app.state.store, format, until=until, at=at, include_claims=include_claims)
    suffix = {"gexf": "gexf", "graphml": "graphml"}.get(format, "json")
    return Response(
        data, media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="conflictkg-network.{suffix}"'},
    )
