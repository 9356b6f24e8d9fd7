"""The remote kind of store, on a live ``oxigraph serve`` (or Virtuoso): protocol, results, errors, secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from conflictkg.api.settings import Settings
from conflictkg.graph.errors import ForbiddenOperation, QuerySyntaxError, QueryTimeout, ResultTooLarge, StoreError
from conflictkg.graph.store.remote import STAGING_PREFIX, RemoteStore
from conflictkg.graph.store import FactStore, Store, open_store

FIXTURES = Path(__file__).parents[2] / "fixtures"
pytestmark = pytest.mark.server

CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")


def quads(n: int, graph: str) -> list[ox.Quad]:
    return [
        ox.Quad(ox.NamedNode(f"urn:s:{i}"), ox.NamedNode("urn:p"), ox.Literal(f"v{i}"), ox.NamedNode(graph))
        for i in range(n)
    ]


#: The fixture's facts, counted without Virtuoso's own graphs (which GRAPH ?g would see there).
COUNT_SMALL = (
    "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?g { <http://example.org/g1> <http://example.org/g2> } GRAPH ?g { ?s ?p ?o } }"
)


def test_sparql_http_spec_means_oxigraphs_query_update_and_store(oxigraph_server: str) -> None:
    with open_store("sparql+" + oxigraph_server) as store:
        assert isinstance(store, RemoteStore) and isinstance(store, FactStore)
        assert store.kind == "remote" and store.path is None
        assert (store.query_url, store.update_url, store.store_url) == (
            f"{oxigraph_server}/query",
            f"{oxigraph_server}/update",
            f"{oxigraph_server}/store",
        )


def test_separate_urls_name_each_endpoint_of_a_server_laid_out_otherwise(remote_store: RemoteStore) -> None:
    store = open_store("sparql", query_url=remote_store.query_url, update_url=remote_store.update_url)
    assert store.load([FIXTURES / "small.trig"]) == 5
    assert remote_store.count("http://example.org/g1") == 4
    store.close()


def test_query_results_are_the_same_pyoxigraph_types_as_embedded(remote_store: FactStore) -> None:
    remote_store.load([FIXTURES / "small.trig"])
    embedded = Store()
    embedded.load([FIXTURES / "small.trig"])
    graphs = "VALUES ?g { <http://example.org/g1> <http://example.org/g2> }"  # not Virtuoso's own graphs
    for text, kind in [
        (f"SELECT ?s ?o WHERE {{ {graphs} GRAPH ?g {{ ?s rdfs:label ?o }} }}", ox.QuerySolutions),
        (f"ASK {{ {graphs} GRAPH ?g {{ ?s a ?c }} }}", ox.QueryBoolean),
        (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {graphs} GRAPH ?g {{ ?s ?p ?o }} }}", ox.QueryTriples),
    ]:
        here, there = embedded.query(text), remote_store.query(text)
        assert isinstance(there, kind)
        if kind is ox.QueryBoolean:
            assert bool(here) == bool(there)
        elif kind is ox.QueryTriples:
            assert set(here) == set(there)
        else:
            assert {tuple(r) for r in here} == {tuple(r) for r in there}


def test_substitutions_bind_rdf_terms_on_the_server(remote_store: FactStore) -> None:
    remote_store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:name> "x\\" } ; DROP ALL #" } }')
    rows = remote_store.select(
        "SELECT ?s ?name WHERE { GRAPH ?g { ?s <urn:name> ?name } }",
        substitutions={"name": Literal('x" } ; DROP ALL #')},
    )
    assert [str(r["s"]) for r in rows] == ["urn:a"]
    assert remote_store.count() == 1


def test_a_large_result_streams_every_row(remote_store: FactStore) -> None:
    # Past Virtuoso's ResultSetMaxRows (10,000 in Debian's virtuoso.ini) the store pages the SELECT.
    remote_store.extend(quads(30_000, "urn:big"))
    result = remote_store.query("SELECT ?s WHERE { GRAPH <urn:big> { ?s ?p ?o } }")
    assert sum(1 for _ in result) == 30_000
    assert sum(1 for _ in remote_store.quads()) == 30_000


def test_a_large_result_keeps_its_prefixes_substitutions_and_unbound_values(remote_store: FactStore) -> None:
    remote_store.extend(quads(12_000, "urn:big"))
    result = remote_store.query(
        "PREFIX x: <urn:x#>\nSELECT ?s ?g ?tag ?none WHERE { GRAPH ?g { ?s ?p ?o } BIND(x:t AS ?tag) }",
        substitutions={"g": URIRef("urn:big")},
    )
    assert [str(v) for v in result.variables] == ["?s", "?g", "?tag", "?none"]  # type: ignore[union-attr]
    rows = [(row["s"].value, row["g"].value, row["tag"].value, row["none"]) for row in result]  # type: ignore[union-attr]
    assert len(rows) == 12_000 and len({s for s, *_ in rows}) == 12_000
    assert {(g, tag, none) for _, g, tag, none in rows} == {("urn:big", "urn:x#t", None)}



@pytest.mark.parametrize("path", ["update", "gsp"])
def test_a_chunked_load_lands_whole_and_leaves_no_staging_graphs(remote_store: RemoteStore, path: str) -> None:
    assert remote_store.store_url is not None
    store = RemoteStore(
        remote_store.query_url,
        remote_store.update_url,
        remote_store.store_url if path == "gsp" else None,
        chunk_quads=700,
    )
    store.extend(quads(5_000, "urn:a") + quads(2_000, "urn:b"))
    assert (remote_store.count("urn:a"), remote_store.count("urn:b")) == (5_000, 2_000)
    # Virtuoso binds no graph to an empty GRAPH pattern: ask for graphs with triples as well.
    left = remote_store.query(
        "SELECT DISTINCT ?g WHERE { { GRAPH ?g { } } UNION { GRAPH ?g { ?s ?p ?o } } "
        f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}',
        prefixes=False,
    )
    assert [row["g"].value for row in left] == []
    store.close()


def test_replace_all_swaps_the_content_in_one_step(remote_store: FactStore) -> None:
    remote_store.load([FIXTURES / "small.trig"])
    remote_store.replace_all(quads(3, "urn:new"))
    assert remote_store.named_graphs() == ["urn:new"] and remote_store.count() == 3


def test_a_malformed_query_is_a_syntax_error_naming_the_server(remote_store: RemoteStore) -> None:
    with pytest.raises(QuerySyntaxError, match=r"127\.0\.0\.1"):
        remote_store.query("SELEKT * WHERE { ?s ?p ?o }")
    with pytest.raises(QuerySyntaxError):
        remote_store.update("INSERT DATUM { }")


@pytest.mark.virtuoso_differs(
    "commits each operation of an update request on its own: the INSERT DATA stays although the LOAD after it "
    "failed and the request was answered with an error"
)
def test_a_failing_update_changes_nothing(remote_store: FactStore, unused_port: int) -> None:
    port = unused_port  # nothing listens there: the LOAD fails after the INSERT ran
    with pytest.raises(StoreError):
        remote_store.update(
            f"INSERT DATA {{ GRAPH <urn:u> {{ <urn:a> <urn:b> 1 }} }} ; LOAD <http://127.0.0.1:{port}/x> INTO GRAPH <urn:x>"
        )
    assert remote_store.count() == 0


def test_a_store_without_an_update_url_is_read_only(oxigraph_server: str) -> None:
    with open_store("sparql", query_url=f"{oxigraph_server}/query") as store:
        with pytest.raises(ForbiddenOperation, match="read-only"):
            store.update("INSERT DATA { <urn:a> <urn:b> 1 }")


def test_an_unreachable_server_is_named_but_its_credentials_never_shown(unused_port: int) -> None:
    port = unused_port
    store = open_store(f"sparql+http://127.0.0.1:{port}", user="analyst", password="hunter2-secret", timeout_s=3)
    with pytest.raises(StoreError) as info:
        store.count()
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(store)
    store.close()


def test_credentials_in_the_url_never_reach_a_message(unused_port: int) -> None:
    port = unused_port
    store = RemoteStore(f"http://analyst:hunter2-secret@127.0.0.1:{port}/query", timeout_s=3)
    with pytest.raises(StoreError) as info:
        store.ask("ASK {}")
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(store)
    assert f"127.0.0.1:{port}/query" in str(info.value)


def test_basic_credentials_and_tokens_go_with_every_request(oxigraph_server: str) -> None:
    # Oxigraph ignores the headers; the point is that requests carrying them work.
    for options in ({"user": "analyst", "password": "pw"}, {"token": "t0ken"}):
        with open_store("sparql+" + oxigraph_server, **options) as store:
            assert store.ask("ASK {}") is True


def test_a_query_past_the_servers_time_limit_raises_query_timeout(oxigraph_factory, unused_port: int) -> None:
    url = oxigraph_factory(unused_port, "--timeout-s", "1")
    with open_store("sparql+" + url, timeout_s=20) as store:
        store.extend(quads(2_000, "urn:g"))
        with pytest.raises(QueryTimeout, match=f"127.0.0.1:{unused_port}"):
            list(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j } }"))


def test_a_client_side_time_limit_raises_query_timeout(oxigraph_factory, unused_port: int) -> None:
    url = oxigraph_factory(unused_port, "--timeout-s", "3")  # the server stops the query soon after
    with open_store("sparql+" + url, timeout_s=0.5) as store:
        store.extend(quads(2_000, "urn:g"))
        with pytest.raises(QueryTimeout, match="within 0.5 s"):
            list(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j } }"))


def test_the_rdflib_dataset_view_reads_and_writes_the_server(remote_store: FactStore) -> None:
    remote_store.load([FIXTURES / "small.trig"])
    ds = remote_store.dataset
    rows = list(ds.query(COUNT_SMALL))
    assert int(rows[0][0]) == 5
    ds.graph(URIRef("urn:rdflib")).add((URIRef("urn:a"), URIRef("urn:b"), Literal("c")))
    assert remote_store.count("urn:rdflib") == 1


def test_settings_never_show_secrets_and_read_the_update_token_from_a_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    settings = Settings(update_token_file=token_file, store_password="hunter2-secret", _env_file=None)
    assert settings.update_token == "s3cret-token"
    assert "s3cret" not in repr(settings) and "hunter2" not in repr(settings)
    assert settings.store_options()["password"] == "hunter2-secret"


def run(store: str | dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``conflictkg`` on a store: a ``--store`` spec, or the environment that names one."""
    if isinstance(store, dict):
        return subprocess.run([CONFLICTKG, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **store})
    return subprocess.run([CONFLICTKG, "--store", store, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli_store(remote_store: RemoteStore, request: pytest.FixtureRequest) -> str | dict[str, str]:
    """How ``conflictkg`` reaches the server under test: Oxigraph's layout by its spec, Virtuoso by its endpoints."""
    if request.config.getoption("--remote") == "oxigraph":
        return "sparql+" + remote_store.query_url.removesuffix("/query")
    return {
        "CONFLICTKG_STORE": "sparql",
        "CONFLICTKG_STORE_QUERY_URL": remote_store.query_url,
        "CONFLICTKG_STORE_UPDATE_URL": remote_store.update_url or "",
        "CONFLICTKG_STORE_GSP_URL": remote_store.store_url or "",
    }



def test_the_cli_loads_queries_dumps_and_restores_on_a_remote_store(
    remote_store: FactStore, cli_store: str | dict[str, str], tmp_path: Path
) -> None:
    spec = cli_store
    assert run(spec, "load", str(FIXTURES / "small.trig")).returncode == 0
    out = run(spec, "query", COUNT_SMALL, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"] == "5"
    broken = run(spec, "load", str(FIXTURES / "broken.ttl"), "--graph", "urn:x")
    assert broken.returncode == 2 and "broken.ttl:3:11" in broken.stderr
    assert run(spec, "dump", str(tmp_path / "all.trig")).returncode == 0
    refused = run(spec, "restore", str(tmp_path / "all.trig"))
    assert refused.returncode == 2 and "--replace" in refused.stderr
    assert run(spec, "restore", str(tmp_path / "all.trig"), "--replace").returncode == 0
    assert remote_store.count() == 5


def test_replace_leaves_the_graphs_a_server_keeps_for_itself(remote_store: FactStore, oxigraph_server: str) -> None:
    remote_store.extend(quads(2, "http://www.openlinksw.com/schemas/virtrdf#") + quads(2, "urn:old"))
    url = oxigraph_server
    store = RemoteStore(f"{url}/query", f"{url}/update", keep_graphs=("http://www.openlinksw.com/",))
    store.replace_all(quads(3, "urn:new"))
    assert remote_store.named_graphs() == ["http://www.openlinksw.com/schemas/virtrdf#", "urn:new"]
    store.close()


def test_the_graphs_a_server_keeps_for_itself_are_not_read_as_data(remote_store: FactStore, oxigraph_server: str) -> None:
    remote_store.extend(quads(2, "http://www.openlinksw.com/schemas/virtrdf#") + quads(3, "urn:data"))
    url = oxigraph_server
    store = RemoteStore(f"{url}/query", f"{url}/update", keep_graphs=("http://www.openlinksw.com/",))
    assert store.named_graphs() == ["urn:data"]
    assert store.count() == 3
    assert sorted(str(q) for q in store.quads()) == sorted(str(q) for q in quads(3, "urn:data"))
    assert remote_store.count() == 5  # without keep_graphs (not Virtuoso), every graph is data
    store.close()


@pytest.mark.slow
def test_every_command_that_takes_the_store_works_on_a_remote_store(
    remote_store: FactStore, cli_store: str | dict[str, str], unused_port: int
) -> None:
    spec = cli_store
    for args in (["seed"], ["infer"], ["check"], ["network", "balance"], ["import", "list"],
                 ["query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv"]):  # fmt: skip
        done = run(spec, *args)
        # the seed is consistent and meets its shapes on every server: check exits 0, as on the embedded store
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stdout[-1500:], done.stderr[-500:])
    assert "https://w3id.org/conflictkg/graph/inferred" in remote_store.named_graphs()
    serve = subprocess.Popen(
        [CONFLICTKG, *(["--store", spec] if isinstance(spec, str) else []), "serve", "--port", str(unused_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **spec} if isinstance(spec, dict) else None,
    )
    try:
        for _ in range(300):
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{unused_port}/sparql",
                    params={"query": "ASK { GRAPH <https://w3id.org/conflictkg/graph/inferred> { ?s ?p ?o } }"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=5,
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_default_graph_quads_come_back_in_the_default_graph(remote_store: RemoteStore) -> None:
    # Virtuoso cannot write its default graph (the union of all graphs): the store keeps
    # those quads in a stand-in named graph there, and reads them back as default-graph quads.
    default = ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("in the default graph"))
    named = quads(1, "urn:g")
    remote_store.extend([default, *named])
    assert remote_store.named_graphs() == ["urn:g"]
    assert set(remote_store.quads()) == {default, *named} and remote_store.count() == 2
    remote_store.replace_all(named)
    assert set(remote_store.quads()) == set(named)


def test_replace_leaves_virtuosos_own_graphs(remote_store: RemoteStore, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--remote") != "virtuoso":
        pytest.skip("about Virtuoso's own graphs: runs with --remote virtuoso")
    url, own = request.getfixturevalue("virtuoso_server")
    assert own, "a fresh Virtuoso holds graphs of its own"
    remote_store.extend(quads(2, "urn:old"))
    remote_store.replace_all(quads(3, "urn:new"))
    assert remote_store.named_graphs() == ["urn:new"] and remote_store.count() == 3
    with RemoteStore(f"{url}/sparql", keep_graphs=()) as everything:  # every graph is data to this one
        assert set(everything.named_graphs()) == {*own, "urn:new"}


class _CappedServer(BaseHTTPRequestHandler):
    """Answers every query as Virtuoso does at its ResultSetMaxRows: two rows, and the cap in a header."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.do_POST()

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({
            "head": {"vars": ["s"]},
            "results": {"bindings": [{"s": {"type": "uri", "value": f"urn:s:{i}"}} for i in range(2)]},
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("X-SPARQL-MaxRows", "2")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def capped_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _CappedServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()
    server.server_close()


def test_an_answer_cut_at_the_servers_row_cap_is_refused_not_returned_as_whole(capped_server: str) -> None:
    # This server cuts its pages too, so paging under the cap (as on Virtuoso) cannot help; nor for a FROM.
    with RemoteStore(capped_server) as store:
        for query in ("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT ?s FROM <urn:g> WHERE { ?s ?p ?o }"):
            with pytest.raises(ResultTooLarge, match="cap of 2 rows.*ResultSetMaxRows"):
                list(store.query(query))  # type: ignore[arg-type]


class _SlowDocument(BaseHTTPRequestHandler):
    """Serves one N-Triples document, but only once the test lets it (``server.release``)."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.server.fetching.set()  # type: ignore[attr-defined]
        self.server.release.wait(30)  # type: ignore[attr-defined]
        body = b'<urn:l> <urn:p> "loaded" .\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.virtuoso_differs(
    "commits each operation of an update request as it runs: a reader sees the INSERT DATA's triple while the "
    "same request's LOAD is still fetching its document"
)
def test_a_reader_sees_an_update_request_only_once_it_is_done(remote_store: RemoteStore) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowDocument)
    server.fetching, server.release = threading.Event(), threading.Event()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reader = RemoteStore(remote_store.query_url)  # another client
    writer = threading.Thread(
        target=remote_store.update,
        args=(
            "INSERT DATA { GRAPH <urn:u> { <urn:a> <urn:b> 1 } } ; "
            f"LOAD <http://127.0.0.1:{server.server_port}/doc.nt> INTO GRAPH <urn:x>",
        ),
    )
    writer.start()
    try:
        assert server.fetching.wait(30), "the server never fetched the LOAD's document"  # type: ignore[attr-defined]
        during = reader.count("urn:u")
    finally:
        server.release.set()  # type: ignore[attr-defined]
        writer.join(timeout=60)
        server.shutdown()
        server.server_close()
    assert (reader.count("urn:u"), reader.count("urn:x")) == (1, 1)
    assert during == 0, "a reader saw the request's first operation before the request was done"


def test_an_update_into_virtuosos_default_graph_is_refused_naming_why(
    remote_store: RemoteStore, request: pytest.FixtureRequest
) -> None:
    if request.config.getoption("--remote") != "virtuoso":
        pytest.skip("about Virtuoso's default graph: runs with --remote virtuoso")
    with pytest.raises(QuerySyntaxError, match="Virtuoso cannot write to its default graph.*named graph"):
        remote_store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert remote_store.count() == 0


def test_imports_are_listed_superseded_and_dropped_on_a_remote_store(remote_store: FactStore, cli_store: str | dict[str, str]) -> None:
    # On Virtuoso the import's record goes to the stand-in of its (unwritable) default graph.
    for name in ("valid.csv", "newer.csv"):
        done = run(cli_store, "import", "acled", str(FIXTURES / "acled" / name))
        assert done.returncode == 0, done.stderr[-800:]
    listed = run(cli_store, "import", "list")
    assert listed.returncode == 0, listed.stderr[-800:]
    rows = [line.split("\t") for line in listed.stdout.splitlines()[1:]]
    assert [(r[2], r[6]) for r in rows] == [("valid.csv", "complete"), ("newer.csv", "complete")]
    first, newer = (f"https://w3id.org/conflictkg/graph/import/{r[0]}" for r in rows)
    assert remote_store.count(first) == 253 - 20  # newer.csv replaced one of its six events
    dropped = run(cli_store, "import", "drop", rows[1][0])
    assert dropped.returncode == 0, dropped.stderr[-800:]
    after = run(cli_store, "import", "list").stdout.splitlines()[1:]
    assert [line.split("\t")[2] for line in after] == ["valid.csv"]
    assert newer not in remote_store.named_graphs() and first in remote_store.named_graphs()
    assert not [g for g in remote_store.named_graphs() if g.startswith("urn:conflictkg:staging:")]


def test_a_query_is_sent_again_when_the_graphs_change_between_its_dataset_and_its_answer(
    remote_store: RemoteStore,
) -> None:
    # An import published after a reader read the default graph's list, but before its query ran,
    # would be half seen: the old graph's rows gone, the new graph not in the dataset yet.
    meta = "https://w3id.org/conflictkg/graph/meta"
    remote_store.update(
        f"INSERT DATA {{ GRAPH <{meta}> {{ <urn:old> a ck:FactGraph }} GRAPH <urn:old> {{ <urn:x> <urn:p> 1 }} }}"
    )
    reader = RemoteStore(remote_store.query_url)
    send, published = reader._send, []

    def publishing_send(method: str, url: str, **kw: object) -> httpx.Response:
        form = kw.get("data")
        if isinstance(form, dict) and "named-graph-uri" in form and not published:
            published.append(True)
            remote_store.update(
                f"DELETE DATA {{ GRAPH <urn:old> {{ <urn:x> <urn:p> 1 }} }} ; INSERT DATA {{ GRAPH <{meta}> "
                "{ <urn:new> a ck:FactGraph } GRAPH <urn:new> { <urn:y> <urn:p> 2 } }"
            )
        return send(method, url, **kw)  # type: ignore[arg-type]

    reader._send = publishing_send  # type: ignore[method-assign]
    rows = reader.select("SELECT ?s WHERE { ?s <urn:p> ?o }")
    assert published and [str(r["s"]) for r in rows] == ["urn:y"]  # type: ignore[index]
