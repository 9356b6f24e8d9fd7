"""``conflictkg network …`` as a user runs it: the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")
KEYS = {
    "nodes", "edges", "positive_edges", "negative_edges", "triangle_census", "triangle_index", "walk_index",
    "frustration_index", "frustration_exact", "normalized_frustration", "partition", "frustrated_edges",
}


def run(*args: str, store: Path | None = None) -> subprocess.CompletedProcess[str]:
    prefix = ["--store", str(store)] if store else ["--store", ":memory:"]
    return subprocess.run([CONFLICTKG, *prefix, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("network") / "store"
    done = run("load", str(FIXTURES / "alliances.trig"), store=path)
    assert done.returncode == 0, done.stderr
    return path


def test_balance_of_an_edge_list_prints_the_json_report(tmp_path: Path) -> None:
    edges = tmp_path / "triad.csv"
    edges.write_text("source,target,sign\nUS,SDF,-1\nUS,Turkey,1\nTurkey,SDF,-1\n", encoding="utf-8")
    out = run("network", "balance", "--edges", str(edges))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert KEYS <= set(report)
    assert report["triangle_census"] == {"+++": 0, "++-": 0, "+--": 1, "---": 0}
    assert (report["frustration_index"], report["frustration_exact"], report["normalized_frustration"]) == (0, True, 1.0)
    assert sorted(report["partition"]) == [["SDF"], ["Turkey", "US"]]
    assert report["frustrated_edges"] == [] and report["walk_index"] == pytest.approx(1.0)


def test_bad_edge_list_exits_2_naming_file_and_row(tmp_path: Path) -> None:
    edges = tmp_path / "bad.csv"
    edges.write_text("source,target,sign\nUS,SDF,1\nSDF,US,-1\n", encoding="utf-8")
    out = run("network", "balance", "--edges", str(edges))
    assert out.returncode == 2 and out.stdout == ""
    assert f"{edges}:3:" in out.stderr and "opposite signs" in out.stderr


def test_balance_of_the_store_as_of_a_date(store_dir: Path) -> None:
    out = run("network", "balance", "--at", "2020-01-01", store=store_dir)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["network"] == "store" and report["frustration_index"] == 1


def test_breakdowns_print_the_pair_with_evidence(store_dir: Path) -> None:
    out = run("network", "breakdowns", "--window", "90d", store=store_dir)
    assert out.returncode == 0, out.stderr
    pairs = {tuple(b["actors"]): b["date"] for b in json.loads(out.stdout)["breakdowns"]}
    assert pairs[("Syrian Democratic Forces", "United States")] == "2026-01-10"


def test_export_gexf_to_a_file_opens_in_networkx(store_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "net.gexf"
    out = run("network", "export", "--format", "gexf", "--output", str(target), store=store_dir)
    assert out.returncode == 0, out.stderr
    G = nx.read_gexf(target)
    assert G.graph["mode"] == "dynamic" and G.number_of_edges() >= 4


def edge_list_csv(G: nx.Graph) -> str:
    """A networkx signed graph as the CSV a researcher brings."""
    return "source,target,sign\n" + "".join(f"{u},{v},{s}\n" for u, v, s in G.edges(data="sign"))


def test_centrality_of_the_everett_borgatti_edge_list_prints_the_published_pn_index(
    tmp_path: Path, everett_borgatti: nx.Graph, everett_borgatti_pn: list[float]
) -> None:
    edges = tmp_path / "everett-borgatti.csv"
    edges.write_text(edge_list_csv(everett_borgatti), encoding="utf-8")
    out = run("network", "centrality", "--edges", str(edges))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    pn = {a["label"]: round(a["pn_index"], 6) for a in report["actors"]}
    assert [pn[str(v)] for v in range(1, 11)] == everett_borgatti_pn
    # Every node has as many friends as enemies (the paper's point: degree cannot rank them).
    assert {a["signed_degree"]["ratio"] for a in report["actors"]} == {0.5}
    # The one optimal bipartition (checked by brute force over all 512): nodes 1–5 against 6–10, L = 5.
    assert report["blocs"]["partition"] == [[str(v) for v in range(1, 6)], [str(v) for v in (10, 6, 7, 8, 9)]]
    assert report["blocs"]["frustration_index"] == 5
    # 5–6 is the one friendly tie across: 5 alone links its allies 2 and 4 to 6, and 6 links 7 and 9 to 5.
    assert {a["label"]: a["brokerage"] for a in report["actors"] if a["brokerage"]} == {"5": 2, "6": 2}


def test_centrality_of_the_store_as_of_a_date(store_dir: Path) -> None:
    out = run("network", "centrality", "--at", "2020-01-01", store=store_dir)
    assert out.returncode == 0, out.stderr
    actors = {a["iri"]: a for a in json.loads(out.stdout)["actors"]}
    sdf = actors["https://w3id.org/conflictkg/id/actor/sdf"]
    assert sdf["label"] == "Syrian Democratic Forces"
    assert sdf["signed_degree"] == {"pos": 1, "neg": 1, "net": 0, "ratio": 0.5}


def test_centrality_of_a_bad_edge_list_exits_2_naming_file_and_row(tmp_path: Path) -> None:
    edges = tmp_path / "loop.csv"
    edges.write_text("source,target,sign\nUS,SDF,1\nSDF,SDF,-1\n", encoding="utf-8")
    out = run("network", "centrality", "--edges", str(edges))
    assert out.returncode == 2 and out.stdout == ""
    assert f"{edges}:3:" in out.stderr and "self-loop" in out.stderr


def test_centrality_with_a_bad_date_exits_2_naming_it() -> None:
    out = run("network", "centrality", "--at", "last spring")
    assert out.returncode == 2 and out.stdout == ""
    assert "at: 'last spring' is not a date" in out.stderr


@pytest.mark.parametrize(
    "args, named",
    [
        (["network", "breakdowns", "--window", "ninety days"], "window"),
        (["network", "breakdowns", "--hold", "0d"], "hold"),
        (["network", "balance", "--at", "2017-13-01"], "at"),
        (["network", "centrality", "--at", "2020-01-01", "--window", "-5d"], "window"),
        (["network", "export", "--format", "cytoscape", "--at", "yesterday"], "at"),
    ],
)
def test_bad_window_or_date_is_refused_before_the_store_is_opened(tmp_path: Path, args: list[str], named: str) -> None:
    where = tmp_path / "never-created"
    out = run(*args, store=where)
    assert out.returncode == 2 and out.stdout == ""
    assert named in out.stderr
    assert not where.exists()  # the store was not even opened, let alone read


@pytest.mark.parametrize("command", [["balance"], ["centrality"], ["breakdowns", "--window", "90d"]])
def test_long_commands_show_progress_on_a_terminal(store_dir: Path, command: list[str]) -> None:
    env = {**__import__("os").environ, "FORCE_COLOR": "1", "COLUMNS": "120"}
    out = subprocess.run([CONFLICTKG, "--store", str(store_dir), "network", *command],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert "reading ties" in out.stderr  # rich's live line, drawn on standard error
    json.loads(out.stdout)  # standard output stays pure JSON
