"""``conflictkg dump``, ``restore`` and ``optimize``: the whole store to a file and back, and compacted."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from conflictkg.api.commands.root import app, store_of

__all__: list[str] = []

err = Console(stderr=True)


@app.command()
def dump(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The dump file: .trig (TriG) or .nq (N-Quads)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="trig or nquads (default: from the ending)."),
) -> None:
    """Write every quad of the store to FILE, streaming; the file appears only when complete."""
    from conflictkg.graph.store.dump import dump as dump_store
    with store_of(ctx, write=False) as store:
        written = dump_store(store, file, fmt=fmt)
    err.print(f"dumped {written} quads to {file}")


@app.command()
def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A dump: .trig (TriG) or .nq (N-Quads)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="trig or nquads (default: from the ending)."),
    replace: bool = typer.Option(False, "--replace", help="Swap the store's content for the dump (one transaction)."),
) -> None:
    """Load a dump into the store, all or nothing; a non-empty store is refused unless --replace."""
    from conflictkg.graph.store.dump import restore as restore_store
    with store_of(ctx) as store:
        read = restore_store(store, file, fmt=fmt, replace=replace)
        held = store.count()
    err.print(f"restored {read} quads from {file}; store now holds {held} quads")


@app.command()
def optimize(ctx: typer.Context) -> None:
    """Compact the embedded store's indexes: worth it after a large import (queries then read fewer files)."""
    with store_of(ctx, through_server=False) as store:
        started = time.perf_counter()
        store.optimize()
    err.print(f"compacted the store in {time.perf_counter() - started:.1f} s")
