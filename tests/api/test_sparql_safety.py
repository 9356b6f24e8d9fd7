"""Safety on a network, against a live server: no outbound requests, bounded queries, read-only without a token."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest


pytestmark = pytest.mark.server

# 10^10 solutions from VALUES alone: runs for minutes whatever the data.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join(f"VALUES ?v{i} {{ 1 2 3 4 5 6 7 8 9 10 }}" for i in range(10))
    + " }"
)


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    live = Listener()
    yield live
    live.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}/> {{ ?s ?p ?o }} }} }}",
        "ASK {{ FILTER EXISTS {{ SERVICE <{url}/> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE {{ SERVI\\u0043E <{url}/> {{ ?s ?p ?o }} }}",
        "PREFIX r: <{url}/> SELECT * WHERE {{ service r:sparql {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}/> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_queries_that_would_reach_another_host_are_400_and_send_nothing(server, listener, template) -> None:
    query = template.format(url=f"http://127.0.0.1:{listener.port}")
    r = httpx.post(server.sparql, data={"query": query}, timeout=10)
    time.sleep(0.3)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "outbound_refused"
    assert listener.connections == 0


def test_a_dataset_iri_outside_the_store_is_an_empty_graph_and_sends_nothing(server, listener) -> None:
    elsewhere = f"http://127.0.0.1:{listener.port}/g"
    for parameter, query in (("default-graph-uri", "ASK { ?s ?p ?o }"), ("named-graph-uri", "ASK { GRAPH ?g { ?s ?p ?o } }")):
        r = httpx.get(server.sparql, params={"query": query, parameter: elsewhere}, timeout=10)
        assert r.status_code == 200 and r.headers["content-type"] == "application/sparql-results+json"
        assert r.json()["boolean"] is False, parameter
    time.sleep(0.3)
    assert listener.connections == 0


def test_from_a_graph_in_the_store_is_allowed(server) -> None:
    r = httpx.get(server.sparql, params={"query": "ASK FROM <http://example.org/g2> { ?s ?p ?o }"}, timeout=10)
    assert r.json()["boolean"] is True


@pytest.mark.both_modes
def test_a_runaway_query_is_stopped_its_worker_replaced_and_ask_is_not_delayed(server) -> None:
    before = server.worker_pids()
    slots = 3 if server.mode == "workers" else 2  # two query workers and the reserved lane's, or two readers
    assert len(before) == slots
    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        runaway = pool.submit(httpx.post, server.sparql, data={"query": RUNAWAY}, timeout=30)
        time.sleep(0.3)  # the runaway holds a worker now
        ask_started = time.monotonic()
        ask = httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=30)
        ask_took = time.monotonic() - ask_started
        stopped = runaway.result()
        runaway_took = time.monotonic() - started
    assert ask.json() == {"head": {}, "boolean": True}
    assert stopped.status_code == 503
    assert stopped.json()["error"]["code"] == "query_timeout"
    assert "2 s" in stopped.json()["error"]["message"]
    timeout = 2.0
    # Relative, not absolute: the ASK took a small part of the limit, the runaway about the limit.
    assert ask_took < timeout / 2
    assert timeout <= runaway_took < timeout * 3
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        after = server.worker_pids()
        if len(after) == slots and after != before:
            break
        time.sleep(0.1)
    assert len(after) == slots
    assert len(before - after) == 1  # exactly the runaway's worker was killed and replaced


def test_a_result_over_the_row_cap_is_a_clear_error(server) -> None:
    query = "SELECT ?a ?b WHERE { VALUES ?a { 1 2 3 4 5 6 7 8 9 10 } VALUES ?b { " + " ".join(map(str, range(101))) + " } }"
    r = httpx.get(server.sparql, params={"query": query}, timeout=10)
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "result_too_large",
        "message": "the result has more than 1000 rows, the endpoint's limit; add LIMIT or narrow the query",
        "limit": 1000,
    }
    capped = httpx.get(server.sparql, params={"query": query + " LIMIT 1000", "x": "1"}, headers={"Accept": "text/csv"}, timeout=10)
    assert capped.status_code == 200
    assert len(capped.text.splitlines()) == 1001


def test_without_a_token_updates_are_refused_with_403(server) -> None:
    r = httpx.post(server.sparql, data={"update": "CLEAR ALL"}, timeout=10)
    assert r.status_code == 403
    assert "read-only" in r.json()["error"]["message"]
    direct = httpx.post(server.sparql, content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}, timeout=10)
    assert direct.status_code == 403
    still = httpx.get(server.sparql, params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}, timeout=10)
    assert still.json()["boolean"] is True


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_without_a_token_graph_store_writes_are_refused(server, method) -> None:
    r = httpx.request(method, server.url + "/store", params={"graph": "http://example.org/g1"},
                      content=b"<urn:a> <urn:b> <urn:c> .", headers={"Content-Type": "application/n-triples"}, timeout=10)
    assert r.status_code == 403
    assert httpx.get(server.url + "/store", params={"graph": "http://example.org/g1"}, timeout=10).text.count("label") == 2


def test_graph_store_reads_a_graph(server) -> None:
    r = httpx.get(server.url + "/store", params={"graph": "http://example.org/g2"}, headers={"Accept": "application/n-triples"}, timeout=10)
    assert r.status_code == 200
    assert r.text.strip() == "<http://example.org/sdf> <http://example.org/hostileTo> <http://example.org/isis> ."
    missing = httpx.get(server.url + "/store", params={"graph": "http://example.org/nope"}, timeout=10)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert missing.json()["error"] == {"code": "not_found", "message": "no graph <http://example.org/nope> in the store", "parameter": "graph"}


# -- with a token ----------------------------------------------------------


def test_an_update_needs_the_right_token(writable, token) -> None:
    update = {"update": "INSERT DATA { GRAPH <http://example.org/g3> { <http://example.org/a> <http://example.org/p> 1 } }"}
    none = httpx.post(writable.sparql, data=update, timeout=10)
    wrong = httpx.post(writable.sparql, data=update, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert (none.status_code, wrong.status_code) == (401, 403)
    assert none.headers["www-authenticate"].startswith("Bearer")
    ok = httpx.post(writable.sparql, data=update, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert ok.status_code == 204
    # Workers (or readers) opened a snapshot before the write; each must see it now.
    for _ in range(8):
        seen = httpx.get(writable.sparql, params={"query": "ASK { GRAPH <http://example.org/g3> { ?s ?p 1 } }"}, timeout=10)
        assert seen.json()["boolean"] is True


def test_load_never_reads_a_file_even_with_a_token(writable, token, tmp_path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:is> \"leaked\" .\n")
    r = httpx.post(writable.sparql, data={"update": f"LOAD <{secret.as_uri()}> INTO GRAPH <http://example.org/leak>"},
                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 400
    assert "local files are never read" in r.json()["error"]["message"]
    leak = httpx.get(writable.sparql, params={"query": 'ASK { GRAPH ?g { ?s ?p "leaked" } }'}, timeout=10)
    assert leak.json()["boolean"] is False


def test_load_from_another_host_is_refused_and_sends_nothing(writable, token, listener) -> None:
    r = httpx.post(writable.sparql, data={"update": f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>"},
                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
    time.sleep(0.3)
    assert r.status_code == 400
    assert listener.connections == 0


def test_graph_store_put_get_delete_with_a_token(writable, token) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    graph = {"graph": "http://example.org/put"}
    put = httpx.put(writable.url + "/store", params=graph, content=b"<http://example.org/x> <http://example.org/y> \"z\" .",
                    headers={**auth, "Content-Type": "text/turtle"}, timeout=10)
    assert put.status_code == 201
    got = httpx.get(writable.url + "/store", params=graph, headers={"Accept": "application/n-triples"}, timeout=10)
    assert got.text.strip() == '<http://example.org/x> <http://example.org/y> "z" .'
    bad = httpx.put(writable.url + "/store", params=graph, content=b"<http://example.org/x> <broken", headers={**auth, "Content-Type": "text/turtle"}, timeout=10)
    assert bad.status_code == 400
    assert bad.json()["error"]["line"] == 1
    assert httpx.get(writable.url + "/store", params=graph, headers={"Accept": "application/n-triples"}, timeout=10).text == got.text
    assert httpx.delete(writable.url + "/store", params=graph, headers=auth, timeout=10).status_code == 204
    assert httpx.delete(writable.url + "/store", params=graph, headers=auth, timeout=10).status_code == 404
