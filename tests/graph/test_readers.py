"""Readers during a long load or a replace see the data before or after it, never half of it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from conflictkg.graph.remote import RemoteStore
from conflictkg.graph.store import FactStore, open_store

GRAPH = "urn:readers:g"
# Embedded loads must be long enough for readers to run mid-write; a server's
# update-based moves (ADD, DROP) cost ~40 µs a triple, so remote sizes are smaller.
SIZES = {"memory": 100_000, "disk": 100_000, "remote": 20_000}


def write_file(path: Path, triples: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(triples):
            out.write(f'<urn:readers:s{i}> <urn:readers:p> "value {i}" .\n')
    return path


def watch(write: Callable[[], object], count: Callable[[], int]) -> tuple[set[int], int]:
    """Run ``write`` while another thread keeps counting; return the counts seen and how many during the write."""
    seen: list[tuple[bool, int]] = []
    writing, done = threading.Event(), threading.Event()

    def reader() -> None:
        while not done.is_set():
            during = writing.is_set()
            seen.append((during, count()))

    thread = threading.Thread(target=reader)
    thread.start()
    while not seen:  # the reader is running before the write starts
        threading.Event().wait(0.01)
    writing.set()
    try:
        write()
    finally:
        writing.clear()
        done.set()
        thread.join(timeout=60)
    return {n for _, n in seen}, sum(1 for during, _ in seen if during)


def reader_for(store: FactStore) -> FactStore:
    # A remote reader is another client, as another analyst would be.
    if isinstance(store, RemoteStore):
        return open_store("sparql", query_url=store.query_url)
    return store


def test_a_reader_sees_none_or_all_of_a_load(any_store: FactStore, tmp_path: Path) -> None:
    triples = SIZES[any_store.kind]
    load_file = write_file(tmp_path / "load.nt", triples)
    reader = reader_for(any_store)
    counts, during = watch(lambda: any_store.load([load_file], graph=GRAPH), lambda: reader.count(GRAPH))
    assert counts <= {0, triples}, f"a reader saw {sorted(counts)}"
    assert during > 0, "the reader never ran while the load was under way"
    assert any_store.count(GRAPH) == triples


@pytest.mark.server
def test_a_reader_sees_none_or_all_of_a_load_uploaded_in_chunks(remote_store: RemoteStore, tmp_path: Path) -> None:
    # Servers without Oxigraph's dataset POST get the load in chunks, staged aside.
    triples = SIZES["remote"]
    load_file = write_file(tmp_path / "load.nt", triples)
    s = remote_store
    chunked = RemoteStore(s.query_url, s.update_url, s.store_url, chunk_quads=1_000)  # Virtuoso: ≤ ~1,500
    reader = reader_for(remote_store)
    counts, during = watch(lambda: chunked.load([load_file], graph=GRAPH), lambda: reader.count(GRAPH))
    assert counts <= {0, triples}, f"a reader saw {sorted(counts)}"
    assert during > 1
    assert remote_store.count(GRAPH) == triples


def test_a_reader_sees_the_old_or_the_new_content_of_a_replace(any_store: FactStore, tmp_path: Path) -> None:
    triples = SIZES[any_store.kind]
    any_store.load([write_file(tmp_path / "load.nt", triples)], graph=GRAPH)
    smaller = [
        ox.Quad(ox.NamedNode(f"urn:readers:t{i}"), ox.NamedNode("urn:readers:p"), ox.Literal(str(i)), ox.NamedNode(GRAPH))
        for i in range(triples // 2)
    ]
    reader = reader_for(any_store)
    counts, during = watch(lambda: any_store.replace_all(smaller), lambda: reader.count(GRAPH))
    assert counts <= {triples, triples // 2}, f"a reader saw {sorted(counts)}"
    assert during > 0
    assert any_store.count(GRAPH) == triples // 2
