"""``conflictkg check`` and ``conflictkg infer``: HermiT and SHACL over the store, and its OWL RL inferences."""

from __future__ import annotations

import typer

from conflictkg.api.commands.root import app, store_of

__all__: list[str] = []


@app.command()
def check(
    ctx: typer.Context,
    hermit: bool = typer.Option(True, "--hermit/--no-hermit", help="Run HermiT over the ontology and asserted facts."),
    shacl: bool = typer.Option(True, "--shacl/--no-shacl", help="Run the SHACL shapes over all data."),
) -> None:
    """Check the store: HermiT consistency and classification, SHACL shapes; exit 1 on any violation."""
    from conflictkg.graph.knowledge.validation import check as check_store
    with store_of(ctx) as store:
        report = check_store(store, reasoner=hermit, shapes=shacl)
    typer.echo(report.text())
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def infer(ctx: typer.Context) -> None:
    """Recompute g:inferred (OWL 2 RL over the asserted, non-claim facts), e.g. after `conflictkg load`."""
    from conflictkg.graph.knowledge.reasoning import materialize
    with store_of(ctx) as store:
        result = materialize(store)
    typer.echo(
        f"g:inferred: {result.inferred} triples from {result.asserted} asserted "
        f"({result.from_rules} from SPARQL rules) in {result.seconds:.2f} s"
    )
