"""``conflictkg serve``: the HTTP API on the store."""

from __future__ import annotations

import signal
from typing import Optional

import typer

from conflictkg.api.commands.root import app, settings_of
from conflictkg.api.serving import announce

__all__: list[str] = []


@app.command()
def serve(
    ctx: typer.Context,
    host: Optional[str] = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port to listen on (default 8000)."),
    readers: int = typer.Option(
        0, "--readers", min=0, max=64,
        help="Reader processes that take connections and run queries themselves (on-disk store; 0: one process "
        "with query workers). See conflictkg.api.prefork.",
    ),
) -> None:
    """Serve the SPARQL endpoint and the API over HTTP.

    While it runs, other conflictkg commands on the same store run on this server (the store is locked).
    """
    settings = settings_of(ctx)
    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    # Beside an on-disk store, say where this server is: other commands find the store locked and come here.
    with announce(settings.store, settings.host, settings.port):
        if readers:
            from conflictkg.api.prefork import serve_with_readers

            serve_with_readers(settings, readers)
            return
        import uvicorn

        from conflictkg.api.app import create_app

        # uvicorn re-raises the signal that stopped it once it has shut down; exit
        # normally then, so the file above is removed (SIGTERM's default would kill us first).
        signal.signal(signal.SIGTERM, _exit_normally)
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


def _exit_normally(*_: object) -> None:
    raise SystemExit(0)
