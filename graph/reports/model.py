"""What extraction yields: candidates with their evidence, in the ontology's terms, before any RDF."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Candidate", "Extraction", "KINDS"]

#: Candidate kinds and the letter of their short ids (n3, e2, q1, c4).
KINDS = {"entity": "n", "event": "e", "quantity": "q", "claim": "c"}


@dataclass
class Candidate:
    """One candidate: an entity, event, quantity or claim, with the words it was read from.

    ``facts`` are (predicate, object) pairs about ``iri`` in the ontology's terms; an object is an IRI
    string, or a ``(lexical, datatype IRI or None, language or None)`` literal tuple. ``extra`` are
    whole triples that stand or fall with the candidate (a person's role assignment).
    """

    kind: str
    iri: str
    label: str
    types: list[str]
    start: int
    end: int
    mention: str
    sentence: str
    new: bool = True
    claim: str | None = None
    facts: list[tuple[str, object]] = field(default_factory=list)
    extra: list[tuple[str, str, object]] = field(default_factory=list)
    cid: str = ""

    def add(self, predicate: str, obj: object) -> None:
        """Add a fact about the candidate, once."""
        if (predicate, obj) not in self.facts:
            self.facts.append((predicate, obj))

    def values(self, predicate: str) -> list[object]:
        """The objects of one predicate."""
        return [o for p, o in self.facts if p == predicate]


@dataclass
class Extraction:
    """The candidates read from one report, in text order within each kind."""

    slug: str
    candidates: list[Candidate] = field(default_factory=list)
    pipeline: str = ""
    nlp_seconds: float = 0.0
    seconds: float = 0.0

    def of(self, kind: str) -> list[Candidate]:
        """The candidates of one kind."""
        return [c for c in self.candidates if c.kind == kind]

    def number(self) -> None:
        """Give every candidate its short id (n1…, e1…, q1…, c1…) in text order."""
        for kind, letter in KINDS.items():
            for n, cand in enumerate(sorted(self.of(kind), key=lambda c: (c.start, c.iri)), 1):
                cand.cid = f"{letter}{n}"
