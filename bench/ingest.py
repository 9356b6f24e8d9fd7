"""Report ingestion: precision and recall per kind on the seed report and three hand-made ones; speed on 2,000 words.

``python -m bench ingest``. The seed report is scored against the curated ``data/al-aqtaan.trig``
twice: into a store that holds the seed's entities (linking by label and alias) and into an empty one
(every entity new, matched by name). The reports in ``tests/fixtures/reports/`` are scored against
their ``.json`` gold into a store holding the seed's entities; those in ``held-out/`` were written after
the rules were frozen and scored once. Speed: a 2,000-word report made of the
four reports' sentences, ingested whole, beside spaCy's own pipeline on the same text (the floor).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from conflictkg.graph.reports import pipeline
from conflictkg.graph.reports.extraction import extract
from conflictkg.graph.reports.pending import ingest
from conflictkg.graph.reports.scoring import gold_from_json, gold_from_trig, predicted, score
from conflictkg.graph.reports.text import read_report, report_from_text
from conflictkg.graph.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "al-aqtaan-prison-break.txt"
if not SEED.is_file():
    SEED = Path("/work/shared/seed/al-aqtaan-prison-break.txt")
TRIG = ROOT / "data" / "al-aqtaan.trig"
REPORTS = ROOT / "tests" / "fixtures" / "reports"


def _entities_store() -> Store:
    store = Store()
    store.load([TRIG])
    # keep the names only: the facts and claims are what is being measured
    for g in store.named_graphs():
        if not g.endswith("/entities"):
            store.clear_graph(g)
    return store


def _line(name: str, scores: dict) -> str:
    cells = [f"{k:8s} P {s.precision:4.2f} R {s.recall:4.2f} ({s.matched}/{s.predicted}/{s.gold})" for k, s in scores.items()]
    return f"  {name:32s} " + "  ".join(cells)


def main() -> None:
    print("ingest: precision P and recall R per kind (matched/predicted/gold)")
    seed_gold = gold_from_trig(TRIG)
    report = read_report(SEED, published="2026-01-01")
    pipeline.load()
    for name, store in (("seed, entities in store", _entities_store()), ("seed, empty store", Store())):
        x = extract(report, store, report_date=date(2026, 1, 1))
        print(_line(name, score(predicted(x), seed_gold)))
    totals: dict[str, list[int]] = {}
    for gold_path in sorted(REPORTS.glob("*.json")):
        text_path = next(p for p in REPORTS.glob(gold_path.stem + ".*") if p.suffix != ".json")
        gold = gold_from_json(gold_path)
        r = read_report(text_path, published=gold.report_date)
        x = extract(r, _entities_store(), report_date=date.fromisoformat(gold.report_date))
        s = score(predicted(x), gold)
        for k, v in s.items():
            t = totals.setdefault(k, [0, 0, 0])
            t[0], t[1], t[2] = t[0] + v.matched, t[1] + v.predicted, t[2] + v.gold
        print(_line(text_path.name, s))
    from conflictkg.graph.reports.scoring import Score

    print(_line("own reports, pooled", {k: Score(*v) for k, v in totals.items()}))
    for gold_path in sorted((REPORTS / "held-out").glob("*.json")):
        text_path = next(p for p in (REPORTS / "held-out").glob(gold_path.stem + ".*") if p.suffix != ".json")
        gold = gold_from_json(gold_path)
        x = extract(read_report(text_path, published=gold.report_date), _entities_store(),
                    report_date=date.fromisoformat(gold.report_date))
        print(_line("held out: " + text_path.name, score(predicted(x), gold)))

    sentences = [SEED.read_text(encoding="utf-8")] + [p.read_text(encoding="utf-8") for p in sorted(REPORTS.glob("*"))
                                                       if p.is_file() and p.suffix != ".json"]
    text = "\n\n".join(sentences)
    while len(text.split()) < 2000:
        text += "\n\n" + "\n\n".join(sentences)
    words = text.split()[:2000]
    body = " ".join(words).encode("utf-8")
    big = report_from_text(body, name="bench-2000-words.txt", published="2026-01-01")
    nlp = pipeline.load()
    t0 = time.perf_counter()
    nlp(big.text)
    floor = time.perf_counter() - t0
    store = _entities_store()
    t0 = time.perf_counter()
    result = ingest(store, big)
    took = time.perf_counter() - t0
    c = result.counts
    print(f"speed: 2,000 words  ingest {took:.2f} s  spaCy pipeline alone {floor:.2f} s  ratio {took / floor:.2f}x "
          f"(target < 5 s; {c['entity']} entities, {c['event']} events, {c['quantity']} quantities, {c['claim']} claims)")


if __name__ == "__main__":
    main()
