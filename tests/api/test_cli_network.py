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
