"""ACLED import throughput and memory against pyoxigraph's bulk load of the same triples (the floor).

For each N (default 100k, 300k, 1M rows) this writes N *synthetic* ACLED rows
(made up by a seeded generator: not ACLED data), then, each in its own fresh
subprocess so peak RSS is the step's own:

1. ``floor``   — the importer's own N-Triples for the file are written
   (untimed), then ``pyoxigraph.Store.bulk_load`` loads them into a fresh
   on-disk store: what the store itself can ingest.
2. ``import``  — ``conflictkg.graph.loaders.acled.import_acled`` into a fresh
   on-disk store, end to end (read, check, convert, load, supersede check),
   in 500k-triple bulk loads two at a time (``chunked``, the default: memory stays flat) and
   as one bulk load of the whole file (``one_load``, ``--one-load``).
3. ``queries`` — analyst queries on the store the default import made, best of 2.

and prints rows/s, triples/s, ratio import/floor, and peak RSS side by side.

Run: ``.venv/bin/python bench/imports.py [--sizes 100000,300000,1000000] [--work DIR]``
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

__all__ = ["generate", "main"]

_EVENTS = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Battles", "Government regains territory"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Political violence", "Riots", "Mob violence"),
    ("Strategic developments", "Strategic developments", "Arrests"),
]
_KNOWN = ["QSD: Syrian Democratic Forces", "Islamic State (Syria)", "Military Forces of Syria (2024-)",
          "Global Coalition Against Daesh", "YPG: People's Protection Units"]


def generate(path: Path, n: int, *, seed: int = 5, ids: Sequence[int] | None = None, version: int = 0) -> None:
    """Write ``n`` synthetic ACLED rows (MADE UP, seeded) with realistic cardinalities.

    About 400 actors, 14 governorates, 60 districts, 3,000 locations, 6 years of dates.
    ``ids`` numbers the events (``XSYN<id>``; default ``range(n)``, wrapping
    around when shorter) and ``version`` makes a newer export of the same
    events: later timestamps, other notes (re-imports replace the old rows).
    """
    from conflictkg.graph.loaders.acled import ACLED_COLUMNS

    rnd = random.Random(seed)
    actors = _KNOWN + [f"Synthetic Armed Group {i} (Syria)" for i in range(400)]
    admin1 = [f"Governorate {i}" for i in range(14)]
    admin2 = [(rnd.choice(admin1), f"District {i}") for i in range(60)]
    locations = [(*rnd.choice(admin2), f"Subdistrict {i % 270}", f"Village {i}", 32 + rnd.random() * 5, 35 + rnd.random() * 7)
                 for i in range(3000)]
    start = date(2020, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(ACLED_COLUMNS)
        for i in (ids[k % len(ids)] for k in range(n)) if ids is not None else range(n):
            disorder, etype, sub = _EVENTS[i % len(_EVENTS)]
            a1, l = rnd.choice(actors), rnd.choice(locations)
            a2 = rnd.choice(actors) if etype != "Protests" else ""
            day = start + timedelta(days=rnd.randrange(2190))
            gp = 1 + (i % 7 == 0) + (i % 13 == 0)
            w.writerow([
                f"XSYN{i}", day.isoformat(), day.year, 1 + (i % 11 == 0), disorder, etype, sub, a1,
                rnd.choice(actors) if i % 5 == 0 else "", 2, a2, "", 2 if a2 else 0, 22 if a2 else 20, "",
                760, "Middle East", "Syria", l[0], l[1], l[2], l[3], f"{l[4]:.4f}", f"{l[5]:.4f}", gp,
                "Synthetic Source", "National",
                f"SYNTHETIC row {i}: on {day} a made-up \"event\" at {l[3]}." + (f" Version {version}." if version else ""),
                rnd.choice((0, 0, 0, 1, 2, 5)), "", 1700000000 + version * 10_000_000 + i,
            ])  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_import(csv_path: str, store_dir: str, mode: str) -> dict[str, float]:
    from conflictkg.graph.loaders.acled import import_acled
    from conflictkg.graph.store import Store

    store = Store(store_dir)
    t = time.perf_counter()
    report = import_acled(store, csv_path, temp_dir=str(Path(store_dir).parent), one_load=(mode == "one-load"))
    seconds = time.perf_counter() - t
    peak = _peak_mb()
    store.close()
    return {"seconds": seconds, "rows": report.rows, "triples": report.triples, "peak_mb": peak}


def _child_floor(csv_path: str, store_dir: str, nt_path: str) -> dict[str, float]:
    import pyoxigraph as ox

    from conflictkg.graph.loaders.acled import AcledConverter
    from conflictkg.graph.loaders.imports import _rows

    # Untimed: the very N-Triples the importer produces, in one file.
    converter = AcledConverter()
    with open(nt_path, "w", encoding="utf-8", buffering=1 << 20) as out:
        for n, _, fields, _ in _rows(Path(csv_path)):
            if n:
                out.write(converter.convert(fields)[0])
    store = ox.Store(store_dir)
    t = time.perf_counter()
    store.bulk_load(path=nt_path, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:floor"), lenient=True)
    store.flush()
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "triples": len(store), "peak_mb": _peak_mb()}


QUERIES = {
    "group-by: events per class and year": """
        SELECT ?class ?year (COUNT(?e) AS ?n) (SUM(?deaths) AS ?dead) WHERE { GRAPH ?g {
          ?e a ?class ; ck:date ?d ; ck:fatalities/ck:value ?deaths . BIND(YEAR(?d) AS ?year) } }
        GROUP BY ?class ?year ORDER BY ?class ?year""",
    "2-hop place join: events per parent region": """
        SELECT ?region (COUNT(?e) AS ?n) WHERE { GRAPH ?g {
          ?e ck:place ?p . ?p ck:locatedIn ?parent . ?parent rdfs:label ?region } }
        GROUP BY ?region ORDER BY DESC(?n) LIMIT 20""",
    "one-subject lookup": """
        SELECT ?p ?o WHERE { GRAPH ?g { <https://w3id.org/conflictkg/id/event/acled/XSYN4242> ?p ?o } }""",
    "10k-row dump": """
        SELECT ?e ?d ?label ?actor WHERE { GRAPH ?g { ?e ck:date ?d ; rdfs:label ?label ; ck:actor ?actor } }
        LIMIT 10000""",
}


def _child_queries(store_dir: str) -> dict[str, float]:
    from conflictkg.graph.store import Store

    store = Store(store_dir)
    out = {}
    for name, q in QUERIES.items():
        best = float("inf")
        for _ in range(2):
            t = time.perf_counter()
            rows = sum(1 for _ in store.query(q))  # type: ignore[union-attr]
            best = min(best, time.perf_counter() - t)
        out[name] = best
        out[name + " rows"] = rows
    store.close()
    return out


def _run(*args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--one-load-max", type=int, default=10**9,
                        help="also time the --one-load import for sizes up to this")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        fn = {"import": _child_import, "floor": _child_floor, "queries": _child_queries}[kind]
        print(json.dumps(fn(*rest)))
        return

    work = Path(args.work or tempfile.mkdtemp(prefix="conflictkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# ACLED import vs pyoxigraph bulk_load (floor); scratch in {work}", flush=True)
    print(f"{'rows':>9} {'triples':>10} | {'mode':<10} {'import s':>8} {'rows/s':>7} {'triples/s':>9} {'peak MB':>7} | "
          f"{'floor s':>7} {'triples/s':>9} {'peak MB':>7} | {'speed ratio':>11}", flush=True)
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        csv_path, nt_path = work / f"acled-{n}.csv", work / f"acled-{n}.nt"
        if not csv_path.exists():
            generate(csv_path, n)
        floor_store = work / f"floor-{n}"
        shutil.rmtree(floor_store, ignore_errors=True)
        floor = _run("floor", str(csv_path), str(floor_store), str(nt_path))
        shutil.rmtree(floor_store, ignore_errors=True)
        nt_path.unlink(missing_ok=True)
        modes = ["chunked"] + (["one-load"] if n <= args.one_load_max else [])
        for mode in modes:
            imp_store = work / f"import-{n}-{mode}"
            shutil.rmtree(imp_store, ignore_errors=True)
            imp = _run("import", str(csv_path), str(imp_store), mode)
            ratio = floor["seconds"] / imp["seconds"]
            print(f"{n:>9} {int(imp['triples']):>10} | {mode:<10} {imp['seconds']:>8.1f} {imp['rows'] / imp['seconds']:>7.0f} "
                  f"{imp['triples'] / imp['seconds']:>9.0f} {imp['peak_mb']:>7.0f} | {floor['seconds']:>7.1f} "
                  f"{floor['triples'] / floor['seconds']:>9.0f} {floor['peak_mb']:>7.0f} | {ratio:>10.2f}x", flush=True)
            if mode == "chunked":
                results.append((n, imp_store))
            else:
                shutil.rmtree(imp_store, ignore_errors=True)
    n, store = results[-1]
    print(f"\n# analyst queries on the imported {n}-row store (best of 2)", flush=True)
    q = _run("queries", str(store))
    for name in QUERIES:
        print(f"{name:<45} {q[name] * 1000:>9.1f} ms  ({int(q[name + ' rows'])} rows)", flush=True)
    first, last = results[0][0], results[-1][0]
    print(f"\n(speed ratio = floor time / import time; target >= 0.5. Sizes {first}..{last}.)")


if __name__ == "__main__":
    main()
