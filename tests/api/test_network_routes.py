"""``/network/…`` over HTTP, through the app factory with the fixture graph in an in-memory store."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from conflictkg.api.app import create_app
from conflictkg.api.settings import Settings
from conflictkg.graph.knowledge.seed import build_seed
from conflictkg.graph.store import Store

FIXTURE = Path(__file__).parent.parent / "fixtures" / "alliances.trig"
TRIAD_CSV = "source,target,sign\nUS,SDF,1\nUS,Turkey,1\nTurkey,SDF,-1\n"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = Store()
    store.load([FIXTURE])
    app = create_app(Settings(store=":memory:", query_workers=1, max_body_bytes=4096), store=store)
    with TestClient(app) as c:
        yield c


def test_balance_as_of_a_date_answers_the_report(client: TestClient) -> None:
    r = client.get("/network/balance", params={"at": "2020-01-01"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["network"] == "store" and body["at"] == "2020-01-01"
    assert body["triangle_census"] == {"+++": 0, "++-": 1, "+--": 0, "---": 0}
    assert body["frustration_index"] == 1 and body["frustration_exact"] is True
    assert {"nodes", "edges", "positive_edges", "negative_edges", "triangle_index", "walk_index",
            "normalized_frustration", "partition", "frustrated_edges"} <= set(body)


def test_balance_after_the_break_splits_the_sdf_from_us_and_turkey(client: TestClient) -> None:
    body = client.get("/network/balance", params={"at": "2026-02-01", "window": "30d"}).json()
    assert body["frustration_index"] == 0
    assert sorted(body["partition"]) == [["Syrian Democratic Forces"], ["Turkey", "United States"]]


def test_balance_of_a_posted_edge_list(client: TestClient) -> None:
    r = client.post("/network/balance", content=TRIAD_CSV, headers={"content-type": "text/csv"})
    assert r.status_code == 200
    body = r.json()
    assert (body["network"], body["nodes"], body["negative_edges"], body["frustration_index"]) == ("edge list", 3, 1, 1)
    assert body["unbalanced_triads"] == [{"actors": ["SDF", "Turkey", "US"], "signs": "++-"}]


def test_bad_edge_list_is_a_400_naming_the_row(client: TestClient) -> None:
    r = client.post("/network/balance", content="source,target,sign\nUS,SDF,0\n", headers={"content-type": "text/csv"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert error["code"] == "parse_error" and error["line"] == 2 and error["field"] == "sign"
    assert "sign must be 1 or -1" in error["message"]


def test_edge_list_must_be_csv(client: TestClient) -> None:
    r = client.post("/network/balance", content=TRIAD_CSV, headers={"content-type": "application/json"})
    assert r.status_code == 415


def test_bad_date_is_a_400_naming_the_parameter(client: TestClient) -> None:
    r = client.get("/network/balance", params={"at": "last spring"})
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "at"


def test_breakdowns_name_the_pair_date_and_evidence(client: TestClient) -> None:
    r = client.get("/network/breakdowns", params={"window": "90d"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    found = {tuple(b["actors"]): b for b in r.json()["breakdowns"]}
    b = found[("Syrian Democratic Forces", "United States")]
    assert b["date"] == "2026-01-10" and b["after"]["evidence"][0]["kind"] == "Accusation"
    assert b["after"]["evidence"][0]["source_label"] == "Fixture report (made up)"


def test_unknown_breakdown_method_is_a_400(client: TestClient) -> None:
    assert client.get("/network/breakdowns", params={"method": "tea-leaves"}).status_code == 400


@pytest.mark.parametrize(
    "fmt, media_type", [("gexf", "application/gexf+xml"), ("graphml", "application/graphml+xml")]
)
def test_xml_exports_have_their_media_type_and_read_back(client: TestClient, fmt: str, media_type: str) -> None:
    r = client.get("/network/export", params={"format": fmt})
    assert r.status_code == 200 and r.headers["content-type"] == media_type
    G = (nx.read_gexf if fmt == "gexf" else nx.read_graphml)(io.BytesIO(r.content))
    assert G.has_edge("https://w3id.org/conflictkg/id/actor/sdf", "https://w3id.org/conflictkg/id/actor/us")


@pytest.mark.parametrize("fmt", ["cytoscape", "node-link"])
def test_json_exports_carry_time_attributes(client: TestClient, fmt: str) -> None:
    r = client.get("/network/export", params={"format": fmt})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    edges = [e["data"] for e in doc["elements"]["edges"]] if fmt == "cytoscape" else doc["edges"]
    assert all(e["start"] and e["end"] and e["timeline"] for e in edges)


def test_unknown_export_format_is_a_415(client: TestClient) -> None:
    r = client.get("/network/export", params={"format": "pajek"})
    assert r.status_code == 415 and r.json()["error"]["parameter"] == "format"



@pytest.fixture(scope="module")
def seeded_client() -> Iterator[TestClient]:
    """The app on the seed graph (data/al-aqtaan.trig with the ontology and inferences)."""
    store = Store()
    build_seed(store)
    app = create_app(Settings(store=":memory:", query_workers=1, max_body_bytes=4096), store=store)
    with TestClient(app) as c:
        yield c


SEED_SDF = "https://w3id.org/conflictkg/id/actor/sdf"


@pytest.mark.parametrize(
    "at, degree",
    [
        # Cooperation with the US-led coalition (from 2017), Farhad Shami's membership; hostility with ISIS.
        ("2020-01-01", {"pos": 2, "neg": 1, "net": 1, "ratio": 2 / 3}),
        # The strain of January 2026 replaces the cooperation, and hostility with government forces begins.
        ("2026-02-01", {"pos": 1, "neg": 3, "net": -2, "ratio": 0.25}),
    ],
)
def test_centrality_of_the_seed_graph_gives_the_sdf_its_signed_degree_on_the_day(
    seeded_client: TestClient, at: str, degree: dict
) -> None:
    r = seeded_client.get("/network/centrality", params={"at": at})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert (body["network"], body["at"], body["blocs"]["method"]) == ("store", at, "frustration")
    sdf = next(a for a in body["actors"] if a["iri"] == SEED_SDF)
    assert sdf["label"] == "Syrian Democratic Forces" and sdf["signed_degree"] == pytest.approx(degree)
    assert sdf["label"] in body["blocs"]["partition"][sdf["bloc"]]
    assert len(body["actors"]) == body["nodes"]


def test_centrality_of_the_posted_everett_borgatti_edge_list_has_the_published_pn_index(
    client: TestClient, everett_borgatti: nx.Graph, everett_borgatti_pn: list[float]
) -> None:
    csv = "source,target,sign\n" + "".join(f"{u},{v},{s}\n" for u, v, s in everett_borgatti.edges(data="sign"))
    r = client.post("/network/centrality", content=csv, headers={"content-type": "text/csv; charset=utf-8"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert (body["network"], body["at"], body["nodes"]) == ("edge list", None, 10)
    assert body["edges"] == everett_borgatti.number_of_edges()
    pn = {a["label"]: round(a["pn_index"], 6) for a in body["actors"]}
    assert [pn[str(v)] for v in range(1, 11)] == everett_borgatti_pn
    assert [a["label"] for a in body["actors"]][:2] == ["3", "10"]  # 0.907700, 0.907293: highest first
    assert all(a["iri"] is None for a in body["actors"])


def test_centrality_of_two_enemies_alone_answers_a_null_pn_index(client: TestClient) -> None:
    r = client.post("/network/centrality", content="source,target,sign\nUS,SDF,-1\n", headers={"content-type": "text/csv"})
    assert r.status_code == 200
    assert [(a["label"], a["pn_index"]) for a in r.json()["actors"]] == [("SDF", None), ("US", None)]

def test_centrality_of_a_bad_edge_list_is_a_400_naming_the_row(client: TestClient) -> None:
    body = "source,target,sign\nUS,SDF,1\nSDF,US,-1\n"
    r = client.post("/network/centrality", content=body, headers={"content-type": "text/csv"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert (error["code"], error["line"], error["field"]) == ("parse_error", 3, "sign")
    assert "opposite signs" in error["message"]


def test_centrality_edge_list_must_be_csv_and_utf8(client: TestClient) -> None:
    assert client.post("/network/centrality", content=TRIAD_CSV, headers={"content-type": "application/json"}).status_code == 415
    r = client.post("/network/centrality", content=b"source,target,sign\nUS,S\xff,1\n", headers={"content-type": "text/csv"})
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "body"


def test_centrality_edge_list_past_the_body_cap_is_a_413(client: TestClient) -> None:
    body = "source,target,sign\n" + "".join(f"a{i},b{i},1\n" for i in range(600))
    assert client.post("/network/centrality", content=body, headers={"content-type": "text/csv"}).status_code == 413


@pytest.mark.parametrize("params, parameter", [({"at": "last spring"}, "at"), ({"at": "2020-01-01", "window": "soon"}, "window"),
                                               ({"include_claims": "perhaps"}, "include_claims")])
def test_centrality_bad_parameter_is_a_400_naming_it(client: TestClient, params: dict, parameter: str) -> None:
    r = client.get("/network/centrality", params=params)
    assert r.status_code == 400 and r.json()["error"]["parameter"] == parameter


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_words = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2020-01-01", "2026-01-10", "2017", "2019-08", "90d", "0d", "-5d", "12w", "1y", "9999999999d"]),
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(["/network/balance", "/network/centrality", "/network/breakdowns", "/network/export"]),
    params=st.dictionaries(
        st.sampled_from(["at", "window", "hold", "threshold", "method", "until", "format", "include_claims"]),
        _words,
        max_size=4,
    ),
)
def test_any_query_parameters_get_an_answer_never_a_500(client: TestClient, path: str, params: dict) -> None:
    r = client.get(path, params=params)
    assert r.status_code in (200, 400, 413, 415, 422), (path, params, r.text[:200])
    assert "Traceback" not in r.text


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["US", "SDF", "Turkey", "", "a,b", '"q"']), st.sampled_from(["US", "SDF", "Turkey", "x"]),
                  st.sampled_from(["1", "-1", "+1", "0", "", "1.0", "\x00"])),
        max_size=6,
    ),
    header=st.sampled_from(["source,target,sign", "target,source,sign", "source,target", "source,target,sign,note", ""]),
    path=st.sampled_from(["/network/balance", "/network/centrality"]),
)
def test_any_posted_edge_list_gets_a_report_or_a_400(client: TestClient, rows: list, header: str, path: str) -> None:
    body = header + "\n" + "\n".join(",".join(r) for r in rows)
    r = client.post(path, content=body.encode(), headers={"content-type": "text/csv"})
    assert r.status_code in (200, 400, 413), (body, r.text[:200])
    if r.status_code == 400:
        assert r.json()["error"]["code"] == "parse_error"
