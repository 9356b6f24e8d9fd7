"""``conflictkg network …``: balance, centrality, breakdowns and exports of the signed actor network."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

from conflictkg.api.commands.root import app, store_of

__all__: list[str] = []

network = typer.Typer(
    help="The signed actor network: structural balance, signed centralities, alliance breakdowns, exports.",
    no_args_is_help=True,
)
app.add_typer(network, name="network")


class ExportFormat(str, Enum):
    gexf = "gexf"
    graphml = "graphml"
    cytoscape = "cytoscape"
    node_link = "node-link"


class Method(str, Enum):
    hysteresis = "hysteresis"
    changepoint = "changepoint"


err = Console(stderr=True, highlight=False)


@contextmanager
def _progress() -> Iterator[Callable[[str, int, Optional[int]], None]]:
    """A rich progress line on standard error (only on a terminal), fed by the core's ``progress(stage, done, total)``."""
    bar = Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task("opening the store", total=None)

        def progress(stage: str, done: int, total: Optional[int]) -> None:
            # a new stage is drawn at once: a quick one would otherwise never show between refreshes
            new = bar.tasks[0].description != stage
            bar.update(task, description=stage, completed=done, total=total, refresh=new)

        yield progress


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@network.command()
def balance(
    ctx: typer.Context,
    at: Optional[str] = typer.Option(None, "--at", help="The network as of this date (YYYY-MM-DD)."),
    window: Optional[str] = typer.Option(None, "--window", help="With --at: how far back events count (90d, 12w, 1y)."),
    edges: Optional[Path] = typer.Option(None, "--edges", help="A CSV edge list 'source,target,sign' instead of the store."),
    include_claims: bool = typer.Option(False, "--include-claims", help="Also count what claim graphs allege."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds for the exact frustration index."),
) -> None:
    """Structural balance of the actor network (or an edge list), as JSON."""
    from conflictkg.graph.networks.series import check_snapshot, network_balance
    if edges is not None:
        _print_json(network_balance(at=at, window=window, edges=edges, time_limit=time_limit))
        return
    check_snapshot(at, window)
    with _progress() as progress, store_of(ctx, write=False) as store:
        report = network_balance(store, at=at, window=window, include_claims=include_claims, time_limit=time_limit,
                                 progress=progress)
    _print_json(report)


@network.command()
def centrality(
    ctx: typer.Context,
    at: Optional[str] = typer.Option(None, "--at", help="The network as of this date (YYYY-MM-DD)."),
    window: Optional[str] = typer.Option(None, "--window", help="With --at: how far back events count (90d, 12w, 1y)."),
    edges: Optional[Path] = typer.Option(None, "--edges", help="A CSV edge list 'source,target,sign' instead of the store."),
    include_claims: bool = typer.Option(False, "--include-claims", help="Also count what claim graphs allege."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds for the exact frustration bipartition (the blocs)."),
    betweenness: bool = typer.Option(False, "--betweenness", help="Also shortest-path betweenness (networkx; dispatches to a backend)."),
    backend: Optional[str] = typer.Option(None, "--backend", help="networkx backend for the betweenness, e.g. parallel (nx-parallel)."),
) -> None:
    """PN index, signed degree and brokerage between blocs of every actor (or edge-list node), as JSON."""
    from conflictkg.graph.networks.series import check_snapshot, network_centrality
    if edges is not None:
        _print_json(network_centrality(at=at, window=window, edges=edges, time_limit=time_limit,
                                       betweenness=betweenness, backend=backend))
        return
    check_snapshot(at, window)
    with _progress() as progress, store_of(ctx, write=False) as store:
        report = network_centrality(store, at=at, window=window, include_claims=include_claims, time_limit=time_limit,
                                    progress=progress, betweenness=betweenness, backend=backend)
    _print_json(report)


@network.command()
def breakdowns(
    ctx: typer.Context,
    window: str = typer.Option("90d", "--window", help="Rolling window of the event scores (90d, 12w, 6m, 1y)."),
    threshold: float = typer.Option(1.0, "--threshold", help="Goldstein score at which events alone set a pair's state."),
    hold: Optional[str] = typer.Option(None, "--hold", help="How long hostility must last to count (default: the window)."),
    method: Method = typer.Option(Method.hysteresis, "--method", help="State changes with hysteresis, or PELT change points."),
    include_claims: bool = typer.Option(False, "--include-claims", help="Also count what claim graphs allege."),
) -> None:
    """Alliance breakdowns and triad transitions, with their evidence and sources, as JSON."""
    from conflictkg.graph.networks.alliances import breakdown_report, check_breakdown_options
    check_breakdown_options(window=window, hold=hold, threshold=threshold, method=method.value)
    with _progress() as progress, store_of(ctx, write=False) as store:
        report = breakdown_report(
            store, window=window, threshold=threshold, hold=hold, method=method.value, include_claims=include_claims,
            progress=progress,
        )
    _print_json(report)


@network.command()
def export(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(..., "--format", "-f", help="gexf (Gephi timeline), graphml, cytoscape, node-link."),
    until: Optional[str] = typer.Option(None, "--until", help="Where open spans end (default: the last date in the data)."),
    at: Optional[str] = typer.Option(None, "--at", help="Edges show their sign that day; cytoscape and graphml hold only that day's spells."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of standard output."),
    include_claims: bool = typer.Option(False, "--include-claims", help="Also count what claim graphs allege."),
) -> None:
    """The actor network over time, with time attributes Gephi and Cytoscape.js can play."""
    from conflictkg.graph.networks.exports import export_store_network
    from conflictkg.graph.networks.ties import parse_date
    parse_date(until, parameter="until")
    parse_date(at, parameter="at")
    with _progress() as progress, store_of(ctx, write=False) as store:
        data, _ = export_store_network(store, fmt.value, until=until, at=at, include_claims=include_claims, progress=progress)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
