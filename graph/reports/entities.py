"""Entity candidates: the graph's own names first (linked), then spaCy's named entities (new, typed by rule)."""

from __future__ import annotations

import re

from conflictkg.graph.reports.model import Candidate
from conflictkg.graph.reports.text import slugify
from conflictkg.graph.reports.vocabulary import KnownEntity, ontology
from conflictkg.ontology.vocab import CK, ID

__all__ = ["EntityIndex", "new_entity_class", "iri_kind"]

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_NER = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}

# Words in a new organisation's name that tell its class (checked last word first).
_ORG_WORDS = [
    (("ministry", "ministries", "department", "directorate", "council", "parliament", "office"), "GovernmentBody"),
    (("command", "centcom", "africom", "eucom"), "MilitaryCommand"),
    (("coalition", "alliance"), "Coalition"),
    (("government", "regime", "administration", "authority", "authorities", "cabinet"), "Government"),
    (("army", "forces", "force", "police", "guard", "military", "navy", "troops", "gendarmerie"), "StateForce"),
    (("militia", "militias", "brigade", "brigades", "front", "movement", "rebels", "battalion", "group",
      "organisation", "organization", "jihad", "state", "taliban", "shabaab", "boko", "haram", "hamas",
      "hezbollah", "houthis", "wagner", "rsf"), "ArmedGroup"),
    (("committee", "commission", "agency", "fund", "un", "nations", "watch", "international", "cross",
      "crescent", "unhcr", "unicef", "ngo", "foundation", "institute", "society", "observatory"), "Organisation"),
]
_FACILITY_WORDS = [(("prison", "jail", "penitentiary", "gaol", "custodial"), "Prison"), (("camp",), "DetentionCamp"),
                   (("centre", "center", "facility"), "DetentionFacility")]


def new_entity_class(ner_label: str, name: str) -> str:
    """The ontology class of a newly named entity, from spaCy's label and the words of its name."""
    words = [w.lower() for w in re.findall(r"[\w']+", name)]
    if ner_label == "PERSON":
        for facility, cls in _FACILITY_WORDS:
            if any(w in facility for w in words):
                return cls
        return "Person"
    if ner_label in ("FAC", "ORG", "GPE", "LOC"):
        for facility, cls in _FACILITY_WORDS:
            if any(w in facility for w in (words if ner_label == "FAC" else words[-2:])):
                return cls
    if ner_label == "FAC":
        return "Facility"
    if ner_label in ("GPE", "LOC"):
        if words and words[-1] in ("province", "governorate", "region", "state", "district", "oblast", "county"):
            return "AdministrativeRegion"
        return "Place"
    if ner_label == "NORP":
        return "Nationality"
    for options, cls in _ORG_WORDS:
        if any(w in options for w in reversed(words)):
            return cls
    return "Organisation"


def iri_kind(cls: str) -> str:
    """The IRI folder of an entity class: ``person``, ``place``, ``nationality`` or ``actor``."""
    onto = ontology()
    if cls == "Person":
        return "person"
    if onto.is_a(cls, "Place"):
        return "place"
    if cls == "Nationality":
        return "nationality"
    if onto.is_a(cls, "PersonGroup"):
        return "group"
    if cls in ("Agent", "Organization"):
        return "agent"
    return "actor"


def _norm(name: str) -> str:
    n = name.lower().replace("\u2019", "'").strip(" .,;:\"'“”‘’()")
    n = re.sub(r"^(the|a|an)\s+", "", n)
    n = re.sub(r"'s$", "", n)
    return re.sub(r"\s+", " ", n)


class EntityIndex:
    """The report's entities: one candidate per IRI, linked by name to the graph's entities or minted new."""

    def __init__(self, known: list[KnownEntity], taken: set[str]) -> None:
        self.by_name: dict[str, KnownEntity] = {}
        for e in sorted(known, key=lambda e: not e.preferred):
            self.by_name.setdefault(_norm(e.name), e)
            if e.cls == "Nationality":
                self.by_name.setdefault(_norm(e.name) + "s", e)
        self.preferred = {e.iri: e.name for e in known if e.preferred}
        self.classes = {e.iri: e.cls for e in known}
        self.taken = taken
        self.candidates: dict[str, Candidate] = {}
        self.aliases: dict[str, str] = {}

    def lookup(self, name: str) -> str | None:
        """The IRI an entity name stands for, among the graph's names and this report's new ones."""
        n = _norm(name)
        if n in self.aliases:
            return self.aliases[n]
        known = self.by_name.get(n)
        return known.iri if known else None

    def cls(self, iri: str) -> str:
        """The class of an entity of the graph or the report."""
        if iri in self.candidates:
            return self.candidates[iri].types[0]
        return self.classes.get(iri, "Actor")

    def mention(self, span, sentence, *, iri: str | None, cls: str, name: str) -> Candidate | None:
        """Record one mention; the first mention of an entity is its evidence."""
        new = iri is None
        if new:
            label = name.strip()
            if cls == "Nationality":
                label = re.sub(r"(?<=[a-z])s$", "", label)
            iri = str(ID[f"{iri_kind(cls)}/{slugify(label)}"])
            # The graph already has this readable IRI: the same name, spelt another way.
            new = iri not in self.taken
        cand = self.candidates.get(iri)
        if cand is None:
            label = self.preferred.get(iri, name.strip() if not new else label)
            cand = Candidate("entity", iri, label, [cls], span.start_char, span.end_char, span.text,
                             sentence.text.strip(), new=new)
            if new:
                cand.add(_RDFS_TYPE, str(CK[cls]))
                cand.add(_RDFS + "label", (label, None, None))
            self.candidates[iri] = cand
            self.aliases.setdefault(_norm(name), iri)
        elif new and _norm(name) != _norm(cand.label):
            cand.add(_SKOS + "altLabel", (name.strip(), None, None))
        return cand

    def alias(self, iri: str, name: str) -> None:
        """Make ``name`` (an acronym in brackets, say) another name of ``iri`` in this report."""
        self.aliases.setdefault(_norm(name), iri)
        cand = self.candidates.get(iri)
        if cand is not None and cand.new and _norm(name) != _norm(cand.label):
            cand.add(_SKOS + "altLabel", (name, None, None))

    def is_ner(self, label: str) -> bool:
        """Whether spaCy's entity label names something the graph keeps."""
        return label in _NER


_RDFS_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
