"""Benchmark: signed actor networks, from imported ACLED stores (50k, 1M rows) and at 1k–100k edges, each beside its floor.

Run:  .venv/bin/python bench/networks.py [--store-rows 50000 1000000] [--stores DIR] [--only-store]
      [--sizes 1000 10000 100000] [--exact-limit 60]

**From an imported store** (first): ``--store-rows`` synthetic ACLED rows
(made up by ``bench/imports.py``'s seeded ``generate()``: not ACLED data)
are imported with ``conflictkg.graph.loaders.acled.import_acled`` into an
on-disk store beside the seed graph, built once and cached in ``--stores``
(default ``bench/out/networks``). Then each step runs in a fresh subprocess
(peak RSS is its own), BLAS on one thread (the machine is shared):

- ``balance``, ``centrality``: ``network_balance`` / ``network_centrality``
  on the store (read the ties, build the network, measure), against the
  floor: the same report (``balance_report`` / ``centrality_report``) on a
  networkx graph made with ``nx.Graph`` from a ``(u, v, sign)`` edge list
  already in memory;
- ``breakdowns``: ``breakdown_report(window="90d")`` on the store, against
  the floor: the same analysis (``find_breakdowns``, ``sign_changes``,
  ``triad_transitions_from_changes``) on the dated tie list already in memory.

The floors' inputs are written by an untimed step first. Printed: time,
peak RSS, ratio store/floor, and the growth exponent k (time ∝ rows^k)
between consecutive sizes.

Synthetic data, made up: ``m/5`` actors split at random into two blocs,
``m`` relationships (ck:Alliance inside a bloc, ck:Hostility across) of
which 5 % have the sign flipped, as TriG-shaped quads in an in-memory
store. A near-balanced network is what alliance data looks like; a
uniformly random one is the worst case for the exact frustration index.

Measured, with the baseline each is printed against:

- build: SPARQL → ties → networkx graph (``load_ties`` + ``signed_network``),
  against only iterating the rows of the same four SPARQL queries;
- triangle census by sparse matrix traces, against listing every triangle;
- walk index, sparse estimate (eigsh + Hutchinson with expm_multiply),
  against the exact dense spectra (up to 2 000 nodes; the library switches at 1 000);
- exact frustration (HiGHS), against the local-search upper bound, on
  growing sizes until a solve no longer finishes in the time limit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.networks.series import signed_network
from conflictkg.graph.networks.reading import _ACTOR_QUERY, _GRAPH_QUERY, _REL_QUERY, event_rows
from conflictkg.graph.networks.ties import load_ties
from conflictkg.graph.networks.signed import frustration_index, signed_triangles, triangle_census, walk_balance_estimate, walk_balance_index
from conflictkg.graph.networks.signed.frustration import _local_search, frustration_of_partition
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import CK, GRAPH, ID

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")


def synthetic_quads(m: int, *, noise: float = 0.05, seed: int = 1) -> tuple[list[ox.Quad], int]:
    """``m`` made-up relationships among ``m/5`` actors in two blocs, ``noise`` of them flipped."""
    rng = random.Random(seed)
    n = max(10, m // 5)
    bloc = [rng.random() < 0.5 for _ in range(n)]
    g = ox.NamedNode(str(GRAPH["bench/synthetic"]))
    party, sign_p, start_p = (ox.NamedNode(str(CK[x])) for x in ("party", "sign", "startDate"))
    kinds = {1: ox.NamedNode(str(CK.Alliance)), -1: ox.NamedNode(str(CK.Hostility))}
    actors = [ox.NamedNode(str(ID[f"actor/bench-{i}"])) for i in range(n)]
    quads, seen = [], set()
    while len(seen) < m:
        u, v = rng.randrange(n), rng.randrange(n)
        if u == v or (min(u, v), max(u, v)) in seen:
            continue
        seen.add((min(u, v), max(u, v)))
        s = 1 if bloc[u] == bloc[v] else -1
        if rng.random() < noise:
            s = -s
        rel = ox.NamedNode(str(ID[f"relationship/bench-{u}-{v}"]))
        day = f"{2000 + rng.randrange(25)}-{1 + rng.randrange(12):02d}-01"
        quads += [
            ox.Quad(rel, RDF_TYPE, kinds[s], g),
            ox.Quad(rel, party, actors[u], g),
            ox.Quad(rel, party, actors[v], g),
            ox.Quad(rel, sign_p, ox.Literal(str(s), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g),
            ox.Quad(rel, start_p, ox.Literal(day, datatype=XSD_DATE), g),
        ]
    return quads, n


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{b / a:.1f}×"


def growth(rows: list[tuple[int, float | None]]) -> str:
    """The exponent k of time ∝ edges^k between consecutive sizes."""
    parts = []
    for (m1, t1), (m2, t2) in zip(rows, rows[1:]):
        if t1 and t2:
            parts.append(f"{m1}→{m2}: k={math.log(t2 / t1) / math.log(m2 / m1):.2f}")
    return ", ".join(parts) or "—"


HERE = Path(__file__).parent
#: The graph of the one event the "after a write" steps write (and drop after).
WRITTEN = "urn:bench:written"


def build_store(rows: int, stores: Path) -> Path:
    """The on-disk store of ``rows`` synthetic ACLED rows beside the seed graph, built once (``READY`` marks it whole)."""
    target = stores / f"acled-{rows}"
    if (target / "READY").is_file():
        return target
    import shutil

    from bench.imports import generate
    from conflictkg.graph.knowledge.seed import build_seed
    from conflictkg.graph.loaders.acled import import_acled

    shutil.rmtree(target, ignore_errors=True)
    stores.mkdir(parents=True, exist_ok=True)
    csv_path = stores / f"acled-{rows}.csv"
    print(f"building {target} ({rows:,} synthetic rows; minutes at 1M) …", flush=True)
    generate(csv_path, rows)
    store = Store(str(target / "store"))
    build_seed(store)
    import_acled(store, csv_path, temp_dir=str(stores))
    store.close()
    csv_path.unlink()
    (target / "READY").write_text("complete\n")
    return target


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sparql_rows(store: Store) -> int:
    """Only iterate the rows of the reads ``load_ties`` makes (the build's baseline)."""
    actor, target = "https://w3id.org/conflictkg/ontology#actor", "https://w3id.org/conflictkg/ontology#target"
    n, actors = 0, set()
    for _, p, o, _ in event_rows(store, True):
        n += 1
        if p in (actor, target) and isinstance(o, ox.NamedNode):
            actors.add(o.value)
    n += sum(1 for q in (_GRAPH_QUERY, _REL_QUERY) for _ in store.query(q))  # type: ignore[union-attr]
    named = sorted(actors)
    for k in range(0, len(named), 500):
        n += sum(1 for _ in store.query(_ACTOR_QUERY % " ".join(f"<{a}>" for a in named[k : k + 500])))  # type: ignore[union-attr]
    return n


def _child(step: str, store_dir: str, floor_input: str) -> dict[str, float]:
    """One timed step in this (fresh) process; prints its time and peak RSS as JSON."""
    import networkx as nx

    from conflictkg.graph.networks.alliances import breakdown_report, find_breakdowns
    from conflictkg.graph.networks.series import network_balance, network_centrality, sign_changes
    from conflictkg.graph.networks.signed import balance_report, centrality_report, triad_transitions_from_changes

    if step == "prepare":  # untimed: the floors' inputs, from the store
        store = Store(store_dir)
        ties = load_ties(store, labels=False)
        G = signed_network(ties, evidence=False)
        store.close()
        with open(floor_input, "wb") as f:
            pickle.dump({"edges": [(u, v, d["sign"]) for u, v, d in G.edges(data=True)],
                         "labels": {n: G.nodes[n]["label"] for n in G},
                         "ties": ties.ties, "actors": ties.actors}, f, protocol=pickle.HIGHEST_PROTOCOL)
        return {"seconds": 0.0, "peak_mb": _peak_mb(), "nodes": len(G), "edges": G.number_of_edges(), "ties": len(ties.ties)}
    out: dict[str, float] = {}
    if step.startswith("floor"):
        with open(floor_input, "rb") as f:
            data = pickle.load(f)
        t = time.perf_counter()
        if step in ("floor-balance", "floor-centrality"):
            G = nx.Graph()
            G.add_nodes_from((n, {"label": label}) for n, label in data["labels"].items())
            G.add_edges_from((u, v, {"sign": s}) for u, v, s in data["edges"])
            (balance_report if step == "floor-balance" else centrality_report)(G)
        else:
            from conflictkg.graph.networks.ties import TieSet

            ties = TieSet(actors=data["actors"], ties=data["ties"])
            found = find_breakdowns(ties, window="90d")
            first, initial, changes = sign_changes(ties, window="90d")
            out["transitions"] = sum(1 for _ in triad_transitions_from_changes(initial, changes))
            out["breakdowns"] = len(found)
    else:
        from conflictkg.graph.networks.index import open_network_index

        store = Store(store_dir)
        index = open_network_index(store)  # as every CLI command opens it: load_ties keeps its read there
        written = step.endswith("-written")
        if step.endswith("-cold"):
            index.forget_kept()  # nothing kept: every tie is read from the store
            step = step.removesuffix("-cold")
        elif written:
            # One event written beside the imports, as a review or a small load would: the ties kept whole
            # are forgotten, the import graph's part is not.
            store.update(f"INSERT DATA {{ GRAPH <{WRITTEN}> {{ <urn:bench:e> a ck:Attack ; ck:actor <urn:bench:a> ; "
                         'ck:target <urn:bench:b> ; ck:date "2020-06-01"^^xsd:date } }')
            step = step.removesuffix("-written")
        t = time.perf_counter()
        if step == "balance":
            network_balance(store)
        elif step == "centrality":
            network_centrality(store)
        else:
            r = breakdown_report(store, window="90d")
            out["transitions"] = len(r["triad_transitions"])  # type: ignore[arg-type]
            out["breakdowns"] = len(r["breakdowns"])  # type: ignore[arg-type]
    out["seconds"] = time.perf_counter() - t
    out["peak_mb"] = _peak_mb()
    if not step.startswith("floor") and written:
        store.update(f"DROP GRAPH <{WRITTEN}>")  # the store as it was (its part, if any, goes too)
    return out


def _run_child(step: str, store_dir: Path, floor_input: Path) -> dict[str, float]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", step, str(store_dir), str(floor_input)],
        capture_output=True, text=True, env=env, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def store_case(rows_list: list[int], stores: Path) -> None:
    """The table "from an imported store": each command beside its floor, per size, with the growth exponents."""
    print("from an imported store (synthetic ACLED rows; time, peak RSS; × = store / floor)")
    print(f"{'rows':>9} {'nodes':>6} {'edges':>7} | {'step':<24} {'store':>10} {'RSS':>8} | {'floor':>10} {'RSS':>8} | {'×':>6}")
    series: dict[str, list[tuple[int, float | None]]] = {}
    for rows in rows_list:
        target = build_store(rows, stores)
        store_dir = target / "store" if (target / "store").is_dir() else target
        floor_input = target.parent / f"{target.name}-floor.pickle"
        info = _run_child("prepare", store_dir, floor_input)
        for step in ("balance", "centrality", "breakdowns"):
            floor = _run_child(f"floor-{step}", store_dir, floor_input)
            # cold: nothing kept (every tie read from the store); kept: an unchanged store's next analysis
            # (the ties the last one read, kept beside the network index)
            # after a write: the first after a small write beside the import (its graph's ties kept)
            for how in ("cold", "kept", "after a write"):
                name = {"cold": f"{step}-cold", "kept": step, "after a write": f"{step}-written"}[how]
                got = _run_child(name, store_dir, floor_input)
                extra = f"  ({got['breakdowns']:.0f} breakdowns, {got['transitions']:.0f} triad transitions)" if step == "breakdowns" else ""
                print(f"{rows:>9} {info['nodes']:>6.0f} {info['edges']:>7.0f} | {step + ' ' + how:<24} {fmt(got['seconds']):>10} "
                      f"{got['peak_mb']:>6.0f} MB | {fmt(floor['seconds']):>10} {floor['peak_mb']:>6.0f} MB | "
                      f"{got['seconds'] / floor['seconds']:>5.2f}×{extra}", flush=True)
                series.setdefault(f"{step} {how}", []).append((rows, got["seconds"]))
            series.setdefault(f"{step} floor", []).append((rows, floor["seconds"]))
        floor_input.unlink(missing_ok=True)
    if len(rows_list) > 1:
        print("growth (time ∝ rows^k): " + "; ".join(f"{name} {growth(points)}" for name, points in series.items()))
    print()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(*sys.argv[2:5])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store-rows", type=int, nargs="*", default=[50_000, 1_000_000],
                        help="sizes of the imported-store case (none: skip it)")
    parser.add_argument("--stores", type=Path, default=HERE / "out" / "networks", help="where the stores are built and cached")
    parser.add_argument("--only-store", action="store_true", help="only the imported-store case")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--exact-sizes", type=int, nargs="+", default=[250, 500, 1_000, 2_000, 4_000, 8_000])
    parser.add_argument("--exact-limit", type=float, default=60.0, help="seconds allowed to one exact solve")
    args = parser.parse_args()
    if args.store_rows:
        store_case(args.store_rows, args.stores)
    if args.only_store:
        return

    print(f"{'edges':>8} {'nodes':>7} | {'store load':>10} | {'build':>10} {'SPARQL rows':>12} {'×':>6} |"
          f" {'census':>10} {'listing':>10} {'×':>6} | {'walk sparse':>11} {'walk dense':>11} {'×':>6} {'|Δ|':>8} {'stderr':>8}")
    builds, censuses, walks = [], [], []
    graphs = {}
    for m in args.sizes:
        quads, n = synthetic_quads(m)
        store = Store()
        t_load, _ = timed(lambda: store.extend(quads))
        t_rows, _ = timed(lambda: _sparql_rows(store), repeat=2)
        t_build, G = timed(lambda: signed_network(load_ties(store)), repeat=2)
        graphs[m] = G
        t_census, census = timed(lambda: triangle_census(G), repeat=3)
        t_list, listed = timed(lambda: sum(1 for _ in signed_triangles(G)))
        assert listed == sum(census.values())
        t_sparse, (k_sparse, k_err) = timed(lambda: walk_balance_estimate(G, method="sparse", seed=1))
        t_dense, k_dense = (timed(lambda: walk_balance_index(G, method="dense")) if len(G) <= 2000 else (None, None))
        delta = f"{abs(k_sparse - k_dense):.4f}" if k_dense is not None else "—"
        print(f"{m:>8} {len(G):>7} | {fmt(t_load):>10} | {fmt(t_build):>10} {fmt(t_rows):>12} {ratio(t_rows, t_build):>6} |"
              f" {fmt(t_census):>10} {fmt(t_list):>10} {ratio(t_census, t_list):>6} |"
              f" {fmt(t_sparse):>11} {fmt(t_dense):>11} {ratio(t_sparse, t_dense):>6} {delta:>8} {k_err:>8.4f}")
        builds.append((m, t_build))
        censuses.append((m, t_census))
        walks.append((m, t_sparse))
        store.close()
    print(f"\ngrowth (time ∝ edges^k): build {growth(builds)}; census {growth(censuses)}; walk {growth(walks)}")
    print("walk K at each size: " + ", ".join(f"{m}: {walk_balance_index(G, method='sparse', seed=1):.4f}" for m, G in graphs.items()))

    print(f"\nexact frustration index (HiGHS, time limit {args.exact_limit:.0f} s) against the local-search bound")
    print(f"{'edges':>8} {'nodes':>7} | {'exact':>10} {'L':>6} {'proved':>6} {'lower':>7} | {'local search':>12} {'L bound':>8} {'×':>6}")
    exact_rows = []
    for m in args.exact_sizes:
        quads, _ = synthetic_quads(m, seed=2)
        store = Store()
        store.extend(quads)
        G = signed_network(load_ties(store))
        store.close()
        t_exact, r = timed(lambda: frustration_index(G, time_limit=args.exact_limit, seed=1))
        t_heur, side = timed(lambda: _local_search(G, "sign", None, 10, 1))
        L_heur, _ = frustration_of_partition(G, side)
        print(f"{m:>8} {len(G):>7} | {fmt(t_exact):>10} {int(r.frustration):>6} {str(r.exact):>6} {r.lower_bound:>7.1f} |"
              f" {fmt(t_heur):>12} {int(L_heur):>8} {ratio(t_heur, t_exact):>6}")
        exact_rows.append((m, t_exact))
        if not r.exact:
            print(f"  → past {m} edges the exact solve does not finish within {args.exact_limit:.0f} s; larger sizes get the bound")
            break
    print(f"growth of the exact solve: {growth(exact_rows)}")


if __name__ == "__main__":
    main()
