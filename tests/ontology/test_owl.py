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


# -- dates: xsd:date is not an OWL 2 datatype; HermiT gets them as midnights, no flag --

DATES = """
@prefix ck: <https://w3id.org/conflictkg/ontology#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/conflictkg/id/event/{name}> a ck:Recapture ; ck:date "2026-01-20"^^xsd:date {extra} .
"""


def _check(tmp_path: Path, name: str, extra: str = ""):
    path = tmp_path / f"{name}.ttl"
    path.write_text(DATES.format(name=name, extra=extra), encoding="utf-8")
    return check_consistency(to_ntriples([*ontology_paths(), path]))


def test_hermit_reads_the_date_ranges_and_values_without_ignoring_them(tmp_path: Path) -> None:
    nt = to_ntriples(ontology_paths())
    assert b"XMLSchema#date>" not in nt
    result = _check(tmp_path, "dated", '; ck:endDate "2026-02-01"^^xsd:date')
    assert result.consistent and result.ok
    assert result.ignored_datatypes == []  # HermiT ran without ignore_unsupported_datatypes
    assert result.message == "HermiT: consistent"


def test_two_different_dates_alone_are_an_inconsistency_hermit_finds(tmp_path: Path) -> None:
    result = _check(tmp_path, "twice", ', "2025-12-01"^^xsd:date')
    assert result.consistent is False
    assert [c.reason for c in result.culprits] == ["has 2 values for functional ck:date: 2025-12-01, 2026-01-20"]


def test_a_string_where_a_date_belongs_is_inconsistent(tmp_path: Path) -> None:
    assert _check(tmp_path, "stringly", '; ck:startDate "last month"').consistent is False


def test_a_datatype_outside_owl_2_is_ignored_by_name_and_dates_still_count(tmp_path: Path) -> None:
    point = (
        "; ck:place <https://w3id.org/conflictkg/id/place/hasakah> .\n"
        "<https://w3id.org/conflictkg/id/place/hasakah> a ck:City ; geo:hasGeometry <https://w3id.org/conflictkg/id/geometry/hasakah> .\n"
        '<https://w3id.org/conflictkg/id/geometry/hasakah> geo:asWKT "POINT(40.75 36.5)"^^geo:wktLiteral'
    )
    fine = _check(tmp_path, "located", point)
    assert fine.consistent
    assert fine.ignored_datatypes == ["http://www.opengis.net/ont/geosparql#wktLiteral"]
    assert "ignored the values of geo:wktLiteral" in fine.message
    twice = '; ck:date "2025-12-01"^^xsd:date ' + point
    assert _check(tmp_path, "located-twice", twice).consistent is False
