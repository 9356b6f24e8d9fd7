from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from conflictkg.graph.errors import UnsupportedFormat
from conflictkg.graph.networks.exports import export_network, export_store_network, timeline_graph
from conflictkg.graph.networks.ties import load_ties
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ID

FIXTURE = Path(__file__).parents[2] / "fixtures" / "alliances.trig"
US, SDF = str(ID["actor/us"]), str(ID["actor/sdf"])


@pytest.fixture(scope="module")
def timeline() -> nx.Graph:
    s = Store()
    s.load([FIXTURE])
    return timeline_graph(load_ties(s))


def test_timeline_shows_the_us_sdf_tie_turning_negative(timeline: nx.Graph) -> None:
    assert timeline[US][SDF]["timeline"] == [(1, "2017-06-06", "2026-01-09"), (-1, "2026-01-10", "2026-01-10")]
    assert timeline[US][SDF]["sign"] == -1


def test_gexf_reads_back_to_the_same_dynamic_graph(timeline: nx.Graph) -> None:
    data, media_type = export_network(timeline, "gexf")
    assert media_type == "application/gexf+xml"
    back = nx.read_gexf(io.BytesIO(data))
    assert back.graph["mode"] == "dynamic"
    assert set(back.nodes) == set(timeline.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in timeline.edges}
    for n, d in timeline.nodes(data=True):
        assert back.nodes[n]["label"] == d["label"] and back.nodes[n]["kind"] == d["kind"]
        assert back.nodes[n]["spells"] == [(d["start"], d["end"])]
    for u, v, d in timeline.edges(data=True):
        got = back[u][v]
        assert got["sign"] == [tuple(x) for x in d["timeline"]]
        assert got["spells"] == [(lo, hi) for _, lo, hi in d["timeline"]]
        assert got["weight"] == d["weight"] and got["kind"] == d["kind"]


def test_graphml_reads_back_to_the_same_graph(timeline: nx.Graph) -> None:
    data, media_type = export_network(timeline, "graphml")
    assert media_type == "application/graphml+xml"
    back = nx.read_graphml(io.BytesIO(data))
    assert set(back.nodes) == set(timeline.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in timeline.edges}
    for u, v, d in timeline.edges(data=True):
        got = back[u][v]
        assert (got["sign"], got["start"], got["end"], got["kind"]) == (d["sign"], d["start"], d["end"], d["kind"])
        assert [tuple(x) for x in json.loads(got["timeline"])] == d["timeline"]
    for n, d in timeline.nodes(data=True):
        assert back.nodes[n]["label"] == d["label"] and back.nodes[n]["aliases"] == "; ".join(d["aliases"])


def test_cytoscape_elements_carry_time_attributes(timeline: nx.Graph) -> None:
    data, media_type = export_network(timeline, "cytoscape")
    doc = json.loads(data)
    assert media_type == "application/json"
    edge = next(e["data"] for e in doc["elements"]["edges"] if {e["data"]["source"], e["data"]["target"]} == {US, SDF})
    assert edge["start"] == "2017-06-06" and edge["timeline"][-1] == [-1, "2026-01-10", "2026-01-10"]
    node = next(n["data"] for n in doc["elements"]["nodes"] if n["data"]["id"] == US)
    assert node["name"] == "United States"
    assert nx.cytoscape_graph(doc).number_of_edges() == timeline.number_of_edges()


def test_node_link_reads_back(timeline: nx.Graph) -> None:
    data, _ = export_network(timeline, "node-link")
    back = nx.node_link_graph(json.loads(data), edges="edges")
    assert set(back.edges) == set(timeline.edges) or {frozenset(e) for e in back.edges} == {frozenset(e) for e in timeline.edges}
    assert back[US][SDF]["timeline"][0] == [1, "2017-06-06", "2026-01-09"]


def test_unknown_export_format_is_named() -> None:
    with pytest.raises(UnsupportedFormat, match="gexf, graphml, cytoscape, node-link"):
        export_store_network(Store(), "pajek")
