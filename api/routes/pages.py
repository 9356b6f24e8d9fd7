"""The query page: a SPARQL editor (YASGUI) with the saved queries as examples."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from conflictkg.graph.sparql.results import GRAPH, MEDIA_FORMATS, parse_accept

__all__ = ["router", "query_page", "explore_page", "wants_html", "STATIC_DIR", "YASGUI_DIR", "CYTOSCAPE_DIR", "SWAGGER_DIR"]

router = APIRouter(tags=["pages"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: Where `make install` puts YASGUI from the npm registry (gitignored, never committed).
YASGUI_DIR = STATIC_DIR / "vendor" / "node_modules" / "@zazuko" / "yasgui" / "build"
#: Where `make install` puts Cytoscape.js from the npm registry (gitignored, never committed).
CYTOSCAPE_DIR = STATIC_DIR / "vendor" / "node_modules" / "cytoscape" / "dist"
#: Swagger UI for /docs, from the npm registry the same way (FastAPI's default loads it from a CDN).
SWAGGER_DIR = STATIC_DIR / "vendor" / "node_modules" / "swagger-ui-dist"


def wants_html(accept: str | None) -> bool:
    """Whether a client asks for HTML by name at least as much as for any RDF format."""
    ranges = parse_accept(accept)
    html = max((q for media, q, _ in ranges if media == "text/html"), default=0.0)
    rdf_types = {f.media_type for f in MEDIA_FORMATS if f.kind == GRAPH}
    rdf = max((q for media, q, _ in ranges if media in rdf_types), default=0.0)
    return html > 0 and html >= rdf


def query_page(request: Request) -> Response:
    """The HTML of the query page."""
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    if not (YASGUI_DIR / "yasgui.min.js").is_file():
        html = html.replace(
            "<!--missing-->",
            '<p class="missing">The editor is not installed: run <code>make install</code> '
            "(it fetches YASGUI from the npm registry into api/static/vendor).</p>",
        )
    return HTMLResponse(html, headers={"Vary": "Accept"})


@router.get("/", summary="The query page", response_class=HTMLResponse)
def index(request: Request) -> Response:
    """A SPARQL editor with the saved queries as examples, and a results table."""
    return query_page(request)


@router.get("/explore", summary="The network explorer", response_class=HTMLResponse)
def explore_page(request: Request) -> Response:
    """The actor network over time (Cytoscape.js), drawn from ``/network/elements`` and ``/network/edge``."""
    request.app.state.explorer.start()  # it warms while the page loads its scripts
    html = (STATIC_DIR / "explore.html").read_text(encoding="utf-8")
    if not (CYTOSCAPE_DIR / "cytoscape.min.js").is_file():
        html = html.replace(
            "<!--missing-->",
            '<p class="missing">The graph drawing library is not installed: run <code>make install</code> '
            "(it fetches Cytoscape.js from the npm registry into api/static/vendor).</p>",
        )
    return HTMLResponse(html)


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    """The OpenAPI documentation (Swagger UI served from this server, so it works offline)."""
    if not (SWAGGER_DIR / "swagger-ui-bundle.js").is_file():
        return HTMLResponse(
            "<!doctype html><title>conflictkg API</title><p>Swagger UI is not installed: run <code>make install</code> "
            '(it fetches swagger-ui-dist from the npm registry into api/static/vendor). The schema is at '
            '<a href="/openapi.json">/openapi.json</a>.</p>',
            status_code=503,
        )
    vendor = "/static/vendor/node_modules/swagger-ui-dist"
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} — API",
        swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
        swagger_css_url=f"{vendor}/swagger-ui.css",
        swagger_favicon_url=f"{vendor}/favicon-32x32.png",
    )
