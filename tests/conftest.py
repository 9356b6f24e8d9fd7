"""Shared fixtures: stores of every kind, a live Oxigraph server, and a small hand-written fixture graph."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conflictkg.graph.store import FactStore, Store

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"

#: The kinds of store the core suite runs against.
STORE_KINDS = ["memory", "disk", pytest.param("remote", marks=pytest.mark.server)]


@pytest.fixture
def store() -> Store:
    """A fresh, empty in-memory store."""
    return Store()


@pytest.fixture
def disk_store(tmp_path: Path) -> Store:
    """A fresh, empty on-disk store in a temporary folder."""
    s = Store(tmp_path / "store")
    yield s
    s.close()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_oxigraph(location: Path, port: int, *options: str) -> subprocess.Popen[bytes]:
    """Start ``oxigraph serve`` on 127.0.0.1:``port`` and wait until it answers queries."""
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {proc.returncode}: {proc.stderr.read().decode()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("oxigraph serve did not answer within 30 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server this test session started."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` on loopback for the whole session; yields its base URL."""
    port = free_port()
    proc = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), port)
    yield f"http://127.0.0.1:{port}"
    stop(proc)


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (for servers a test starts, or to be refused)."""
    return free_port()


@pytest.fixture
def oxigraph_factory(tmp_path: Path) -> Iterator[object]:
    """Start more ``oxigraph serve`` processes (``start(port, *options)``); all stop after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(port: int, *options: str) -> str:
        started.append(start_oxigraph(tmp_path / f"oxigraph-{port}", port, *options))
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in started:
        stop(proc)


@pytest.fixture
def remote_store(oxigraph_server: str) -> Iterator[FactStore]:
    """A fresh, empty store on the live Oxigraph server (emptied before each test)."""
    from conflictkg.graph.store import open_store

    s = open_store("sparql+" + oxigraph_server)
    s.update("DROP SILENT ALL", prefixes=False)
    yield s
    s.close()


@pytest.fixture(params=STORE_KINDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FactStore]:
    """A fresh, empty store of each kind in turn: in memory, on disk, on a live SPARQL server."""
    if request.param == "memory":
        yield Store()
    elif request.param == "disk":
        s = Store(tmp_path / "store")
        yield s
        s.close()
    else:
        yield request.getfixturevalue("remote_store")
