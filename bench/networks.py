"""Benchmark: signed actor networks at 1k, 10k and 100k edges, each measure beside its baseline.

Run:  .venv/bin/python bench/networks.py [--sizes 1000 10000 100000] [--exact-limit 60]

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
import math
import random
import time
from collections.abc import Callable

import pyoxigraph as ox

from conflictkg.graph.networks.series import signed_network
from conflictkg.graph.networks.ties import _ACTOR_QUERY, _EVENT_QUERY, _GRAPH_QUERY, _REL_QUERY, load_ties
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--exact-sizes", type=int, nargs="+", default=[250, 500, 1_000, 2_000, 4_000, 8_000])
    parser.add_argument("--exact-limit", type=float, default=60.0, help="seconds allowed to one exact solve")
    args = parser.parse_args()

    print(f"{'edges':>8} {'nodes':>7} | {'store load':>10} | {'build':>10} {'SPARQL rows':>12} {'×':>6} |"
          f" {'census':>10} {'listing':>10} {'×':>6} | {'walk sparse':>11} {'walk dense':>11} {'×':>6} {'|Δ|':>8} {'stderr':>8}")
    builds, censuses, walks = [], [], []
    graphs = {}
    for m in args.sizes:
        quads, n = synthetic_quads(m)
        store = Store()
        t_load, _ = timed(lambda: store.extend(quads))
        t_rows, _ = timed(lambda: sum(1 for q in (_GRAPH_QUERY, _EVENT_QUERY, _REL_QUERY, _ACTOR_QUERY) for _ in store.query(q)), repeat=2)
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
