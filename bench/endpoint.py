"""Benchmark the SPARQL endpoint over HTTP against rdflib-endpoint and `oxigraph serve`, on the same data.

Run: ``.venv/bin/python bench/endpoint.py [--events 100000] [--out bench/out]``

Generates a synthetic conflict graph (made-up data: 100k events with a type,
two actors, a place, a date and fatalities; 2k actors; 5k places in a
country → region → city hierarchy; ≈ 620k triples), serves it three ways on
127.0.0.1 —

- conflictkg as ``make serve`` runs it (``conflictkg serve``: on this on-disk
  store a writer and a reader process per core, at least two, that run queries
  themselves; the data in a named fact graph described in ``g:meta``, so a
  query's default graph is the analyst's union of fact graphs and
  ``g:inferred``, as on every conflictkg store), and as one process with query
  workers (``uvicorn`` + :func:`conflictkg.api.app.create_app`),
- ``oxigraph serve`` (Oxigraph's Rust server, PyPI ``oxigraph``),
- rdflib-endpoint (on rdflib's default in-memory store),

times four query shapes over HTTP (median of several runs, one warm-up
each; the servers take turns request by request, rdflib-endpoint in fewer,
evenly spread turns), prints them side by side with ratios and the targets
(aggregate, join, dump ≤ 1.15× ``oxigraph serve``, lookup ≤ 1.5×; each
shape but the lookup ≥ 5× faster than rdflib-endpoint), then runs 16
concurrent clients against conflictkg and counts errors, and last times
pyoxigraph alone on both stores (the default graph against the named fact
graph), so the ratio splits into the store's layout and the serving. Not a
test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import httpx

__all__ = ["generate", "QUERIES", "main"]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CK = "https://w3id.org/conflictkg/ontology#"
ID = "https://w3id.org/conflictkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
EVENT_TYPES = ["Battle", "Attack", "RemoteViolence", "ViolenceAgainstCivilians", "Protest", "Riot",
               "StrategicDevelopment", "DetaineeEscape", "Recapture", "Accusation"]

PREFIX = f"PREFIX ck: <{CK}> PREFIX id: <{ID}>\n"
QUERIES = {
    "aggregate": PREFIX + textwrap.dedent("""\
        SELECT ?type (COUNT(?e) AS ?events) (SUM(?f) AS ?fatalities) WHERE {
          ?e a ?type ; ck:fatalities ?f .
        } GROUP BY ?type ORDER BY DESC(?events)"""),
    "join": PREFIX + textwrap.dedent("""\
        SELECT ?region (COUNT(?e) AS ?events) WHERE {
          ?e ck:place ?city .
          ?city ck:locatedIn ?region .
          ?region ck:locatedIn <https://w3id.org/conflictkg/id/place/country-3> .
        } GROUP BY ?region ORDER BY ?region"""),
    "lookup": PREFIX + "SELECT ?p ?o WHERE { <https://w3id.org/conflictkg/id/event/e12345> ?p ?o }",
    "dump": PREFIX + textwrap.dedent("""\
        SELECT ?e ?type ?date ?f WHERE {
          ?e a ?type ; ck:date ?date ; ck:fatalities ?f .
        } LIMIT 10000"""),
}
#: The named fact graph conflictkg holds the synthetic data in, and its metadata.
BENCH_GRAPH = "https://w3id.org/conflictkg/graph/bench"
BENCH_META = f"""
@prefix ck: <{CK}> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/conflictkg/graph/meta> {{
  <{BENCH_GRAPH}> a ck:FactGraph ; prov:wasDerivedFrom <{ID}source/bench-synthetic> .
}}
"""
RUNS = {"aggregate": 9, "join": 31, "lookup": 401, "dump": 15}
SLOW_RUNS = {"aggregate": 2, "join": 2, "lookup": 50, "dump": 3}  # rdflib-endpoint: seconds per query


def generate(path: Path, *, events: int = 100_000, actors: int = 2_000, places: int = 5_000, seed: int = 7) -> int:
    """Write the made-up conflict graph as N-Triples; returns the number of triples."""
    rng = random.Random(seed)
    countries, regions = 10, 100
    cities = places - countries - regions
    lines: list[str] = []
    add = lines.append
    for i in range(countries):
        c = f"<{ID}place/country-{i}>"
        add(f"{c} <{RDF_TYPE}> <{CK}Country> .")
        add(f'{c} <{LABEL}> "Country {i}" .')
    for i in range(regions):
        r = f"<{ID}place/region-{i}>"
        add(f"{r} <{RDF_TYPE}> <{CK}AdministrativeRegion> .")
        add(f'{r} <{LABEL}> "Region {i}" .')
        add(f"{r} <{CK}locatedIn> <{ID}place/country-{i % countries}> .")
    for i in range(cities):
        c = f"<{ID}place/city-{i}>"
        add(f"{c} <{RDF_TYPE}> <{CK}City> .")
        add(f"{c} <{CK}locatedIn> <{ID}place/region-{rng.randrange(regions)}> .")
    for i in range(actors):
        a = f"<{ID}actor/a{i}>"
        add(f"{a} <{RDF_TYPE}> <{CK}{'ArmedGroup' if i % 3 else 'StateForce'}> .")
        add(f'{a} <{LABEL}> "Actor {i}" .')
    for i in range(events):
        e = f"<{ID}event/e{i}>"
        day = 1 + rng.randrange(28)
        add(f"{e} <{RDF_TYPE}> <{CK}{rng.choice(EVENT_TYPES)}> .")
        add(f"{e} <{CK}actor> <{ID}actor/a{rng.randrange(actors)}> .")
        add(f"{e} <{CK}target> <{ID}actor/a{rng.randrange(actors)}> .")
        add(f"{e} <{CK}place> <{ID}place/city-{rng.randrange(cities)}> .")
        add(f'{e} <{CK}date> "20{10 + rng.randrange(15)}-{1 + rng.randrange(12):02d}-{day:02d}"^^<{XSD}date> .')
        add(f'{e} <{CK}fatalities> "{min(int(rng.expovariate(0.2)), 500)}"^^<{XSD}integer> .')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            r = httpx.get(url, params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}, timeout=5)
            if r.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


RDFLIB_ENDPOINT = """
import sys, rdflib, uvicorn
from rdflib_endpoint import SparqlEndpoint
g = rdflib.Graph()
g.parse(sys.argv[1], format="nt")
app = SparqlEndpoint(graph=g, cors_enabled=False)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def start_servers(data: Path, work: Path) -> dict[str, tuple[str, subprocess.Popen]]:
    """Load the data into each server's store and start the three servers."""
    servers: dict[str, tuple[str, subprocess.Popen]] = {}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}

    ck_store = work / "conflictkg-store"
    ox_store = work / "oxigraph-store"
    for folder in (ck_store, ox_store):
        shutil.rmtree(folder, ignore_errors=True)
    t = time.perf_counter()
    # As conflictkg keeps facts: in a named fact graph described in g:meta, which makes it part
    # of every query's default graph (with g:inferred); oxigraph serve gets them in its default graph.
    meta = work / "bench-meta.trig"
    meta.write_text(BENCH_META, encoding="utf-8")
    subprocess.run([str(BIN / "conflictkg"), "--store", str(ck_store), "load", "--graph", BENCH_GRAPH, str(data)], check=True, **quiet)
    subprocess.run([str(BIN / "conflictkg"), "--store", str(ck_store), "load", str(meta)], check=True, **quiet)
    print(f"  conflictkg load: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(ox_store), "--file", str(data)], check=True, **quiet)
    print(f"  oxigraph load:   {time.perf_counter() - t:.1f} s")

    # The 16 concurrent clients below all come from 127.0.0.1: one address may run 4 queries at once by
    # default (the others get 429), so the limit is raised to let all of them in.
    env = {**os.environ, "CONFLICTKG_STORE": str(ck_store), "CONFLICTKG_QUERY_TIMEOUT_S": "120",
           "CONFLICTKG_QUERY_WORKERS": str(max(2, os.cpu_count() or 2)), "CONFLICTKG_MAX_CLIENT_QUERIES": "16"}
    port = _port()
    proc = subprocess.Popen([str(BIN / "conflictkg"), "serve", "--port", str(port)], env=env, **quiet)
    servers["conflictkg"] = (f"http://127.0.0.1:{port}/sparql", proc)
    # The same store served by one process with query workers (``uvicorn --factory``), for comparison.
    one = work / "conflictkg-store-1proc"
    shutil.copytree(ck_store, one)
    port = _port()
    proc = subprocess.Popen(
        [str(BIN / "python"), "-m", "uvicorn", "--factory", "conflictkg.api.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"], env={**env, "CONFLICTKG_STORE": str(one)}, **quiet)
    servers["conflictkg 1-proc"] = (f"http://127.0.0.1:{port}/sparql", proc)

    port = _port()
    proc = subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", str(ox_store), "--bind", f"127.0.0.1:{port}"], **quiet)
    servers["oxigraph serve"] = (f"http://127.0.0.1:{port}/query", proc)

    port = _port()
    proc = subprocess.Popen([str(BIN / "python"), "-c", RDFLIB_ENDPOINT, str(data), str(port)], **quiet)
    servers["rdflib-endpoint"] = (f"http://127.0.0.1:{port}/", proc)

    t = time.perf_counter()
    for url, proc in servers.values():
        _wait(url, proc)
    print(f"  servers up (rdflib parsing included): {time.perf_counter() - t:.1f} s")
    return servers


def _post(client: httpx.Client, url: str, query: str) -> tuple[float, int]:
    headers = {"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"}
    t = time.perf_counter()
    r = client.post(url, data={"query": query}, headers=headers)
    r.raise_for_status()
    size = len(r.content)
    return time.perf_counter() - t, size


def _due(turn: int, turns: int, runs: int) -> bool:
    """Whether a server with ``runs`` runs takes turn ``turn`` of ``turns`` (evenly spread, ``runs`` in all)."""
    return turn * runs // turns != (turn + 1) * runs // turns


def time_shapes(
    urls: dict[str, str], runs: dict[str, int], slow: dict[str, dict[str, int]] | None = None
) -> dict[str, dict[str, tuple[float, int]]]:
    """Median seconds and body size per server and shape.

    The servers take turns request by request (after one warm-up each), so
    load from anything else on the machine falls on all of them alike; a
    server in ``slow`` (name → runs per shape) takes only that many of the
    turns, spread evenly among them.
    """
    slow = slow or {}
    out: dict[str, dict[str, tuple[float, int]]] = {name: {} for name in urls}
    clients = {name: httpx.Client(timeout=600) for name in urls}
    try:
        for shape, query in QUERIES.items():
            times: dict[str, list[float]] = {name: [] for name in urls}
            sizes: dict[str, int] = {}
            for name, url in urls.items():
                _, sizes[name] = _post(clients[name], url, query)
            for turn in range(runs[shape]):
                for name, url in urls.items():
                    if name in slow and not _due(turn, runs[shape], slow[name][shape]):
                        continue
                    times[name].append(_post(clients[name], url, query)[0])
            for name in urls:
                out[name][shape] = (statistics.median(times[name]), sizes[name])
    finally:
        for client in clients.values():
            client.close()
    return out


def in_process(work: Path, runs: dict[str, int]) -> dict[str, dict[str, float]]:
    """Median seconds per shape of pyoxigraph itself (query and JSON results, no HTTP), in this process,
    on each server's store once its server has stopped: the data in the default graph (as
    ``oxigraph serve`` holds it) and in the named fact graph (as conflictkg holds it and queries it).
    The two take turns, run by run."""
    import pyoxigraph as ox

    stores = {"default graph": (ox.Store.read_only(str(work / "oxigraph-store")), None),
              "named fact graph": (ox.Store.read_only(str(work / "conflictkg-store")), [ox.NamedNode(BENCH_GRAPH)])}
    out: dict[str, dict[str, float]] = {name: {} for name in stores}
    for shape, query in QUERIES.items():
        times: dict[str, list[float]] = {name: [] for name in stores}
        for turn in range(runs[shape] + 1):  # the first is the warm-up
            for name, (store, graphs) in stores.items():
                t = time.perf_counter()
                store.query(query, default_graph=graphs).serialize(format=ox.QueryResultsFormat.JSON)
                if turn:
                    times[name].append(time.perf_counter() - t)
        for name in stores:
            out[name][shape] = statistics.median(times[name])
    return out


def concurrent_clients(url: str, clients: int = 16, per_client: int = 10) -> tuple[int, int, float]:
    """``clients`` threads, each with its own connection, sending a mix of the query shapes."""
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    mix = [QUERIES["lookup"], QUERIES["lookup"], QUERIES["join"], QUERIES["dump"], QUERIES["aggregate"]]

    def client(n: int) -> None:
        with httpx.Client(timeout=120) as c:
            for i in range(per_client):
                query = mix[(n + i) % len(mix)]
                try:
                    r = c.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
                    r.raise_for_status()
                    r.json()
                    with lock:
                        done[0] += 1
                except Exception as err:  # counted, reported
                    with lock:
                        errors.append(f"{type(err).__name__}: {err}")

    t = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        print("  first errors:", errors[:3])
    return done[0], len(errors), time.perf_counter() - t


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ck-bench-", dir=args.out))
    data = work / "conflict.nt"
    t = time.perf_counter()
    n = generate(data, events=args.events)
    print(f"synthetic conflict graph (made-up data): {n:,} triples, {data.stat().st_size / 1e6:.0f} MB, {time.perf_counter() - t:.1f} s")
    servers = start_servers(data, work)
    try:
        urls = {name: url for name, (url, _) in servers.items()}
        results = time_shapes(urls, RUNS, {"rdflib-endpoint": SLOW_RUNS})
        ck, ox, rl = (results[k] for k in ("conflictkg", "oxigraph serve", "rdflib-endpoint"))
        targets = {"aggregate": 1.15, "join": 1.15, "dump": 1.15, "lookup": 1.5}
        print()
        print(f"{'shape':<10} {'conflictkg':>11} {'oxigraph':>10} {'rdflib-ep':>10} {'ck/ox':>7} {'target':>7} {'rdflib/ck':>10} {'target':>7} {'rdflib/ox':>9}  bytes")
        for shape in QUERIES:
            vs_ox = ck[shape][0] / ox[shape][0]
            vs_rl = rl[shape][0] / ck[shape][0]
            rl_target = "≥5×" if shape != "lookup" else ""
            ok_ox = "ok" if vs_ox <= targets[shape] else "MISS"
            ok_rl = ("ok" if vs_rl >= 5 else "MISS") if rl_target else ""
            print(f"{shape:<10} {ck[shape][0] * 1e3:>9.2f}ms {ox[shape][0] * 1e3:>8.2f}ms {rl[shape][0] * 1e3:>8.1f}ms "
                  f"{vs_ox:>6.2f}× {'≤' + str(targets[shape]) + '×':>5} {ok_ox:<4} {vs_rl:>7.1f}× {rl_target:>5} {ok_rl:<4} "
                  f"{rl[shape][0] / ox[shape][0]:>8.1f}× "
                  f"{ck[shape][1]}/{ox[shape][1]}/{rl[shape][1]}")
        one = results["conflictkg 1-proc"]
        print()
        print("one process with query workers (uvicorn --factory create_app):")
        for shape in QUERIES:
            print(f"{shape:<10} {one[shape][0] * 1e3:>9.2f}ms  ck-1proc/ox {one[shape][0] / ox[shape][0]:.2f}×")
        print()
        for name in ("conflictkg", "conflictkg 1-proc", "oxigraph serve"):
            ok, failed, took = concurrent_clients(servers[name][0])
            print(f"16 concurrent clients → {name}: {ok} answers, {failed} errors, {took:.1f} s")
        for _, proc in servers.values():
            proc.terminate()
        for _, proc in servers.values():
            proc.wait(20)
        # Where the ratio to oxigraph serve comes from: the store's layout (pyoxigraph alone, named fact
        # graph over default graph) and the serving (each server over pyoxigraph alone on its own layout).
        alone = in_process(work, RUNS)
        dflt, named = alone["default graph"], alone["named fact graph"]
        print()
        print("pyoxigraph alone in this process (query + JSON results, no HTTP), the same stores:")
        print(f"{'shape':<10} {'default g.':>10} {'named g.':>9} {'named/dflt':>10} | {'ck/named':>8} {'ox/dflt':>8}")
        for shape in QUERIES:
            print(f"{shape:<10} {dflt[shape] * 1e3:>8.2f}ms {named[shape] * 1e3:>7.2f}ms {named[shape] / dflt[shape]:>9.2f}× | "
                  f"{ck[shape][0] / named[shape]:>7.2f}× {ox[shape][0] / dflt[shape]:>7.2f}×")
    finally:
        for _, proc in servers.values():
            if proc.poll() is None:
                proc.terminate()
        for _, proc in servers.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
