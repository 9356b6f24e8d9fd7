"""``?format=csv|tsv|json|xml`` on ``/sparql``: a link or ``pandas.read_csv(url)`` gets the format without an Accept header.

The format is read by the ``/sparql`` route both server modes share; the
tests marked ``both_modes`` run on both (one process with query workers, and
``conflictkg serve --readers 2``, whose readers answer GET and POST-form
queries themselves), the rest on the default mode.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import httpx
import pytest

pytestmark = pytest.mark.server

LABELS = "SELECT ?s ?label WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } } ORDER BY ?label"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/g1> { ?s ?p ?o } }"
SDF, IS = "http://example.org/sdf", "http://example.org/isis"


def link(server, query: str, fmt: str) -> str:
    return f"{server.sparql}?{urlencode({'query': query, 'format': fmt})}"


@pytest.mark.both_modes
def test_pandas_read_csv_reads_a_link_with_format_csv(server) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(link(server, LABELS, "csv"))
    assert list(frame.columns) == ["s", "label"]
    assert frame.to_dict("records") == [
        {"s": IS, "label": "Islamic State"},
        {"s": SDF, "label": "Syrian Democratic Forces"},
    ]


@pytest.mark.parametrize(
    ("fmt", "content_type", "first_line"),
    [
        ("csv", "text/csv; charset=utf-8", "s,label"),
        ("tsv", "text/tab-separated-values; charset=utf-8", "?s\t?label"),
        ("CSV", "text/csv; charset=utf-8", "s,label"),
        ("text/csv", "text/csv; charset=utf-8", "s,label"),
    ],
)
def test_format_picks_the_text_formats_without_an_accept_header(server, fmt, content_type, first_line) -> None:
    r = httpx.get(link(server, LABELS, fmt), timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    assert r.text.splitlines()[0] == first_line
    assert len(r.text.splitlines()) == 3


def test_format_json_is_sparql_json(server) -> None:
    r = httpx.get(link(server, LABELS, "json"), timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert [b["label"]["value"] for b in r.json()["results"]["bindings"]] == ["Islamic State", "Syrian Democratic Forces"]


def test_format_xml_is_sparql_xml(server) -> None:
    r = httpx.get(link(server, LABELS, "xml"), timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literals = [e.text for e in ET.fromstring(r.content).findall(".//r:binding[@name='label']/r:literal", ns)]
    assert literals == ["Islamic State", "Syrian Democratic Forces"]


def test_format_wins_over_the_accept_header(server) -> None:
    r = httpx.get(link(server, LABELS, "csv"), headers={"Accept": "application/sparql-results+xml"}, timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.both_modes
def test_format_in_a_post_form_or_in_the_url_of_a_post(server) -> None:
    in_form = httpx.post(server.sparql, data={"query": LABELS, "format": "tsv"}, timeout=10)
    in_url = httpx.post(server.sparql, params={"format": "tsv"}, data={"query": LABELS}, timeout=10)
    direct = httpx.post(server.sparql, params={"format": "tsv"}, content=LABELS.encode(),
                        headers={"Content-Type": "application/sparql-query"}, timeout=10)
    for r in (in_form, in_url, direct):
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
        assert r.text.splitlines()[0] == "?s\t?label"


def test_format_json_and_xml_on_a_construct_are_json_ld_and_rdf_xml(server) -> None:
    jsonld = httpx.get(link(server, CONSTRUCT, "json"), timeout=10)
    rdfxml = httpx.get(link(server, CONSTRUCT, "xml"), timeout=10)
    assert (jsonld.status_code, jsonld.headers["content-type"]) == (200, "application/ld+json")
    assert (rdfxml.status_code, rdfxml.headers["content-type"]) == (200, "application/rdf+xml")
    assert SDF in jsonld.text and SDF in rdfxml.text


def test_an_unknown_format_is_400_naming_the_parameter_and_the_choices(server) -> None:
    r = httpx.get(link(server, LABELS, "xlsx"), timeout=10)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["error"]["parameter"] == "format"
    assert "'xlsx'" in body["error"]["message"] and "csv" in body["error"]["message"]


def test_format_csv_on_a_construct_is_406(server) -> None:
    r = httpx.get(link(server, CONSTRUCT, "csv"), timeout=10)
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/json"


def test_format_repeated_as_a_name_and_its_media_type_is_one_format(server) -> None:
    # SPARQLWrapper sends format=tsv and format=text/tab-separated-values in one URL.
    url = f"{server.sparql}?{urlencode([('query', LABELS), ('format', 'tsv'), ('format', 'text/tab-separated-values')])}"
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text.splitlines()[0] == "?s\t?label"


def test_format_naming_two_formats_is_a_400_naming_the_parameter(server) -> None:
    url = f"{server.sparql}?{urlencode([('query', LABELS), ('format', 'csv'), ('format', 'json')])}"
    response = httpx.get(url)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["parameter"] == "format"
