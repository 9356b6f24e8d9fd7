"""The store, on every kind (memory, disk, a live SPARQL server): all-or-nothing loads, clear errors."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.plugins.sparql.processor as rdflib_processor

from conflictkg.graph.errors import InputError, ParseError, QuerySyntaxError, StoreError, UnsupportedFormat
from conflictkg.graph.store import FactStore, Store, open_store

FIXTURES = Path(__file__).parents[2] / "fixtures"


@pytest.fixture
def store(any_store: FactStore) -> FactStore:
    """Each test here runs on an in-memory, an on-disk and a remote (live ``oxigraph serve``) store."""
    return any_store


def test_load_trig_puts_triples_in_their_named_graphs(store: Store) -> None:
    assert store.load([FIXTURES / "small.trig"]) == 5
    assert store.named_graphs() == ["http://example.org/g1", "http://example.org/g2"]
    assert store.count("http://example.org/g1") == 4


def test_load_with_a_broken_file_last_changes_nothing(store: Store) -> None:
    store.load([FIXTURES / "small.trig"])
    before = store.count()
    with pytest.raises(ParseError) as info:
        store.load([FIXTURES / "small.trig", FIXTURES / "broken.ttl"], graph="http://example.org/more")
    assert store.count() == before
    err = info.value
    assert (Path(err.file).name, err.line, err.column) == ("broken.ttl", 3, 11)
    assert "broken.ttl:3:11" in str(err)


def test_load_of_a_missing_file_names_it(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.ttl: no such file"):
        store.load([FIXTURES / "small.trig", tmp_path / "nope.ttl"])
    assert store.count() == 0


def test_load_of_an_unknown_format_names_the_file(store: Store, tmp_path: Path) -> None:
    odd = tmp_path / "facts.docx"
    odd.write_text("x")
    with pytest.raises(UnsupportedFormat, match="facts.docx"):
        store.load([odd])
    assert store.count() == 0


def test_triples_go_to_the_named_graph_asked_for(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "t.nt"
    f.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    store.load([f], graph="http://e/g")
    assert store.count("http://e/g") == 1


def test_dataset_queries_run_in_oxigraph_not_rdflib(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.load([FIXTURES / "small.trig"])

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("rdflib's own SPARQL engine was used")

    # If oxrdflib ever refused the query, rdflib would silently evaluate it itself.
    monkeypatch.setattr(rdflib_processor.SPARQLProcessor, "query", fail)
    rows = list(store.dataset.query("SELECT ?s WHERE { GRAPH ?g { ?s a <http://example.org/ArmedGroup> } }"))
    assert len(rows) == 2


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "disk"])
def test_a_prepared_rdflib_query_would_leave_oxigraph(on_disk: bool, tmp_path: Path) -> None:
    # The reason the fast-path test above matters: oxrdflib cannot take a parsed Query.
    # Only the embedded kinds: oxrdflib is their rdflib bridge; the remote kind sends text to the server.
    from rdflib.plugins.sparql import prepareQuery

    with Store(tmp_path / "store" if on_disk else None) as store, pytest.raises(NotImplementedError):
        store.dataset.store.query(prepareQuery("ASK {}"), {}, {}, "__UNION__")


def test_query_syntax_error_is_a_query_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query("SELEKT * WHERE { ?s ?p ?o }")


def test_substitutions_bind_values_not_text(store: Store) -> None:
    from rdflib import Literal

    store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:name> "x\\" } ; DROP ALL #" } }')
    rows = store.select(
        "SELECT ?s ?name WHERE { GRAPH ?g { ?s <urn:name> ?name } }",
        substitutions={"name": Literal('x" } ; DROP ALL #')},
    )
    assert [str(r["s"]) for r in rows] == ["urn:a"]


def test_disk_store_keeps_data_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with open_store(path) as s:
        s.load([FIXTURES / "small.trig"])
    with open_store(path) as s:
        assert s.count() == 5


def test_optimize_merges_the_index_files_a_chunked_load_leaves(tmp_path: Path) -> None:
    # Each bulk load ingests its own index files, as an import's chunks do.
    path = tmp_path / "s"
    with Store(path) as s:
        for i in range(6):
            chunk = tmp_path / f"chunk-{i}.nt"
            chunk.write_text("".join(f"<urn:s{i}-{j}> <urn:p> \"{j}\" .\n" for j in range(200)))
            s.ox.bulk_load(path=str(chunk), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
        before, quads = len(list(path.glob("*.sst"))), sorted(map(str, s.quads()))
        s.optimize()
        assert len(list(path.glob("*.sst"))) < before
        assert sorted(map(str, s.quads())) == quads and s.count("urn:g") == 1200


def test_optimize_is_for_embedded_stores(store: FactStore) -> None:
    store.load([FIXTURES / "small.trig"])
    if isinstance(store, Store):
        store.optimize()
        assert store.count() == 5
    else:
        with pytest.raises(StoreError, match="not an embedded store"):
            store.optimize()


def test_results_are_native_oxigraph_objects(store: Store) -> None:
    assert isinstance(store.query("SELECT * WHERE { ?s ?p ?o }"), ox.QuerySolutions)


@pytest.mark.virtuoso_differs(
    "commits each operation of an update request on its own: the INSERT DATA stays although the LOAD after it "
    "failed and the request was answered with an error"
)
def test_an_update_failing_part_way_changes_nothing(store: FactStore, unused_port: int) -> None:
    # The INSERT runs first; the LOAD then fails (nothing listens on the port): all of it is undone.
    from conflictkg.graph.errors import StoreError

    store.load([FIXTURES / "small.trig"])
    with pytest.raises(StoreError):
        store.update(
            "INSERT DATA { GRAPH <urn:u> { <urn:a> <urn:b> 1 } } ; "
            f"LOAD <http://127.0.0.1:{unused_port}/nothing.ttl> INTO GRAPH <urn:x>"
        )
    assert store.count() == 5 and store.named_graphs() == ["http://example.org/g1", "http://example.org/g2"]
