"""The root ``conflictkg`` command: global options, and how errors reach the terminal."""

from __future__ import annotations

from typing import Optional

import typer

from conflictkg.api.settings import Settings
from conflictkg.graph.store import Store, open_store

__all__ = ["app", "settings_of", "store_of"]

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
        None, "--store", help="Store folder, ':memory:' or sparql+http://HOST:PORT (default: $CONFLICTKG_STORE or var/store)."
    ),
) -> None:
    overrides = {"store": store} if store else {}
    ctx.obj = Settings(**overrides)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback read."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def store_of(ctx: typer.Context) -> Store:
    """Open the store the settings name (the caller closes it)."""
    settings = settings_of(ctx)
    return open_store(settings.store, **settings.store_options())
