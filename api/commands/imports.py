"""``conflictkg import acled|ucdp|list|drop|recover``: event data sets into the store, one graph per file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from conflictkg.api.commands.root import app, store_of

if TYPE_CHECKING:
    from conflictkg.graph.loaders.imports import ImportReport

__all__: list[str] = []

err = Console(stderr=True, highlight=False)
imports_app = typer.Typer(name="import", help="Import ACLED or UCDP GED files, list and drop imports.",
                          no_args_is_help=True)
app.add_typer(imports_app, name="import")


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]}"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _run(
    ctx: typer.Context,
    files: list[Path],
    importer: Callable[..., ImportReport],
    *,
    skip_bad_rows: bool,
    rejects: Optional[Path],
    one_load: bool = False,
) -> list[ImportReport]:
    from conflictkg.graph.loaders.imports import RejectWriter
    reports = []
    writer = RejectWriter(rejects) if rejects is not None else None
    try:
        with store_of(ctx) as store, _progress_bar() as bar:
            for path in files:
                task = bar.add_task(f"reading {path.name}", total=None, rows=0, rate="")

                def progress(stage: str, done: int, total: int, rows: int, task: int = task, name: str = path.name) -> None:
                    elapsed = bar.tasks[task].elapsed or 0
                    rate = f"{rows / elapsed:,.0f} rows/s" if elapsed and stage == "read" else ""
                    bar.update(task, description=f"{'reading' if stage == 'read' else 'loading'} {name}",
                               completed=done, total=total, rows=rows, rate=rate)

                report = importer(store, path, skip_bad_rows=skip_bad_rows, rejects=writer, progress=progress,
                                  one_load=one_load)
                bar.remove_task(task)
                reports.append(report)
                _print_report(report)
            _index_network(store, bar)
    finally:
        if writer is not None:
            writer.close()
            if writer.count:
                err.print(f"{writer.count} rejected row(s) written to {writer.path}")
    return reports


def _index_network(store: object, bar: Progress) -> None:
    # The explorer's network index re-reads what an import touched at its next read; done here, once
    # the import is in, the explorer opens at once afterwards (a million rows: about a minute, paid here).
    from conflictkg.graph.networks.index import NetworkIndex
    index = next((x for x in getattr(store, "listeners", ()) if isinstance(x, NetworkIndex)), None)
    if index is not None and index.dirty:
        task = bar.add_task("indexing the network for the explorer", total=None, rows=0, rate="")
        index.sync()
        bar.remove_task(task)


def _print_report(r: ImportReport) -> None:
    if r.already_imported:
        err.print(f"{r.file}: already imported as {r.import_id} (same checksum); nothing to do")
        return
    rate = f"{r.rows / r.seconds:,.0f} rows/s" if r.seconds else ""
    err.print(
        f"{r.file}: imported {r.rows:,} rows as {r.triples:,} triples into {r.import_id} "
        f"in {r.seconds:.1f} s ({rate}); {r.rejected} rejected, {r.superseded} earlier version(s) replaced"
    )
    if r.unknown_actors:
        names = sorted(r.unknown_actors, key=lambda n: (-r.unknown_actors[n], n))
        shown = ", ".join(f"{n!r} ({r.unknown_actors[n]})" for n in names[:20])
        more = f" and {len(names) - 20} more" if len(names) > 20 else ""
        err.print(f"  {len(names)} actor name(s) not in the alias table became new actors: {shown}{more}")


_FILES = typer.Argument(..., help="CSV files; each becomes its own import (all or nothing per file).")
_SKIP = typer.Option(False, "--skip-bad-rows", help="Import good rows; write bad ones to --rejects.")
_REJECTS = typer.Option(None, "--rejects", help="CSV file for rejected rows, with their reasons.")
_ONE_LOAD = typer.Option(
    False, "--one-load", help="One bulk load of the whole file instead of 500k-triple chunks two at a time: slower, and its memory grows with the file (2.1 GB at 1M rows)."
)


@imports_app.command("acled")
def acled(
    ctx: typer.Context,
    files: list[Path] = _FILES,
    skip_bad_rows: bool = _SKIP,
    rejects: Optional[Path] = _REJECTS,
    one_load: bool = _ONE_LOAD,
    deletions: Optional[Path] = typer.Option(
        None, "--deletions", help="ACLED deleted-events CSV (event_id_cnty column): removed after the imports."
    ),
) -> None:
    """Import ACLED exports; a newer export replaces events by event_id_cnty."""
    from conflictkg.graph.loaders.acled import apply_deletions, import_acled
    _run(ctx, files, import_acled, skip_bad_rows=skip_bad_rows, rejects=rejects, one_load=one_load)
    if deletions is not None:
        with store_of(ctx) as store:
            done = apply_deletions(store, deletions)
        err.print(f"{done.file}: {done.rows} deletion(s) read, {done.removed} event(s) removed")


@imports_app.command("ucdp")
def ucdp(
    ctx: typer.Context,
    files: list[Path] = _FILES,
    skip_bad_rows: bool = _SKIP,
    rejects: Optional[Path] = _REJECTS,
    one_load: bool = _ONE_LOAD,
) -> None:
    """Import UCDP GED CSV files; a newer download replaces events by GED id."""
    from conflictkg.graph.loaders.ucdp import import_ucdp
    _run(ctx, files, import_ucdp, skip_bad_rows=skip_bad_rows, rejects=rejects, one_load=one_load)


@imports_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the imports in the store, oldest first (tab-separated when piped)."""
    from conflictkg.graph.loaders.imports import list_imports
    with store_of(ctx, write=False) as store:
        rows = list_imports(store)
    out = Console()
    if not out.is_terminal:
        keys = ["id", "format", "file", "rows", "rejected", "triples", "status", "imported_at", "checksum"]
        typer.echo("\t".join(keys))
        for r in rows:
            typer.echo("\t".join(str(r[k]) for k in keys))
        return
    table = Table("id", "format", "file", "rows", "rejected", "triples", "status", "imported at")
    for r in rows:
        table.add_row(str(r["id"]), str(r["format"]), str(r["file"]), f"{r['rows']:,}", str(r["rejected"]),
                      f"{r['triples']:,}", str(r["status"]), str(r["imported_at"]))
    out.print(table)


@imports_app.command("drop")
def drop(ctx: typer.Context, import_id: str = typer.Argument(..., metavar="IMPORT", help="An id from `import list`.")) -> None:
    """Remove one import: its graph of facts and its metadata."""
    from conflictkg.graph.loaders.imports import drop_import
    with store_of(ctx) as store:
        graph = drop_import(store, import_id)
    err.print(f"dropped {graph}")


@imports_app.command("recover")
def recover(ctx: typer.Context) -> None:
    """Finish imports a crash interrupted (every import does this first, too)."""
    from conflictkg.graph.loaders.imports import recover_imports
    with store_of(ctx) as store:
        done = recover_imports(store)
    for graph, action in done:
        err.print(f"{action} {graph}")
    if not done:
        err.print("no unfinished imports")
