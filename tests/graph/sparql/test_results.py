"""Content negotiation over the one media-type table."""

from __future__ import annotations

import pytest

from conflictkg.graph.errors import NotAcceptable
from conflictkg.graph.sparql.results import GRAPH, MEDIA_FORMATS, SOLUTIONS, negotiate


@pytest.mark.parametrize(
    ("accept", "solutions", "graph"),
    [
        (None, "application/sparql-results+json", "text/turtle"),
        ("*/*", "application/sparql-results+json", "text/turtle"),
        ("text/csv", "text/csv", None),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.3", None, "application/rdf+xml"),
        ("text/*", "text/csv", "text/turtle"),
        ("text/*;q=0.2, text/tab-separated-values", "text/tab-separated-values", "text/turtle"),
        ("application/sparql-results+xml;q=0.5, */*;q=0.1", "application/sparql-results+xml", "text/turtle"),
        ("application/json", "application/json", None),
        ("text/csv;q=0, */*", "application/sparql-results+json", "text/turtle"),
    ],
)
def test_negotiation_honours_q_values_and_specificity(accept, solutions, graph) -> None:
    chosen = negotiate(accept)
    assert (chosen.solutions and chosen.solutions.media_type) == solutions
    assert (chosen.graph and chosen.graph.media_type) == graph


def test_nothing_acceptable_is_refused() -> None:
    with pytest.raises(NotAcceptable):
        negotiate("image/png, text/html")
    with pytest.raises(NotAcceptable):
        negotiate("text/csv", kinds=(GRAPH,))


def test_the_table_has_every_format_the_protocol_needs() -> None:
    by_kind = {(f.kind, f.name) for f in MEDIA_FORMATS}
    assert {(SOLUTIONS, n) for n in ("json", "xml", "csv", "tsv")} <= by_kind
    assert {(GRAPH, n) for n in ("turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld")} <= by_kind
