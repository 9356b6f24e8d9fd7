"""Every IRI of the graph dereferenced: ``/id/…`` and ``/graph/…`` answer HTML or RDF by content negotiation.

The path after the IRI base names the entity (``GET /id/actor/sdf`` is
``https://w3id.org/conflictkg/id/actor/sdf``). The answer comes directly (no
303), with ``Vary: Accept``: a browser (``text/html`` preferred) gets the
entity page, anything else the entity's RDF in the negotiated format
(Turtle by default; JSON-LD, N-Triples, RDF/XML without claims; TriG and
N-Quads with every shown graph, claims included, in its own named graph).
An IRI nothing in the store mentions is a 404: a page for a browser, the
JSON error otherwise.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from conflictkg.api.errors import error_response
from conflictkg.api.routes.pages import STATIC_DIR, wants_html
from conflictkg.graph.entities.describe import entity_exists, entity_rdf
from conflictkg.graph.entities.names import iri_of_path
from conflictkg.graph.errors import UnknownEntity
from conflictkg.graph.sparql.results import GRAPH, negotiate

__all__ = ["router", "entity_page"]

router = APIRouter(tags=["entities"])

_RDF_RESPONSES = {200: {"content": {m: {} for m in ("text/html", "text/turtle", "application/ld+json", "application/n-triples",
                                                    "application/trig", "application/n-quads")}}}


def entity_page(iri: str, *, found: bool) -> HTMLResponse:
    """The entity page (filled in by ``entity.js`` from ``/entities/…``), or the 404 page."""
    name = "entity.html" if found else "missing.html"
    text = (STATIC_DIR / name).read_text(encoding="utf-8").replace("{{iri}}", html.escape(iri, quote=True))
    return HTMLResponse(text, status_code=200 if found else 404, headers={"Vary": "Accept"})


def _answer(request: Request, path: str) -> Response:
    iri = iri_of_path(path)
    accept = request.headers.get("accept")
    store = request.app.state.store
    if wants_html(accept):
        return entity_page(iri, found=entity_exists(store, iri))
    fmt = negotiate(accept, kinds=(GRAPH,)).for_kind(GRAPH)
    try:
        body = entity_rdf(store, iri, fmt.ox_format)  # type: ignore[arg-type]
    except UnknownEntity as err:
        response = error_response(err)
        response.headers["Vary"] = "Accept"
        return response
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept", "Content-Location": path})


@router.get("/id/{path:path}", summary="An entity: its page, or its RDF by content negotiation", responses=_RDF_RESPONSES)
def entity(request: Request, path: str) -> Response:
    """HTML for a browser; Turtle, JSON-LD, N-Triples, RDF/XML, TriG or N-Quads by ``Accept``; 404 for an unknown IRI."""
    return _answer(request, "/id/" + path)


@router.get("/graph/{path:path}", summary="A named graph as an entity: its metadata and page", responses=_RDF_RESPONSES)
def graph_entity(request: Request, path: str) -> Response:
    """The same as ``/id/…`` for the IRIs of named graphs (claims among them)."""
    return _answer(request, "/graph/" + path)
