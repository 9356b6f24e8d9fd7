"""Benchmark: the explorer's network JSON and search, on the seed store and a 1M-row ACLED store, beside their baselines.

Run:  .venv/bin/python bench/explorer.py [--big bench/out/acled-1m] [--baseline-limit 120]

The big store is a copy of an on-disk store holding the seed and a large ACLED
import (``/work/bench-stores/acled-1m`` copied here, or one built with
``bench/imports.py``'s ``generate()`` and ``conflictkg import acled``); it is
opened in place, so use a copy. Measured, each beside its baseline:

- network view: ``NetworkExplorer.elements()`` (what ``/network/elements``
  answers) cold (first call: reads the ties) and warm (the next call), against
  reading the whole network as ``/network/export`` does (``load_ties`` +
  ``timeline_graph``), stopped after ``--baseline-limit`` seconds;
- search: the FTS5 index, one query per keystroke of a few names typed
  letter by letter, against a SPARQL ``REGEX`` over every label and alias
  (the alternative the issue names), stopped after ``--baseline-limit`` seconds;
- the index itself: a full build, and keeping in step after one small update;
- the network index (``network.sqlite3``, what the aggregated view reads): a full build
  (or, with ``--no-build``, bringing it in step as found); the cold view then opens it from its file.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.entities.search import open_search
from conflictkg.graph.networks.explorer import NetworkExplorer
from conflictkg.graph.networks.index import open_network_index
from conflictkg.graph.store import Store

TYPED = ["Daesh", "QSD", "Syrian Democratic Forces", "Military Forces of Syria", "synthetic armed group 22", "Raqqa"]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def _timed(fn, *args, **kw):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def _export_baseline(path: str, out: mp.Queue) -> None:
    from conflictkg.graph.networks.exports import timeline_graph
    from conflictkg.graph.networks.ties import load_ties

    store = Store(path)
    t = time.perf_counter()
    G = timeline_graph(load_ties(store))
    out.put((time.perf_counter() - t, G.number_of_edges()))


def _regex_baseline(path: str, words: list[str], out: mp.Queue) -> None:
    import re

    store = Store(path)
    times = []
    for w in words:
        t = time.perf_counter()
        pattern = ox.Literal("^" + re.escape(w))  # an RDF term, escaped by pyoxigraph, never spliced raw
        list(store.query(
            f'SELECT ?s ?l WHERE {{ GRAPH ?g {{ ?s rdfs:label|skos:altLabel ?l }} FILTER(REGEX(?l, {pattern}, "i")) }} LIMIT 10'
        ))
        times.append(time.perf_counter() - t)
        out.put(("one", times[-1]))
    out.put(("done", times))


def _bounded(target, args, limit: float):  # type: ignore[no-untyped-def]
    """Run ``target(*args, queue)`` in a child process; its result, or None past ``limit`` seconds."""
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    p.join(limit)
    results = []
    while not q.empty():
        results.append(q.get())
    if p.is_alive():
        p.terminate()
        p.join()
        return None, results
    return (results[-1] if results else None), results


def bench_store(name: str, path: str, baseline_limit: float, *, build_index: bool = True, network: bool = True) -> None:
    print(f"\n== {name}: {path}")
    store = Store(path)
    index = open_search(store)
    build, _ = _timed(index.rebuild if build_index else index.sync)
    import gc

    gc.freeze()  # as the server does once started (conflictkg.api.app)
    print(f"search index, {'full build' if build_index else 'as found   '}      {_ms(build)}   ({index.count()} names)")
    store.update('INSERT DATA { GRAPH <https://w3id.org/conflictkg/graph/bench/explorer> '
                 '{ <https://w3id.org/conflictkg/id/actor/bench-front> rdfs:label "Bench Front" } }')
    step, _ = _timed(index.sync)
    print(f"search index, after one update  {_ms(step)}   ({build / max(step, 1e-9):.0f}x faster than a build)")
    store.update("DROP GRAPH <https://w3id.org/conflictkg/graph/bench/explorer>")
    index.sync()

    times = []
    for word in TYPED:
        for n in range(1, len(word) + 1):
            dt, _ = _timed(index.search, word[:n], limit=8)
            times.append(dt)
    words = [w[:n] for w in TYPED for n in range(1, len(w) + 1)]
    print(f"search per keystroke (FTS5)     median {_ms(statistics.median(times))}, max {_ms(max(times))}  ({len(times)} keystrokes)")
    store.close()

    done, partial = _bounded(_regex_baseline, (path, words), baseline_limit)
    if done is not None:
        regex = done[1]
        print(f"baseline: SPARQL REGEX          median {_ms(statistics.median(regex))}, max {_ms(max(regex))}"
              f"   FTS5 {statistics.median(regex) / statistics.median(times):.0f}x faster (median)")
    else:
        seen = [r[1] for r in partial if r[0] == "one"]
        print(f"baseline: SPARQL REGEX          stopped after {baseline_limit:.0f} s, {len(seen)} of {len(words)} keystrokes answered"
              + (f", median {_ms(statistics.median(seen))}" if seen else ""))

    if not network:
        return
    store = Store(path)
    network_index = open_network_index(store)
    built, _ = _timed(network_index.rebuild if build_index else network_index.sync)
    print(f"network index, {'full build' if build_index else 'as found   '}     {_ms(built)}   ({network_index.event_links()} event links)")
    store.close()
    store = Store(path)  # the view as a restarted server reads it: the index from its file, nothing in memory
    explorer = NetworkExplorer(store)
    assert explorer.index is not None
    explorer.index.forget_kept()  # as after a write: the ties are read again (from the index and the store)
    cold, net = _timed(explorer.elements)
    store.close()
    store = Store(path)  # restarted again, on the unchanged store: the ties the last read kept
    explorer = NetworkExplorer(store)
    kept, _ = _timed(explorer.elements)
    warm, _ = _timed(explorer.elements)
    other, _ = _timed(explorer.elements, kinds="Cooperation,Hostility,Strain,events")
    nodes, edges = len(net["elements"]["nodes"]), len(net["elements"]["edges"])
    print(f"network view, after a write     {_ms(cold)}   mode {net['read']['mode']}, {nodes} nodes, {edges} edges, "
          f"capped {net['cap']['truncated']} (of {net['cap']['total_nodes']} actors, {net['cap']['total_edges']} ties)")
    print(f"network view, restarted, kept   {_ms(kept)}")
    print(f"network view, warm              {_ms(warm)}")
    print(f"network view, a new filter      {_ms(other)}")
    import json

    print(f"network JSON size               {len(json.dumps(net)) / 1024:9.1f} KiB")
    store.close()
    result, _ = _bounded(_export_baseline, (path,), baseline_limit)
    if result is not None:
        print(f"baseline: whole network read    {_ms(result[0])}   ({result[1]} edges)  cold view {result[0] / cold:.1f}x faster, warm {result[0] / warm:.0f}x")
    else:
        print(f"baseline: whole network read    stopped after {baseline_limit:.0f} s (load_ties + timeline_graph)  "
              f"cold view > {baseline_limit / cold:.0f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", default="bench/out/acled-1m", help="a copy of the large store (opened in place)")
    parser.add_argument("--baseline-limit", type=float, default=120.0, help="seconds after which a baseline is stopped")
    parser.add_argument("--no-build", action="store_true", help="use the big store's search index as it is (no full build)")
    parser.add_argument("--search-only", action="store_true", help="only the search (and index) measures")
    args = parser.parse_args()
    from conflictkg.graph.knowledge.seed import build_seed

    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "seed") as store:
            build_seed(store)
        bench_store("seed", str(Path(tmp) / "seed"), args.baseline_limit, network=not args.search_only)
    if Path(args.big).is_dir():
        bench_store("big", args.big, args.baseline_limit, build_index=not args.no_build, network=not args.search_only)
    else:
        print(f"\n{args.big} is missing: copy a large store there (see the module notes)")


if __name__ == "__main__":
    main()
