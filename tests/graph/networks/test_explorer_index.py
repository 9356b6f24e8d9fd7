"""The aggregated explorer view read from the network index equals the one read by SPARQL, after every kind of write."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.knowledge.seed import build_seed
from conflictkg.graph.loaders.acled import import_acled
from conflictkg.graph.loaders.imports import drop_import
from conflictkg.graph.networks.explorer import NetworkExplorer
from conflictkg.graph.networks.index import FILE_NAME, NetworkIndex, open_network_index
from conflictkg.graph.store import Store

ACLED = Path(__file__).parents[2] / "fixtures" / "acled"
VIEWS = [{}, {"include_claims": True}, {"kinds": "Cooperation,Hostility,Strain,events"}, {"at": "2024-03-01"}, {"limit": 5}]


def same_views(store: Store) -> None:
    for options in VIEWS:
        indexed = NetworkExplorer(store, detail_limit=0).elements(**options)
        scanned = NetworkExplorer(store, detail_limit=0, use_index=False).elements(**options)
        assert indexed["read"]["mode"] == "aggregated"
        assert indexed == scanned, options


@pytest.fixture()
def seeded(tmp_path: Path) -> Store:
    store = Store(tmp_path / "store")
    build_seed(store)
    return store


def test_the_seed_store_reads_the_same_from_the_index(seeded: Store) -> None:
    same_views(seeded)
    assert (seeded.path / FILE_NAME).is_file()


def test_imports_updates_supersedes_and_drops_keep_the_index_in_step(seeded: Store, tmp_path: Path) -> None:
    index = open_network_index(seeded)
    index.sync()
    first = import_acled(seeded, ACLED / "valid.csv", temp_dir=str(tmp_path))
    assert index.dirty
    same_views(seeded)
    assert not index.dirty
    import_acled(seeded, ACLED / "newer.csv", temp_dir=str(tmp_path))  # replaces events of the first import
    same_views(seeded)
    seeded.update('INSERT DATA { GRAPH <urn:test:g> { <urn:test:e> a <https://w3id.org/conflictkg/ontology#Battle> ; '
                  'ck:actor <https://w3id.org/conflictkg/id/actor/sdf> ; ck:target <https://w3id.org/conflictkg/id/actor/isis> ; '
                  'ck:date "2024-02-02"^^xsd:date } }')
    same_views(seeded)
    assert any(row[0] == "urn:test:e" for row in index.events_between(index.top_actors(100)))
    seeded.update("DROP GRAPH <urn:test:g>")
    drop_import(seeded, first.graph)
    same_views(seeded)
    assert not any(row[0] == "urn:test:e" for row in index.events_between(index.top_actors(100)))


def test_what_a_command_wrote_is_re_read_by_the_next_process(seeded: Store, tmp_path: Path) -> None:
    open_network_index(seeded).sync()
    import_acled(seeded, ACLED / "valid.csv", temp_dir=str(tmp_path))  # noted in the file, not read
    path = seeded.path
    seeded.close()
    with Store(path) as store:
        later = NetworkIndex(store, path / FILE_NAME)
        assert later.dirty
        assert later.event_links() > 0
        same_views(store)
