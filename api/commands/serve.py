"""``conflictkg serve``: the HTTP API on the store, with reader processes wherever they can work."""

from __future__ import annotations

import logging
import os
import signal
import sys
from dataclasses import dataclass
from typing import Optional

import typer

from conflictkg.api.commands.root import app, settings_of
from conflictkg.api.settings import Settings
from conflictkg.graph.errors import InputError

__all__ = ["ServeMode", "default_readers", "serve_mode"]

log = logging.getLogger("conflictkg.serve")


def default_readers() -> int:
    """Reader processes by default: one per core this process may run on, at least 2."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(2, cores)


@dataclass(frozen=True)
class ServeMode:
    """How ``conflictkg serve`` runs: ``readers`` reader processes and a writer, or one process.

    ``workers`` is the number of query worker processes of the one-process
    mode (``0`` on a remote store, whose server runs the queries).
    """

    readers: int
    workers: int
    #: The first log line: the mode, and why when it is not the default.
    line: str


def serve_mode(settings: Settings, *, readers: int | None = None, workers: int | None = None) -> ServeMode:
    """Choose the serving mode for a store and the ``--readers`` / ``--workers`` options.

    By default an embedded on-disk store gets :func:`default_readers` reader
    processes; an in-memory or remote store, where readers cannot work (they
    open the on-disk store's snapshots), gets one process. ``--readers 0`` or
    ``--workers N`` ask for the one process explicitly.

    Raises
    ------
    InputError
        ``--readers N`` on a store that is not on disk, or both options with readers.
    """
    from conflictkg.graph.store import store_kind
    kind = store_kind(settings.store, query_url=settings.store_query_url)
    if readers and workers is not None:
        raise InputError(
            "--workers sets the query worker processes of the one-process server; give it with --readers 0 "
            "or alone, not with --readers N (each reader runs its queries on its own threads)",
            parameter="--workers",
        )
    if readers and kind != "disk":
        raise InputError("--readers needs the embedded on-disk store (readers open its snapshots)", parameter="--readers")
    where = f"http://{settings.host}:{settings.port}"
    if kind == "disk" and readers is None and workers is None:
        readers = default_readers()
    if readers:
        return ServeMode(readers, 0, f"conflictkg serve: {_n(readers, 'reader process')} and a writer on {settings.store}, {where}")
    if kind == "remote":
        return ServeMode(0, 0, f"conflictkg serve: one process, queries run by the remote store {settings.store} "
                               f"(reader processes need the embedded on-disk store), {where}")
    count = workers if workers is not None else settings.query_workers
    if kind == "memory":
        why = "reader processes need the embedded on-disk store, this one is in memory"
    else:
        why = "--workers given" if workers is not None else "--readers 0"
    return ServeMode(0, count, f"conflictkg serve: one process with {_n(count, 'query worker process')} ({why}), {where}")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("es" if count != 1 else "")


def _announce(line: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    # uvicorn's own layout, so the line reads as the first of the server's log.
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    log.info(line)


@app.command()
def serve(
    ctx: typer.Context,
    host: Optional[str] = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port to listen on (default 8000)."),
    readers: Optional[int] = typer.Option(
        None, "--readers", min=0, max=64,
        help="Reader processes that take connections and run queries themselves (default on an on-disk store: "
        "one per core, at least 2; 0: one process with query workers). See conflictkg.api.prefork.",
    ),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1, max=64,
        help="Serve from one process with this many query worker processes (default CONFLICTKG_QUERY_WORKERS); "
        "the mode of in-memory and remote stores.",
    ),
) -> None:
    """Serve the SPARQL endpoint and the API over HTTP.

    The first log line says which mode runs, and why when it is not the readers. While it runs, other
    conflictkg commands on the same store run on this server (the store is locked).
    """
    from conflictkg.api.serving import announce
    settings = settings_of(ctx)
    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    mode = serve_mode(settings, readers=readers, workers=workers)
    _announce(mode.line)
    # Beside an on-disk store, say where this server is: other commands find the store locked and come here.
    with announce(settings.store, settings.host, settings.port):
        if mode.readers:
            from conflictkg.api.prefork import serve_with_readers

            serve_with_readers(settings, mode.readers)
            return
        import uvicorn

        from conflictkg.api.app import create_app
        from conflictkg.api.connections import http_protocol

        if mode.workers:
            settings = settings.model_copy(update={"query_workers": mode.workers})
        # uvicorn re-raises the signal that stopped it once it has shut down; exit
        # normally then, so the file above is removed (SIGTERM's default would kill us first).
        signal.signal(signal.SIGTERM, _exit_normally)
        uvicorn.run(
            create_app(settings), host=settings.host, port=settings.port, log_level="info",
            http=http_protocol(settings.header_timeout_s),
        )


def _exit_normally(*_: object) -> None:
    raise SystemExit(0)
