"""``conflictkg ingest`` and ``conflictkg review`` as a user runs them: the real console script on an on-disk store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Each command is a process that loads spaCy's model: seconds apiece on this shared machine.
pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent.parent / "fixtures" / "reports"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")


def run(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CONFLICTKG, "--store", str(store), *args], capture_output=True, text=True, timeout=180,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_ingest_prints_the_summary_and_review_accepts_into_facts(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = run(store, "ingest", str(FIXTURES / "kuje-prison-attack.txt"), "--published", "2022-07-07",
               "--source-title", "Kuje jailbreak", "--publisher", "test")
    assert done.returncode == 0, done.stderr
    assert "wrote https://w3id.org/conflictkg/graph/pending/kuje-prison-attack" in done.stderr
    assert "entities (0 linked to existing ones)" in done.stderr and "quantities" in done.stderr
    assert "879 inmates" in done.stdout
    shown = json.loads(run(store, "review", "show", "kuje-prison-attack", "--json").stdout)
    q = next(c for c in shown["candidates"] if c["kind"] == "quantity" and "879" in c["label"])
    edited = run(store, "review", "edit", "kuje-prison-attack", q["id"], "qualifier", "Approximately")
    assert edited.returncode == 0, edited.stderr
    accepted = run(store, "review", "accept", "kuje-prison-attack", "--reviewer", "cli-test")
    assert accepted.returncode == 0 and "candidates left" in accepted.stderr and " 0 candidates left" in accepted.stderr
    rows = run(store, "query", "SELECT ?v WHERE { GRAPH ?g { ?q ck:qualifier ck:Approximately ; ck:value ?v } "
               "GRAPH g:meta { ?g a ck:FactGraph ; ck:reviewedBy 'cli-test' } }", "--format", "json")
    assert rows.returncode == 0, rows.stderr
    assert [float(b["v"]["value"]) for b in json.loads(rows.stdout)["results"]["bindings"]] == [879.0]


def test_a_bad_report_exits_2_naming_the_file_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"%PDF-1.4\x00\x00binary")
    done = run(store, "ingest", str(bad))
    assert done.returncode == 2 and "scan.txt: this is a binary file" in done.stderr
    assert json.loads(run(store, "review", "list", "--json").stdout) == []
    missing = run(store, "review", "show", "nope")
    assert missing.returncode == 2 and "no pending report 'nope'" in missing.stderr
