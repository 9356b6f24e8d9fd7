"""``conflictkg query``: run SPARQL against the store and print the results."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from conflictkg.api.commands.root import app, settings_of, store_of
from conflictkg.graph.errors import QuerySyntaxError
from conflictkg.ontology.vocab import PREFIXES

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
    # Words wrap; an IRI (one long word) is shortened with … rather than folded over lines.
    table = Table(*(Column(n, overflow="ellipsis", max_width=_MAX_COLUMN) for n in names), show_lines=False)
    rows = 0
    for row in result:
        table.add_row(*(Text("" if row[n] is None else _cell(row[n])) for n in names))
        rows += 1
    console.print(table)
    Console(stderr=True).print(f"{rows} row(s)")


#: Widest a table column gets, in characters, however wide the terminal.
_MAX_COLUMN = 60
#: Longest text a table cell shows before it ends with … (TSV and the other formats keep it whole).
_MAX_TEXT = 160
# Longest namespace first, so actor:sdf wins over id:actor/sdf.
_NAMESPACES = sorted({**PREFIXES, "dcterms": "http://purl.org/dc/terms/"}.items(), key=lambda item: -len(item[1]))


def compact_iri(iri: str) -> str:
    """An IRI as ``prefix:local`` with the known prefixes (``actor:sdf``), else ``<iri>``."""
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _cell(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.Literal):
        text = " ".join(term.value.split())
        return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"
    return str(term)


def _params(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{pair!r}: write NAME=VALUE", param_hint="--param")
        if name in values:
            raise typer.BadParameter(f"{name!r} is given more than once", param_hint="--param")
        values[name] = value
    return values


@app.command()
def query(
    ctx: typer.Context,
    query: Optional[str] = typer.Argument(None, help="A SPARQL query, or a path to an .rq file."),
    saved: Optional[str] = typer.Option(None, "--saved", help="Run the saved query of this name (from queries/)."),
    param: list[str] = typer.Option([], "--param", "-p", help="A saved query's parameter, NAME=VALUE (repeatable)."),
    fmt: Optional[OutputFormat] = typer.Option(
        None, "--format", "-f", help="How to print the results (default: a table on a terminal, TSV into a pipe or file)."
    ),
    raw_dataset: bool = typer.Option(
        False, "--raw-dataset", help="Query the stored dataset as it is (its own default graph, every named graph) "
        "instead of the default graph of reviewed facts and inferences."
    ),
) -> None:
    """Run a SPARQL query, or a saved query with its parameters, and print its results."""
    from conflictkg.graph.sparql.guard import check_query
    from conflictkg.graph.sparql.lexer import undeclared_prefix
    from conflictkg.graph.sparql.results import serialize_result
    from conflictkg.graph.sparql.saved import QUERIES_DIR, find_saved
    if (query is None) == (saved is None):
        raise typer.BadParameter("give a QUERY or --saved NAME (one of them)", param_hint="QUERY")
    if param and saved is None:
        raise typer.BadParameter("--param only goes with --saved", param_hint="--param")
    if saved is not None:
        # The same binding as GET /queries/{name}: values become RDF terms, never query text.
        text = find_saved(saved, settings_of(ctx).queries_dir or QUERIES_DIR).bind(_params(param))
    else:
        text = _query_text(query)
    if fmt is None:
        fmt = OutputFormat.table if sys.stdout.isatty() else OutputFormat.tsv
    settings = settings_of(ctx)
    with store_of(ctx, write=False) as store:
        # The endpoint's guard, here too: no SERVICE or LOAD reaches another host, nothing too deep reaches Oxigraph.
        check_query(
            text, graphs=store.named_graphs, allow=settings.service_allowlist,
            max_depth=settings.max_query_depth, max_operators=settings.max_query_operators,
        )
        try:
            result = store.query(text, raw=raw_dataset)
        except QuerySyntaxError as err:
            raise undeclared_prefix(text, frozenset(PREFIXES)) or err from None
        if isinstance(result, ox.QueryTriples):
            out_fmt = fmt.value if fmt.value in ("turtle", "ntriples") else "turtle"
            sys.stdout.buffer.write(serialize_result(result, out_fmt))
        elif fmt is OutputFormat.table:
            _print_table(result)
        else:
            sys.stdout.buffer.write(serialize_result(result, fmt.value))
        sys.stdout.flush()
