"""One JSON error envelope, and the one table from core errors to HTTP statuses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from conflictkg.graph import errors as e

__all__ = ["STATUS", "error_body", "install_error_handlers"]

log = logging.getLogger("conflictkg.api")

# Most specific first: the first class an error is an instance of decides.
STATUS: list[tuple[type[e.KGError], int]] = [
    (e.UnsupportedFormat, 415),
    (e.QuerySyntaxError, 400),
    (e.ParseError, 400),
    (e.InputError, 400),
    (e.ForbiddenOperation, 403),
    (e.UnknownEntity, 404),
    (e.QueryTimeout, 503),
    (e.ResultTooLarge, 413),
    (e.ValidationFailed, 422),
    (e.StoreError, 500),
    (e.KGError, 500),
]


def error_body(err: e.KGError) -> dict[str, object]:
    """The JSON envelope: ``{"error": {"code", "message", **details}}``."""
    return {"error": {"code": err.code, "message": err.message, **err.details}}


def _status_of(err: e.KGError) -> int:
    return next(status for cls, status in STATUS if isinstance(err, cls))


def install_error_handlers(app: FastAPI) -> None:
    """Map every :class:`KGError` to its status and the envelope; hide the rest."""

    @app.exception_handler(e.KGError)
    async def _kg_error(request: Request, err: e.KGError) -> JSONResponse:
        return JSONResponse(error_body(err), status_code=_status_of(err))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": {"code": "internal", "message": "internal server error"}}, status_code=500
        )
