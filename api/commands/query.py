"""``conflictkg query``: run SPARQL against the store and print the results."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from conflictkg.api.commands.root import app, store_of
from conflictkg.graph.results import serialize_result

__all__: list[str] = []


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"


def _query_text(query: str) -> str:
    # A path to an .rq file, or the query itself.
    candidate = Path(query)
    if len(query) < 4096 and "\n" not in query and candidate.suffix in {".rq", ".sparql"}:
        if not candidate.is_file():
            raise typer.BadParameter(f"{query}: no such query file", param_hint="QUERY")
        return candidate.read_text(encoding="utf-8")
    return query


def _print_table(result: ox.QuerySolutions | ox.QueryBoolean) -> None:
    console = Console()
    if isinstance(result, ox.QueryBoolean):
        console.print("true" if bool(result) else "false")
        return
    names = [v.value for v in result.variables]
    table = Table(*names)
    rows = 0
    for row in result:
        table.add_row(*("" if row[n] is None else _cell(row[n]) for n in names))
        rows += 1
    console.print(table)
    Console(stderr=True).print(f"{rows} row(s)")


def _cell(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


@app.command()
def query(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="A SPARQL query, or a path to an .rq file."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="How to print the results."),
) -> None:
    """Run a SPARQL query and print its results."""
    with store_of(ctx) as store:
        result = store.query(_query_text(query))
        if isinstance(result, ox.QueryTriples):
            out_fmt = fmt.value if fmt.value in ("turtle", "ntriples") else "turtle"
            sys.stdout.buffer.write(serialize_result(result, out_fmt))
        elif fmt is OutputFormat.table:
            _print_table(result)
        else:
            sys.stdout.buffer.write(serialize_result(result, fmt.value))
        sys.stdout.flush()
