"""SIGKILL ``conflictkg load`` at random moments: the store keeps all of a load or none of it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conflictkg.graph.store import Store, open_store

pytestmark = pytest.mark.crash

CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")
TRIPLES = 40_000  # one load takes about a second: long enough to be killed mid-write


@pytest.fixture(scope="module")
def load_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "load.nt"
    with path.open("w", encoding="utf-8") as out:
        for i in range(TRIPLES):
            out.write(f'<urn:crash:s{i}> <urn:crash:p> "value {i}" .\n')
    return path


def load(store: str, path: Path, graph: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [CONFLICTKG, "--store", store, "load", str(path), "--graph", graph],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_loop(  # type: ignore[no-untyped-def]
    store: str, load_file: Path, count_graphs, *, rounds: int, seed: int, clock: Callable[..., tuple[float, bool]],
    server: str | None = None,
) -> tuple[int, int]:
    """Run ``rounds`` loads, each SIGKILLed after a seeded random share of a load's CPU time; check the store after each.

    ``count_graphs(graphs)`` opens the store and counts the triples of each
    graph. ``clock`` is the ``cpu_clock`` fixture (with ``server``, that
    server's CPU counts too). Returns how many loads were cut off (none of
    them stored) and how many completed.
    """
    rng = random.Random(seed)
    proc = load(store, load_file, "urn:crash:baseline")
    full_run, _ = clock(proc, None, server=server)
    assert proc.returncode == 0
    committed = ["urn:crash:baseline"]
    lost = kept = 0
    for i in range(rounds):
        graph = f"urn:crash:round{i}"
        # Start-up (imports) takes about half a load's CPU, then parse, the one-transaction
        # write and close: kills spread over the end of start-up, the parse and the write.
        clock(load(store, load_file, graph), rng.uniform(0.4, 1.0) * full_run, server=server)
        counts = count_graphs([graph, *committed])
        now = counts.pop(graph)
        assert now in (0, TRIPLES), f"round {i}: the store holds {now} of {TRIPLES} triples of a killed load"
        damaged = {g: n for g, n in counts.items() if n != TRIPLES}
        assert damaged == {}, f"round {i}: loads committed before were damaged"
        if now:
            committed.append(graph)
            kept += 1
        else:
            lost += 1
    print(f"\n{rounds} SIGKILLs (a load {full_run:.2f} CPU-s): {lost} loads cut off (nothing stored), {kept} completed (all stored)")
    return lost, kept


@pytest.mark.slow
def test_a_killed_load_on_disk_leaves_all_or_nothing_and_keeps_earlier_loads(
    load_file: Path, tmp_path: Path, cpu_clock: Callable[..., tuple[float, bool]]
) -> None:
    folder = tmp_path / "store"

    def count_graphs(graphs: list[str]) -> dict[str, int]:
        # Reopening after each kill is part of the check: RocksDB recovers its log here.
        with Store(folder) as store:
            return {g: store.count(g) for g in graphs}

    # 24 rounds: alone, about a third are cut off (16 of 24 completed in one run).
    lost, kept = kill_loop(str(folder), load_file, count_graphs, rounds=24, seed=20260120, clock=cpu_clock)
    assert lost + kept == 24
    assert lost > 0, "no kill landed before a load committed"
    assert kept > 0, "no load completed"


@pytest.mark.server
@pytest.mark.slow
def test_a_killed_load_to_a_sparql_server_leaves_all_or_nothing(
    load_file: Path, oxigraph_server: str, settle: Callable[..., None], cpu_clock: Callable[..., tuple[float, bool]]
) -> None:
    spec = "sparql+" + oxigraph_server
    with open_store(spec) as store:
        store.update("DROP SILENT ALL", prefixes=False)

        def count_graphs(graphs: list[str]) -> dict[str, int]:
            settle(oxigraph_server)  # a killed client's last request may still be running
            return {g: store.count(g) for g in graphs}

        lost, kept = kill_loop(spec, load_file, count_graphs, rounds=10, seed=7, clock=cpu_clock, server=oxigraph_server)
        assert lost + kept == 10
        assert lost > 0, "no kill landed before a load committed"


@pytest.mark.server
def test_settle_waits_for_a_connection_another_process_left_open(oxigraph_server: str, settle: Callable[..., None]) -> None:
    # What the server loops rely on: a request still arriving (its client killed) keeps settle waiting.
    host, port = oxigraph_server.removeprefix("http://").split(":")
    client = subprocess.Popen([sys.executable, "-c", (
        "import socket, sys, time\n"
        f"s = socket.create_connection(({host!r}, {port}))\n"
        "s.sendall(b'POST /update HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100\\r\\n\\r\\nINSERT')\n"
        "print('sent', flush=True)\n"
        "time.sleep(60)\n"
    )], stdout=subprocess.PIPE)
    try:
        assert client.stdout is not None and client.stdout.readline() == b"sent\n"
        with pytest.raises(AssertionError, match="still holds connections"):
            settle(oxigraph_server, 1.0)
    finally:
        client.kill()
        client.wait()
    settle(oxigraph_server, 30.0)  # the killed client's connection closes, the server drops the request
