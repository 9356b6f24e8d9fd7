"""The CLI while ``conflictkg serve`` holds the store: it runs on the server, and ``--store`` names a conflictkg endpoint.

Each test starts the real console script ``conflictkg serve`` on a free port:
in its default mode (``--readers 2``, what ``make serve`` runs), and the
announcing, reaching and stopping also in the one-process mode.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conflictkg.api.serving import running_server, serving_file
from conflictkg.graph.store import Store

pytestmark = pytest.mark.server

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")
TOKEN = "cli-token-0123456789"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != <http://example.org/g3>) }"
LABELS = "SELECT ?label WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } } ORDER BY ?label"


def _env(store: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    env["CONFLICTKG_STORE"] = str(store)
    env.update({f"CONFLICTKG_{k.upper()}": v for k, v in settings.items()})
    return env


def cli(store: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """``conflictkg ARGS`` with ``CONFLICTKG_STORE=store`` (no --store), as a user in the same shell as the server."""
    return subprocess.run([CONFLICTKG, *args], capture_output=True, text=True, timeout=120, env=_env(store, **settings))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    store: Path
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def flat(text: str) -> str:
    return " ".join(text.split())


def _serve(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    store = tmp_path / "store"
    with Store(store) as s:
        s.load([FIXTURES / "small.trig"])
    port = _free_port()
    command = [CONFLICTKG, "serve", "--port", str(port)] + (["--readers", "2"] if request.param == "readers" else [])
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(command, env=_env(store, update_token=TOKEN, query_workers="1"), stdout=log, stderr=subprocess.STDOUT)
    live = Served(store, f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            if httpx.get(live.url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    yield live
    live.stop()


@pytest.fixture(scope="module", params=["readers"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``conflictkg serve`` on a store holding the fixture graph, with an update token."""
    yield from _serve(request, tmp_path_factory.mktemp("served"))


@pytest.fixture(params=["workers", "readers"])
def stoppable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """A server of its own, for a test that stops it."""
    yield from _serve(request, tmp_path)


def test_serve_names_its_url_beside_the_store_and_removes_it_on_exit(stoppable: Served) -> None:
    record = json.loads(serving_file(stoppable.store).read_text(encoding="utf-8"))
    assert record["url"] == stoppable.url
    assert record["pid"] == stoppable.process.pid
    assert serving_file(stoppable.store) == stoppable.store.parent / "store.serving.json"
    reached = cli(stoppable.store, "query", "--raw-dataset", COUNT, "--format", "csv")
    assert reached.returncode == 0 and reached.stdout.splitlines() == ["n", "5"], reached.stderr
    assert f"running on {stoppable.url}/sparql" in reached.stderr
    stoppable.stop()
    assert stoppable.process.returncode == 0
    assert not serving_file(stoppable.store).exists()
    # Stopped, the store is the CLI's own again.
    out = cli(stoppable.store, "query", "--raw-dataset", COUNT, "--format", "csv")
    assert out.returncode == 0 and out.stdout.splitlines() == ["n", "5"], out.stderr
    assert "held by" not in out.stderr


def test_the_readme_query_runs_on_the_server_while_it_holds_the_store(served: Served) -> None:
    out = cli(served.store, "query", "--raw-dataset", "SELECT ?g (COUNT(*) AS ?facts) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:3] == ["?g\t?facts", "<http://example.org/g1>\t4", "<http://example.org/g2>\t1"]
    assert f"held by conflictkg serve (process {served.process.pid}): running on {served.url}/sparql" in out.stderr
    assert "read-only: set CONFLICTKG_UPDATE_TOKEN" in out.stderr


def test_a_write_through_the_server_needs_its_token_and_then_is_seen(served: Served, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text('<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "Extra" .\n', encoding="utf-8")
    refused = cli(served.store, "load", str(extra), "--graph", "http://example.org/g3")
    assert refused.returncode == 2
    assert "HTTP 401" in flat(refused.stderr)
    loaded = cli(served.store, "load", str(extra), "--graph", "http://example.org/g3", update_token=TOKEN)
    assert loaded.returncode == 0, loaded.stderr
    labels = cli(served.store, "query", "--raw-dataset", LABELS, "--format", "csv")
    assert labels.stdout.splitlines() == ["label", "Extra", "Islamic State", "Syrian Democratic Forces"]


def test_a_command_that_needs_the_folder_says_to_stop_the_server(served: Served) -> None:
    out = cli(served.store, "optimize")
    assert out.returncode == 2
    assert f"held by conflictkg serve (process {served.process.pid}, {served.url})" in flat(out.stderr)
    assert "stop the server first" in flat(out.stderr)
    assert "Traceback" not in out.stderr


def test_store_option_names_a_conflictkg_endpoint(served: Served, tmp_path: Path) -> None:
    elsewhere = tmp_path / "unrelated"  # not the served store: the URL alone says where
    out = subprocess.run(
        [CONFLICTKG, "--store", served.url + "/sparql", "query", "--raw-dataset", COUNT, "--format", "csv"],
        capture_output=True, text=True, timeout=120, env=_env(elsewhere),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["n", "5"]
    assert not elsewhere.exists()


def test_a_killed_servers_file_is_ignored_and_removed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with Store(store) as s:
        s.load([FIXTURES / "small.trig"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    serving_file(store).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": dead.pid}), encoding="utf-8")
    assert running_server(store) is None
    assert not serving_file(store).exists()
    out = cli(store, "query", "--raw-dataset", COUNT, "--format", "csv")
    assert out.returncode == 0 and out.stdout.splitlines() == ["n", "5"], out.stderr
    assert "held by" not in out.stderr


def test_a_store_locked_by_another_process_says_how_to_reach_a_server(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with Store(store) as s:
        s.load([FIXTURES / "small.trig"])
        out = cli(store, "query", COUNT)
    assert out.returncode == 2
    assert f"the store at {store} is locked" in flat(out.stderr)
    assert "--store http://HOST:PORT/sparql" in flat(out.stderr)


def test_an_unknown_kind_of_url_names_the_forms_it_could_be(tmp_path: Path) -> None:
    out = subprocess.run(
        [CONFLICTKG, "--store", "http://127.0.0.1:9/elsewhere", "query", COUNT],
        capture_output=True, text=True, timeout=60, env=_env(tmp_path / "store"),
    )
    assert out.returncode == 2
    assert "http://HOST:PORT/sparql" in flat(out.stderr) and "sparql+http://HOST:PORT" in flat(out.stderr)


def test_python_opens_the_served_store_by_its_endpoint_into_a_frame(served: Served) -> None:
    pytest.importorskip("pandas")
    from conflictkg.graph import open_store

    with open_store(served.url + "/sparql") as store:
        frame = store.select(LABELS, raw=True).to_pandas()
    assert frame["label"].tolist()[-2:] == ["Islamic State", "Syrian Democratic Forces"]


def test_a_second_serve_on_the_same_store_is_refused_and_leaves_the_first_announced(served: Served) -> None:
    out = subprocess.run([CONFLICTKG, "serve", "--port", str(_free_port())], capture_output=True, text=True,
                         timeout=120, env=_env(served.store))
    assert out.returncode == 2
    assert f"is already served by conflictkg serve (process {served.process.pid}) at {served.url}" in flat(out.stderr)
    assert json.loads(serving_file(served.store).read_text(encoding="utf-8"))["pid"] == served.process.pid
