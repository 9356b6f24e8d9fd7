"""``conflictkg check``: HermiT consistency and SHACL validation of the store."""

from __future__ import annotations

import typer

from conflictkg.api.commands.root import app, store_of
from conflictkg.graph.validation import check as check_store

__all__: list[str] = []


@app.command()
def check(
    ctx: typer.Context,
    hermit: bool = typer.Option(True, "--hermit/--no-hermit", help="Run HermiT over the ontology and asserted facts."),
    shacl: bool = typer.Option(True, "--shacl/--no-shacl", help="Run the SHACL shapes over all data."),
) -> None:
    """Check the store: HermiT consistency and classification, SHACL shapes; exit 1 on any violation."""
    with store_of(ctx) as store:
        report = check_store(store, reasoner=hermit, shapes=shacl)
    typer.echo(report.text())
    if not report.ok:
        raise typer.Exit(1)
