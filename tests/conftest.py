"""Shared fixtures: stores of every kind, a live Oxigraph server, a small hand-written fixture graph, a published signed example."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import networkx as nx
import psutil
import pytest

from conflictkg.graph.store import FactStore, Store

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--remote",
        choices=["oxigraph", "virtuoso"],
        default="oxigraph",
        help="The SPARQL server the remote kind of store runs on (virtuoso: Debian's virtuoso-opensource, started here).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "virtuoso_differs(reason, raises=None, by_chance=False): asserts what Virtuoso does not do; with --remote "
        "virtuoso the test's run on the server is a strict xfail (the reason says what Virtuoso does instead), or "
        "skipped where the test would catch the difference only by chance (a race)",
    )


def on_the_remote_server(item: pytest.Item) -> bool:
    """Whether the test runs on the server under test (``remote_store``, or the remote kind of ``any_store``)."""
    callspec = getattr(item, "callspec", None)
    return "remote_store" in item.fixturenames or (callspec is not None and callspec.params.get("any_store") == "remote")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--remote virtuoso``: tests that start Oxigraph themselves are skipped, and each
    ``virtuoso_differs`` test becomes a strict xfail where it runs on Virtuoso (and only there);
    one that would catch the difference only by chance (``by_chance=True``) is skipped there."""
    if config.getoption("--remote") != "virtuoso":
        return
    for item in items:
        if {"oxigraph_server", "oxigraph_factory"} & set(item.fixturenames):
            item.add_marker(pytest.mark.skip(
                reason="talks to an `oxigraph serve` it starts itself, not to the server under test: runs with --remote oxigraph"
            ))  # fmt: skip
            continue
        differs = item.get_closest_marker("virtuoso_differs")
        if differs is None or not on_the_remote_server(item):
            continue
        reason = f"Virtuoso {differs.args[0]}"
        if differs.kwargs.get("by_chance"):
            item.add_marker(pytest.mark.skip(reason=f"{reason} (a race this test catches only by chance)"))
        else:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason, raises=differs.kwargs.get("raises")))


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
def settle() -> Callable[..., None]:
    """Wait until a server (``settle(base_url)``) holds no connection but this process's own.

    A server finishes a request it has received even when its client was
    killed (the client's kernel still sends what it had buffered), and holds
    the connection open while it reads or runs it: after ``settle`` that
    request has committed or been refused. Waiting for the server's CPU to go
    idle was not enough: in a fresh-clone run a killed import's update
    committed seconds after 0.5 s of an idle-looking server.
    """

    def wait(url: str, timeout: float = 120) -> None:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        deadline = time.monotonic() + timeout
        while True:
            every = psutil.net_connections("tcp")
            ours = {c.laddr.port for c in every if c.pid == os.getpid() and c.raddr and c.raddr.port == port}
            # The server's side of each connection; one not yet accepted is listed too (without a pid).
            left = [
                (c.raddr.port, c.status) for c in every
                if c.laddr and c.laddr.port == port and c.raddr and c.raddr.port not in ours
                and c.status not in (psutil.CONN_LISTEN, psutil.CONN_TIME_WAIT, psutil.CONN_CLOSE)
            ]
            if not left:
                return
            assert time.monotonic() < deadline, f"the server at {url} still holds connections {left}"
            time.sleep(0.05)

    return wait


def _listener(url: str) -> psutil.Process:
    """The process listening on the port of ``url`` (a server this session started)."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    [pid] = {
        c.pid for c in psutil.net_connections("tcp")
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid
    }
    return psutil.Process(pid)


@pytest.fixture
def cpu_clock() -> Callable[..., tuple[float, bool]]:
    """Wait for a process, SIGKILLing it once it has used some CPU: ``cpu_clock(proc, kill_at, server=url)``.

    A kill timed by the wall clock lands at a different point of the work
    whenever other processes compete for the cores (beside two other pytest
    lanes an import's time changes twofold: fresh-clone runs had every kill
    of a loop land after its import had completed). The CPU time a process
    has used says how far its work has come. With ``server`` (a base URL), the
    CPU that server uses meanwhile counts too: its client waits while it works.
    ``kill_at=None`` waits for the exit. Returns the CPU seconds counted (at
    the kill, or the last reading before the exit) and whether it was killed.
    """

    def run(proc: subprocess.Popen[bytes], kill_at: float | None, server: str | None = None) -> tuple[float, bool]:
        watched = psutil.Process(proc.pid)
        helper = _listener(server) if server else None

        def cpu(p: psutil.Process) -> float:
            t = p.cpu_times()
            return t.user + t.system

        start = cpu(helper) if helper else 0.0
        used, killed = 0.0, False
        while proc.poll() is None:  # (poll reaps: until then the pid cannot be reused)
            try:
                used = cpu(watched) + (cpu(helper) - start if helper else 0.0)
            except psutil.NoSuchProcess:  # exited (a zombie) since the poll
                continue
            if kill_at is not None and used >= kill_at:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.005)
        proc.wait(timeout=30)
        return used, killed

    return run


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


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """A real Virtuoso (``virtuoso-t``) on loopback; yields its base URL and its own graphs."""
    import os
    import re
    import shutil

    if shutil.which("virtuoso-t") is None:
        missing = "virtuoso-t is not installed (apt-get install virtuoso-opensource)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing)  # in CI a missing Virtuoso fails, never skips quietly
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = Path("/etc/virtuoso-opensource-7/virtuoso.ini").read_text()
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111\b", f"ServerPort = 127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890\b", f"ServerPort = 127.0.0.1:{http_port}", ini)
    (folder / "virtuoso.ini").write_text(ini)
    proc = subprocess.Popen(
        ["virtuoso-t", "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=2).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("virtuoso-t did not come up")
            time.sleep(0.5)
    # The anonymous SPARQL user may update and write every graph (loopback only).
    grant = 'GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET (\'nobody\', 7);'
    subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={grant}"], check=True, capture_output=True)
    yield url, every_graph(url)
    stop(proc)


def every_graph(virtuoso: str) -> list[str]:
    """Every graph with a triple on a Virtuoso server, its own included; asked without conflictkg's store."""
    answer = httpx.post(
        f"{virtuoso}/sparql",
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    answer.raise_for_status()
    return [row["g"]["value"] for row in answer.json()["results"]["bindings"]]


@pytest.fixture
def remote_store(request: pytest.FixtureRequest) -> Iterator[FactStore]:
    """A fresh, empty store on a live SPARQL server: Oxigraph, or Virtuoso with ``--remote virtuoso``."""
    from conflictkg.graph.store import open_store

    if request.config.getoption("--remote") == "virtuoso":
        url, own = request.getfixturevalue("virtuoso_server")
        # Virtuoso keeps its own system graphs in the same store: leave those alone.
        left = [g for g in every_graph(url) if g not in own]
        if left:
            drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in left)
            httpx.post(f"{url}/sparql", data={"update": drops}, timeout=120).raise_for_status()
        s = open_store(
            "sparql", query_url=f"{url}/sparql", update_url=f"{url}/sparql", store_url=f"{url}/sparql-graph-crud"
        )
    else:
        s = open_store("sparql+" + request.getfixturevalue("oxigraph_server"))
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


@pytest.fixture
def everett_borgatti() -> nx.Graph:
    """The 10-node example of Everett & Borgatti (2014), as printed in the signnet JOSS paper
    (Schoch 2023, data-raw/paper.md) and the signnet ``pn_index`` manual page."""
    rows = [
        [0, 1, 0, 1, 0, 0, 0, -1, -1, 0],
        [1, 0, 1, -1, 1, -1, -1, 0, 0, 0],
        [0, 1, 0, 1, -1, 0, 0, 0, -1, 0],
        [1, -1, 1, 0, 1, -1, -1, 0, 0, 0],
        [0, 1, -1, 1, 0, 1, 0, -1, 0, -1],
        [0, -1, 0, -1, 1, 0, 1, 0, 1, -1],
        [0, -1, 0, -1, 0, 1, 0, 1, -1, 1],
        [-1, 0, 0, 0, -1, 0, 1, 0, 1, 0],
        [-1, 0, -1, 0, 0, 1, -1, 1, 0, 1],
        [0, 0, 0, 0, -1, -1, 1, 0, 1, 0],
    ]
    G = nx.Graph()
    G.add_nodes_from(range(1, 11))
    for i, row in enumerate(rows, start=1):
        for j, s in enumerate(row, start=1):
            if s and i < j:
                G.add_edge(i, j, sign=s)
    return G


@pytest.fixture
def everett_borgatti_pn() -> list[float]:
    """The published PN index of nodes 1 … 10 of :func:`everett_borgatti`: ``pn_index(g)`` in Schoch (2023),
    signnet JOSS paper, rounded to six places."""
    return [0.900975, 0.861348, 0.907700, 0.861348, 0.841066, 0.849656, 0.861732, 0.901591, 0.850985, 0.907293]
