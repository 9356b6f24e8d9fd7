from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.weights import CLASS_CAMEO, cameo_table, event_weight, goldstein

ONTOLOGY = Path(__file__).parents[3] / "ontology"
CAMEO = "https://w3id.org/conflictkg/id/cameo/"


def test_table_has_every_cameo_code_with_its_goldstein_weight() -> None:
    table = cameo_table()
    assert len(table) == 312
    assert (goldstein("112"), goldstein("190"), goldstein("070"), goldstein("060")) == (-2.0, -10.0, 7.0, 6.0)
    assert all(-10 <= row.goldstein <= 10 for row in table.values())


def test_unknown_code_is_named() -> None:
    with pytest.raises(InputError, match="'999'"):
        goldstein("999")


def test_an_events_own_code_wins_over_its_class() -> None:
    assert event_weight("062", {next(iter(CLASS_CAMEO))}) == (7.4, "062")


@pytest.mark.skipif(not (ONTOLOGY / "conflictkg.ttl").is_file(), reason="ontology not present")
def test_class_defaults_are_the_ontologys_cameo_matches() -> None:
    g = Graph()
    for path in ONTOLOGY.glob("*.ttl"):
        g.parse(path, format="turtle")
    for cls, code in CLASS_CAMEO.items():
        matches = {
            str(o)[len(CAMEO):]
            for p in (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.exactMatch)
            for o in g.objects(URIRef(cls), p)
            if str(o).startswith(CAMEO)
        }
        assert code in matches, (cls, code, matches)
