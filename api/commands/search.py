"""``conflictkg search``: find entities by label or alias, as the search box does."""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from conflictkg.api.commands.root import app, store_of

__all__: list[str] = []


@app.command("search")
def search(
    ctx: typer.Context,
    text: Optional[str] = typer.Argument(None, help="A name or its beginning (ISIS, Daesh, QSD …)."),
    limit: int = typer.Option(10, "--limit", help="At most this many results (1 to 50)."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Re-read every name from the store first."),
) -> None:
    """Entities by label or alias, best first, with their kind (the index behind /entities/search)."""
    from conflictkg.graph.entities.search import open_search
    store = store_of(ctx)
    try:
        index = open_search(store)
        if rebuild:
            index.rebuild()
            Console(stderr=True).print(f"search index rebuilt: {index.count()} names")
        if text is None:
            return
        table = Table("label", "kind", "matched", "claim", "IRI")
        for r in index.search(text, limit=limit)["results"]:  # type: ignore[union-attr]
            claim = ("claim by " + ", ".join(r["claimants"])) if r["claim"] else ""
            table.add_row(str(r["label"]), str(r["kind"]), str(r["matched"]), claim, str(r["iri"]))
        Console().print(table)
    finally:
        store.close()
