"""The remote kind of store, on a live ``oxigraph serve``: protocol, results, errors, secrets."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from conflictkg.api.settings import Settings
from conflictkg.graph.errors import ForbiddenOperation, QuerySyntaxError, QueryTimeout, StoreError
from conflictkg.graph.remote import STAGING_PREFIX, RemoteStore
from conflictkg.graph.store import FactStore, Store, open_store

FIXTURES = Path(__file__).parent.parent / "fixtures"
pytestmark = pytest.mark.server

CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")


def quads(n: int, graph: str) -> list[ox.Quad]:
    return [
        ox.Quad(ox.NamedNode(f"urn:s:{i}"), ox.NamedNode("urn:p"), ox.Literal(f"v{i}"), ox.NamedNode(graph))
        for i in range(n)
    ]


def test_sparql_http_spec_means_oxigraphs_query_update_and_store(oxigraph_server: str) -> None:
    with open_store("sparql+" + oxigraph_server) as store:
        assert isinstance(store, RemoteStore) and isinstance(store, FactStore)
        assert store.kind == "remote" and store.path is None
        assert (store.query_url, store.update_url, store.store_url) == (
            f"{oxigraph_server}/query",
            f"{oxigraph_server}/update",
            f"{oxigraph_server}/store",
        )


def test_separate_urls_name_each_endpoint_of_a_server_laid_out_otherwise(
    remote_store: FactStore, oxigraph_server: str
) -> None:
    store = open_store(
        "sparql", query_url=f"{oxigraph_server}/query", update_url=f"{oxigraph_server}/update"
    )
    assert store.load([FIXTURES / "small.trig"]) == 5
    assert remote_store.count("http://example.org/g1") == 4
    store.close()


def test_query_results_are_the_same_pyoxigraph_types_as_embedded(remote_store: FactStore) -> None:
    remote_store.load([FIXTURES / "small.trig"])
    embedded = Store()
    embedded.load([FIXTURES / "small.trig"])
    for text, kind in [
        ("SELECT ?s ?o WHERE { GRAPH ?g { ?s rdfs:label ?o } }", ox.QuerySolutions),
        ("ASK { GRAPH ?g { ?s a ?c } }", ox.QueryBoolean),
        ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", ox.QueryTriples),
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
    remote_store.extend(quads(30_000, "urn:big"))
    result = remote_store.query("SELECT ?s WHERE { GRAPH <urn:big> { ?s ?p ?o } }")
    assert sum(1 for _ in result) == 30_000
    assert sum(1 for _ in remote_store.quads()) == 30_000


@pytest.mark.parametrize("path", ["update", "gsp"])
def test_a_chunked_load_lands_whole_and_leaves_no_staging_graphs(
    remote_store: FactStore, oxigraph_server: str, path: str
) -> None:
    store = RemoteStore(
        f"{oxigraph_server}/query",
        f"{oxigraph_server}/update",
        f"{oxigraph_server}/store" if path == "gsp" else None,
        chunk_quads=700,
    )
    store.extend(quads(5_000, "urn:a") + quads(2_000, "urn:b"))
    assert (remote_store.count("urn:a"), remote_store.count("urn:b")) == (5_000, 2_000)
    left = remote_store.query("SELECT ?g WHERE { GRAPH ?g { } }", prefixes=False)
    assert [row["g"].value for row in left if row["g"].value.startswith(STAGING_PREFIX)] == []
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
    rows = list(ds.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
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


def run(store: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CONFLICTKG, "--store", store, *args], capture_output=True, text=True, timeout=120)


def test_the_cli_loads_queries_dumps_and_restores_on_a_remote_store(
    remote_store: FactStore, oxigraph_server: str, tmp_path: Path
) -> None:
    spec = "sparql+" + oxigraph_server
    assert run(spec, "load", str(FIXTURES / "small.trig")).returncode == 0
    out = run(spec, "query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "json")
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
    remote_store: FactStore, oxigraph_server: str, unused_port: int
) -> None:
    spec = "sparql+" + oxigraph_server
    for args in (["seed"], ["infer"], ["check"], ["network", "balance"], ["import", "list"],
                 ["query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv"]):  # fmt: skip
        done = run(spec, *args)
        # check exits 1 when it finds violations; that is an answer, not a failure.
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, (args, done.stderr[-500:])
    assert "https://w3id.org/conflictkg/graph/inferred" in remote_store.named_graphs()
    serve = subprocess.Popen(
        [CONFLICTKG, "--store", spec, "serve", "--port", str(unused_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{unused_port}/sparql",
                    params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"},
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
