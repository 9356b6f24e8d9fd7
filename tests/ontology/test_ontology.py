"""The ontology files: every term of MODEL.md is declared, event classes map outward, owlready2 reads them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from conflictkg.ontology.owl import load_world, ontology_paths, to_ntriples

CK = Namespace("https://w3id.org/conflictkg/ontology#")
ROOT = Path(__file__).parent.parent.parent
CAMEO_CSV = ROOT / "data" / "cameo-goldstein.csv"


@pytest.fixture(scope="module")
def tbox() -> Graph:
    g = Graph()
    for path in ontology_paths():
        g.parse(path, format="turtle")
    return g


def test_every_term_named_in_the_model_page_is_declared(tbox: Graph) -> None:
    model = (ROOT / "ontology" / "MODEL.md").read_text(encoding="utf-8")
    terms = sorted(set(re.findall(r"`ck:([A-Za-z]+)`", model)) | set(re.findall(r"\bck:([A-Za-z]+)\b", model)))
    undeclared = [t for t in terms if (CK[t], RDF.type, None) not in tbox]
    assert len(terms) > 80
    assert undeclared == []


def test_every_event_class_maps_to_acled_cameo_or_plover(tbox: Graph) -> None:
    mappings = (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch, SKOS.exactMatch)
    events = set(tbox.transitive_subjects(RDFS.subClassOf, CK.Event)) - {CK.Event}
    unmapped = [e for e in events if not any((e, m, None) in tbox for m in mappings)]
    assert len(events) >= 19
    assert unmapped == []
    targets = {str(o) for e in events for m in mappings for o in tbox.objects(e, m)}
    for typology in ("id/cameo/", "id/acled/", "id/plover/"):
        assert any(typology in t for t in targets), typology


def test_the_prison_break_class_is_labelled_as_such(tbox: Graph) -> None:
    assert (CK.DetaineeEscape, SKOS.altLabel, Literal("prison break", lang="en")) in tbox
    assert (CK.DetaineeEscape, SKOS.closeMatch, None) not in tbox  # nothing public is close


def test_accusation_maps_to_cameo_112_and_plover_accuse(tbox: Graph) -> None:
    close = set(tbox.objects(CK.Accusation, SKOS.closeMatch))
    assert URIRef("https://w3id.org/conflictkg/id/cameo/112") in close
    assert URIRef("https://w3id.org/conflictkg/id/plover/ACCUSE") in close


@pytest.mark.skipif(not CAMEO_CSV.is_file(), reason="the shared CAMEO codebook is not on this machine")
def test_cameo_concepts_carry_the_codebook_goldstein_weights(tbox: Graph) -> None:
    rows = {r["code"]: float(r["goldstein"]) for r in csv.DictReader(CAMEO_CSV.open(encoding="utf-8"))}
    concepts = list(tbox.subjects(SKOS.inScheme, URIRef("https://w3id.org/conflictkg/id/cameo/scheme")))
    assert len(concepts) >= 15
    for concept in concepts:
        code = str(tbox.value(concept, SKOS.notation))
        assert float(tbox.value(concept, CK.goldstein)) == rows[code], code


def test_disjointness_separates_actors_places_and_events(tbox: Graph) -> None:
    members = [
        set(tbox.items(tbox.value(axiom, OWL.members))) for axiom in tbox.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert any({CK.Actor, CK.Place, CK.Event} <= m for m in members)


def test_owlready2_reads_the_ontology_with_located_in_transitive() -> None:
    import owlready2

    world, onto = load_world(to_ntriples(ontology_paths()))
    located_in = world["https://w3id.org/conflictkg/ontology#locatedIn"]
    assert owlready2.TransitiveProperty in located_in.is_a
    prison = world["https://w3id.org/conflictkg/ontology#Prison"]
    assert world["https://w3id.org/conflictkg/ontology#Place"] in prison.ancestors()
    assert len(list(world.classes())) > 60
