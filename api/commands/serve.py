"""``conflictkg serve``: the HTTP API on the store."""

from __future__ import annotations

from typing import Optional

import typer

from conflictkg.api.commands.root import app, settings_of

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
    """Serve the SPARQL endpoint and the API over HTTP."""
    settings = settings_of(ctx)
    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    if readers:
        from conflictkg.api.prefork import serve_with_readers

        serve_with_readers(settings, readers)
        return
    import uvicorn

    from conflictkg.api.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
