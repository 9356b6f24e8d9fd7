from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.networks.edgelists import read_signed_edgelist
from conflictkg.graph.errors import InputError, ParseError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "edges.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_edge_list_becomes_a_signed_graph_keeping_extra_columns(tmp_path: Path) -> None:
    G = read_signed_edgelist(write(tmp_path, "source,target,sign,note\nUS,SDF,+1,raqqa\nSDF,Turkey,-1,\n"))
    assert sorted(G.edges(data="sign")) == [("SDF", "Turkey", -1), ("US", "SDF", 1)]
    assert G["US"]["SDF"]["note"] == "raqqa" and G.nodes["US"]["label"] == "US"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("", 1, "empty"),
        ("source,target,sign\n", 2, "no edges"),
        ("source,sign\nUS,1\n", 1, "missing column 'target'"),
        ("source,target,sign\nUS,SDF,1\nSDF,Turkey,2\n", 3, "sign must be 1 or -1, not '2'"),
        ("source,target,sign\nUS,SDF,positive\n", 2, "not 'positive'"),
        ("source,target,sign\nUS,SDF,1.0\n", 2, "not '1.0'"),
        ("source,target,sign\nUS,US,1\n", 2, "self-loop"),
        ("source,target,sign\nUS,SDF,1\nTurkey,SDF,-1\nSDF,US,-1\n", 4, "opposite signs (line 2"),
        ("source,target,sign\n,SDF,1\n", 2, "empty source"),
        ("source,target,sign\nUS,SDF\n", 2, "2 fields"),
    ],
)
def test_bad_edge_list_is_refused_naming_the_row(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ParseError) as err:
        read_signed_edgelist(path)
    assert err.value.line == line and err.value.file == str(path)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{path}:{line}:")


def test_same_pair_twice_with_the_same_sign_is_one_edge(tmp_path: Path) -> None:
    G = read_signed_edgelist(write(tmp_path, "source,target,sign\nUS,SDF,1\nSDF,US,1\n"))
    assert G.number_of_edges() == 1


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_signed_edgelist(tmp_path / "nope.csv")
