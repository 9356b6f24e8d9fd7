"""The ontology explains itself: a definition for every class, a version IRI, its map linked from the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from conflictkg.ontology.owl import ONTOLOGY_IRI, ontology_paths

ROOT = Path(__file__).resolve().parents[2]
CK = "https://w3id.org/conflictkg/ontology#"


@pytest.fixture(scope="module")
def tbox() -> Graph:
    g = Graph()
    for path in ontology_paths():
        g.parse(path, format="turtle")
    return g


def test_every_class_has_one_english_definition(tbox: Graph) -> None:
    classes = sorted(c for c in tbox.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
    assert len(classes) > 70
    undefined = [str(c) for c in classes if not [d for d in tbox.objects(c, SKOS.definition) if d.language == "en"]]
    assert undefined == []
    twice = [str(c) for c in classes if len([d for d in tbox.objects(c, SKOS.definition) if d.language == "en"]) > 1]
    assert twice == []


def test_reused_classes_name_the_vocabulary_that_defines_them(tbox: Graph) -> None:
    reused = [c for c in tbox.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and not str(c).startswith(CK)]
    assert len(reused) >= 8
    assert [str(c) for c in reused if (c, RDFS.isDefinedBy, None) not in tbox] == []


def test_the_ontology_has_a_version_iri_matching_its_version(tbox: Graph) -> None:
    onto = URIRef(ONTOLOGY_IRI)
    version = str(tbox.value(onto, OWL.versionInfo))
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert tbox.value(onto, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")


def test_the_readme_links_the_model_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](ontology/MODEL.md)" in readme
    assert (ROOT / "ontology" / "MODEL.md").is_file()
