"""The root ``conflictkg`` command: global options, and how errors reach the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console

from conflictkg.api.settings import Settings
from conflictkg.graph.errors import StoreError

if TYPE_CHECKING:
    from conflictkg.graph.store import FactStore

# Each command imports the core it calls inside its body: loading every wing (networkx, scipy,
# owlready2, the report extractor) up front cost every `conflictkg` command ~2.5 s of start-up.

__all__ = ["app", "opened_for_writing", "settings_of", "store_of"]

app = typer.Typer(
    name="conflictkg",
    help="A knowledge graph of actors, places and events in armed conflicts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    store: Optional[str] = typer.Option(
        None, "--store",
        help="Store folder, ':memory:', a conflictkg server's http://HOST:PORT/sparql, or sparql+http://HOST:PORT "
        "(Oxigraph's layout) (default: $CONFLICTKG_STORE or var/store).",
    ),
) -> None:
    overrides = {"store": store} if store else {}
    ctx.obj = Settings(**overrides)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback read."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def opened_for_writing(store: FactStore, say=Console(stderr=True, highlight=False).print) -> FactStore:
    """An embedded store opened for writing finishes what a crash left before anything else, and says so."""
    from conflictkg.graph.loaders.imports import recover_imports
    if store.kind != "remote":
        for graph, action in recover_imports(store):
            say(f"recovered: {action} {graph} (an import or drop a crash interrupted)")
    return store


def store_of(ctx: typer.Context, *, write: bool = True, through_server: bool = True) -> FactStore:
    """Open the store the settings name (the caller closes it).

    A command that writes gets it after :func:`opened_for_writing`; one that
    only reads (``write=False``) gets a :class:`ReadView`, which leaves out
    what an interrupted import or drop left half written. A store held by a
    running ``conflictkg serve`` is reached through it (see :func:`_opened`).
    """
    from conflictkg.graph.store.visibility import ReadView
    store = _opened(ctx, through_server)
    if not write:
        return ReadView(store)
    return opened_for_writing(store)


def _opened(ctx: typer.Context, through_server: bool) -> FactStore:
    """Open the store the settings name, or the server that holds it.

    An on-disk store held by a running ``conflictkg serve`` is locked; then
    the command runs on that server's ``/sparql`` instead (found through the
    file :mod:`conflictkg.api.serving` writes beside the store), sending the
    store token, or else the update token, for writes. ``through_server=False``
    is for commands that need the folder itself.

    Raises
    ------
    StoreError
        If the store cannot be opened and no live server holds it (the message says what to do).
    """
    from conflictkg.graph.entities.search import open_search
    from conflictkg.graph.networks.index import open_network_index
    settings = settings_of(ctx)
    store = _open(settings, through_server)
    # Every command's writes reach the search index and the network index too (they follow the store; see FactStore.watch).
    open_search(store)
    open_network_index(store)
    return store


def _open(settings: Settings, through_server: bool) -> FactStore:
    from conflictkg.api.serving import running_server
    from conflictkg.graph.store import open_store
    try:
        return open_store(settings.store, **settings.store_options())
    except StoreError as err:
        if "lock" not in str(err).lower():
            raise
        server = running_server(settings.store)
        if server is None:
            raise StoreError(
                f"the store at {settings.store} is locked: another process has it open. If that is `conflictkg serve`, "
                "give --store http://HOST:PORT/sparql to run this command on the server"
            ) from err
        if not through_server:
            raise StoreError(
                f"the store at {settings.store} is held by conflictkg serve (process {server.pid}, {server.url}): "
                "this command needs the store itself; stop the server first"
            ) from err
        if not server.answers:
            raise StoreError(
                f"the store at {settings.store} is held by conflictkg serve (process {server.pid}), "
                f"which did not answer at {server.sparql}; try again when it does, or stop it"
            ) from err
        options = settings.store_options()
        token = options["token"] or (settings.update_token or None)
        writes = "" if token else " (read-only: set CONFLICTKG_UPDATE_TOKEN to the server's token to write)"
        Console(stderr=True).print(
            f"{settings.store} is held by conflictkg serve (process {server.pid}): running on {server.sparql}{writes}",
            highlight=False, soft_wrap=True,
        )
        options.update(query_url=None, update_url=None, store_url=None, token=token)
        return open_store(server.sparql, **options)
