from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from conflictkg.graph.errors import UnsupportedFormat
from conflictkg.graph.networks.exports import edge_id, export_network, export_store_network, timeline_graph
from conflictkg.graph.networks.ties import load_ties
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ID

FIXTURE = Path(__file__).parents[2] / "fixtures" / "alliances.trig"
GEXF_XSD = Path(__file__).parents[2] / "fixtures" / "gexf" / "gexf-1.2draft.xsd"
US, SDF = str(ID["actor/us"]), str(ID["actor/sdf"])


@pytest.fixture(scope="module")
def timeline() -> nx.Graph:
    s = Store()
    s.load([FIXTURE])
    return timeline_graph(load_ties(s))


def test_timeline_shows_the_us_sdf_tie_turning_negative(timeline: nx.Graph) -> None:
    assert timeline[US][SDF]["timeline"] == [(1, "2017-06-06", "2026-01-09"), (-1, "2026-01-10", "2026-01-10")]
    assert [(s["sign"], s["start"], s["end"]) for s in timeline[US][SDF]["spells"]] == [
        (1, "2017-06-06", "2026-01-09"), (-1, "2026-01-10", "2026-01-10")]


def test_top_level_sign_and_kind_are_those_of_the_day_asked_for() -> None:
    s = Store()
    s.load([FIXTURE])
    ties = load_ties(s)
    in_2020 = timeline_graph(ties, at="2020-01-01")
    assert (in_2020[US][SDF]["sign"], in_2020[US][SDF]["kind"], in_2020.graph["at"]) == (1, "Cooperation", "2020-01-01")
    last = timeline_graph(ties)
    assert (last[US][SDF]["sign"], last.graph["at"]) == (-1, "2026-01-10")
    assert last[US][SDF]["spells"][0]["sign"] == 1  # the spell, not the last sign, says what held in 2017


def test_every_edge_has_a_stable_id_whichever_way_round(timeline: nx.Graph) -> None:
    ids = [d["id"] for _, _, d in timeline.edges(data=True)]
    assert len(set(ids)) == len(ids)
    assert timeline[US][SDF]["id"] == edge_id(SDF, US) == edge_id(US, SDF)
    s = Store()
    s.load([FIXTURE])
    again = timeline_graph(load_ties(s))
    assert {frozenset((u, v)): d["id"] for u, v, d in again.edges(data=True)} == {
        frozenset((u, v)): d["id"] for u, v, d in timeline.edges(data=True)}


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
        assert got["id"] == d["id"]
        assert got["sign"] == [tuple(x) for x in d["timeline"]]
        assert got["spells"] == [(lo, hi) for _, lo, hi in d["timeline"]]
        assert got["kind"] == [(sp["kind"], sp["start"], sp["end"]) for sp in d["spells"]]
        assert got["weight"] == d["weight"]


def test_gexf_validates_against_the_gexf_12draft_schema(timeline: nx.Graph) -> None:
    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    data, _ = export_network(timeline, "gexf")
    doc = etree.parse(io.BytesIO(data))
    assert schema.validate(doc), schema.error_log
    # the schema is strict enough to catch what networkx writes by itself: a <graph name="…">
    doc.getroot().find("{http://www.gexf.net/1.2draft}graph").set("name", "conflictkg actor network")
    assert not schema.validate(doc)
    assert "name" in str(schema.error_log)


def test_graphml_has_one_edge_per_spell_with_its_own_sign(timeline: nx.Graph) -> None:
    data, media_type = export_network(timeline, "graphml")
    assert media_type == "application/graphml+xml"
    back = nx.read_graphml(io.BytesIO(data))
    assert back.is_multigraph()
    assert set(back.nodes) == set(timeline.nodes)
    assert {frozenset(e) for e in back.edges()} == {frozenset(e) for e in timeline.edges}
    assert back.number_of_edges() == sum(len(d["spells"]) for _, _, d in timeline.edges(data=True))
    us_sdf = sorted(back[US][SDF].items())
    assert [(k, d["pair"], d["sign"], d["kind"], d["start"], d["end"]) for k, d in us_sdf] == [
        (f"{edge_id(US, SDF)}@2017-06-06", edge_id(US, SDF), 1, "Cooperation", "2017-06-06", "2026-01-09"),
        (f"{edge_id(US, SDF)}@2026-01-10", edge_id(US, SDF), -1, "Strain", "2026-01-10", "2026-01-10"),
    ]
    assert [tuple(x) for x in json.loads(us_sdf[0][1]["timeline"])] == timeline[US][SDF]["timeline"]
    for n, d in timeline.nodes(data=True):
        assert back.nodes[n]["label"] == d["label"] and back.nodes[n]["aliases"] == "; ".join(d["aliases"])


def test_cytoscape_elements_are_spells_with_stable_ids(timeline: nx.Graph) -> None:
    data, media_type = export_network(timeline, "cytoscape")
    doc = json.loads(data)
    assert media_type == "application/json"
    edges = sorted((e["data"] for e in doc["elements"]["edges"] if {e["data"]["source"], e["data"]["target"]} == {US, SDF}),
                   key=lambda e: e["start"])
    assert [(e["id"], e["pair"], e["sign"], e["kind"], e["start"], e["end"]) for e in edges] == [
        (f"{edge_id(US, SDF)}@2017-06-06", edge_id(US, SDF), 1, "Cooperation", "2017-06-06", "2026-01-09"),
        (f"{edge_id(US, SDF)}@2026-01-10", edge_id(US, SDF), -1, "Strain", "2026-01-10", "2026-01-10"),
    ]
    assert edges[0]["timeline"][-1] == [-1, "2026-01-10", "2026-01-10"]
    ids = [e["data"]["id"] for e in doc["elements"]["edges"]]
    assert len(set(ids)) == len(ids)
    node = next(n["data"] for n in doc["elements"]["nodes"] if n["data"]["id"] == US)
    assert node["name"] == "United States"


def test_cytoscape_at_a_date_holds_the_network_of_that_day() -> None:
    s = Store()
    s.load([FIXTURE])
    data, _ = export_store_network(s, "cytoscape", at="2020-01-01")
    edges = [e["data"] for e in json.loads(data)["elements"]["edges"]]
    us_sdf = [e for e in edges if {e["source"], e["target"]} == {US, SDF}]
    assert [(e["sign"], e["kind"]) for e in us_sdf] == [(1, "Cooperation")]
    assert all(e["start"] <= "2020-01-01" <= e["end"] for e in edges)
    assert len({e["pair"] for e in edges}) == len(edges)


def test_node_link_reads_back(timeline: nx.Graph) -> None:
    data, _ = export_network(timeline, "node-link")
    back = nx.node_link_graph(json.loads(data), edges="edges")
    assert set(back.edges) == set(timeline.edges) or {frozenset(e) for e in back.edges} == {frozenset(e) for e in timeline.edges}
    assert back[US][SDF]["timeline"][0] == [1, "2017-06-06", "2026-01-09"]


def test_unknown_export_format_is_named() -> None:
    with pytest.raises(UnsupportedFormat, match="gexf, graphml, cytoscape, node-link"):
        export_store_network(Store(), "pajek")
