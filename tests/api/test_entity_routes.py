"""Entities and the explorer's network over HTTP on a live server (a few tests on both serve modes): status, content type, body."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

pytestmark = pytest.mark.server

BASE = "https://w3id.org/conflictkg/"
SDF, COALITION = BASE + "id/actor/sdf", BASE + "id/actor/us-led-coalition"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(server, path: str, **kw) -> httpx.Response:
    return httpx.get(server.url + path, timeout=30, **kw)


@pytest.mark.both_modes
def test_a_browser_gets_the_entity_page(seed_writable) -> None:
    r = get(seed_writable, "/id/actor/sdf", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert f'data-iri="{SDF}"' in r.text and "/static/entity.js" in r.text and r.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("accept", "content_type", "fmt"),
    [("text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
     ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
     ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
     (None, "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE)],
)
def test_rdf_by_content_negotiation_without_claims(seed_writable, accept, content_type, fmt) -> None:
    r = get(seed_writable, "/id/place/al-aqtaan-prison", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"] == content_type and r.headers["vary"] == "Accept"
    triples = list(ox.parse(r.content, format=fmt))
    labels = {t.object.value for t in triples if t.predicate.value.endswith("#label")}
    assert labels == {"Al-Aqtaan Prison"}
    assert all(t.subject.value == BASE + "id/place/al-aqtaan-prison" for t in triples)
    assert not any(t.predicate.value == BASE + "ontology#condition" for t in triples)  # a claim, not a fact


def test_trig_keeps_the_claims_in_their_graphs(seed_writable) -> None:
    r = get(seed_writable, "/id/place/al-aqtaan-prison", headers={"Accept": "application/trig"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/trig"
    quads = list(ox.parse(r.content, format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in quads if q.predicate.value == BASE + "ontology#condition"} == {
        BASE + "graph/al-aqtaan/claim/facilities-overcrowded"}


def test_an_unknown_iri_is_a_404_page_that_says_so(seed_writable) -> None:
    r = get(seed_writable, "/id/actor/nobody-at-all", headers={"Accept": BROWSER})
    assert r.status_code == 404 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert f"Nothing in this store is called <code id=\"missing-iri\">{BASE}id/actor/nobody-at-all</code>" in r.text
    r = get(seed_writable, "/id/actor/nobody-at-all", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["code"] == "not_found" and "nobody-at-all" in r.json()["error"]["message"]


def test_a_claim_graph_is_dereferenceable_too(seed_writable) -> None:
    r = get(seed_writable, "/graph/al-aqtaan/claim/collaboration-crumbled", headers={"Accept": "application/trig"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/trig"
    assert any(q.predicate.value == BASE + "ontology#claimant" for q in ox.parse(r.content, format=ox.RdfFormat.TRIG))


def test_search_finds_isis_for_daesh(seed_writable) -> None:
    r = get(seed_writable, "/entities/search", params={"q": "Daesh"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    first = r.json()["results"][0]
    assert (first["iri"], first["label"], first["kind"], first["href"]) == (BASE + "id/actor/isis", "Islamic State", "ArmedGroup", "/id/actor/isis")


@pytest.mark.both_modes
def test_search_sees_an_update_sent_over_http(seed_writable, token) -> None:
    update = f'INSERT DATA {{ GRAPH <{BASE}graph/test/added> {{ <{BASE}id/actor/new-front> rdfs:label "Nubian Ibex Front" ; a ck:ArmedGroup }} }}'
    r = httpx.post(seed_writable.url + "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 204, r.text
    hit = get(seed_writable, "/entities/search", params={"q": "nubian ibex"}).json()["results"]
    assert [(h["iri"], h["kind"]) for h in hit] == [(BASE + "id/actor/new-front", "ArmedGroup")]
    r = httpx.delete(seed_writable.url + "/store", params={"graph": BASE + "graph/test/added"}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 204
    assert get(seed_writable, "/entities/search", params={"q": "nubian ibex"}).json()["results"] == []


def test_describe_and_neighbourhood_answer_json(seed_writable) -> None:
    r = get(seed_writable, "/entities/describe", params={"iri": BASE + "id/place/al-aqtaan-prison"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    escape = next(e for e in r.json()["events"] if e["label"] == "Al-Aqtaan prison break")
    assert escape["quantities"][0]["text"] == "approximately 120"
    r = get(seed_writable, "/entities/neighbourhood", params={"iri": SDF, "depth": 2, "limit": 200})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert COALITION in {n["data"]["id"] for n in r.json()["elements"]["nodes"]}


@pytest.mark.both_modes
def test_the_network_elements_replay_the_breakdown(seed_writable) -> None:
    r = get(seed_writable, "/network/elements")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    tie = next(e["data"] for e in body["elements"]["edges"] if (e["data"]["source"], e["data"]["target"]) == (SDF, COALITION))
    assert [(s["sign"], s["kind"]) for s in tie["timeline"]] == [(1, "Cooperation"), (-1, "Strain")]
    assert body["breakdowns"][0]["date"] == "2026-01-01" and body["cap"]["truncated"] is False
    r = get(seed_writable, "/network/edge", params={"source": SDF, "target": COALITION, "at": "2026-03-01"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    evidence = r.json()["timeline"][0]["evidence"]
    assert any(e.get("claimant_label") == "the author of the Al-Aqtaan report (not named)" for e in evidence)


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [("/network/elements", {"at": "2026-02-30"}, "at"),
     ("/network/elements", {"window": "-5d"}, "window"),
     ("/network/elements", {"limit": "100000"}, "limit"),
     ("/entities/neighbourhood", {"iri": SDF, "depth": "100"}, "depth"),
     ("/entities/search", {"q": "x" * 10_000}, "q"),
     ("/entities/describe", {"iri": "not an iri"}, "iri"),
     ("/network/edge", {"source": SDF, "target": BASE + "id/actor/turkey"}, "b")],
)
def test_bad_input_is_a_400_naming_the_parameter(seed_writable, path, params, parameter) -> None:
    r = get(seed_writable, path, params=params)
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["parameter"] == parameter


def test_the_json_api_is_documented_in_openapi(seed_writable) -> None:
    spec = get(seed_writable, "/openapi.json").json()
    for path in ("/network/elements", "/network/edge", "/entities/search", "/entities/describe", "/entities/neighbourhood"):
        assert spec["paths"][path]["get"]["summary"], path
    assert {p["name"] for p in spec["paths"]["/network/elements"]["get"]["parameters"]} >= {"at", "start", "end", "kinds", "actor_kinds", "include_claims", "limit", "focus"}
