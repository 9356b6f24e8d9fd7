"""The command line refuses hostile files and queries as the endpoint does: entity bombs, huge literals, SERVICE, depth bombs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")
RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


def run(store: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CONFLICTKG, "--store", str(store), *args], capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in __import__("os").environ.items() if not k.startswith("CONFLICTKG_")}, **env},
    )


def count(store: Path) -> int:
    out = run(store, "query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "json")
    assert out.returncode == 0, out.stderr
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    done = run(path, "load", str(FIXTURES / "small.trig"))
    assert done.returncode == 0, done.stderr
    return path


def billion_laughs(levels: int = 9, fanout: int = 10) -> str:
    entities = ['<!ENTITY a0 "laughlaughlaughlaugh">'] + [
        f'<!ENTITY a{i} "{f"&a{i - 1};" * fanout}">' for i in range(1, levels)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
        f'<rdf:RDF {RDF}><rdf:Description rdf:about="http://example.org/s"><ex:p>&a{levels - 1};</ex:p>'
        "</rdf:Description></rdf:RDF>"
    )


@pytest.mark.parametrize("levels", [6, 9])  # 100 MB and ~10 GB once expanded
def test_load_of_a_billion_laughs_file_exits_2_naming_the_entity_and_changes_nothing(store_dir, tmp_path, levels) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(billion_laughs(levels))
    done = run(store_dir, "load", str(bomb))
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        f"error: {bomb}:4: entity 'a1' refers to other entities; nested entities (a 'billion laughs' document) are refused"
    )
    assert count(store_dir) == 5


def test_load_of_a_literal_past_the_cap_exits_2_naming_the_limit(store_dir, tmp_path) -> None:
    big = tmp_path / "big.ttl"
    big.write_text('<urn:a> <urn:b> "' + "x" * 2000 + '" .\n')
    done = run(store_dir, "load", str(big), CONFLICTKG_MAX_LITERAL_BYTES="1000")
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        f"error: {big}: a literal of 2000 bytes (on <urn:a> <urn:b>) is longer than 1000 bytes, the limit"
    )
    assert count(store_dir) == 5


def test_query_refuses_service_and_sends_nothing(store_dir) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    contacted: list[object] = []

    def watch() -> None:
        try:
            contacted.append(listener.accept())
        except OSError:
            pass

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        done = run(store_dir, "query", f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
        watcher.join()
    finally:
        listener.close()
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        f"error: SERVICE <http://127.0.0.1:{port}/sparql> is not allowed: the server does not send requests to other hosts"
    )
    assert "Traceback" not in done.stderr
    assert contacted == []


def test_query_refuses_a_depth_bomb_naming_the_limit(store_dir) -> None:
    done = run(store_dir, "query", "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000)
    assert done.returncode == 2
    assert one_line(done.stderr) == "error: the query is nested 10000 deep (brackets and unary operators); the limit is 64"


def test_query_names_an_undeclared_prefix(store_dir) -> None:
    done = run(store_dir, "query", "SELECT * WHERE { nope:x ?p ?o }")
    assert done.returncode == 2
    assert one_line(done.stderr) == "error: line 1, column 18: undeclared prefix 'nope:'; add PREFIX nope: <…>"
