"""Load test of the HTTP API: concurrent clients mixing saved queries, lookups and malformed requests.

Starts a real server on 127.0.0.1 over an on-disk store holding the seed
graph — ``conflictkg serve --readers 2`` as ``make serve`` runs it, or with
``--mode workers`` one ``uvicorn`` process on
:func:`conflictkg.api.app.create_app` with query workers — then runs
``--clients`` threads (default 32) for ``--seconds`` (default 60), each
sending a seeded random mix of

- ``saved``:     ``GET /queries/{name}`` for every shipped saved query,
- ``lookup``:    a SELECT of one entity's facts, or an ASK, on ``/sparql``,
- ``malformed``: broken SPARQL, wrong content types, missing or repeated
  parameters, unknown saved queries, bad parameter values (each must be a 4xx),
- ``heavy``:     (phase 2 only) an aggregate over every quad,
- ``runaway``:   (phase 3 only) batches of 16 cartesian products from 4 other
  client addresses, each running to the time limit (10 s here) and answered
  503 (or 429 past the per-client limit), one batch after another.

Phase 1 is the mix alone; phase 2 adds a stream of heavy queries from a
quarter of the clients; phase 3 adds the runaway batches (the attack of
issue 17), so the cheap requests' p99 can be read beside phase 1's. Each
client has its own loopback address (127.0.1.x), as separate users would:
the per-client limit counts by address. Prints per-kind counts, p50/p99 latency, the 5xx count and every
malformed request that was not a 4xx. Only loopback is ever contacted.

Run: ``.venv/bin/python bench/load.py [--clients 32] [--seconds 60] [--mode readers|workers]``
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["LoadReport", "MALFORMED", "run_load", "main"]

#: Requests that must be refused with a 4xx: (method, path, params, body, headers).
MALFORMED: list[tuple[str, str, dict[str, str] | None, bytes | None, dict[str, str] | None]] = [
    ("GET", "/sparql", {"query": "SELEKT * WHERE { ?s ?p ?o }"}, None, None),
    ("GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p "}, None, None),
    ("GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT -1"}, None, None),
    ("GET", "/sparql", {"query": "ASK {}", "default-graph-uri": "not an iri"}, None, None),
    ("POST", "/sparql", None, b"SELECT * WHERE {", {"Content-Type": "application/sparql-query"}),
    ("POST", "/sparql", None, b"\xff\xfe\x00garbage", {"Content-Type": "application/sparql-query"}),
    ("POST", "/sparql", None, b"query=ASK%20%7B%7D", {"Content-Type": "text/csv"}),
    ("POST", "/sparql", None, b"DROP ALL", {"Content-Type": "application/sparql-update"}),
    ("POST", "/sparql", None, b"update=DROP%20ALL", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("GET", "/sparql", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, None, None),
    ("GET", "/queries/no-such-query", None, None, None),
    ("GET", "/queries/actor-names", {"name": "x", "nope": "y"}, None, None),
]


@dataclass
class LoadReport:
    """What a load run saw: latencies by kind, statuses, and the failures that matter."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    server_errors: list[str] = field(default_factory=list)
    malformed_not_4xx: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)

    def percentile(self, kind: str, q: float) -> float:
        values = sorted(self.latencies.get(kind, []))
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(q * len(values)))]

    def total(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> str:
        lines = [f"{'kind':<11}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}"]
        for kind in sorted(self.latencies):
            n = len(self.latencies[kind])
            lines.append(
                f"{kind:<11}{n:>10}{self.percentile(kind, 0.5) * 1000:>10.1f}{self.percentile(kind, 0.99) * 1000:>10.1f}"
            )
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        lines.append(f"statuses: {statuses}")
        lines.append(
            f"5xx: {len(self.server_errors)}; malformed not 4xx: {len(self.malformed_not_4xx)}; "
            f"transport errors: {len(self.transport_errors)}; tracebacks in bodies: {len(self.tracebacks)}"
        )
        return "\n".join(lines)


def _lookups(rng: random.Random, entities: list[str]) -> tuple[str, str, dict[str, str], None, None]:
    if rng.random() < 0.3:
        return ("GET", "/sparql", {"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}, None, None)
    iri = rng.choice(entities)
    # The IRI comes from the store itself; written as an IRI term, never user text.
    return ("GET", "/sparql", {"query": f"SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} LIMIT 100"}, None, None)


HEAVY = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o . ?o ?p2 ?o2 } } GROUP BY ?p"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ 1 2 3 4 5 6 7 8 9 10 }}" for i in range(10)) + " }"


def _transport(host: str, address: str) -> httpx.HTTPTransport | None:
    # Distinct loopback addresses are distinct clients to the server (IPv4 loopback only).
    return httpx.HTTPTransport(local_address=address) if host == "127.0.0.1" else None


def run_load(
    base_url: str,
    *,
    clients: int = 32,
    seconds: float = 60.0,
    seed: int = 6,
    heavy_clients: int = 0,
    max_requests: int | None = None,
    runaways: bool = False,
) -> LoadReport:
    """Drive ``clients`` threads against ``base_url`` (loopback only) for ``seconds``.

    ``heavy_clients`` of them send only heavy aggregates. ``max_requests``
    bounds each client's count as well as the time. ``runaways`` adds
    batches of 16 runaway queries from 4 more client addresses.
    """
    host = httpx.URL(base_url).host
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the load test only talks to loopback, not {host}")
    with httpx.Client(base_url=base_url, timeout=60) as probe:
        saved = [q["name"] for q in probe.get("/queries").json()["queries"]]
        defaults = {
            q["name"]: {p["name"]: p.get("default") or "x" for p in q["parameters"] if p.get("required")}
            for q in probe.get("/queries").json()["queries"]
        }
        rows = probe.get(
            "/sparql",
            params={"query": "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) } LIMIT 200"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()["results"]["bindings"]
        entities = [r["s"]["value"] for r in rows] or ["urn:nothing"]
    report = LoadReport()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        heavy = index < heavy_clients
        sent = 0
        address = f"127.0.{1 + index // 250}.{1 + index % 250}"
        with httpx.Client(base_url=base_url, timeout=120, transport=_transport(host, address)) as http:
            while time.monotonic() < deadline and (max_requests is None or sent < max_requests):
                sent += 1
                roll = rng.random()
                if heavy:
                    kind, (method, path, params, body, headers) = "heavy", ("GET", "/sparql", {"query": HEAVY}, None, None)
                elif roll < 0.4 and saved:
                    name = rng.choice(saved)
                    kind, (method, path, params, body, headers) = "saved", ("GET", f"/queries/{name}", defaults[name], None, None)
                elif roll < 0.75:
                    kind, (method, path, params, body, headers) = "lookup", _lookups(rng, entities)
                else:
                    kind, (method, path, params, body, headers) = "malformed", rng.choice(MALFORMED)
                started = time.perf_counter()
                try:
                    response = http.request(method, path, params=params, content=body, headers=headers)
                except httpx.HTTPError as err:
                    with lock:
                        report.transport_errors.append(f"{kind} {method} {path}: {type(err).__name__}")
                    continue
                elapsed = time.perf_counter() - started
                text = response.text[:4000]
                with lock:
                    report.latencies[kind].append(elapsed)
                    report.statuses[response.status_code] += 1
                    label = f"{kind} {method} {path} {params or body!r} -> {response.status_code}"
                    if response.status_code >= 500 and not (kind == "heavy" and response.status_code == 503):
                        report.server_errors.append(label + f": {text[:200]}")
                    if kind == "malformed" and not 400 <= response.status_code < 500:
                        report.malformed_not_4xx.append(label)
                    if "Traceback (most recent call last)" in text:
                        report.tracebacks.append(label)

    def runaway(address: str) -> None:
        with httpx.Client(base_url=base_url, timeout=120, transport=_transport(host, address)) as http:
            started = time.perf_counter()
            try:
                response = http.post("/sparql", data={"query": RUNAWAY})
            except httpx.HTTPError as err:
                with lock:
                    report.transport_errors.append(f"runaway: {type(err).__name__}")
                return
            with lock:
                report.latencies["runaway"].append(time.perf_counter() - started)
                report.statuses[response.status_code] += 1
                if response.status_code >= 500 and response.status_code != 503:
                    report.server_errors.append(f"runaway -> {response.status_code}: {response.text[:200]}")

    def batches() -> None:
        while time.monotonic() < deadline:
            batch = [threading.Thread(target=runaway, args=(f"127.0.2.{1 + i % 4}",)) for i in range(16)]
            for t in batch:
                t.start()
            for t in batch:
                t.join()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    if runaways:
        threads.append(threading.Thread(target=batches))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return report


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each of the two phases")
    parser.add_argument("--mode", choices=["readers", "workers"], default="readers")
    args = parser.parse_args(argv)

    from conflictkg.graph.knowledge.seed import build_seed
    from conflictkg.graph.store import Store

    with tempfile.TemporaryDirectory(prefix="conflictkg-bench-load-") as scratch:
        folder = Path(scratch) / "store"
        with Store(folder) as store:
            build_seed(store)
            print(f"seed graph: {store.count():,} quads", flush=True)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
        env["CONFLICTKG_STORE"] = str(folder)
        env["CONFLICTKG_QUERY_TIMEOUT_S"] = "10"  # runaway batches cycle within a phase
        if args.mode == "readers":
            command = [str(Path(sys.executable).parent / "conflictkg"), "serve", "--port", str(port), "--readers", "2"]
        else:
            command = [sys.executable, "-m", "uvicorn", "--factory", "conflictkg.api.app:create_app",
                       "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"server: {args.mode}", flush=True)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            phases = (
                ("mix alone", 0, False),
                ("mix + heavy stream", max(1, args.clients // 4), False),
                ("mix + runaway batches (16 from 4 clients)", 0, True),
            )
            for phase, heavy, runaways in phases:
                started = time.monotonic()
                report = run_load(url, clients=args.clients, seconds=args.seconds, heavy_clients=heavy, runaways=runaways)
                took = time.monotonic() - started
                print(f"\n== {phase}: {args.clients} clients ({heavy} heavy), {took:.0f} s, "
                      f"{report.total():,} requests, {report.total() / took:.0f} req/s", flush=True)  # fmt: skip
                print(report.summary(), flush=True)
                for line in (report.server_errors + report.malformed_not_4xx)[:10]:
                    print("  !", line)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
