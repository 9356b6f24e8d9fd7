"""One JSON error envelope, and the one table from core errors to HTTP statuses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from conflictkg.graph import errors as e

__all__ = ["STATUS", "error_body", "error_response", "install_error_handlers", "unexpected_response"]

log = logging.getLogger("conflictkg.api")

# Most specific first: the first class an error is an instance of decides.
STATUS: list[tuple[type[e.KGError], int]] = [
    (e.AuthenticationRequired, 401),
    (e.NotAcceptable, 406),
    (e.RequestTooLarge, 413),
    (e.UnsupportedFormat, 415),
    (e.OutboundRequestRefused, 400),
    (e.QuerySyntaxError, 400),
    (e.ParseError, 400),
    (e.InputError, 400),
    (e.ForbiddenOperation, 403),
    (e.UnknownEntity, 404),
    (e.QueryTimeout, 503),
    (e.TooManyRequests, 429),
    (e.Unavailable, 503),
    # Not 413: that would blame the request; the request was fine, its answer is too big.
    (e.ResultTooLarge, 422),
    (e.ValidationFailed, 422),
    (e.StoreError, 500),
    (e.KGError, 500),
]


def error_body(err: e.KGError) -> dict[str, object]:
    """The JSON envelope: ``{"error": {"code", "message", **details}}``."""
    return {"error": {"code": err.code, "message": err.message, **err.details}}


def _status_of(err: e.KGError) -> int:
    return next(status for cls, status in STATUS if isinstance(err, cls))


def error_response(err: e.KGError) -> JSONResponse:
    """The response for a core error (for code paths outside the exception handlers)."""
    status = _status_of(err)
    if status == 500 and type(err) is e.KGError:
        # A bare KGError carries an internal message (a worker's crash): log it, do not echo it.
        log.error("query failed: %s", err.message)
        return JSONResponse({"error": {"code": "internal", "message": "internal server error"}}, status_code=500)
    headers = {"WWW-Authenticate": 'Bearer realm="conflictkg"'} if status == 401 else None
    if status == 429 or isinstance(err, e.Unavailable):
        headers = {"Retry-After": "1"}
    return JSONResponse(error_body(err), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Map every :class:`KGError` to its status and the envelope; hide the rest."""

    @app.exception_handler(e.KGError)
    async def _kg_error(request: Request, err: e.KGError) -> JSONResponse:
        return error_response(err)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        return JSONResponse(
            {"error": {"code": code, "message": str(err.detail)}}, status_code=err.status_code, headers=err.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x not in ("query", "body"))
        return JSONResponse(
            {"error": {"code": "bad_input", "message": f"{where}: {first.get('msg', 'invalid request')}", "parameter": where}},
            status_code=400,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> JSONResponse:
        return unexpected_response(request, err)


def unexpected_response(request: Request, err: Exception) -> JSONResponse:
    """The 500 for an error that is not a :class:`KGError`: logged with its traceback, never echoed."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=err)
    return JSONResponse({"error": {"code": "internal", "message": "internal server error"}}, status_code=500)
