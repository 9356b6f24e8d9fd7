"""``conflictkg infer`` through the real console script: g:inferred follows newly loaded facts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = Path(sys.executable).parent / "conflictkg"

NEW_FACTS = """
@prefix ck: <https://w3id.org/conflictkg/ontology#> .
@prefix g: <https://w3id.org/conflictkg/graph/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
g:meta { g:extra a ck:FactGraph ;
    prov:wasDerivedFrom <https://w3id.org/conflictkg/id/source/al-aqtaan-prison-break-report> ;
    ck:reportedOn "2026-01-01"^^xsd:date . }
g:extra { <https://w3id.org/conflictkg/id/place/a-cell-block> a ck:Facility ;
    ck:locatedIn <https://w3id.org/conflictkg/id/place/al-aqtaan-prison> . }
"""

ASK = (
    "ASK { GRAPH g:inferred { <https://w3id.org/conflictkg/id/place/a-cell-block> ck:locatedIn place:syria } }"
)


def _cli(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), "--store", str(store), *args], capture_output=True, text=True, timeout=120)


def test_infer_materializes_what_newly_loaded_facts_entail(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert _cli(store, "seed").returncode == 0
    extra = tmp_path / "extra.trig"
    extra.write_text(NEW_FACTS, encoding="utf-8")
    assert _cli(store, "load", str(extra)).returncode == 0
    assert _cli(store, "query", ASK).stdout.strip() == "false"
    inferred = _cli(store, "infer")
    assert inferred.returncode == 0, inferred.stderr
    assert inferred.stdout.startswith("g:inferred: ")
    assert _cli(store, "query", ASK).stdout.strip() == "true"
