"""``/review`` over HTTP on a live server (one process, and a writer with readers): behind the token, one JSON shape."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow]

REPORT = Path(__file__).parent.parent / "fixtures" / "reports" / "ghweiran-prison-siege.txt"
SLUG = "ghweiran"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_review_needs_the_token_and_a_rejected_request_changes_nothing(writable, token) -> None:
    r = httpx.get(writable.url + "/review", timeout=10)
    assert r.status_code == 401 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["code"] == "unauthorized"
    r = httpx.post(writable.url + "/review", params={"slug": SLUG}, content=REPORT.read_bytes(),
                   headers={"content-type": "text/plain", "Authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = httpx.get(writable.url + "/review", headers=auth(token), timeout=10)
    assert r.status_code == 200 and r.json() == []


def test_bad_reports_are_refused_naming_the_problem(writable, token) -> None:
    cases = [
        (b"", "text/plain", 400, "the report is empty"),
        (b"\x00\x01\x02", "text/plain", 400, "binary file"),
        ("d\u00e9tenus".encode("latin-1"), "text/plain", 400, "not UTF-8"),
        (b"words", "application/pdf", 415, "send the report as"),
    ]
    for body, ctype, status, message in cases:
        r = httpx.post(writable.url + "/review", params={"slug": SLUG}, content=body,
                       headers={"content-type": ctype, **auth(token)}, timeout=30)
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/json" and message in r.json()["error"]["message"]
    assert httpx.get(writable.url + "/review", headers=auth(token), timeout=10).json() == []


def test_ingest_show_edit_accept_and_the_facts_are_served(writable, token) -> None:
    r = httpx.post(writable.url + "/review", params={"slug": SLUG, "title": "Ghweiran prison siege", "published": "2022-01-31"},
                   content=REPORT.read_bytes(), headers={"content-type": "text/plain; charset=utf-8", **auth(token)},
                   timeout=120)
    assert r.status_code == 201 and r.headers["content-type"] == "application/json", r.text
    body = r.json()
    assert body["report"] == SLUG and body["graph"] == "https://w3id.org/conflictkg/graph/pending/ghweiran"
    assert body["candidates"]["quantity"] >= 4 and body["candidates"]["claim"] >= 2

    [row] = httpx.get(writable.url + "/review", headers=auth(token), timeout=10).json()
    assert row["report"] == SLUG and row["title"] == "Ghweiran prison siege" and row["candidates"] == body["candidates"]

    shown = httpx.get(writable.url + f"/review/{SLUG}", headers=auth(token), timeout=10)
    assert shown.status_code == 200 and shown.headers["content-type"] == "application/json"
    quantity = next(c for c in shown.json()["candidates"] if c["kind"] == "quantity" and "3,500" in c["label"])
    assert quantity["facts"]["qualifier"] == ["https://w3id.org/conflictkg/ontology#Estimated"]

    bad = httpx.post(writable.url + f"/review/{SLUG}/edit", json={"candidate": quantity["id"], "field": "qualifier",
                                                                 "value": "Lots"}, headers=auth(token), timeout=10)
    assert bad.status_code == 400 and "is not one of" in bad.json()["error"]["message"]
    ok = httpx.post(writable.url + f"/review/{SLUG}/edit", json={"candidate": quantity["id"], "field": "qualifier",
                                                                "value": "Approximately"}, headers=auth(token), timeout=10)
    assert ok.status_code == 200 and ok.json()["value"] == "Approximately"

    # nothing pending is served as a fact
    ask = "ASK { GRAPH ?g { ?q <https://w3id.org/conflictkg/ontology#statedAs> ?w FILTER(CONTAINS(?w, '3,500')) } " \
          "GRAPH <https://w3id.org/conflictkg/graph/meta> { ?g a <https://w3id.org/conflictkg/ontology#FactGraph> } }"
    assert httpx.get(writable.sparql, params={"query": ask}, headers={"Accept": "application/sparql-results+json"},
                     timeout=30).json()["boolean"] is False

    unknown = httpx.post(writable.url + f"/review/{SLUG}/accept", json={"reviewer": "a", "candidates": ["q99"]},
                         headers=auth(token), timeout=10)
    assert unknown.status_code == 404 and "has no candidate q99" in unknown.json()["error"]["message"]
    done = httpx.post(writable.url + f"/review/{SLUG}/accept", json={"reviewer": "analyst-2"}, headers=auth(token),
                      timeout=60)
    assert done.status_code == 200 and done.headers["content-type"] == "application/json"
    assert done.json()["left"] == 0 and done.json()["reviewer"] == "analyst-2"
    # a query sent after the answer sees the accepted fact, on any reader, with its edited qualifier
    ask_q = "ASK { GRAPH ?g { ?q <https://w3id.org/conflictkg/ontology#qualifier> " \
            "<https://w3id.org/conflictkg/ontology#Approximately> ; <https://w3id.org/conflictkg/ontology#value> 3500.0 } " \
            "GRAPH <https://w3id.org/conflictkg/graph/meta> { ?g a <https://w3id.org/conflictkg/ontology#FactGraph> ; " \
            "<https://w3id.org/conflictkg/ontology#reviewedBy> 'analyst-2' } }"
    for _ in range(3):
        r = httpx.get(writable.sparql, params={"query": ask_q}, headers={"Accept": "application/sparql-results+json"},
                      timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is True
    assert httpx.get(writable.url + "/review", headers=auth(token), timeout=10).json() == []
    gone = httpx.get(writable.url + f"/review/{SLUG}", headers=auth(token), timeout=10)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


def test_reject_the_whole_report(writable, token) -> None:
    r = httpx.post(writable.url + "/review", params={"slug": "to-reject"}, content=b"Gunmen attacked a prison in Kano on Monday.",
                   headers={"content-type": "text/plain", **auth(token)}, timeout=60)
    assert r.status_code == 201
    done = httpx.post(writable.url + "/review/to-reject/reject", headers=auth(token), timeout=30)
    assert done.status_code == 200 and done.json()["left"] == 0
    assert all(row["report"] != "to-reject" for row in httpx.get(writable.url + "/review", headers=auth(token)).json())
