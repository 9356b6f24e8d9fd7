"""Memory of ``conflictkg serve``'s processes (writer, each reader) on the seed store and on a 614k-triple store.

Run: ``.venv/bin/python bench/readers.py [--readers 2] [--events 100000]``

Each reader process opens the published snapshot itself (pyoxigraph has no
way to share one RocksDB block cache between processes, nor to size it),
so a reader's memory is its own Python interpreter, the app, and its
RocksDB caches; the table files themselves are in the OS page cache, shared
by all. For each store the bench starts ``conflictkg serve --readers N``,
sends a query mix on fresh connections (so every reader gets some), and
prints each process's RSS, USS (memory only it holds) and PSS (its fair
share of shared pages), beside ``oxigraph serve-read-only`` on the same
data after the same queries. The stores: the seed graph (ontology and the
curated report facts), and ``bench/endpoint.py``'s synthetic conflict graph
(made-up data). Not a test: nothing here asserts a size.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from conflictkg.graph.store import Store

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _endpoint_bench():
    spec = importlib.util.spec_from_file_location("bench_endpoint", HERE / "endpoint.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


SEED_QUERIES = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?p ?o WHERE { GRAPH ?g { <https://w3id.org/conflictkg/id/actor/sdf> ?p ?o } }",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _ask(url: str, queries: list[str], rounds: int) -> None:
    for _ in range(rounds):
        for query in queries:
            # A fresh connection each time: the kernel spreads them over the readers.
            httpx.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                       timeout=600).raise_for_status()


def _mib(n: int) -> str:
    return f"{n / 2**20:>8.1f}"


def _row(name: str, process: psutil.Process) -> str:
    info = process.memory_full_info()
    return f"  {name:<22}{_mib(info.rss)}{_mib(info.uss)}{_mib(info.pss)}"


def measure(label: str, store: Path, queries: list[str], readers: int, rounds: int) -> None:
    """Serve ``store`` with readers and with ``oxigraph serve-read-only``, ask the queries, print the memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    env.update({"CONFLICTKG_STORE": str(store), "CONFLICTKG_QUERY_TIMEOUT_S": "300"})
    ck_port, ox_port = _port(), _port()
    ox_copy = store.parent / (store.name + "-oxigraph")
    shutil.copytree(store, ox_copy)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    ck = subprocess.Popen([str(BIN / "conflictkg"), "serve", "--port", str(ck_port), "--readers", str(readers)], env=env, **quiet)
    ox = subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", str(ox_copy), "--bind", f"127.0.0.1:{ox_port}"], **quiet)
    try:
        ck_url, ox_url = f"http://127.0.0.1:{ck_port}/sparql", f"http://127.0.0.1:{ox_port}/query"
        _wait(ck_url, ck)
        _wait(ox_url, ox)
        _ask(ck_url, queries, rounds)
        _ask(ox_url, queries, rounds)
        children = sorted(psutil.Process(ck.pid).children(), key=lambda c: c.create_time())
        spawned = [c for c in children if "spawn_main" in " ".join(c.cmdline())]
        print(f"\n{label}: {readers} readers, after {rounds} rounds of {len(queries)} queries  (MiB)")
        print(f"  {'process':<22}{'RSS':>8}{'USS':>8}{'PSS':>8}")
        print(_row("supervisor", psutil.Process(ck.pid)))
        print(_row("writer", spawned[0]))
        for i, reader in enumerate(spawned[1:], 1):
            print(_row(f"reader {i}", reader))
        print(_row("oxigraph serve-ro", psutil.Process(ox.pid)))
    finally:
        for process in (ck, ox):
            process.terminate()
        for process in (ck, ox):
            process.wait(60)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ck-bench-readers-"))
    try:
        from conflictkg.graph.knowledge.seed import build_seed

        with Store(work / "seed") as store:
            build_seed(store)
            print(f"seed graph: {store.count():,} quads")
        measure("seed store", work / "seed", SEED_QUERIES, args.readers, args.rounds)

        endpoint = _endpoint_bench()
        data = work / "conflict.nt"
        triples = endpoint.generate(data, events=args.events)
        with Store(work / "synthetic") as store:
            store.ox.bulk_load(path=str(data), format=__import__("pyoxigraph").RdfFormat.N_TRIPLES)
        print(f"\nsynthetic conflict graph (made-up data): {triples:,} triples")
        measure("synthetic store", work / "synthetic", list(endpoint.QUERIES.values()), args.readers, max(1, args.rounds // 3))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
