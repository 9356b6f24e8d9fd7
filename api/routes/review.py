"""Reviewing report candidates over HTTP: ``/review``, ``/review/{report}`` and its accept, reject and edit.

Everything here needs the update bearer token: unreviewed candidates are never served as facts.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from conflictkg.api.http import query_fields, read_body, require_token, service_of, single
from conflictkg.graph.errors import InputError, UnsupportedFormat
from conflictkg.graph.reports.pending import ingest
from conflictkg.graph.reports.review import accept, edit, list_pending, reject, show
from conflictkg.graph.reports.text import report_from_text

__all__ = ["router"]

router = APIRouter(prefix="/review", tags=["review"])


async def _json(request: Request, allowed: set[str]) -> dict:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request)
    if not body:
        return {}
    if ctype != "application/json":
        raise UnsupportedFormat(f"send application/json, not {ctype or 'no content type'!r}", parameter="Content-Type")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise InputError(f"the body is not JSON: {err}", parameter="body") from None
    if not isinstance(data, dict):
        raise InputError("the body must be a JSON object", parameter="body")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(f"unknown field(s) {', '.join(unknown)}; use {', '.join(sorted(allowed))}", parameter=unknown[0])
    return data


def _ids(data: dict) -> list[str] | None:
    ids = data.get("candidates")
    if ids is None:
        return None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputError("candidates must be a list of candidate ids (\"n1\", \"e2\" …)", parameter="candidates")
    return ids


@router.get("", summary="Reports waiting for review (token needed)")
async def pending_reports(request: Request) -> JSONResponse:
    """Each pending report with its candidates counted by kind."""
    require_token(request)
    return JSONResponse(await run_in_threadpool(list_pending, request.app.state.store))


_TEXT = ("text/plain", "text/markdown", "text/html")


@router.post("", summary="Ingest a report into a pending graph (token needed)")
async def ingest_report(request: Request) -> JSONResponse:
    """The body is the report (text/plain, text/markdown or text/html, UTF-8); ``?slug=`` names it, and
    ``title``, ``published`` (YYYY-MM-DD), ``publisher``, ``url`` describe it. 201 with the counts."""
    require_token(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _TEXT:
        raise UnsupportedFormat(f"send the report as {', '.join(_TEXT)}, not {ctype or 'no content type'!r}",
                                parameter="Content-Type")
    fields = query_fields(request)
    slug = single(fields, "slug")
    if not slug:
        raise InputError("name the report: ?slug=…", parameter="slug")
    meta = {k: single(fields, k) for k in ("title", "published", "publisher", "url")}
    body = await read_body(request)
    report = report_from_text(body, name=f"{slug} (request body)", slug=slug, **meta)
    result = await run_in_threadpool(service_of(request).write, ingest, report)
    x = result.extraction
    return JSONResponse({"report": result.slug, "graph": result.graph, "alreadyAccepted": result.already_accepted,
                         "replaced": result.replaced, "candidates": result.counts, "linked": result.linked,
                         "seconds": round(x.seconds, 3) if x else 0.0}, status_code=200 if result.already_accepted else 201)


@router.get("/{report}", summary="A pending report's candidates (token needed)")
async def pending_report(request: Request, report: str) -> JSONResponse:
    """Every candidate with its id, kind, statements, claim, span and sentence."""
    require_token(request)
    return JSONResponse(await run_in_threadpool(show, request.app.state.store, report))


@router.post("/{report}/accept", summary="Accept candidates into reviewed facts and claims (token needed)")
async def accept_report(request: Request, report: str) -> JSONResponse:
    """Body ``{"reviewer": "…", "candidates": ["n1", …]}``; without ``candidates`` the whole report. One transaction."""
    require_token(request)
    data = await _json(request, {"reviewer", "candidates"})
    reviewer = data.get("reviewer")
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise InputError("name the reviewer: {\"reviewer\": \"…\"}", parameter="reviewer")
    done = await run_in_threadpool(service_of(request).write, accept, report, _ids(data), reviewer=reviewer)
    return JSONResponse(done)


@router.post("/{report}/reject", summary="Reject candidates, or the whole report (token needed)")
async def reject_report(request: Request, report: str) -> JSONResponse:
    """Body ``{"candidates": ["e3", …]}``; without it (or with no body) the whole report."""
    require_token(request)
    data = await _json(request, {"candidates"})
    return JSONResponse(await run_in_threadpool(service_of(request).write, reject, report, _ids(data)))


@router.post("/{report}/edit", summary="Change one field of one candidate (token needed)")
async def edit_candidate(request: Request, report: str) -> JSONResponse:
    """Body ``{"candidate": "q2", "field": "qualifier", "value": "AtLeast"}``."""
    require_token(request)
    data = await _json(request, {"candidate", "field", "value"})
    for key in ("candidate", "field", "value"):
        if not isinstance(data.get(key), str):
            raise InputError(f"{key} is required (a string)", parameter=key)
    done = await run_in_threadpool(service_of(request).write, edit, report, data["candidate"], data["field"], data["value"])
    return JSONResponse(done)
