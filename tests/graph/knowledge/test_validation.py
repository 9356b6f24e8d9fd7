"""conflictkg check: HermiT over asserted facts, SHACL over all data, readable violations, exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conflictkg.graph.knowledge.seed import build_seed
from conflictkg.graph.store import Store
from conflictkg.graph.knowledge.validation import check, check_graph_metadata, check_reasoner, check_shapes

CLI = Path(sys.executable).parent / "conflictkg"

BAD = """
@prefix ck: <https://w3id.org/conflictkg/ontology#> .
@prefix g: <https://w3id.org/conflictkg/graph/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
g:bad {
  <https://w3id.org/conflictkg/id/event/undated> a ck:Recapture ;
      ck:place <https://w3id.org/conflictkg/id/place/syria> .
  <https://w3id.org/conflictkg/id/event/nowhere> a ck:Battle ; ck:date "2026-01-01"^^xsd:date .
  <https://w3id.org/conflictkg/id/quantity/bare> a ck:Quantity ; ck:value 120.0 .
  <https://w3id.org/conflictkg/id/place/al-aqtaan-prison> a ck:Person .
}
"""

# Contradictory only as a claim: someone alleges the prison is a person.
ALLEGED_CONTRADICTION = """
@prefix ck: <https://w3id.org/conflictkg/ontology#> .
@prefix g: <https://w3id.org/conflictkg/graph/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
g:meta {
  g:odd-claim a ck:FactGraph , ck:Claim ;
      prov:wasDerivedFrom <https://w3id.org/conflictkg/id/source/al-aqtaan-prison-break-report> ;
      ck:reportedOn "2026-01-01"^^xsd:date ;
      ck:claimant <https://w3id.org/conflictkg/id/agent/unnamed-sources> ;
      ck:attribution ck:Alleged .
}
g:odd-claim { <https://w3id.org/conflictkg/id/place/al-aqtaan-prison> a ck:Person . }
"""


@pytest.fixture(scope="module")
def seeded() -> Store:
    store = Store()
    build_seed(store)
    return store


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store()
    build_seed(store)
    path = tmp_path_factory.mktemp("bad") / "bad.trig"
    path.write_text(BAD, encoding="utf-8")
    store.load([path])
    return store


def test_the_seed_is_consistent_for_hermit_and_conforms_to_the_shapes(seeded: Store) -> None:
    report = check(seeded)
    assert report.consistency is not None and report.consistency.consistent
    assert report.consistency.unsatisfiable == []
    assert report.consistency.individuals > 100
    assert report.shacl_conforms is True
    assert report.violations == []
    assert report.ok
    assert report.text().splitlines()[-1] == "OK"


def test_an_event_without_a_date_or_a_place_is_listed_with_its_focus_node(broken: Store) -> None:
    _conforms, violations, _n, _s = check_shapes(broken)
    found = {(v.focus.rsplit("/", 1)[-1], v.path) for v in violations}
    assert ("undated", "ck:date") in found
    assert ("nowhere", "ck:place") in found


def test_a_quantity_without_a_qualifier_is_a_violation(broken: Store) -> None:
    _conforms, violations, _n, _s = check_shapes(broken)
    assert any(v.focus.endswith("/quantity/bare") and v.path == "ck:qualifier" for v in violations)


def test_a_graph_without_a_source_is_reported(broken: Store) -> None:
    assert [v.focus for v in check_graph_metadata(broken)] == ["https://w3id.org/conflictkg/graph/bad"]


def test_the_readable_report_names_focus_path_and_message(broken: Store) -> None:
    report = check(broken, reasoner=False)
    assert not report.ok
    text = report.text()
    assert "event:undated ck:date: an event needs exactly one ck:date" in text
    assert "g:bad prov:wasDerivedFrom" in text
    assert text.splitlines()[-1] == "FAILED"


def test_the_full_report_names_the_individual_hermit_finds_at_fault(broken: Store) -> None:
    report = check(broken)
    assert report.consistency is not None and not report.consistency.consistent
    assert not report.ok
    culprits = [line for line in report.text().splitlines() if line.strip().startswith("culprit:")]
    assert any("place:al-aqtaan-prison" in line and "disjoint" in line for line in culprits), report.text()


def test_hermit_does_not_treat_an_allegation_as_a_fact(tmp_path: Path) -> None:
    store = Store()
    build_seed(store)
    path = tmp_path / "claim.trig"
    path.write_text(ALLEGED_CONTRADICTION, encoding="utf-8")
    store.load([path])
    consistency, asserted = check_reasoner(store)
    assert consistency.consistent
    assert asserted > 1000


def test_check_command_exits_zero_on_the_seed_and_one_on_violations(tmp_path: Path) -> None:
    store = tmp_path / "store"
    subprocess.run([str(CLI), "--store", str(store), "seed"], check=True, capture_output=True, timeout=120)
    good = subprocess.run([str(CLI), "--store", str(store), "check", "--no-hermit"], capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "SHACL: conforms" in good.stdout
    bad = tmp_path / "bad.trig"
    bad.write_text(BAD, encoding="utf-8")
    subprocess.run([str(CLI), "--store", str(store), "load", str(bad)], check=True, capture_output=True, timeout=120)
    failed = subprocess.run([str(CLI), "--store", str(store), "check", "--no-hermit"], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "event:undated ck:date" in failed.stdout
    assert failed.stdout.strip().splitlines()[-1] == "FAILED"
