"""The SSRF guard refuses SERVICE, LOAD and foreign FROM on the syntax tree, before anything runs."""

from __future__ import annotations

import pytest

from conflictkg.graph.errors import InputError, OutboundRequestRefused, QuerySyntaxError
from conflictkg.graph.sparql.guard import check_dataset, check_query, check_update, query_form

GRAPHS = {"http://example.org/g1", "https://w3id.org/conflictkg/graph/ontology"}


def graphs():
    return GRAPHS


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://10.0.0.1/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVI\\u0043E <http://10.0.0.1/> { ?s ?p ?o } }",
        "PREFIX x: <http://10.0.0.1/> SELECT * WHERE { SERVICE x:sparql { } }",
        "BASE <http://10.0.0.1/> SELECT * WHERE { SERVICE <sparql> { } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { { SELECT * WHERE { MINUS { SERVICE <http://10.0.0.1/> {} } } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { FILTER NOT EXISTS { SERVICE <http://10.0.0.1/> { ?s ?p ?o } } }",
        "SELECT * FROM <http://10.0.0.1/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://10.0.0.1/data.ttl> WHERE { ?s ?p ?o }",
        "ASK FROM <file:///etc/passwd> {}",
    ],
)
def test_outbound_queries_are_refused(query: str) -> None:
    with pytest.raises(OutboundRequestRefused):
        check_query(query, graphs=graphs)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service ?from ?load WHERE { ?service ?from ?load }",
        "SELECT * WHERE { ?s ?p \"SERVICE <http://10.0.0.1/> {}\" }",
        "# SERVICE <http://10.0.0.1/> in a comment\nASK {}",
        "SELECT * FROM <http://example.org/g1> WHERE { ?s ?p ?o }",
        "SELECT * FROM g:ontology WHERE { ?s ?p ?o }",
    ],
)
def test_queries_that_stay_local_pass(query: str) -> None:
    check_query(query, graphs=graphs)


def test_an_allowed_service_prefix_passes_but_file_never_does() -> None:
    check_query("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> {} }", graphs=graphs, allow=["https://query.wikidata.org/"])
    with pytest.raises(OutboundRequestRefused, match="allowed service prefixes"):
        check_query("SELECT * WHERE { SERVICE <https://evil.example/> {} }", graphs=graphs, allow=["https://query.wikidata.org/"])
    with pytest.raises(OutboundRequestRefused, match="local files"):
        check_update("LOAD <file:///etc/passwd>", graphs=graphs, allow=["file:"])


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://10.0.0.1/data.ttl>",
        "LOAD SILENT <http://10.0.0.1/data.ttl> INTO GRAPH <http://example.org/g1>",
        "INSERT DATA { <a:b> <a:c> <a:d> } ; LOAD <file:///etc/passwd>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://10.0.0.1/> { ?s ?p ?o } }",
        "DELETE { ?s ?p ?o } USING <http://10.0.0.1/g> WHERE { ?s ?p ?o }",
    ],
)
def test_outbound_updates_are_refused(update: str) -> None:
    with pytest.raises(OutboundRequestRefused):
        check_update(update, graphs=graphs)


def test_a_local_update_passes() -> None:
    check_update("INSERT DATA { GRAPH <http://example.org/g1> { <a:b> <a:c> <a:d> } }", graphs=graphs)


def test_a_query_the_guard_must_parse_reports_line_and_column() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        check_query("SELECT * FROM <http://example.org/g1>\nWHERE { ?s ?p", graphs=graphs)
    assert caught.value.details["line"] == 2


def test_protocol_dataset_iris_must_be_graphs_in_the_store() -> None:
    check_dataset(["http://example.org/g1"], None, graphs=graphs)
    with pytest.raises(OutboundRequestRefused):
        check_dataset(None, ["http://10.0.0.1/g"], graphs=graphs)
    with pytest.raises(InputError, match="not an absolute IRI"):
        check_dataset(["g1"], None, graphs=graphs)


@pytest.mark.parametrize(("query", "form"), [("ASK {}", "ask"), ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
                                              ("SELECT * {}", "select"), ("DESCRIBE <a:b>", "describe")])
def test_query_form(query: str, form: str) -> None:
    assert query_form(query) == form
