"""A report's text into candidates: entities, events, quantities with qualifiers, and attributed claims."""

from __future__ import annotations

import time
from datetime import date

from conflictkg.graph.reports import pipeline
from conflictkg.graph.reports.claim_reading import ClaimReading
from conflictkg.graph.reports.claims import find_attributions
from conflictkg.graph.reports.entities import EntityIndex
from conflictkg.graph.reports.entity_reading import EntityReading
from conflictkg.graph.reports.event_reading import EventReading
from conflictkg.graph.reports.model import Extraction
from conflictkg.graph.reports.quantity_reading import QuantityReading
from conflictkg.graph.reports.text import Report
from conflictkg.graph.reports.vocabulary import known_entities
from conflictkg.graph.store import FactStore

__all__ = ["extract"]


class _Reader(EntityReading, ClaimReading, EventReading, QuantityReading):
    """Reads one parsed report: its entities first, then sentence by sentence its events, quantities and claims."""

    def read(self) -> None:
        self.read_entities()
        for n, sent in enumerate(self.doc.sents):
            if self.is_heading(sent):
                continue
            attributed = find_attributions(sent)
            claims = [self.claim(sent, a) for a in attributed]
            self.read_events(sent, attributed, claims)
            self.read_quantities(sent, attributed, claims)
            for claim, a in zip(claims, attributed):
                self.finish_claim(sent, claim, a)
            self.note_subject(sent, n)

    def note_subject(self, sent, n: int) -> None:
        root = sent.root
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            return
        iri = self.entity_in(subj)
        if self.is_actor(iri):
            self.recent_actors.append((n, iri))


def extract(report: Report, store: FactStore, *, report_date: date | None = None) -> Extraction:
    """Read a report into candidates, linked to the entities ``store`` already has.

    Parameters
    ----------
    report : Report
        From :func:`~conflictkg.graph.reports.text.read_report`.
    store : FactStore
        Its reviewed graphs give the names to link to (pending graphs are never linked to).
    report_date : date, optional
        What relative dates ("last month") are resolved against; by default ``report.published``,
        else today.

    Returns
    -------
    Extraction
        The candidates, numbered n1…, e1…, q1…, c1… in text order.
    """
    began = time.perf_counter()
    when = report_date or (date.fromisoformat(report.published) if report.published else date.today())
    known = known_entities(store)
    index = EntityIndex(known, {e.iri for e in known})
    with pipeline.LOCK:
        nlp, matcher = pipeline.prepare(known)
        t0 = time.perf_counter()
        doc = nlp(report.text)
        nlp_seconds = time.perf_counter() - t0
        reader = _Reader(report, doc, matcher, index, when)
        reader.read()
    out = Extraction(report.slug, pipeline=pipeline.describe(), nlp_seconds=nlp_seconds)
    out.candidates = [c for c in index.candidates.values()] + reader.events + reader.quantities + \
        [c for c in reader.claims if c is not None]
    out.number()
    out.seconds = time.perf_counter() - began
    return out
