"""The error vocabulary of conflictkg: one hierarchy, mapped to HTTP statuses in one place."""

from __future__ import annotations

__all__ = [
    "KGError",
    "InputError",
    "ParseError",
    "UnsupportedFormat",
    "QuerySyntaxError",
    "QueryTimeout",
    "ResultTooLarge",
    "ForbiddenOperation",
    "UnknownEntity",
    "StoreError",
    "ValidationFailed",
    "OutboundRequestRefused",
    "NotAcceptable",
    "AuthenticationRequired",
    "RequestTooLarge",
    "UpdateFailed",
    "TooManyRequests",
    "Unavailable",
]


class KGError(Exception):
    """Base class of every error conflictkg raises on purpose.

    ``str(err)`` is a message fit to show a user; ``details`` carries structured
    context (file, line, column, field, parameter) for JSON error bodies.
    """

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}


class InputError(KGError):
    """The caller's input is wrong (bad parameter, missing file, bad row)."""

    code = "bad_input"


class ParseError(InputError):
    """A file or text failed to parse; ``details`` has file, line and column."""

    code = "parse_error"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        **details: object,
    ) -> None:
        where = ":".join(str(x) for x in (file, line, column) if x is not None)
        super().__init__(f"{where}: {message}" if where else message, file=file, line=line, column=column, **details)
        self.file, self.line, self.column = file, line, column


class UnsupportedFormat(InputError):
    """A file's format is unknown or not accepted here."""

    code = "unsupported_format"


class QuerySyntaxError(InputError):
    """A SPARQL query or update does not parse."""

    code = "query_syntax"


class QueryTimeout(KGError):
    """A query ran past its time limit and was stopped."""

    code = "query_timeout"


class ResultTooLarge(KGError):
    """A query result exceeds the configured row or byte cap."""

    code = "result_too_large"


class ForbiddenOperation(KGError):
    """The operation is not allowed here (an update without a token, SERVICE, LOAD …)."""

    code = "forbidden"


class UnknownEntity(KGError):
    """A named thing (saved query, actor, graph) does not exist."""

    code = "not_found"


class ValidationFailed(KGError):
    """Data violates the ontology (HermiT) or the SHACL shapes."""

    code = "validation_failed"


class StoreError(KGError):
    """The store could not be opened or written."""

    code = "store_error"


class OutboundRequestRefused(InputError):
    """A query or update would make the server fetch from another host (SERVICE, LOAD, FROM)."""

    code = "outbound_refused"


class NotAcceptable(KGError):
    """No result format the client accepts fits the kind of result."""

    code = "not_acceptable"


class AuthenticationRequired(ForbiddenOperation):
    """The operation needs credentials (a bearer token) and none were given."""

    code = "unauthorized"


class RequestTooLarge(InputError):
    """A request body is bigger than the configured cap."""

    code = "request_too_large"


class UpdateFailed(InputError):
    """A SPARQL update parsed but failed while running (a graph that already exists …); nothing was written."""

    code = "update_failed"


class TooManyRequests(KGError):
    """A client has as many requests running as it may; it should retry later."""

    code = "too_many_requests"


class Unavailable(KGError):
    """A part of the server is down for a moment (the writer process restarting); retry shortly."""

    code = "unavailable"
