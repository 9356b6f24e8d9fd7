"""How connections are served: a time limit on a request's headers, and one-line logs for cut streams and gone clients.

uvicorn times out an idle keep-alive connection but not one whose request
headers never finish (a "slowloris" client holds the connection forever):
:func:`http_protocol` adds that limit. A streamed answer cut off by a limit,
and a client that goes away mid-request, are expected events: :class:`QuietCuts`
logs them as one line instead of a traceback.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["StreamCut", "QuietCuts", "http_protocol", "quiet_logs", "DISCONNECTS"]


class StreamCut(Exception):
    """A streamed body ended early on purpose (a limit was hit after the status line went out).

    Raising it from the body aborts the chunked transfer: the server closes
    the connection without the final empty chunk, so every HTTP client sees
    an incomplete body instead of a short one.
    """


def _disconnects() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [ConnectionResetError, BrokenPipeError]
    try:
        from starlette.requests import ClientDisconnect

        found.append(ClientDisconnect)
    except ImportError:  # pragma: no cover
        pass
    try:
        from uvicorn.protocols.utils import ClientDisconnected

        found.append(ClientDisconnected)
    except ImportError:  # pragma: no cover
        pass
    try:
        import anyio

        found += [anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream]
    except ImportError:  # pragma: no cover
        pass
    try:
        import httpx

        found.append(httpx.RemoteProtocolError)  # a reader's stream from the writer was cut
    except ImportError:  # pragma: no cover
        pass
    return tuple(found)


#: What a client (or the writer, seen from a reader) going away mid-request raises.
DISCONNECTS = _disconnects()


def _root(exc: BaseException) -> BaseException:
    # anyio task groups wrap what the body raised in an ExceptionGroup.
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


class QuietCuts(logging.Filter):
    """Turns the traceback of a cut stream or a vanished client into one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = _root(record.exc_info[1])
            if isinstance(exc, StreamCut):
                record.msg, record.args = "response body cut off: %s", (exc,)
            elif isinstance(exc, DISCONNECTS):
                record.msg, record.args = "client went away: %s", (type(exc).__name__,)
                record.levelno, record.levelname = logging.INFO, "INFO"
            else:
                return True
            record.exc_info = record.exc_text = None
        return True


def quiet_logs() -> None:
    """Install :class:`QuietCuts` on uvicorn's and conflictkg's loggers (once)."""
    for name in ("uvicorn.error", "conflictkg.api"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, QuietCuts) for f in logger.filters):
            logger.addFilter(QuietCuts())


def http_protocol(header_timeout_s: float) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol, closing a connection whose request headers take longer than ``header_timeout_s``.

    The clock starts when the connection opens, and again when the first
    byte of a following request on it arrives; it stops when the headers are
    complete (a slow *body* is the route's business: its size is capped).
    """

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout_s, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.logger.info("closed a connection whose request headers took longer than %g s", header_timeout_s)
                self.transport.write(b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self.cycle is None or self.cycle.response_complete:
                self._arm()  # the start of a new request on a kept-alive connection
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc) -> None:  # type: ignore[override]
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol
