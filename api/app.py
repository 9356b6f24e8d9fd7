"""The FastAPI application factory: nothing is built at import time."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import AsyncIterator
from concurrent.futures import Future
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from conflictkg.api.commands.root import opened_for_writing
from conflictkg.api.connections import quiet_logs
from conflictkg.api.errors import install_error_handlers
from conflictkg.api.routes import entities, ids, pages, queries, sparql
from conflictkg.api.routes import explorer as explorer_routes
from conflictkg.api.routes import network as network_routes
from conflictkg.api.routes import review as review_routes
from conflictkg.api.routes import store as graph_store
from conflictkg.api.routes.pages import STATIC_DIR
from conflictkg.api.settings import Settings
from conflictkg.graph.entities.search import open_search
from conflictkg.graph.sparql.admission import Admission
from conflictkg.graph.sparql.protocol import SparqlService
from conflictkg.graph.store import Store, open_store

__all__ = ["create_app", "add_cors"]


def add_cors(app: FastAPI, settings: Settings) -> None:
    """CORS for the configured origins, if any."""
    if settings.cors_origins:
        # Bearer tokens travel in a header, never cookies: credentials stay off, so '*' is safe.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
        )


class Explorer:
    """The server's network explorer, made and warmed on a thread when something first asks for it.

    Not at start-up: making it imports networkx and scipy and reads the
    network, about half a CPU-second on the seed store, which a server that
    only answers SPARQL never needs. The explorer page starts it when it is
    opened, so it warms while the page loads its scripts.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._made: Future | None = None

    def start(self) -> Future:
        """Start making it (once); the Future holds the explorer, or the error that made it fail."""
        with self._lock:
            if self._made is None:
                self._made = Future()
                threading.Thread(target=_explorer, args=(self._store, self._made), name="explorer-warm-up",
                                 daemon=True).start()
            return self._made


def _explorer(store: Store, made: Future) -> None:
    """Make the network explorer into ``made``, then read the network once (seconds on a large store)."""
    try:
        from conflictkg.graph.networks.explorer import NetworkExplorer  # networkx, scipy: only where it runs

        explorer = NetworkExplorer(store)
    except BaseException as exc:  # noqa: BLE001 - the /network request that needs it raises it
        made.set_exception(exc)
        return
    made.set_result(explorer)
    explorer.warm()


def create_app(settings: Settings | None = None, *, store: Store | None = None, publish_to: str | None = None) -> FastAPI:
    """Build the conflictkg HTTP API.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to settings read from the environment.
    store : Store, optional
        An already open store (tests pass their own); otherwise the store
        named by ``settings.store`` is opened when the app starts and closed
        when it stops.
    publish_to : str, optional
        The writer of ``conflictkg serve --readers``: publish a snapshot
        there after every committed write (see :mod:`conflictkg.api.prefork`).

    Notes
    -----
    Service endpoints live at fixed paths (``/sparql``, ``/store``,
    ``/static``, ``/network``, ``/entities``, ``/explore``, and the entities'
    own paths ``/id/…`` and ``/graph/…``); saved queries live under ``/queries/``, so a
    query's name can never shadow a service endpoint.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        quiet_logs()
        if store is not None:
            app.state.store = store
        else:
            # Serving writes: finish what a crash left before the first request (and say so).
            app.state.store = opened_for_writing(
                open_store(settings.store, **settings.store_options()), say=lambda line: print(line, file=sys.stderr, flush=True)
            )
        app.state.service = SparqlService(
            app.state.store,
            limits=settings.query_limits(),
            workers=settings.query_workers,
            allow=settings.service_allowlist,
            publish_to=publish_to,
            upload_limits=settings.upload_limits(),
            admission=Admission(settings.max_client_queries),
            lane=settings.query_lane,
        )
        # The search index follows every write made through this store (see FactStore.watch).
        app.state.search = open_search(app.state.store)
        app.state.search.sync()  # built now if absent, so the first keystroke is fast
        # The explorer (networkx, scipy: a second to import) is made on a thread when first asked for;
        # a /network request waits for it (see Explorer).
        app.state.explorer = Explorer(app.state.store)
        # What start-up made lives as long as the server: out of the collector's sight, a request no longer
        # pays for a full collection of it (30 ms on a search keystroke on the 1M-row store).
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()  # collectable again, as garbage of an app that stops in a longer-lived process
            app.state.service.close()
            app.state.search.close()
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="conflictkg",
        description="A knowledge graph of actors, places and events in armed conflicts.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # /docs is routes.pages.docs: Swagger UI from npm, not a CDN
    )
    app.state.settings = settings
    install_error_handlers(app)
    add_cors(app, settings)
    app.include_router(sparql.router)
    app.include_router(queries.router)
    app.include_router(graph_store.router)
    app.include_router(pages.router)
    app.include_router(network_routes.router)
    app.include_router(review_routes.router)
    app.include_router(explorer_routes.router)
    app.include_router(entities.router)
    app.include_router(ids.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    return app
