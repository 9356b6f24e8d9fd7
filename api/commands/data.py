"""``conflictkg load`` and ``conflictkg seed``: getting facts into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from conflictkg.api.commands.root import app, settings_of, store_of

__all__: list[str] = []

err = Console(stderr=True)


@app.command()
def load(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="RDF files: .ttl .trig .nt .nq .jsonld .rdf .owl"),
    fmt: Optional[str] = typer.Option(None, "--format", help="Format of every file (default: from each ending)."),
    graph: Optional[str] = typer.Option(None, "--graph", help="Named graph for triples (default: the default graph)."),
) -> None:
    """Load RDF files, all or nothing: a syntax error anywhere leaves the store unchanged."""
    with store_of(ctx) as store:
        before = store.count()
        read = store.load(files, fmt=fmt, graph=graph, limits=settings_of(ctx).upload_limits())
        after = store.count()
    err.print(f"read {read} quads from {len(files)} file(s); store now holds {after} quads (+{after - before})")


@app.command()
def seed(
    ctx: typer.Context,
    if_absent: bool = typer.Option(False, "--if-absent", help="Do nothing when the seed graph is already there."),
) -> None:
    """Build the seed knowledge graph: the ontology, the curated report facts, the inferences."""
    from conflictkg.graph.knowledge.seed import build_seed, has_seed
    with store_of(ctx) as store:
        if if_absent and has_seed(store):
            err.print("seed graph already present; nothing to do")
            return
        summary = build_seed(store)
    err.print(f"seed graph built: {summary}")
