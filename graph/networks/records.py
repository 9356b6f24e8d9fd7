"""The records networks are made of: a :class:`Tie` between two actors, and the :class:`TieSet` read from a store.

Read from the store by :mod:`~conflictkg.graph.networks.reading` and :mod:`~conflictkg.graph.networks.parts`, kept by
:func:`~conflictkg.graph.networks.ties.load_ties`; this module imports nothing
of either, so both can build these records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from conflictkg.ontology.vocab import CK

__all__ = ["RELATIONSHIP_SIGNS", "Tie", "TieSet", "deciding_relationship"]

#: The sign of each relationship kind when the relationship carries no ``ck:sign``.
RELATIONSHIP_SIGNS = {
    str(CK.Alliance): 1,
    str(CK.Cooperation): 1,
    str(CK.Support): 1,
    str(CK.Membership): 1,
    str(CK.Hostility): -1,
    str(CK.Strain): -1,
}


@dataclass(frozen=True, slots=True)  # slots: a million ties at 1M ACLED rows, a third of the memory without
class Tie:
    """One record tying two actors: a relationship or an event.

    ``a`` acts (``ck:actor``, ``ck:fromActor``, first party), ``b`` is acted
    on or with. ``score`` is the Goldstein weight of an event, the sign of a
    relationship. ``start``/``end`` are inclusive; ``None`` is open.
    """

    a: str
    b: str
    sign: int
    score: float
    start: date | None
    end: date | None
    kind: str
    iri: str
    basis: str  # "relationship" or "event"
    evidence: tuple[str, ...] = ()
    cameo: str | None = None

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # By the constructor: a frozen slotted dataclass's own __setstate__ took 10 µs a tie (10 s for the
        # million ties of 1M ACLED rows kept between analyses).
        return (Tie, (self.a, self.b, self.sign, self.score, self.start, self.end, self.kind, self.iri, self.basis,
                      self.evidence, self.cameo))

    @property
    def dyad(self) -> tuple[str, str]:
        return (self.a, self.b) if self.a <= self.b else (self.b, self.a)

    def active(self, lo: date | None, hi: date | None) -> bool:
        """Whether the tie's span meets ``[lo, hi]`` (``None``: unbounded).

        A relationship without an end is ongoing; an event without one lasted its
        day; an undated event belongs to no period, only to the whole history.
        """
        if self.basis == "event" and self.start is None:
            return lo is None and hi is None
        last = self.end if self.basis == "relationship" or self.end else self.start
        return (hi is None or self.start is None or self.start <= hi) and (lo is None or last is None or last >= lo)


@dataclass
class TieSet:
    """Everything read from the store: actors, ties, and what evidences them."""

    actors: dict[str, dict[str, object]] = field(default_factory=dict)
    ties: list[Tie] = field(default_factory=list)
    #: IRI of an event or claim graph → its label, date, graph, source, claimant …
    evidence: dict[str, dict[str, object]] = field(default_factory=dict)

    def span(self) -> tuple[date | None, date | None]:
        """The earliest and latest date any tie mentions."""
        days = [d for t in self.ties for d in (t.start, t.end) if d is not None]
        return (min(days), max(days)) if days else (None, None)

    def by_dyad(self) -> dict[tuple[str, str], list[Tie]]:
        """The ties grouped by pair of actors (computed once, again only if ``ties`` changed)."""
        cached = self.__dict__.get("_by_dyad")
        if cached is not None and cached[0] == len(self.ties) and (not self.ties or cached[1] is self.ties[-1]):
            return cached[2]
        out: dict[tuple[str, str], list[Tie]] = defaultdict(list)
        for t in self.ties:
            out[t.dyad].append(t)
        self.__dict__["_by_dyad"] = (len(self.ties), self.ties[-1] if self.ties else None, out)
        return out

    def label(self, iri: str) -> str:
        return str(self.actors.get(iri, {}).get("label") or iri.rsplit("/", 1)[-1])


def deciding_relationship(rels: list[Tie]) -> Tie | None:
    """The relationship that speaks for a dyad: the latest to start (then the latest to end).

    Two that start and end together with opposite signs cancel: nothing is guessed.
    """
    if not rels:
        return None
    key = lambda t: (t.start or date.min, t.end or date.max)  # noqa: E731
    best = max(key(t) for t in rels)
    top = [t for t in rels if key(t) == best]
    if len({t.sign for t in top}) > 1:
        return None
    return top[-1]
