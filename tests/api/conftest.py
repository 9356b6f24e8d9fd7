"""Live servers for the HTTP tests: real uvicorn processes on 127.0.0.1, started and stopped here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conflictkg.graph.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
QUERIES = FIXTURES / "queries"
TOKEN = "test-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: How a live server runs: one process with query workers (``uvicorn`` on
#: :func:`~conflictkg.api.app.create_app`), or ``conflictkg serve --readers 2``
#: (a writer and two reader processes, :mod:`conflictkg.api.prefork`).
MODES = ["workers", "readers"]
#: The mode ``conflictkg serve`` picks for an on-disk store: every live-server test runs against it.
DEFAULT_MODE = "readers"
#: Tests marked ``both_modes`` run against the other mode too: the protocol, the timeout and a
#: worker's replacement, one browser test. Everything else runs once, against DEFAULT_MODE.
BOTH_MODES = "both_modes"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if {"server", "writable", "seed_server", "seed_writable"} & set(metafunc.fixturenames):
        modes = MODES if metafunc.definition.get_closest_marker(BOTH_MODES) else [DEFAULT_MODE]
        metafunc.parametrize("server_mode", modes, indirect=True, scope="session")


@pytest.fixture(scope="session")
def server_mode(request: pytest.FixtureRequest) -> str:
    """The server mode a live-server test runs against (see :data:`DEFAULT_MODE`)."""
    return request.param


@dataclass
class LiveServer:
    """A running conflictkg HTTP server on loopback."""

    url: str
    process: subprocess.Popen
    log: Path
    mode: str = "workers"

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def worker_pids(self) -> set[int]:
        """The processes that run queries: the query workers, or the readers."""
        children = served_processes(self.process.pid)
        if self.mode == "readers":
            # The writer is started (and waited for) before any reader and is never replaced.
            children = children[1:]
        return {c.pid for c in children}


def served_processes(pid: int) -> list:
    """The processes a ``conflictkg serve`` at ``pid`` started, oldest first.

    The query workers are spawned children of the server; the writer and the
    readers are children of the fork server it starts (``serve --readers``).
    """
    import psutil

    found = []
    for child in psutil.Process(pid).children():
        try:
            line = " ".join(child.cmdline())
            if "spawn_main" in line:
                found.append(child)
            elif "forkserver" in line:
                found.extend(child.children())
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            pass  # exited (a replaced worker or reader), not yet reaped
    alive = []
    for process in found:
        try:
            alive.append((process.create_time(), process))
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            pass
    return [p for _, p in sorted(alive, key=lambda pair: pair[0])]


def start_server(tmp: Path, mode: str = "workers", *, seeded: bool = False, **settings: object) -> LiveServer:
    """Load the fixture graph (or, ``seeded``, the seed graph) into an on-disk store and serve it;
    ``settings`` become CONFLICTKG_* variables."""
    folder = tmp / "store"
    with Store(folder) as store:
        if seeded:
            from conflictkg.graph.knowledge.seed import build_seed

            build_seed(store)
        else:
            store.load([FIXTURES / "small.trig"])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    env.update({"CONFLICTKG_STORE": str(folder), "CONFLICTKG_QUERIES_DIR": str(QUERIES)})
    for key, value in settings.items():
        env[f"CONFLICTKG_{key.upper()}"] = value if isinstance(value, str) else __import__("json").dumps(value)
    log = tmp / "server.log"
    if mode == "readers":
        command = [str(Path(sys.executable).parent / "conflictkg"), "serve", "--port", str(port), "--readers", "2"]
    else:
        command = [sys.executable, "-m", "uvicorn", "--factory", "conflictkg.api.app:create_app",
                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log, mode)
    # Generous: a seeded store's first snapshot and two readers start slowly on a loaded 2-core machine.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"the server did not answer within 120 s: {log.read_text()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(5)


@pytest.fixture(scope="session")
def server(server_mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The read-only server: no update token, a 2 s time limit, 1000 rows, 64 KiB bodies, two workers (or readers)."""
    live = start_server(
        tmp_path_factory.mktemp("readonly"),
        server_mode,
        query_timeout_s="2",
        max_result_rows="1000",
        max_body_bytes=str(64 * 1024),
        query_workers="2",
        cors_origins=["https://analyst.example"],
    )
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def writable(server_mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with an update token (its own store: the tests write to it)."""
    live = start_server(tmp_path_factory.mktemp("writable"), server_mode, update_token=TOKEN, query_workers="2")
    yield live
    stop_server(live)


@pytest.fixture(scope="session")
def token() -> str:
    """The update token of the writable server."""
    return TOKEN


@pytest.fixture(scope="session")
def seed_server(server_mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A read-only server on the seed graph (ontology, curated facts and claims, inferences)."""
    live = start_server(tmp_path_factory.mktemp("seed"), server_mode, seeded=True)
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def seed_writable(server_mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on the seed graph with an update token (its own store: the tests write to it)."""
    live = start_server(tmp_path_factory.mktemp("seed-writable"), server_mode, seeded=True, update_token=TOKEN)
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def start_live() -> Iterator:
    """``start_live(tmp, mode, **settings)`` starts a server with a test module's own settings, stopped at its end."""
    started: list[LiveServer] = []

    def start(tmp: Path, mode: str = "workers", **settings: object) -> LiveServer:
        live = start_server(tmp, mode, **settings)
        started.append(live)
        return live

    yield start
    for live in started:
        stop_server(live)


#: Debian's Chromium, driven by python Playwright (never a browser of Playwright's own download).
CHROMIUM = os.environ.get("CONFLICTKG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _browser_missing(asset: Path, what: str) -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "python playwright is missing: .venv/bin/pip install playwright (never `playwright install`)"
    if not Path(CHROMIUM).is_file():
        return "Chromium is missing: apt-get install chromium (or set CONFLICTKG_CHROMIUM to its path)"
    if not asset.is_file():
        return f"{what} is missing: run `make install` (npm install into api/static/vendor)"
    return None


def chromium_context(tmp_path_factory: pytest.TempPathFactory, asset: Path, what: str, **options: object) -> Iterator[object]:
    """A headless Chromium context for a page test; skipped with how to get what is missing (in CI: failed)."""
    why = _browser_missing(asset, what)
    if why:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"in CI the browser tests must run: {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, **options,
        )
        yield context
        context.close()
