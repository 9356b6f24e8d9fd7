"""The seed report, ingested into an empty store and accepted whole, answers the saved queries as the curated seed does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conflictkg.graph.knowledge.seed import ontology_files
from conflictkg.graph.reports.pending import ingest
from conflictkg.graph.reports.review import accept
from conflictkg.graph.reports.text import read_report
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parents[3]
QUERIES = ROOT / "queries"
SEED = next((p for p in (ROOT.parent / "shared" / "seed" / "al-aqtaan-prison-break.txt",
                         Path("/work/shared/seed/al-aqtaan-prison-break.txt")) if p.is_file()), None)


@pytest.fixture(scope="module")
def accepted() -> Store:
    if SEED is None:
        pytest.fail("the seed report (shared/seed/al-aqtaan-prison-break.txt) is missing")
    store = Store()
    store.load(ontology_files(), graph=str(ONTOLOGY_GRAPH))
    report = read_report(SEED, published="2026-01-01")
    ingest(store, report)
    accept(store, report.slug, reviewer="test")
    return store


def run(store: Store, name: str) -> list[dict[str, str | None]]:
    # As an analyst runs them: the default graph is the reviewed fact graphs (issue 15), metadata in g:meta.
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    rows = store.select(text, prefixes=False)
    return [{k: (None if v is None else str(v)) for k, v in row.items()} for row in rows]


def short(iri: str | None) -> str | None:
    return None if iri is None else re.split(r"[#/]", iri)[-1]


def test_escape_and_recapture_answers_like_the_seed(accepted: Store) -> None:
    [row] = run(accepted, "escape-and-recapture")
    assert float(row["escaped"]) == 120 and short(row["escapedQualifier"]) == "Approximately"
    assert float(row["recaptured"]) == 81 and short(row["recapturedQualifier"]) == "Exactly"
    assert row["recapturedAsOf"] == "2026-01-01"
    assert float(row["stillAtLarge"]) == 39 and short(row["stillAtLargeQualifier"]) == "Approximately"
    assert "al-aqtaan-prison" in row["facility"]


def test_quantities_keep_qualifiers_and_claimants(accepted: Store) -> None:
    rows = run(accepted, "quantities")
    found = {(float(r["value"]) if r["value"] else float(r["lowerBound"]), short(r["qualifier"])) for r in rows}
    assert found >= {(120, "Approximately"), (81, "Exactly"), (74, "Estimated"), (27, "AtLeast"), (56000, "MoreThan"),
                     (90, "MoreThan"), (10000, "Estimated"), (24, "Dozens"), (2000, "Thousands")}
    countries = next(r for r in rows if r["value"] and float(r["value"]) == 74)
    assert short(countries["claimant"]) == "farhad-shami" and short(countries["attribution"]) == "Quoted"
    escaped = next(r for r in rows if r["value"] and float(r["value"]) == 120)
    assert escaped["claimant"] is None  # the report's own voice: a fact, not a claim


def test_accusations_name_accuser_target_claimant_and_source(accepted: Store) -> None:
    rows = run(accepted, "accusations")
    found = {(short(r["accuser"]), short(r["target"]), short(r["type"]), short(r["attribution"])) for r in rows}
    assert ("syrian-democratic-forces", "u-s-led-coalition", "Accusation", "Alleged") in found
    assert ("syrian-democratic-forces", "u-s-led-coalition", "Criticism", "Alleged") in found
    accusation = next(r for r in rows if short(r["type"]) == "Accusation")
    assert "failing to intervene" in accusation["sourceText"]
    assert short(accusation["source"]) == "al-aqtaan-prison-break"
