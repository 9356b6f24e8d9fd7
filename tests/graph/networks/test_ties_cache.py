"""The ties read from a store are kept beside its network index until the next write, in this process or another."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conflictkg.graph.networks.index import open_network_index
from conflictkg.graph.networks.ties import load_ties
from conflictkg.graph.store import Store
from conflictkg.graph.store.datasets import STAGING_PREFIX
from conflictkg.graph.store.visibility import ReadView

CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")


def event(n: int, a: str, b: str) -> str:
    return (f"GRAPH <urn:facts> {{ <urn:e{n}> a ck:Attack ; ck:actor <urn:{a}> ; ck:target <urn:{b}> ; "
            f'ck:date "2020-01-0{n}"^^xsd:date }}')


def pairs(store: Store) -> set[tuple[str, str]]:
    return {(t.a, t.b) for t in load_ties(store).ties}


def test_ties_are_read_again_after_a_write_in_this_process(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    open_network_index(store)
    store.update(f"INSERT DATA {{ {event(1, 'x', 'y')} }}")
    assert pairs(store) == {("urn:x", "urn:y")}
    assert len(list((tmp_path / "store").glob("ties-*.pickle"))) == 1
    first = load_ties(store)
    assert first is not load_ties(store) and first.ties == load_ties(store).ties  # from the pickle, a fresh copy
    store.update(f"INSERT DATA {{ {event(2, 'y', 'z')} }}")
    assert pairs(store) == {("urn:x", "urn:y"), ("urn:y", "urn:z")}
    store.close()


def test_a_write_by_another_command_is_seen_by_the_next_read(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with Store(folder) as store:
        open_network_index(store)
        store.update(f"INSERT DATA {{ {event(1, 'x', 'y')} }}")
        assert pairs(store) == {("urn:x", "urn:y")}
    (tmp_path / "more.trig").write_text(
        "@prefix ck: <https://w3id.org/conflictkg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<urn:facts> { <urn:e3> a ck:Attack ; ck:actor <urn:q> ; ck:target <urn:r> ; ck:date "2020-01-03"^^xsd:date . }\n'
    )
    done = subprocess.run([CONFLICTKG, "--store", str(folder), "load", str(tmp_path / "more.trig")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with Store(folder) as store:
        open_network_index(store)
        assert pairs(store) == {("urn:x", "urn:y"), ("urn:q", "urn:r")}


def test_a_view_hiding_half_written_graphs_is_never_cached(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    index = open_network_index(store)
    store.update(f"INSERT DATA {{ {event(1, 'x', 'y')} GRAPH <{STAGING_PREFIX}cut> {{ <urn:s> <urn:p> 1 }} }}")
    view = ReadView(store)
    assert view.hidden and pairs(view) == {("urn:x", "urn:y")}  # type: ignore[arg-type]
    assert index.kept("claims0-labels1") is None
    store.close()


def test_in_memory_the_kept_ties_are_a_fresh_copy_each_time() -> None:
    store = Store()
    open_network_index(store)
    store.update(f"INSERT DATA {{ {event(1, 'x', 'y')} }}")
    load_ties(store).ties.clear()  # what a caller does with its copy is its own
    assert pairs(store) == {("urn:x", "urn:y")}


def test_a_snapshot_is_kept_per_date_and_every_kept_file_goes_at_the_next_write(tmp_path: Path) -> None:
    from conflictkg.graph.networks.series import network_balance

    folder = tmp_path / "store"
    store = Store(folder)
    open_network_index(store)
    store.update(f"INSERT DATA {{ {event(1, 'x', 'y')} {event(2, 'y', 'z')} }}")
    whole, early = network_balance(store), network_balance(store, at="2020-01-01", window="30d")
    assert (whole["nodes"], early["nodes"]) == (3, 2)
    assert network_balance(store) == whole and network_balance(store, at="2020-01-01", window="30d") == early
    assert len(list(folder.glob("ties-*.pickle"))) == 3  # the ties and two snapshots
    store.update(f"INSERT DATA {{ {event(3, 'z', 'w')} }}")
    assert list(folder.glob("ties-*.pickle")) == []
    assert network_balance(store)["nodes"] == 4
    store.close()


def test_an_index_file_of_an_older_layout_is_built_again(tmp_path: Path) -> None:
    import sqlite3

    from conflictkg.graph.networks.index import FILE_NAME

    folder = tmp_path / "store"
    with Store(folder) as store:
        store.update(f"INSERT DATA {{ {event(1, 'x', 'y')} }}")
    # The layout of this morning's schema 3: what it kept in two tables, no table "kept".
    db = sqlite3.connect(folder / FILE_NAME)
    db.executescript("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema', '3'), "
                     "('full', '1'), ('generation', '0'); CREATE TABLE ties(key TEXT PRIMARY KEY, token TEXT NOT NULL);")
    db.close()
    with Store(folder) as store:
        index = open_network_index(store)
        assert pairs(store) == {("urn:x", "urn:y")}
        assert index.kept("claims0-labels1") is not None
        index.forget_kept()
        assert index.kept("claims0-labels1") is None
