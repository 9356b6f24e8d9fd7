"""``conflictkg serve``: the mode it chooses for each kind of store, the line that says so, what it refuses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conflictkg.api.commands.serve import default_readers, serve_mode
from conflictkg.api.settings import Settings
from conflictkg.graph.errors import InputError
from conflictkg.graph.store import Store

from .conftest import served_processes

CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")
FIXTURES = Path(__file__).parent.parent / "fixtures"


def settings(store: str, **more: object) -> Settings:
    return Settings(store=store, query_workers=3, **more)


def test_an_on_disk_store_gets_reader_processes_by_default(tmp_path: Path) -> None:
    mode = serve_mode(settings(str(tmp_path / "store")))
    assert mode.readers == default_readers() >= 2 and mode.workers == 0
    assert mode.line.startswith(f"conflictkg serve: {mode.readers} reader processes and a writer on {tmp_path / 'store'}")


def test_default_readers_follow_the_cores_this_process_may_use() -> None:
    assert default_readers() == max(2, len(os.sched_getaffinity(0)))


@pytest.mark.parametrize(
    "store, options, workers, why",
    [
        (":memory:", {}, 3, "reader processes need the embedded on-disk store, this one is in memory"),
        ("DISK", {"readers": 0}, 3, "--readers 0"),
        ("DISK", {"workers": 5}, 5, "--workers given"),
        ("DISK", {"readers": 0, "workers": 1}, 1, "--workers given"),
        (":memory:", {"workers": 2}, 2, "reader processes need the embedded on-disk store, this one is in memory"),
    ],
)
def test_one_process_with_workers_where_readers_cannot_work_or_when_asked(
    tmp_path: Path, store: str, options: dict[str, int], workers: int, why: str
) -> None:
    mode = serve_mode(settings(str(tmp_path) if store == "DISK" else store, port=8123), **options)
    assert (mode.readers, mode.workers) == (0, workers)
    noun = "process" if workers == 1 else "processes"
    assert mode.line == f"conflictkg serve: one process with {workers} query worker {noun} ({why}), http://127.0.0.1:8123"


@pytest.mark.parametrize("spec, extra", [("sparql+http://127.0.0.1:9", {}), ("sparql", {"store_query_url": "http://127.0.0.1:9/q"})])
def test_a_remote_store_is_served_by_one_process_that_sends_it_the_queries(spec: str, extra: dict[str, str]) -> None:
    mode = serve_mode(settings(spec, **extra))
    assert (mode.readers, mode.workers) == (0, 0)
    assert "one process, queries run by the remote store" in mode.line and "need the embedded on-disk store" in mode.line


def test_workers_with_readers_is_refused_naming_both(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--workers .* not with --readers N") as raised:
        serve_mode(settings(str(tmp_path)), readers=2, workers=2)
    assert raised.value.details["parameter"] == "--workers"


@pytest.mark.parametrize("store", [":memory:", "sparql+http://127.0.0.1:9"])
def test_readers_need_the_embedded_on_disk_store(store: str) -> None:
    done = subprocess.run([CONFLICTKG, "--store", store, "serve", "--readers", "2", "--port", "1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--readers needs the embedded on-disk store" in done.stderr


def _first_line_and_answer(store: str, port: int, *options: str, env: dict[str, str] | None = None) -> tuple[str, dict, int]:
    """Start ``conflictkg serve``, read its first log line, ask one query, count the processes it started, stop it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    environment.update(env or {})
    process = subprocess.Popen(
        [CONFLICTKG, "--store", store, "serve", "--port", str(port), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment,
    )
    try:
        first = process.stderr.readline().rstrip("\n")
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"the server exited: {first}\n{process.stderr.read()}"
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                                   headers={"Accept": "application/sparql-results+json"}, timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not answer within 90 s"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/sparql-results+json"
        return first, answer.json(), len(served_processes(process.pid))
    finally:
        process.terminate()
        process.wait(30)


def test_serve_on_a_disk_store_says_it_runs_readers_and_answers(tmp_path: Path, unused_port: int) -> None:
    with Store(tmp_path / "store") as store:
        n = store.load([FIXTURES / "small.trig"])
    first, answer, spawned = _first_line_and_answer(str(tmp_path / "store"), unused_port)
    assert spawned == default_readers() + 1  # the readers and the writer
    assert first == (f"INFO:     conflictkg serve: {default_readers()} reader processes and a writer on "
                     f"{tmp_path / 'store'}, http://127.0.0.1:{unused_port}")
    assert answer["results"]["bindings"][0]["n"]["value"] == str(n)


def test_serve_with_readers_works_beside_a_store_deeper_than_a_unix_socket_path_allows(tmp_path: Path, unused_port: int) -> None:
    # The writer's socket once lived beside the store: past 107 bytes its path could not be bound.
    deep = tmp_path / ("d" * 60) / ("e" * 60) / "store"
    with Store(deep) as store:
        n = store.load([FIXTURES / "small.trig"])
    first, answer, spawned = _first_line_and_answer(str(deep), unused_port, "--readers", "1")
    assert spawned == 2 and "1 reader process" in first
    assert answer["results"]["bindings"][0]["n"]["value"] == str(n)


@pytest.mark.parametrize("options, why", [(("--readers", "0"), "--readers 0"), (("--workers", "1"), "--workers given")])
def test_serve_on_a_disk_store_runs_one_process_when_asked(
    tmp_path: Path, unused_port: int, options: tuple[str, ...], why: str
) -> None:
    with Store(tmp_path / "store") as store:
        n = store.load([FIXTURES / "small.trig"])
    workers = options[1] if options[0] == "--workers" else "2"
    first, answer, spawned = _first_line_and_answer(
        str(tmp_path / "store"), unused_port, *options, env={"CONFLICTKG_QUERY_WORKERS": "2", "CONFLICTKG_QUERY_LANE": "1"}
    )
    assert spawned == int(workers) + 1  # the query workers and the reserved lane's one
    noun = "process" if workers == "1" else "processes"
    assert first == f"INFO:     conflictkg serve: one process with {workers} query worker {noun} ({why}), http://127.0.0.1:{unused_port}"
    assert answer["results"]["bindings"][0]["n"]["value"] == str(n)


def test_serve_in_memory_says_why_it_runs_one_process(unused_port: int) -> None:
    first, answer, _ = _first_line_and_answer(":memory:", unused_port, env={"CONFLICTKG_QUERY_WORKERS": "1"})
    assert first == (f"INFO:     conflictkg serve: one process with 1 query worker process (reader processes need the "
                     f"embedded on-disk store, this one is in memory), http://127.0.0.1:{unused_port}")
    assert answer["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.server
def test_serve_on_a_remote_store_says_the_server_runs_the_queries(oxigraph_server: str, unused_port: int) -> None:
    spec = "sparql+" + oxigraph_server
    first, answer, spawned = _first_line_and_answer(spec, unused_port)
    assert spawned == 0
    assert first == (f"INFO:     conflictkg serve: one process, queries run by the remote store {spec} (reader processes "
                     f"need the embedded on-disk store), http://127.0.0.1:{unused_port}")
    assert answer["head"]["vars"] == ["n"]


class _Live:
    def __init__(self, url: str) -> None:
        self.sparql = url + "/sparql"


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory):
    """``conflictkg serve`` as ``make serve`` runs it (readers, here without CORS: the readers' direct path)."""
    import socket

    folder = tmp_path_factory.mktemp("default") / "store"
    with Store(folder) as store:
        store.load([FIXTURES / "small.trig"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    process = subprocess.Popen([CONFLICTKG, "--store", str(folder), "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    live = _Live(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None and time.monotonic() < deadline, "the server did not come up"
            try:
                if httpx.get(live.sparql, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield live
    finally:
        process.terminate()
        process.wait(30)


JSON = "application/sparql-results+json"


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_a_reader_answers_queries_sent_every_way(default_server, how: str) -> None:
    query = "ASK { GRAPH ?g { ?s ?p ?o } }"
    url = default_server.sparql
    if how == "get":
        r = httpx.get(url, params={"query": query}, headers={"Accept": JSON})
    elif how == "form":
        r = httpx.post(url, data={"query": query}, headers={"Accept": JSON})
    else:
        r = httpx.post(url, content=query, headers={"Accept": JSON, "Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and r.headers["content-type"] == JSON
    assert r.json() == {"head": {}, "boolean": True}


def test_a_reader_maps_errors_to_the_envelope(default_server) -> None:
    bad = httpx.post(default_server.sparql, data={"query": "SELECT WHERE {"}, headers={"Accept": JSON})
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/json"
    assert bad.json()["error"]["code"] == "query_syntax"
    wrong = httpx.post(default_server.sparql, content=b"x", headers={"Content-Type": "text/plain"})
    assert wrong.status_code == 415 and wrong.json()["error"]["code"] == "unsupported_format"


def test_a_form_update_goes_to_the_writer_even_when_its_name_is_percent_encoded(default_server) -> None:
    # The writer has no update token: it refuses, and the store is unchanged.
    for body in ("update=CLEAR%20ALL", "upd%61te=CLEAR%20ALL"):
        r = httpx.post(default_server.sparql, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    still = httpx.get(default_server.sparql, params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}, headers={"Accept": JSON})
    assert still.json()["boolean"] is True
