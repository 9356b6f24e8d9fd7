"""What a plain query sees on the seed store, over HTTP (both server modes) and the CLI: facts, never claims."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conflictkg.graph.knowledge.seed import build_seed
from conflictkg.graph.sparql.saved import QUERIES_DIR
from conflictkg.graph.store import Store

from .conftest import MODES, LiveServer, start_server, stop_server

CLI = Path(sys.executable).parent / "conflictkg"
ID = "https://w3id.org/conflictkg/id/"
CK = "https://w3id.org/conflictkg/ontology#"
G = "https://w3id.org/conflictkg/graph/"
JSON = "application/sparql-results+json"

FACILITIES = "SELECT ?label WHERE { ?x a ck:DetentionFacility ; rdfs:label ?label } ORDER BY ?label"
PRISONS = "SELECT ?x WHERE { ?x a ck:Prison }"
# Each exists only in a claim graph: the siege, the overcrowding, the accusation's content.
CLAIM_ONLY = {
    "siege": "ASK { ?e a ck:Siege }",
    "overcrowding": "ASK { ?place ck:condition ck:Overcrowding }",
    "accusation content": "ASK { actor:us-led-coalition ck:failedToActIn ?event }",
}


@pytest.fixture(scope="module", params=MODES)
def seeded_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("seeded"), request.param, seeded=True, queries_dir=str(QUERIES_DIR))
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def seeded_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "store"
    with Store(folder) as store:
        build_seed(store)
    return folder


def values(response: httpx.Response, name: str) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON
    return [b[name]["value"] for b in response.json()["results"]["bindings"] if name in b]


def ask(server: LiveServer, query: str, **params: str) -> bool:
    r = httpx.get(server.sparql, params={"query": query, **params}, headers={"Accept": JSON}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == JSON
    return r.json()["boolean"]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(CLI), "--store", str(folder), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def cli_rows(folder: Path, *args: str) -> list[dict[str, str]]:
    body = json.loads(cli(folder, "query", *args, "--format", "json").stdout)
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


# -- over HTTP -------------------------------------------------------------------


def test_a_plain_pattern_finds_the_prison_and_al_hol_over_http(seeded_server: LiveServer) -> None:
    r = httpx.get(seeded_server.sparql, params={"query": FACILITIES}, headers={"Accept": JSON}, timeout=30)
    assert values(r, "label") == ["Al-Aqtaan Prison", "Al-Hol camp"]
    r = httpx.get(seeded_server.sparql, params={"query": PRISONS}, headers={"Accept": JSON}, timeout=30)
    assert values(r, "x") == [ID + "place/al-aqtaan-prison"]


@pytest.mark.parametrize("what", sorted(CLAIM_ONLY))
def test_a_plain_pattern_never_reads_a_claim_over_http(seeded_server: LiveServer, what: str) -> None:
    assert ask(seeded_server, CLAIM_ONLY[what]) is False
    # … which GRAPH ?g and the claim metadata still reach.
    reached = CLAIM_ONLY[what].replace("ASK {", "ASK { GRAPH g:meta { ?g a ck:Claim } GRAPH ?g {", 1) + " }"
    assert ask(seeded_server, reached) is True


def test_raw_dataset_and_default_graph_uri_give_other_datasets_over_http(seeded_server: LiveServer) -> None:
    # The seed keeps nothing in the stored default graph: raw, a plain pattern finds nothing.
    assert ask(seeded_server, PRISONS.replace("SELECT ?x WHERE", "ASK")) is True
    assert ask(seeded_server, PRISONS.replace("SELECT ?x WHERE", "ASK"), **{"raw-dataset": "true"}) is False
    assert ask(seeded_server, CLAIM_ONLY["siege"], **{"default-graph-uri": G + "al-aqtaan/claim/government-forces-besieged-prison"}) is True
    r = httpx.get(seeded_server.sparql, params={"query": "ASK {}", "raw-dataset": "maybe"}, timeout=30)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]["parameter"] == "raw-dataset"


def test_cooperates_now_leaves_out_sdf_and_the_coalition_but_2018_has_them_over_http(seeded_server: LiveServer) -> None:
    now = httpx.get(seeded_server.url + "/queries/cooperation-at", headers={"Accept": JSON}, timeout=30)
    assert values(now, "partyA") == []
    then = httpx.get(seeded_server.url + "/queries/cooperation-at", params={"at": "2018-06-01"}, headers={"Accept": JSON}, timeout=30)
    assert list(zip(values(then, "partyA"), values(then, "partyB"))) == [(ID + "actor/sdf", ID + "actor/us-led-coalition")]
    assert values(then, "endClaim") == [G + "al-aqtaan/claim/collaboration-crumbled"]


def test_why_the_prison_is_in_syria_names_the_rule_and_both_premises_over_http(seeded_server: LiveServer) -> None:
    r = httpx.get(seeded_server.url + "/queries/why", headers={"Accept": JSON}, timeout=30)
    assert set(values(r, "rule")) == {ID + "rule/prp-trp"}
    rows = r.json()["results"]["bindings"]
    premises = {(b["premiseSubject"]["value"], b["premisePredicate"]["value"], b["premiseObject"]["value"], b["premiseGraph"]["value"]) for b in rows}
    assert premises == {
        (ID + "place/al-aqtaan-prison", CK + "locatedIn", ID + "place/northeast-syria", G + "al-aqtaan/entities"),
        (ID + "place/northeast-syria", CK + "locatedIn", ID + "place/syria", G + "al-aqtaan/entities"),
        (CK + "locatedIn", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/2002/07/owl#TransitiveProperty", G + "ontology"),
    }


# -- on the command line -----------------------------------------------------------


def test_a_plain_pattern_finds_the_prison_and_al_hol_on_the_cli(seeded_folder: Path) -> None:
    assert [r["label"] for r in cli_rows(seeded_folder, FACILITIES)] == ["Al-Aqtaan Prison", "Al-Hol camp"]
    assert cli_rows(seeded_folder, FACILITIES, "--raw-dataset") == []


@pytest.mark.parametrize("what", sorted(CLAIM_ONLY))
def test_a_plain_pattern_never_reads_a_claim_on_the_cli(seeded_folder: Path, what: str) -> None:
    assert cli(seeded_folder, "query", CLAIM_ONLY[what]).stdout.strip() == "false"


def test_cooperates_now_and_in_2018_on_the_cli(seeded_folder: Path) -> None:
    assert cli_rows(seeded_folder, "--saved", "cooperation-at") == []
    rows = cli_rows(seeded_folder, "--saved", "cooperation-at", "--param", "at=2018-06-01")
    assert [(r["partyA"], r["partyB"]) for r in rows] == [(ID + "actor/sdf", ID + "actor/us-led-coalition")]


def test_why_al_hol_is_a_detention_facility_on_the_cli(seeded_folder: Path) -> None:
    rows = cli_rows(
        seeded_folder, "--saved", "why", "--param", f"subject={ID}place/al-hol-camp",
        "--param", f"predicate=http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "--param", f"object={CK}DetentionFacility",
    )
    assert {r["rule"] for r in rows} == {ID + "rule/cax-sco"}
    premises = {(r["premiseSubject"], r["premiseObject"], r["premiseGraph"]) for r in rows}
    assert premises == {
        (ID + "place/al-hol-camp", CK + "DetentionCamp", G + "al-aqtaan/entities"),
        (CK + "DetentionCamp", CK + "DetentionFacility", G + "ontology"),
    }
