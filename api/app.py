"""The FastAPI application factory: nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from conflictkg.api.errors import install_error_handlers
from conflictkg.api.routes import sparql
from conflictkg.api.settings import Settings
from conflictkg.graph.store import Store, open_store

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the conflictkg HTTP API.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to settings read from the environment.
    store : Store, optional
        An already open store (tests pass an in-memory one); otherwise the
        store named by ``settings.store`` is opened when the app starts and
        closed when it stops.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else open_store(settings.store, **settings.store_options())
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="conflictkg",
        description="A knowledge graph of actors, places and events in armed conflicts.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(sparql.router)
    return app
