"""The SPARQL 1.1 Protocol on a live server, with real clients: httpx, SPARQLWrapper, rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

# The protocol is what both server modes must agree on: it runs against each.
pytestmark = [pytest.mark.server, pytest.mark.both_modes]

EX = "http://example.org/"
LABELS = "SELECT ?s ?label WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } } ORDER BY ?label"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/g1> { ?s ?p ?o } }"


def get(server, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return httpx.get(server.sparql, params={"query": query, **params}, headers=headers, timeout=10)


# -- the three ways to send a query ------------------------------------------


def test_get_post_form_and_direct_post_give_the_same_answer(server) -> None:
    by_get = get(server, LABELS)
    by_form = httpx.post(server.sparql, data={"query": LABELS}, timeout=10)
    by_body = httpx.post(server.sparql, content=LABELS.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=10)
    assert [r.status_code for r in (by_get, by_form, by_body)] == [200, 200, 200]
    assert by_get.headers["content-type"] == "application/sparql-results+json"
    assert by_get.json() == by_form.json() == by_body.json()
    labels = [b["label"]["value"] for b in by_get.json()["results"]["bindings"]]
    assert labels == ["Islamic State", "Syrian Democratic Forces"]


def test_default_graph_uri_makes_a_named_graph_the_default_graph(server) -> None:
    query = "SELECT ?s WHERE { ?s <http://example.org/hostileTo> ?o }"
    without = get(server, query).json()["results"]["bindings"]
    with_g2 = get(server, query, **{"default-graph-uri": EX + "g2"}).json()["results"]["bindings"]
    assert without == []
    assert [b["s"]["value"] for b in with_g2] == [EX + "sdf"]


def test_named_graph_uri_limits_the_graphs_graph_patterns_see(server) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.post(server.sparql, data={"query": query, "named-graph-uri": EX + "g2"}, timeout=10)
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [EX + "g2"]


def test_direct_post_takes_the_dataset_from_the_url(server) -> None:
    r = httpx.post(
        server.sparql, params={"default-graph-uri": EX + "g2"},
        content=b"ASK { ?s <http://example.org/hostileTo> ?o }", headers={"Content-Type": "application/sparql-query"}, timeout=10,
    )
    assert r.json() == {"head": {}, "boolean": True}


# -- content negotiation -----------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/turtle, text/*;q=0.5", "text/csv; charset=utf-8"),
    ],
)
def test_select_results_come_in_the_negotiated_format(server, accept, content_type) -> None:
    r = get(server, LABELS, accept)
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    body = r.text
    if "json" in content_type:
        rows = [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]
    elif "xml" in content_type:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        rows = [lit.text for lit in ET.fromstring(body).iter(ns + "literal")]
    elif "csv" in content_type:
        rows = [row["label"] for row in csv.DictReader(io.StringIO(body))]
    else:
        lines = body.splitlines()
        assert lines[0] == "?s\t?label"
        rows = [line.split("\t")[1].strip('"') for line in lines[1:]]
    assert rows == ["Islamic State", "Syrian Democratic Forces"]


@pytest.mark.parametrize(
    ("accept", "content_type", "rdflib_format"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/n-quads", "application/n-quads", "nquads"),
        ("application/trig", "application/trig", "trig"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/sparql-results+json;q=1, application/rdf+xml;q=0.5", "application/rdf+xml", "xml"),
    ],
)
def test_construct_results_come_in_the_negotiated_rdf_format(server, accept, content_type, rdflib_format) -> None:
    r = get(server, CONSTRUCT, accept)
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    graph = rdflib.Dataset() if rdflib_format in ("nquads", "trig") else rdflib.Graph()
    graph.parse(data=r.content, format=rdflib_format)
    labels = sorted(str(o) for o in graph.objects(None, rdflib.RDFS.label))
    assert labels == ["Islamic State", "Syrian Democratic Forces"]


def test_describe_is_a_graph_result(server) -> None:
    r = get(server, "DESCRIBE <http://example.org/sdf> FROM <http://example.org/g1>", "application/n-triples")
    assert r.status_code == 200
    assert '"Syrian Democratic Forces"' in r.text


def test_ask_answers_json_and_xml(server) -> None:
    assert get(server, "ASK { GRAPH ?g { ?s ?p ?o } }").json() == {"head": {}, "boolean": True}
    xml = get(server, "ASK { GRAPH ?g { ?s <urn:none> ?o } }", "application/sparql-results+xml").text
    assert ET.fromstring(xml).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


def test_an_unsupported_accept_is_406(server) -> None:
    r = get(server, LABELS, "image/png")
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]["code"] == "not_acceptable"


def test_a_graph_format_for_a_select_query_is_406(server) -> None:
    r = get(server, LABELS, "text/turtle")
    assert r.status_code == 406
    assert "SELECT/ASK" in r.json()["error"]["message"]


def test_q_zero_refuses_a_format(server) -> None:
    r = get(server, LABELS, "application/sparql-results+json;q=0, text/csv;q=0.1")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"


# -- errors ------------------------------------------------------------------


def test_a_malformed_query_is_400_with_line_and_column(server) -> None:
    r = get(server, "SELECT ?s\nWHERE { ?s ?p }")
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "query_syntax"
    # Oxigraph points past "?p", at the closing brace where an object was expected.
    assert error["line"] == 2 and error["column"] >= 14
    assert f"2:{error['column']}" in error["message"]


def test_two_query_parameters_are_400(server) -> None:
    r = httpx.get(server.sparql, params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]["parameter"] == "query"


def test_two_query_fields_in_a_form_are_400(server) -> None:
    r = httpx.post(server.sparql, content=b"query=ASK%7B%7D&query=ASK%7B%7D",
                   headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert r.status_code == 400


def test_a_non_utf8_query_body_is_400(server) -> None:
    r = httpx.post(server.sparql, content=b"ASK { ?s ?p \"\xff\xfe\" }", headers={"Content-Type": "application/sparql-query"}, timeout=10)
    assert r.status_code == 400
    assert "UTF-8" in r.json()["error"]["message"]


def test_a_non_utf8_percent_encoded_query_is_400(server) -> None:
    r = httpx.get(server.sparql + "?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D", timeout=10)
    assert r.status_code == 400


def test_a_wrong_media_type_is_415(server) -> None:
    r = httpx.post(server.sparql, content=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_format"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_a_wrong_method_is_405(server, method) -> None:
    r = httpx.request(method, server.sparql, params={"query": "ASK {}"}, timeout=10)
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_an_update_by_get_is_400(server) -> None:
    r = httpx.get(server.sparql, params={"update": "CLEAR ALL"}, timeout=10)
    assert r.status_code == 400


def test_a_body_over_the_cap_is_413_before_the_query_runs(server) -> None:
    query = "ASK { FILTER(\"" + "x" * (70 * 1024) + "\" != \"\") }"
    r = httpx.post(server.sparql, content=query.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=10)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "request_too_large"


# -- service description and page ----------------------------------------------


def test_get_without_a_query_is_a_service_description_for_rdf_clients(server) -> None:
    r = httpx.get(server.sparql, headers={"Accept": "text/turtle"}, timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = g.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert str(g.value(service, SD.endpoint)) == server.sparql
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert SD.BasicFederatedQuery not in set(g.objects(service, SD.feature))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in set(g.objects(service, SD.resultFormat))


def test_get_without_a_query_is_the_query_page_for_browsers(server) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = httpx.get(server.sparql, headers={"Accept": accept}, timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "yasgui.min.js" in r.text


def test_cors_allows_only_the_configured_origin_and_never_credentials(server) -> None:
    allowed = httpx.get(server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://analyst.example"}, timeout=10)
    other = httpx.get(server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"}, timeout=10)
    assert allowed.headers["access-control-allow-origin"] == "https://analyst.example"
    assert "access-control-allow-credentials" not in allowed.headers
    assert "access-control-allow-origin" not in other.headers


# -- real SPARQL clients -------------------------------------------------------


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_reads_every_result_format(server, fmt) -> None:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(LABELS)
    client.setReturnFormat(fmt)
    result = client.query().convert()
    if fmt == JSON:
        labels = [b["label"]["value"] for b in result["results"]["bindings"]]
    elif fmt == XML:
        labels = [lit.firstChild.data for lit in result.getElementsByTagName("literal")]
    else:
        text = result.decode("utf-8")
        sep = "," if fmt == CSV else "\t"
        labels = [line.split(sep)[1].strip('"') for line in text.splitlines()[1:]]
    assert labels == ["Islamic State", "Syrian Democratic Forces"]


def test_sparqlwrapper_posts_and_reads_a_construct(server) -> None:
    client = SPARQLWrapper(server.sparql)
    client.setMethod("POST")
    client.setQuery(CONSTRUCT)
    client.setReturnFormat("turtle")
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 4


def test_rdflib_sparqlstore_queries_the_endpoint(server) -> None:
    store = SPARQLStore(server.sparql, returnFormat="json")
    graph = rdflib.ConjunctiveGraph(store=store) if hasattr(rdflib, "ConjunctiveGraph") else rdflib.Dataset(store=store)
    rows = list(graph.query(LABELS))
    assert [str(r.label) for r in rows] == ["Islamic State", "Syrian Democratic Forces"]
    assert graph.query("ASK { GRAPH ?g { ?s ?p ?o } }").askAnswer is True
    store.close()


def test_a_result_bigger_than_a_chunk_streams_whole(server) -> None:
    # 900 rows of 2000 characters: past the 1 MiB point where workers start streaming.
    query = (
        'SELECT ?n ?text WHERE { VALUES ?n { ' + " ".join(map(str, range(900))) + ' } '
        'BIND("0123456789" AS ?a) BIND(CONCAT(?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a) AS ?b) '
        'BIND(CONCAT(?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b) AS ?c) BIND(CONCAT(?c, ?c) AS ?text) }'
    )
    for accept in ("application/sparql-results+json", "text/tab-separated-values"):
        r = httpx.post(server.sparql, data={"query": query}, headers={"Accept": accept}, timeout=30)
        assert r.status_code == 200
        assert "content-length" not in r.headers  # streamed, chunked
        assert len(r.content) > 1024 * 1024
        if "json" in accept:
            rows = r.json()["results"]["bindings"]
            assert [int(b["n"]["value"]) for b in rows] == list(range(900))
            assert {len(b["text"]["value"]) for b in rows} == {2000}
        else:
            assert len(r.text.splitlines()) == 901


def test_predeclared_prefixes_work_beside_the_query_s_own_declarations(server) -> None:
    # The prefix table goes to Oxigraph only when the query uses a prefix it does not declare.
    own = "PREFIX l: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s WHERE { GRAPH ?g { ?s l:label 'Islamic State' } }"
    mixed = "PREFIX l: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s WHERE { GRAPH ?g { ?s rdfs:label ?x FILTER(?x = 'Islamic State') } }"
    moved = "PREFIX rdfs: <http://example.org/not-rdfs#> SELECT ?s WHERE { GRAPH ?g { ?s rdfs:label ?x } }"
    answers = [httpx.post(server.sparql, data={"query": q}, timeout=10) for q in (own, mixed, moved)]
    assert [r.status_code for r in answers] == [200, 200, 200], [r.text for r in answers]
    found = [[b["s"]["value"] for b in r.json()["results"]["bindings"]] for r in answers]
    assert found[0] == found[1] and len(found[0]) == 1
    assert found[2] == []  # the query's own declaration wins over the predeclared one
