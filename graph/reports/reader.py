"""What every part of reading a report shares: the parsed text, the entities found so far, the helpers."""

from __future__ import annotations

from datetime import date

from conflictkg.graph.reports.claims import Attributed
from conflictkg.graph.reports.entities import EntityIndex
from conflictkg.graph.reports.model import Candidate
from conflictkg.graph.reports.text import Report, slugify
from conflictkg.graph.reports.vocabulary import ontology
from conflictkg.ontology.vocab import ID

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_PRONOUNS = {"they", "it", "he", "she", "them", "their", "its", "his", "her"}


def lit(value: object, datatype: str | None = None) -> tuple[str, str | None, None]:
    return (str(value), datatype, None)


def dec(x: float) -> tuple[str, str, None]:
    return (repr(float(x)), XSD + "decimal", None)


class Reader:
    """Reads one parsed report; holds what later sentences refer back to (the last subject, the escape).

    The reading itself is split by what it finds (entity_reading, claim_reading, event_reading,
    quantity_reading); :class:`~conflictkg.graph.reports.extraction._Reader` joins them.
    """

    def __init__(self, report: Report, doc, matcher, index: EntityIndex, report_date: date) -> None:
        self.report, self.doc, self.index, self.report_date = report, doc, index, report_date
        self.onto = ontology()
        self.token_entity: dict[int, str] = {}
        self.events: list[Candidate] = []
        self.event_tokens: dict[int, Candidate] = {}
        self.quantities: list[Candidate] = []
        self.claims: list[Candidate] = []
        self.recent_actors: list[tuple[int, str]] = []
        self.seen_values: set[float] = set()
        self.minted: set[str] = set()
        self.sent_index = {s.start: n for n, s in enumerate(doc.sents)}
        self.triggers: dict[int, list[tuple[int, int, str]]] = {}
        for match_id, start, end in matcher(doc):
            cls = doc.vocab.strings[match_id]
            self.triggers.setdefault(doc[start].sent.start, []).append((start, end, cls))
        self.source = str(ID[f"source/{report.slug}"])

    # -- helpers ------------------------------------------------------------

    def mint(self, kind: str, label: str) -> str:
        base = str(ID[f"{kind}/{slugify(label)}"])
        iri, n = base, 2
        while iri in self.minted:
            iri, n = f"{base}-{n}", n + 1
        self.minted.add(iri)
        return iri

    def is_heading(self, sent) -> bool:
        line = sent.text.strip()
        return bool(line) and line[-1] not in ".!?”\"’:;)" and len(line.split()) <= 10 and "\n" not in line \
            and not any(q in line for q in "“”\"")

    def entity_in(self, token, speaker: str | None = None) -> str | None:
        """The entity a token's subtree names (the token's own first), or what a pronoun or "these forces" points to.

        A pronoun inside reported words ("the ministry said that they are trying …") is the speaker.
        """
        if token.i in self.token_entity:
            return self.token_entity[token.i]
        if token.lower_ in _PRONOUNS:
            return speaker if speaker and token.lower_ in ("they", "it", "he", "she") else self.referent(token)
        if token.pos_ == "NOUN" and any(c.lower_ in ("the", "these", "this", "those") for c in token.children):
            return self.nominal_referent(token)
        for t in token.subtree:
            if t.i in self.token_entity and t.dep_ not in ("appos", "relcl"):
                return self.token_entity[t.i]
        if token.pos_ == "NOUN":
            # "the interior minister Rauf Aregbesola": the role's holder is named in apposition
            for c in token.children:
                if c.dep_ == "appos" and c.i in self.token_entity:
                    return self.token_entity[c.i]
        return None

    def nominal_referent(self, token) -> str | None:
        """"these forces", "the ministry": the last entity mentioned before whose name has the noun."""
        noun = token.lemma_.lower()
        for i in range(token.i - 1, max(-1, token.i - 400), -1):
            iri = self.token_entity.get(i)
            if iri and (noun in self.label_of(iri).lower() or self.doc[i].lemma_.lower() == noun):
                return iri
        return None

    def referent(self, token) -> str | None:
        """The actor a pronoun points back to: a subject earlier in its sentence, else the last actor that
        was a sentence's subject, within three sentences."""
        for t in reversed(list(token.sent)[: token.i - token.sent.start]):
            if t.dep_ in ("nsubj", "nsubjpass") and t.head is not token.head and self.is_actor(self.token_entity.get(t.i)):
                return self.token_entity[t.i]
        here = self.sent_index.get(token.sent.start, 0)
        for n, iri in reversed(self.recent_actors):
            if here - n <= 3 and n <= here:
                if token.lower_ in ("he", "she", "his", "her") and self.index.cls(iri) != "Person":
                    continue
                return iri
        return None

    def nearest_place(self, i: int) -> str | None:
        """The place the report last named before token ``i``, else the first it names after."""
        for j in list(range(i, -1, -1)) + list(range(i + 1, len(self.doc))):
            if self.is_place(self.token_entity.get(j)):
                return self.token_entity[j]
        return None

    def is_actor(self, iri: str | None) -> bool:
        return iri is not None and self.onto.is_a(self.index.cls(iri), "Actor")

    def is_place(self, iri: str | None) -> bool:
        return iri is not None and self.onto.is_a(self.index.cls(iri), "Place")

    def label_of(self, iri: str) -> str:
        cand = self.index.candidates.get(iri)
        return cand.label if cand else self.index.preferred.get(iri, iri.rsplit("/", 1)[-1])


    def claim_of(self, token, attributed: list[Attributed], claims: list[Candidate]) -> Candidate | None:
        for a, c in zip(attributed, claims):
            if c is not None and a.start <= token.idx < a.end and token is not a.verb:
                return c
        return None
