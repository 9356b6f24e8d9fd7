"""HermiT through owlready2: contradictory data is caught, with the individual at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.errors import ParseError
from conflictkg.ontology.owl import check_consistency, ontology_paths, to_ntriples

CONTRADICTORY = """
@prefix ck: <https://w3id.org/conflictkg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/conflictkg/id/place/al-aqtaan-prison> a ck:Prison , ck:Person .
<https://w3id.org/conflictkg/id/event/twice> a ck:Recapture ;
    ck:date "2026-01-01"^^xsd:date , "2025-12-01"^^xsd:date .
"""


@pytest.fixture(scope="module")
def contradiction(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("owl") / "contradictory.ttl"
    path.write_text(CONTRADICTORY, encoding="utf-8")
    return check_consistency(to_ntriples([*ontology_paths(), path]))


def test_hermit_reports_a_prison_typed_as_a_person_as_inconsistent(contradiction) -> None:
    assert contradiction.consistent is False
    assert not contradiction.ok


def test_the_inconsistency_names_the_offending_individual_and_the_disjoint_classes(contradiction) -> None:
    by_individual = {c.individual: c.reason for c in contradiction.culprits}
    reason = by_individual["https://w3id.org/conflictkg/id/place/al-aqtaan-prison"]
    assert "ck:Person" in reason and "ck:Prison" in reason and "disjoint" in reason


def test_two_dates_on_one_event_are_named_as_a_functional_clash(contradiction) -> None:
    by_individual = {c.individual: c.reason for c in contradiction.culprits}
    assert "functional ck:date" in by_individual["https://w3id.org/conflictkg/id/event/twice"]


def test_a_broken_turtle_file_is_a_parse_error_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ck: <https://w3id.org/conflictkg/ontology#> .\nck:a ck:b .\nck:c ck:d\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        to_ntriples([bad])
    assert info.value.file == str(bad)
    assert info.value.line is not None
