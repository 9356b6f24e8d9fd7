"""Reader processes' side of serving: published snapshots, and queries on threads that retire the process on overrun."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest

from conflictkg.graph.errors import QueryTimeout, ResultTooLarge
from conflictkg.graph.sparql.inprocess import InProcessPool
from conflictkg.graph.sparql.protocol import SparqlService
from conflictkg.graph.store.snapshots import POINTER, SnapshotFollower
from conflictkg.graph.store import Store
from conflictkg.graph.sparql.workers import Limits

INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/p> %d } }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ 1 2 3 4 5 6 7 8 9 10 }}" for i in range(10)) + " }"


@pytest.fixture
def writer(tmp_path):
    """A writer service on an on-disk store that publishes snapshots to ``tmp_path / 'snapshots'``."""
    store = Store(tmp_path / "store")
    service = SparqlService(store, limits=Limits(timeout_s=20), workers=1, publish_to=tmp_path / "snapshots")
    yield service
    service.close()
    store.close()


def _reader(folder, *, timeout_s: float = 20, size: int = 2, **limits):
    overruns: list[float] = []
    pool = InProcessPool(SnapshotFollower(folder), limits=Limits(timeout_s=timeout_s, **limits), size=size,
                         on_overrun=lambda: overruns.append(time.monotonic()))
    return SparqlService(None, limits=pool.limits, pool=pool), overruns


def _count(service: SparqlService) -> str:
    return service.query(COUNT, accept="text/csv").read().decode().splitlines()[1]


def test_a_reader_sees_every_write_the_writer_committed(writer, tmp_path) -> None:
    reader, _ = _reader(tmp_path / "snapshots")
    try:
        assert _count(reader) == "0"
        for i in range(1, 4):
            writer.update(INSERT % i)
            assert _count(reader) == str(i)
        assert reader.pool.follower.generation == writer.publisher.generation == 4  # the first, then three writes
    finally:
        reader.close()


def test_superseded_snapshots_are_deleted_once_no_query_can_use_them(writer, tmp_path) -> None:
    folder = tmp_path / "snapshots"
    writer.publisher.keep_s = 0.2
    writer.update(INSERT % 1)
    assert len([p for p in os.listdir(folder) if p.startswith("gen-")]) == 2  # the superseded one is kept a while
    time.sleep(0.3)
    writer.update(INSERT % 2)
    kept = sorted(p for p in os.listdir(folder) if p.startswith("gen-"))
    current = (folder / POINTER).read_text().split("\n")[1]
    assert kept == ["gen-00000002", current] and current == "gen-00000003"


def test_a_query_past_the_limit_is_a_timeout_and_retires_the_reader_once(writer, tmp_path) -> None:
    reader, overruns = _reader(tmp_path / "snapshots", timeout_s=1)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="1 s"):
            reader.query(RUNAWAY).read()
        assert 1 <= time.monotonic() - started < 3
        with pytest.raises(QueryTimeout):
            asyncio.run(reader.aquery(RUNAWAY))
        assert len(overruns) == 1 and reader.pool.overran
        # The other thread still answers while the runaways hold theirs (the process is retiring).
        assert reader.pool.size == 2
    finally:
        reader.close()


def test_a_cheap_query_is_not_delayed_by_a_runaway_on_another_thread(writer, tmp_path) -> None:
    reader, _ = _reader(tmp_path / "snapshots", timeout_s=3)
    try:
        runaway = threading.Thread(target=lambda: pytest.raises(QueryTimeout, lambda: reader.query(RUNAWAY).read()))
        runaway.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert reader.query("ASK {}").read() == b'{"head":{},"boolean":true}'
        assert time.monotonic() - started < 1.5  # well inside the runaway's 3 s
        runaway.join()
    finally:
        reader.close()


def test_a_big_result_streams_and_the_row_cap_holds(writer, tmp_path) -> None:
    reader, _ = _reader(tmp_path / "snapshots", stream_threshold=4096, max_rows=3000)
    try:
        values = " ".join(map(str, range(2000)))
        answer = asyncio.run(reader.aquery(f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}", accept="text/csv"))
        chunks = list(answer.chunks)
        assert answer.body is None and len(chunks) > 1
        assert b"".join(chunks).decode().splitlines() == ["x"] + [str(i) for i in range(2000)]
        with pytest.raises(ResultTooLarge, match="3000 rows"):
            many = " ".join(map(str, range(3001)))
            reader.query(f"SELECT ?x WHERE {{ VALUES ?x {{ {many} }} }}", accept="text/csv").read()
        assert reader.query("ASK {}").read() == b'{"head":{},"boolean":true}'
    finally:
        reader.close()


def test_an_abandoned_stream_frees_its_thread(writer, tmp_path) -> None:
    reader, _ = _reader(tmp_path / "snapshots", stream_threshold=1024, size=1)
    try:
        values = " ".join(map(str, range(20000)))
        answer = reader.query(f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}", accept="text/csv")
        chunks = iter(answer.chunks)
        next(chunks)
        chunks.close()  # the client went away after the first chunk
        # With one thread, this only answers if the abandoned query let go of it.
        assert reader.query("ASK {}").read() == b'{"head":{},"boolean":true}'
    finally:
        reader.close()
