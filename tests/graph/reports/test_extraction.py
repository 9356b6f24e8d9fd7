"""Extraction with spaCy: names linked by the graph's own aliases, quantities with qualifiers, attribution, dates."""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox
import pytest

from conflictkg.graph.reports.extraction import extract
from conflictkg.graph.reports.text import report_from_text
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import CK, ID

ENTITIES = """
@prefix ck: <https://w3id.org/conflictkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/conflictkg/graph/test/entities> {
  <https://w3id.org/conflictkg/id/actor/isis> a ck:ArmedGroup ; rdfs:label "Islamic State" ; skos:altLabel "ISIS" , "Daesh" , "IS" .
  <https://w3id.org/conflictkg/id/place/mosul> a ck:City ; rdfs:label "Mosul" .
}
"""

REPORT = (
    "Daesh fighters attacked a checkpoint near Mosul last month, killing at least 14 soldiers. "
    "The Iraqi Security Forces reportedly recaptured dozens of the attackers. "
    "Colonel Ahmed Saleh, a spokesperson for the Iraqi Security Forces, said that more than 300 families had fled. "
    "Is it over? Analysts warn that the group is regrouping in the desert."
)


@pytest.fixture(scope="module")
def extraction():
    store = Store()
    store.extend(ox.parse(ENTITIES, format=ox.RdfFormat.TRIG))
    report = report_from_text(REPORT.encode(), name="test-report.txt", published="2026-03-15")
    return extract(report, store, report_date=date(2026, 3, 15))


def by_label(extraction, kind: str) -> dict[str, object]:
    return {c.label: c for c in extraction.of(kind)}


def test_an_alias_in_the_graph_links_to_its_entity_and_is_not_minted_again(extraction) -> None:
    linked = {c.iri: c for c in extraction.of("entity") if not c.new}
    assert str(ID["actor/isis"]) in linked and str(ID["place/mosul"]) in linked
    assert linked[str(ID["actor/isis"])].mention == "Daesh"
    # "Is" at the start of a question is a word, not the alias IS
    assert all(c.mention != "Is" for c in extraction.of("entity"))


def test_a_new_actor_is_minted_with_a_readable_iri_and_its_class(extraction) -> None:
    new = {c.label: c for c in extraction.of("entity") if c.new}
    forces = new["Iraqi Security Forces"]
    assert forces.iri == str(ID["actor/iraqi-security-forces"]) and forces.types == ["StateForce"]


def test_a_person_in_a_role_is_a_member_with_a_role_assignment(extraction) -> None:
    person = next(c for c in extraction.of("entity") if c.label.endswith("Ahmed Saleh"))
    assert person.types == ["Person"]
    assert (str(CK.memberOf), str(ID["actor/iraqi-security-forces"])) in person.facts
    assert any(p == str(CK.roleName) and o[0] == "spokesperson" for _, p, o in person.extra)


def test_quantities_keep_their_qualifier_and_bounds(extraction) -> None:
    found = {}
    for q in extraction.of("quantity"):
        qualifier = q.values(str(CK.qualifier))[0].rsplit("#", 1)[-1]
        value = q.values(str(CK.value))
        lower = q.values(str(CK.lowerBound))
        found[q.label] = (qualifier, float(value[0][0]) if value else None, float(lower[0][0]) if lower else None)
    assert found["at least 14 soldiers"] == ("AtLeast", 14.0, 14.0)
    assert found["dozens of the attackers"] == ("Dozens", None, 24.0)
    assert found["more than 300 families"] == ("MoreThan", 300.0, 300.0)


def test_attribution_gives_claimant_and_kind(extraction) -> None:
    claims = {(c.values(str(CK.claimant))[0].rsplit("/", 1)[-1], c.values(str(CK.attribution))[0].rsplit("#", 1)[-1])
              for c in extraction.of("claim")}
    assert ("unnamed-sources", "Reported") in claims  # "reportedly"
    assert ("ahmed-saleh", "Stated") in claims or ("colonel-ahmed-saleh", "Stated") in claims
    assert ("unnamed-analysts", "Stated") in claims  # "Analysts warn"


def test_what_is_reportedly_done_goes_into_the_claim_not_the_facts(extraction) -> None:
    recapture = next(e for e in extraction.of("event") if "Recapture" in e.types)
    assert recapture.claim is not None and "unnamed-sources" in recapture.claim
    attack = next(e for e in extraction.of("event") if "Attack" in e.types)
    assert attack.claim is None
    assert (str(CK.actor), str(ID["actor/isis"])) in attack.facts
    assert (str(CK.place), str(ID["place/mosul"])) in attack.facts


def test_last_month_is_resolved_against_the_report_date_and_marked_so(extraction) -> None:
    attack = next(e for e in extraction.of("event") if "Attack" in e.types)
    assert (str(CK.date), ("2026-02-01", "http://www.w3.org/2001/XMLSchema#date", None)) in attack.facts
    assert (str(CK.datePrecision), str(CK.Month)) in attack.facts
    assert (str(CK.dateStatedAs), ("last month", None, None)) in attack.facts


def test_every_candidate_keeps_its_span_and_sentence(extraction) -> None:
    for cand in extraction.candidates:
        if cand.start >= 0:
            assert REPORT[cand.start:cand.end] == cand.mention
            assert cand.sentence in REPORT
