"""FactStore.select on a large result: the embedded store against RemoteStore on a live ``oxigraph serve``.

Run: ``.venv/bin/python bench/large_select.py [--events 55000] [--repeat 3]``

Both stores hold the same synthetic conflict graph (made-up data, from
``bench/endpoint.py``'s generator); the query returns one row per event (55k
rows by default: an IRI, a date and an integer). Each figure is the median of
``--repeat`` runs, the kinds taking turns run by run so load from elsewhere on
the machine falls on both alike:

- ``select()``: the call, every row read (rows convert their terms to rdflib
  when read, see :class:`conflictkg.graph.store.Row`);
- ``select() + every term``: the same, then every term of every row read;
- ``eager dicts``: what ``select()`` did before, an rdflib term built for
  every cell before returning (the embedded store only), for comparison.

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from conflictkg.graph.store import FactStore, Store, from_ox, open_store

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
QUERY = "SELECT ?e ?date ?f WHERE { ?e ck:date ?date ; ck:fatalities ?f }"


def _generate():
    spec = importlib.util.spec_from_file_location("bench_endpoint", HERE / "endpoint.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.generate


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(run) -> tuple[float, int]:
    t = time.perf_counter()
    n = run()
    return time.perf_counter() - t, n


# raw: the data sits in each store's own default graph, as `oxigraph load` puts it; the analyst's dataset
# (the fact graphs g:meta names) would leave it out of the embedded store's answer.
def _select(store: FactStore) -> int:
    return len(store.select(QUERY, raw=True))


def _every_term(store: FactStore) -> int:
    rows = store.select(QUERY, raw=True)
    for row in rows:
        for _ in row.values():
            pass
    return len(rows)


def _eager(store: FactStore) -> int:
    result = store.query(QUERY, raw=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return len([{n: from_ox(row[n]) for n in names} for row in result])  # type: ignore[union-attr]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=55_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ck-bench-select-"))
    server = None
    try:
        data = work / "conflict.nt"
        triples = _generate()(data, events=args.events)
        embedded = Store(work / "embedded")
        embedded.ox.bulk_load(path=str(data), format=__import__("pyoxigraph").RdfFormat.N_TRIPLES)
        embedded.flush()
        subprocess.run([str(OXIGRAPH), "load", "--location", str(work / "server"), "--file", str(data)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = _port()
        server = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(work / "server"), "--bind", f"127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        remote = open_store(f"sparql+http://127.0.0.1:{port}", timeout_s=600)
        print(f"synthetic conflict graph (made-up data): {triples:,} triples; query: {QUERY}")
        shapes = {"select()": _select, "select() + every term": _every_term}
        times: dict[tuple[str, str], list[float]] = {}
        rows = {}
        for shape, run in shapes.items():
            run(embedded), run(remote)  # warm-up
            for _ in range(args.repeat):
                for kind, store in (("embedded", embedded), ("remote", remote)):
                    took, rows[kind] = _timed(lambda: run(store))
                    times.setdefault((shape, kind), []).append(took)
                took, _ = _timed(lambda: _eager(embedded))
                times.setdefault((shape, "eager"), []).append(took)
        assert rows["embedded"] == rows["remote"], rows
        print(f"{rows['embedded']:,} rows, median of {args.repeat} runs\n")
        print(f"{'':<24}{'embedded':>10}{'remote':>10}{'emb/remote':>12}{'eager dicts':>13}{'eager/emb':>11}")
        for shape in shapes:
            e, r, d = (statistics.median(times[(shape, k)]) for k in ("embedded", "remote", "eager"))
            verdict = "ok" if e <= r else "SLOWER"
            print(f"{shape:<24}{e:>9.2f}s{r:>9.2f}s{e / r:>10.2f}× {verdict:<6}{d:>7.2f}s{d / e:>10.2f}×")
        remote.close()
        embedded.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
