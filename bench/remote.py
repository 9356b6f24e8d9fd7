"""The overhead of going remote: the analyst query set on the embedded store and on ``oxigraph serve``.

Both stores hold the same data: the seed graph (ontology + curated report
facts) plus N *synthetic* ACLED rows (made up by ``bench/imports.py``'s seeded
generator, not ACLED data) imported with conflictkg's own importer. The
embedded store is the default on-disk kind; the remote one is a real
``oxigraph serve`` on 127.0.0.1 (on-disk too), filled by ``conflictkg``'s
restore of a dump of the embedded store, so the quads are the same.

Each query runs through :meth:`FactStore.query` and every row is read (the
remote kind parses the streamed SPARQL JSON back into pyoxigraph objects, as
callers see them). Figures are the median of ``--repeat`` runs after one
warm-up; the table prints embedded and remote side by side, the ratio, and
the absolute overhead per query.

Queries: every saved query in ``queries/`` (with its default parameters),
plus three shapes the saved ones lack at scale: an aggregate over all
events, a point lookup by IRI, and a large result streamed row by row.

Run: ``.venv/bin/python bench/remote.py [--rows 2000] [--repeat 7]`` (facts-with-sources grows fast:
it takes seconds per run at 2,000 rows, minutes at 20,000)
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from conflictkg.graph.store.dump import dump, restore
from conflictkg.graph.sparql.saved import load_folder
from conflictkg.graph.knowledge.seed import build_seed
from conflictkg.graph.store import FactStore, Store, open_store

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
OXIGRAPH = Path(sys.executable).parent / "oxigraph"

#: Query shapes the saved queries lack at scale (over the imported ACLED-style events).
EXTRA = {
    "x-events-per-actor": """
        SELECT ?actor (COUNT(DISTINCT ?e) AS ?events) WHERE { GRAPH ?g { ?e ck:actor ?actor } }
        GROUP BY ?actor ORDER BY DESC(?events) LIMIT 20""",
    "x-lookup-one-actor": """
        SELECT ?p ?o WHERE { GRAPH ?g { actor:sdf ?p ?o } }""",
    "x-stream-all-events": """
        SELECT ?e ?date WHERE { GRAPH ?g { ?e ck:date ?date } }""",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _generator() -> Callable[[Path, int], None]:
    spec = importlib.util.spec_from_file_location("bench_imports", HERE / "imports.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.generate


def build(folder: Path, rows: int) -> Store:
    """The embedded on-disk store with the seed and ``rows`` synthetic ACLED rows."""
    from conflictkg.graph.loaders.acled import import_acled

    store = Store(folder / "embedded")
    build_seed(store)
    csv_path = folder / "synthetic-acled.csv"
    _generator()(csv_path, rows)
    import_acled(store, csv_path)
    store.flush()
    return store


def time_query(store: FactStore, text: str, repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` runs (after a warm-up), and the rows of one run."""

    def once() -> int:
        result = store.query(text)
        return sum(1 for _ in result) if not isinstance(result, bool) else 1  # type: ignore[arg-type]

    rows = once()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000, help="synthetic ACLED rows to import (default 2000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query (default 7)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="conflictkg-bench-remote-") as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        embedded = build(folder, args.rows)
        print(f"built the embedded store: {embedded.count():,} quads in {time.perf_counter() - started:.1f} s", flush=True)

        dumped = dump(embedded, folder / "all.nq")
        port = _free_port()
        server = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(folder / "server"), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            remote = open_store(f"sparql+http://127.0.0.1:{port}", timeout_s=300)
            started = time.perf_counter()
            restore(remote, folder / "all.nq")
            upload = time.perf_counter() - started
            assert remote.count() == embedded.count() == dumped, "the two stores differ"
            print(f"restored {dumped:,} quads into oxigraph serve on 127.0.0.1:{port} in {upload:.1f} s\n", flush=True)

            queries = {name: q.bind({}) for name, q in sorted(load_folder().items())}
            queries.update(EXTRA)
            header = f"{'query':<26}{'rows':>8}{'embedded ms':>13}{'remote ms':>11}{'ratio':>8}{'overhead ms':>13}"
            print(header)
            print("-" * len(header))
            ratios, overheads = [], []
            for name, text in queries.items():
                local_s, local_rows = time_query(embedded, text, args.repeat)
                remote_s, remote_rows = time_query(remote, text, args.repeat)
                assert local_rows == remote_rows, f"{name}: {local_rows} rows embedded, {remote_rows} remote"
                ratio = remote_s / local_s if local_s else float("inf")
                ratios.append(ratio)
                overheads.append((remote_s - local_s) * 1000)
                print(
                    f"{name:<26}{local_rows:>8}{local_s * 1000:>13.2f}{remote_s * 1000:>11.2f}"
                    f"{ratio:>7.1f}x{(remote_s - local_s) * 1000:>13.2f}",
                    flush=True,
                )
            print("-" * len(header))
            print(
                f"median ratio remote/embedded: {statistics.median(ratios):.1f}x; "
                f"median overhead per query: {statistics.median(overheads):.2f} ms"
            )
            remote.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
        embedded.close()


if __name__ == "__main__":
    main()
