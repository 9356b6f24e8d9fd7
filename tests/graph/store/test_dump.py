"""Dump and restore: the same quads back, on every kind of store, and never a half-restored store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from conflictkg.graph.store.dump import dump, restore
from conflictkg.graph.errors import InputError, ParseError, UnsupportedFormat
from conflictkg.graph.store import FactStore, Store

FIXTURES = Path(__file__).parents[2] / "fixtures"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")

# Every kind of term a dump must carry: language tags, datatypes, escapes,
# blank nodes shared across graphs, the default graph.
RICH = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:meta ex:about ex:g1 .
ex:g1 {
  ex:sdf ex:label "Syrian Democratic Forces"@en , "قوات سوريا الديمقراطية"@ar ;
         ex:count "120"^^xsd:decimal ;
         ex:note "line one\\nline \\"two\\"\\t\\\\" ;
         ex:quantity _:q .
  _:q ex:qualifier ex:Approximately .
}
ex:g2 { _:q ex:seenIn ex:g2 . ex:isis ex:hostileTo ex:sdf . }
"""


def canonical(store: FactStore) -> set[ox.Quad]:
    """The store's quads with blank nodes renamed canonically (servers relabel them)."""
    dataset = ox.Dataset(store.quads())
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


@pytest.fixture
def rich_file(tmp_path: Path) -> Path:
    path = tmp_path / "rich.trig"
    path.write_text(RICH, encoding="utf-8")
    return path


@pytest.mark.parametrize("ending", ["trig", "nq"])
def test_dump_then_restore_gives_the_same_quads(
    any_store: FactStore, rich_file: Path, tmp_path: Path, ending: str
) -> None:
    any_store.load([rich_file, FIXTURES / "small.trig"])
    before = canonical(any_store)
    assert dump(any_store, tmp_path / f"all.{ending}") == len(before) == 14
    any_store.replace_all([])
    assert any_store.count() == 0
    assert restore(any_store, tmp_path / f"all.{ending}") == 14
    assert canonical(any_store) == before


@pytest.mark.virtuoso_differs(
    'keeps literals by value, not as written: "120"^^xsd:decimal comes back as "120"^^xsd:integer '
    "(and \"1.50\" as \"1.5\", \"true\" as \"1\"), so the quads differ from the embedded store's"
)
def test_a_dump_restores_into_another_kind_of_store(any_store: FactStore, rich_file: Path, tmp_path: Path) -> None:
    source = Store()
    source.load([rich_file])
    dump(source, tmp_path / "all.nq")
    restore(any_store, tmp_path / "all.nq")
    assert canonical(any_store) == canonical(source)


def test_restore_into_a_non_empty_store_refuses_and_changes_nothing(
    any_store: FactStore, rich_file: Path, tmp_path: Path
) -> None:
    any_store.load([FIXTURES / "small.trig"])
    source = Store()
    source.load([rich_file])
    dump(source, tmp_path / "other.trig")
    before = canonical(any_store)
    with pytest.raises(InputError, match="already holds 5 quads.*--replace"):
        restore(any_store, tmp_path / "other.trig")
    assert canonical(any_store) == before


@pytest.mark.virtuoso_differs(
    'keeps literals by value, not as written: "120"^^xsd:decimal comes back as "120"^^xsd:integer '
    "(and \"1.50\" as \"1.5\", \"true\" as \"1\"), so the quads differ from the embedded store's"
)
def test_restore_with_replace_swaps_the_whole_content(any_store: FactStore, rich_file: Path, tmp_path: Path) -> None:
    any_store.load([FIXTURES / "small.trig"])
    source = Store()
    source.load([rich_file])
    dump(source, tmp_path / "other.trig")
    assert restore(any_store, tmp_path / "other.trig", replace=True) == 9
    assert canonical(any_store) == canonical(source)
    assert "http://example.org/g1" in any_store.named_graphs()
    assert any_store.count("http://example.org/g1") == 6


def test_a_broken_dump_changes_nothing_even_with_replace(any_store: FactStore, tmp_path: Path) -> None:
    any_store.load([FIXTURES / "small.trig"])
    before = canonical(any_store)
    broken = tmp_path / "broken.nq"
    broken.write_text('<urn:a> <urn:b> "c" <urn:g> .\n<urn:a> <urn:b> "unterminated <urn:g> .\n')
    with pytest.raises(ParseError) as info:
        restore(any_store, broken, replace=True)
    assert (Path(info.value.file).name, info.value.line) == ("broken.nq", 2)
    assert canonical(any_store) == before


@pytest.mark.parametrize("name", ["all.ttl", "all.jsonld", "all"])
def test_a_dump_is_trig_or_nquads_only(store: Store, tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsupportedFormat, match="TriG"):
        dump(store, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_a_failed_dump_leaves_no_partial_file(tmp_path: Path) -> None:
    class Failing(Store):
        def quads(self):  # type: ignore[no-untyped-def]
            yield from super().quads()
            raise OSError("disk vanished")

    failing = Failing()
    failing.load([FIXTURES / "small.trig"])
    with pytest.raises(InputError, match="disk vanished"):
        dump(failing, tmp_path / "all.nq")
    assert list(tmp_path.iterdir()) == []


def run(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([CONFLICTKG, "--store", str(store), *args], capture_output=True, text=True, timeout=120)
    done.stderr = " ".join(done.stderr.split())  # rich wraps long lines
    return done


def test_the_cli_dumps_and_restores_and_refuses_without_replace(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(first, "load", str(FIXTURES / "small.trig")).returncode == 0
    out = run(first, "dump", str(tmp_path / "all.trig"))
    assert out.returncode == 0 and "dumped 5 quads" in out.stderr
    assert run(second, "restore", str(tmp_path / "all.trig")).returncode == 0
    again = run(second, "restore", str(tmp_path / "all.trig"))
    assert again.returncode == 2 and "--replace" in again.stderr and "Traceback" not in again.stderr
    replaced = run(second, "restore", str(tmp_path / "all.trig"), "--replace")
    assert replaced.returncode == 0 and "store now holds 5 quads" in replaced.stderr
    with Store(second) as s:
        assert canonical(s) == canonical(_loaded(FIXTURES / "small.trig"))


def _loaded(path: Path) -> Store:
    s = Store()
    s.load([path])
    return s


def test_a_dump_of_more_quads_than_a_server_answers_at_once_is_whole(any_store: FactStore, tmp_path: Path) -> None:
    # 12,000 quads: more than Virtuoso's 10,000-row answers (it is read in ordered pages there).
    quads = [
        ox.Quad(ox.NamedNode(f"http://example.org/e{i}"), ox.NamedNode("http://example.org/n"),
                ox.Literal(str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ox.NamedNode(f"http://example.org/page{i % 3}"))
        for i in range(12_000)
    ]
    any_store.extend(quads)
    assert dump(any_store, tmp_path / "big.nq") == 12_000
    assert set(ox.parse(path=str(tmp_path / "big.nq"), format=ox.RdfFormat.N_QUADS)) == set(quads)
