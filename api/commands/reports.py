"""``conflictkg ingest REPORT`` and ``conflictkg review list|show|accept|reject|edit``: reports into reviewed facts."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from conflictkg.api.commands.root import app, store_of

__all__: list[str] = []

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
review_app = typer.Typer(name="review", help="Review the candidates read from reports: list, show, edit, accept, reject.",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    report: Path = typer.Argument(..., help="The report: plain text, Markdown or HTML (UTF-8)."),
    source_title: Optional[str] = typer.Option(None, "--source-title", help="The report's title."),
    published: Optional[str] = typer.Option(None, "--published", help="Its date (YYYY-MM-DD); relative dates are read from it."),
    publisher: Optional[str] = typer.Option(None, "--publisher", help="Who published it."),
    url: Optional[str] = typer.Option(None, "--url", help="Where it was published."),
    slug: Optional[str] = typer.Option(None, "--slug", help="The report's name in IRIs (default: from the file name)."),
) -> None:
    """Read a report into a pending graph of candidate entities, events, quantities and claims."""
    from conflictkg.graph.reports.pending import ingest
    from conflictkg.graph.reports.text import read_report
    parsed = read_report(report, title=source_title, published=published, publisher=publisher, url=url, slug=slug)
    with store_of(ctx) as store:
        result = ingest(store, parsed)
    if result.already_accepted:
        err.print(f"{report}: already ingested and accepted (same checksum); nothing to do")
        return
    x = result.extraction
    c = result.counts
    verb = "replaced" if result.replaced else "wrote"
    err.print(f"{verb} {result.graph}  ({x.pipeline}; {x.seconds:.2f} s, spaCy {x.nlp_seconds:.2f} s)")
    if not x.candidates:
        err.print("the report names no entities, events, quantities or claims: the pending graph is empty")
        return
    err.print(f"{c['entity']} entities ({result.linked} linked to existing ones), {c['event']} events, "
              f"{c['quantity']} quantities, {c['claim']} claims")
    table = Table("id", "kind", "candidate", "from the report", show_lines=False)
    for cand in sorted(x.candidates, key=lambda c: ("necq".index(c.cid[0]), int(c.cid[1:]))):
        what = cand.label + ("" if cand.kind != "entity" else " (new)" if cand.new else " (linked)")
        table.add_row(cand.cid, cand.kind, what, cand.sentence[:110])
    out.print(table)
    err.print(f"review with: conflictkg review show {result.slug}")


@review_app.command("list")
def list_command(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The reports waiting for review, with their candidates by kind."""
    from conflictkg.graph.reports.review import list_pending
    with store_of(ctx) as store:
        rows = list_pending(store)
    if as_json:
        out.print_json(json.dumps(rows))
        return
    if not rows:
        err.print("no report is waiting for review")
        return
    table = Table("report", "title", "date", "entities", "events", "quantities", "claims")
    for r in rows:
        n = r["candidates"]
        table.add_row(r["report"], r["title"], r["reportDate"], *(str(n[k]) for k in ("entity", "event", "quantity", "claim")))
    out.print(table)


@review_app.command("show")
def show_command(ctx: typer.Context, report: str = typer.Argument(..., help="The report's slug."),
                 as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """A pending report's candidates, with their statements and the words they came from."""
    from conflictkg.graph.reports.review import show
    with store_of(ctx) as store:
        shown = show(store, report)
    if as_json:
        out.print_json(json.dumps(shown))
        return
    out.print(f"[bold]{shown['title']}[/] ({shown['reportDate']}) — {shown['graph']}")
    for c in shown["candidates"]:
        extra = " new" if c.get("new") else " linked" if c["kind"] == "entity" else ""
        claim = f" in claim {c['claim']}" if c["claim"] else ""
        out.print(f"[bold]{c['id']}[/] {c['kind']}{extra}{claim}: {c['label']}  [dim]{', '.join(c['types'])}[/]")
        for k, v in c["facts"].items():
            if k not in ("label",):
                out.print(f"     {k}: {', '.join(str(x).rsplit('/', 1)[-1].rsplit('#', 1)[-1] for x in v)}")
        if c["sentence"]:
            out.print(f"     [dim]“{c['sentence']}” @{c['span'][0]}–{c['span'][1]}[/]")


@review_app.command("accept")
def accept_command(ctx: typer.Context, report: str = typer.Argument(...),
                   ids: Optional[list[str]] = typer.Argument(None, help="Candidate ids (default: all)."),
                   reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Who reviewed (default: $USER).")) -> None:
    """Accept candidates (all by default) into reviewed fact and claim graphs, in one transaction."""
    from conflictkg.graph.reports.review import accept
    with store_of(ctx) as store:
        done = accept(store, report, ids or None, reviewer=reviewer or getpass.getuser())
    n = done["counts"]
    err.print(f"accepted {n['entity']} entities, {n['event']} events, {n['quantity']} quantities, {n['claim']} claims "
              f"into {len(done['graphs'])} graphs; {done['left']} candidates left")


@review_app.command("reject")
def reject_command(ctx: typer.Context, report: str = typer.Argument(...),
                   ids: Optional[list[str]] = typer.Argument(None, help="Candidate ids (default: the whole report).")) -> None:
    """Drop candidates (the whole report by default)."""
    from conflictkg.graph.reports.review import reject
    with store_of(ctx) as store:
        done = reject(store, report, ids or None)
    err.print(f"rejected {len(done['rejected'])} candidates; {done['left']} left")


@review_app.command("edit")
def edit_command(ctx: typer.Context, report: str = typer.Argument(...), candidate: str = typer.Argument(...),
                 field: str = typer.Argument(..., help="label, type, link, actor, target, place, date, value, "
                                                       "qualifier, lowerBound, upperBound, claimant, attribution"),
                 value: str = typer.Argument(...)) -> None:
    """Change one field of one candidate before accepting it."""
    from conflictkg.graph.reports.review import edit
    with store_of(ctx) as store:
        edit(store, report, candidate, field, value)
    err.print(f"{report} {candidate}: {field} = {value}")
