"""Saved queries over HTTP and the CLI: listed, run with parameters bound as RDF terms, never spliced."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conflictkg.graph.store import Store

pytestmark = pytest.mark.server

QUERIES = Path(__file__).parent.parent / "fixtures" / "queries"
INJECTION = 'x" } ; DROP ALL #'


def test_the_list_has_title_description_and_parameters(server) -> None:
    r = httpx.get(server.url + "/queries", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    by_name = {q["name"]: q for q in r.json()["queries"]}
    assert sorted(by_name) == sorted(p.stem for p in QUERIES.glob("*.rq"))
    hostile = by_name["hostile_to"]
    assert hostile["title"] == "Who is hostile to an actor"
    assert hostile["description"].startswith("Actors hostile to the given one")
    assert hostile["parameters"] == [
        {"name": "graph", "type": "iri", "required": False, "default": None},
        {"name": "target", "type": "iri", "required": True, "default": None},
    ]
    assert by_name["armed_groups"]["tags"] == ["actors"]


def test_a_saved_query_runs_with_its_parameters(server) -> None:
    r = httpx.get(server.url + "/queries/hostile_to", params={"target": "http://example.org/isis"}, timeout=10)
    assert r.status_code == 200
    rows = r.json()["results"]["bindings"]
    assert [(b["enemy"]["value"], b["g"]["value"]) for b in rows] == [("http://example.org/sdf", "http://example.org/g2")]
    other = httpx.get(server.url + "/queries/hostile_to", params={"target": "http://example.org/isis", "graph": "http://example.org/g1"}, timeout=10)
    assert other.json()["results"]["bindings"] == []


def test_a_string_parameter_is_a_literal(server) -> None:
    r = httpx.get(server.url + "/queries/actor_by_label", params={"label": "Islamic State"}, headers={"Accept": "text/csv"}, timeout=10)
    assert r.text.splitlines() == ["actor", "http://example.org/isis"]


def test_a_typed_parameter_and_its_default(server) -> None:
    default = httpx.get(server.url + "/queries/labels_limited", headers={"Accept": "text/csv"}, timeout=10)
    longer = httpx.get(server.url + "/queries/labels_limited", params={"min_length": "13"}, headers={"Accept": "text/csv"}, timeout=10)
    assert default.text.splitlines() == ["label", "Islamic State", "Syrian Democratic Forces"]
    assert longer.text.splitlines() == ["label", "Syrian Democratic Forces"]
    bad = httpx.get(server.url + "/queries/labels_limited", params={"min_length": "ten"}, timeout=10)
    assert bad.status_code == 400
    assert bad.json()["error"]["parameter"] == "min_length"


def test_an_injection_attempt_is_just_a_string(server) -> None:
    r = httpx.get(server.url + "/queries/actor_by_label", params={"label": INJECTION}, timeout=10)
    assert r.status_code == 200
    assert r.json()["results"]["bindings"] == []
    still = httpx.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}, timeout=10)
    assert still.json()["results"]["bindings"][0]["n"]["value"] == "5"


@pytest.mark.parametrize("value", ["http://example.org/x> } ; DROP ALL #", "not an iri", "http://exa mple.org/"])
def test_an_iri_parameter_that_is_not_an_iri_is_400(server, value) -> None:
    r = httpx.get(server.url + "/queries/hostile_to", params={"target": value}, timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]["parameter"] == "target"


def test_missing_unknown_and_repeated_parameters_are_400(server) -> None:
    missing = httpx.get(server.url + "/queries/hostile_to", timeout=10)
    unknown = httpx.get(server.url + "/queries/hostile_to", params={"target": "http://example.org/isis", "colour": "red"}, timeout=10)
    repeated = httpx.get(server.url + "/queries/hostile_to", params=[("target", "http://a.example/"), ("target", "http://b.example/")], timeout=10)
    assert [r.status_code for r in (missing, unknown, repeated)] == [400, 400, 400]
    assert "needs the parameter 'target'" in missing.json()["error"]["message"]
    assert unknown.json()["error"]["parameter"] == "colour"


def test_an_unknown_saved_query_is_404(server) -> None:
    for name in ("nope", "..%2Fsecret", "sparql"):
        r = httpx.get(server.url + "/queries/" + name, timeout=10)
        assert r.status_code == 404


def test_the_cli_runs_a_saved_query_with_params(tmp_path) -> None:
    folder = tmp_path / "store"
    with Store(folder) as store:
        store.load([QUERIES.parent / "small.trig"])
    env = {"CONFLICTKG_QUERIES_DIR": str(QUERIES), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [str(Path(sys.executable).parent / "conflictkg"), "--store", str(folder), "query", "--saved", "actor_by_label",
         "--param", "label=Syrian Democratic Forces", "--format", "csv"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["actor", "http://example.org/sdf"]
    injected = subprocess.run(
        [str(Path(sys.executable).parent / "conflictkg"), "--store", str(folder), "query", "--saved", "actor_by_label",
         "--param", f"label={INJECTION}", "--format", "csv"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert injected.stdout.splitlines() == ["actor"]
    with Store(folder) as store:
        assert store.count() == 5
