"""The worker pool: queries run in other processes that see every committed write and can be stopped."""

from __future__ import annotations

import pytest

from conflictkg.graph.errors import QueryTimeout
from conflictkg.graph.sparql.protocol import SparqlService
from conflictkg.graph.store import Store
from conflictkg.graph.sparql.workers import Limits

INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/p> %d } }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(service: SparqlService) -> str:
    return service.query(COUNT, accept="text/csv").read().decode().splitlines()[1]


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_workers_see_every_committed_write(kind: str, tmp_path) -> None:
    store = Store() if kind == "memory" else Store(tmp_path / "store")
    service = SparqlService(store, limits=Limits(timeout_s=20), workers=2)
    try:
        assert _count(service) == "0"
        for i in range(1, 4):
            service.update(INSERT % i)
            # Both workers answer in turn; each must have reopened.
            assert [_count(service) for _ in range(3)] == [str(i)] * 3
    finally:
        service.close()
        store.close()


def test_a_timed_out_worker_is_replaced_and_the_pool_keeps_working() -> None:
    store = Store()
    service = SparqlService(store, limits=Limits(timeout_s=1), workers=1)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ 1 2 3 4 5 6 7 8 9 10 }}" for i in range(10)) + " }"
    try:
        assert service.pool.wait_ready()  # a worker still starting gets no query (its 1 s would go on imports)
        before = service.pool.pids
        with pytest.raises(QueryTimeout, match="1 s"):
            service.query(runaway).read()
        assert service.pool.replaced == 1
        assert service.query("ASK {}").read() == b'{"head":{},"boolean":true}'
        assert service.pool.pids != before
    finally:
        service.close()


def test_a_big_result_streams_in_chunks(tmp_path) -> None:
    store = Store(tmp_path / "store")
    service = SparqlService(store, limits=Limits(stream_threshold=4096), workers=1)
    try:
        values = " ".join(map(str, range(2000)))
        answer = service.query(f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}", accept="text/csv")
        chunks = list(answer.chunks)
        assert answer.body is None and len(chunks) > 1
        assert b"".join(chunks).decode().splitlines() == ["x"] + [str(i) for i in range(2000)]
        assert service.query("ASK {}").read() == b'{"head":{},"boolean":true}'  # the worker came back
    finally:
        service.close()
        store.close()


def test_readers_survive_the_writers_compactions(tmp_path) -> None:
    # Opening the live folder read-only failed here about one query in three
    # ("Corruption: … No such file"); workers read checkpoints instead.
    store = Store(tmp_path / "store")
    service = SparqlService(store, limits=Limits(timeout_s=20), workers=2)
    try:
        for i in range(1, 31):
            service.update(INSERT % i)
            assert [_count(service) for _ in range(2)] == [str(i)] * 2
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("conflictkg-readers-")]
        assert len(leftovers) == 1
        assert len(list((tmp_path / leftovers[0]).iterdir())) <= 2  # old checkpoints are removed
    finally:
        service.close()
        store.close()
    assert not any(p.name.startswith("conflictkg-readers-") for p in tmp_path.iterdir())


def test_byte_and_triple_caps_stop_big_results() -> None:
    from conflictkg.graph.errors import ResultTooLarge

    store = Store()
    store.update("INSERT DATA { GRAPH <http://example.org/g> { " + " ".join(
        f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(50)) + " } }")
    service = SparqlService(store, limits=Limits(max_bytes=2000, max_rows=40), workers=1)
    try:
        values = " ".join(map(str, range(30)))
        with pytest.raises(ResultTooLarge, match="2000 bytes"):
            service.query(f"SELECT ?x ?y WHERE {{ VALUES ?x {{ {values} }} BIND(STR(?x) AS ?y) }}", accept="application/sparql-results+xml").read()
        with pytest.raises(ResultTooLarge, match="40 rows"):
            service.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", accept="application/n-triples").read()
        small = service.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3", accept="application/n-triples").read()
        assert len(small.decode().splitlines()) == 3
    finally:
        service.close()


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/tab-separated-values", "text/csv"],
)
def test_the_row_cap_is_exact_in_every_format(accept: str) -> None:
    store = Store()
    service = SparqlService(store, limits=Limits(max_rows=5), workers=1)
    # Values that look like row separators in some format, and rows with no bindings at all.
    tricky = 'BIND(CONCAT("a},{", STR(?n), "\\n<result>\\t},{\\"x") AS ?text)'
    try:
        for n, ok in ((5, True), (6, False)):
            values = " ".join(map(str, range(n)))
            for query in (f"SELECT ?n ?text WHERE {{ VALUES ?n {{ {values} }} {tricky} }}",
                          f"SELECT ?unbound WHERE {{ VALUES ?n {{ {values} }} }}"):
                if ok:
                    assert service.query(query, accept=accept).read()
                else:
                    with pytest.raises(Exception, match="more than 5 rows"):
                        service.query(query, accept=accept).read()
    finally:
        service.close()
