"""The words extraction looks for: the ontology's classes and event vocabulary, and the graph's own names.

Event triggers come from the ontology's event classes (their ``rdfs:label`` and ``skos:altLabel``:
"prison break", "re-arrest", "blockade", "confrontation" …) plus :data:`EVENT_WORDS`, the verbs and
nouns a report uses for the same classes. Entity names come from the store: every ``rdfs:label`` and
``skos:altLabel`` of an actor, place or nationality in a reviewed graph, so "Daesh" finds
``actor:isis`` the way the graph spells it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import CK, GRAPH, ID, INFERRED_GRAPH, JUSTIFICATIONS_GRAPH, META_GRAPH, ONTOLOGY_GRAPH, PENDING_GRAPHS

__all__ = [
    "ATTRIBUTION_VERBS",
    "EVENT_WORDS",
    "KnownEntity",
    "Ontology",
    "known_entities",
    "ontology",
]

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_PROV = "http://www.w3.org/ns/prov#"
_TTL = Path(__file__).resolve().parent.parent.parent / "ontology" / "conflictkg.ttl"

#: Lemmas (verbs and nouns) a report uses for the ontology's event classes, beyond the classes' own labels.
EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "DetaineeEscape": ("flee", "escape", "break out", "escapee", "escape from"),
    "Recapture": ("recapture", "re-arrest", "rearrest", "hunt", "round up", "re - arrest", "manhunt"),
    "Siege": ("besiege", "siege", "encircle", "blockade"),
    "Battle": ("clash", "fight", "fighting", "battle", "confrontation", "skirmish", "exchange of fire"),
    "Attack": ("attack", "assault", "raid", "ambush", "storm", "strike"),
    "RemoteViolence": ("shell", "shelling", "airstrike", "air strike", "bomb", "bombing", "drone strike",
                       "missile", "rocket", "explosion", "bombard", "bombardment"),
    "ViolenceAgainstCivilians": ("massacre", "execute", "abduct", "kidnap", "execution"),
    "Protest": ("protest", "demonstration", "rally", "march"),
    "Riot": ("riot", "uprising", "mutiny", "revolt"),
    "MilitaryCampaign": ("campaign", "operation", "counteroffensive"),
    "Offensive": ("offensive", "advance", "push"),
    "TerritorialControlChange": ("retake", "seize", "capture", "take control", "overrun", "gain", "regain"),
    "Liberation": ("liberation", "liberate"),
    "Accusation": ("accuse", "allege", "blame", "accusation"),
    "Criticism": ("deride", "criticize", "criticise", "condemn", "denounce", "criticism", "condemnation"),
    "Statement": ("announce", "say", "state", "declare", "tell", "confirm", "warn", "statement", "announcement"),
    "MilitaryCooperation": ("alongside", "joint operation", "partner"),
    "SupportProvision": ("supply", "arm", "fund", "provide"),
}

#: Reporting verbs and the kind of attribution they give the clause they govern.
ATTRIBUTION_VERBS: dict[str, str] = {
    **dict.fromkeys(("allege", "accuse", "claim", "blame", "charge", "insist"), "Alleged"),
    **dict.fromkeys(("deride", "criticize", "criticise", "condemn", "denounce"), "Alleged"),
    **dict.fromkeys(("say", "state", "announce", "tell", "declare", "confirm", "report", "add", "warn",
                     "note", "estimate", "explain", "write", "deny", "acknowledge", "admit", "highlight"),
                    "Stated"),
}


@dataclass(frozen=True)
class KnownEntity:
    """An entity the graph already has: its IRI, most specific class (local name) and one of its names."""

    iri: str
    cls: str
    name: str
    preferred: bool


class Ontology:
    """The class hierarchy and event vocabulary of ``ontology/conflictkg.ttl``, read once."""

    def __init__(self, path: Path = _TTL) -> None:
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.labels: dict[str, list[str]] = defaultdict(list)
        self.classes: set[str] = set()
        self.individuals: dict[str, str] = {}
        self.disjoint: set[frozenset[str]] = set()
        first: dict[str, object] = {}
        rest: dict[str, object] = {}
        lists: list[object] = []
        sub, label, alt, typ = (_RDFS + "subClassOf", _RDFS + "label", _SKOS + "altLabel",
                                "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        owl = "http://www.w3.org/2002/07/owl#"
        rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            s, p, o = t.subject, t.predicate.value, t.object
            if p == rdf + "first":
                first[str(s)] = o
            elif p == rdf + "rest":
                rest[str(s)] = o
            elif p == owl + "members":
                lists.append(o)
            elif p == owl + "disjointWith" and isinstance(o, ox.NamedNode):
                self.disjoint.add(frozenset((s.value.rsplit("#", 1)[-1], o.value.rsplit("#", 1)[-1])))
            if not isinstance(s, ox.NamedNode) or not s.value.startswith(str(CK)):
                continue
            name = s.value[len(str(CK)):]
            if p == sub and isinstance(o, ox.NamedNode):
                self.parents[name].add(o.value[len(str(CK)):] if o.value.startswith(str(CK)) else o.value)
            elif p in (label, alt) and isinstance(o, ox.Literal):
                self.labels[name].append(o.value)
            elif p == typ and isinstance(o, ox.NamedNode):
                if o.value == "http://www.w3.org/2002/07/owl#Class":
                    self.classes.add(name)
                elif o.value.startswith(str(CK)):
                    self.individuals[name] = o.value[len(str(CK)):]

        for head in lists:
            members, node = [], head
            while str(node) in first:
                members.append(first[str(node)].value.rsplit("#", 1)[-1])
                node = rest[str(node)]
            self.disjoint.update(frozenset((a, b)) for a in members for b in members if a != b)

    def disjoint_with(self, a: str, b: str) -> bool:
        """Whether the ontology says nothing is both ``a`` and ``b`` (directly or through their superclasses)."""
        return any(frozenset((x, y)) in self.disjoint for x in self.ancestors(a) for y in self.ancestors(b))

    def ancestors(self, cls: str) -> set[str]:
        """``cls`` and every class above it (local names; reused classes by full IRI)."""
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def is_a(self, cls: str, top: str) -> bool:
        """Whether ``cls`` is ``top`` or below it."""
        return top in self.ancestors(cls)

    def below(self, top: str) -> list[str]:
        """Every class at or below ``top``, sorted."""
        return sorted(c for c in self.classes if self.is_a(c, top))

    def kind_of(self, cls: str) -> str:
        """``"event"``, ``"quantity"``, ``"entity"`` (actors, places, nationalities) or ``"other"``."""
        if self.is_a(cls, "Event"):
            return "event"
        if cls == "Quantity":
            return "quantity"
        if any(self.is_a(cls, top) for top in ("Actor", "Place", "Nationality")) or cls in ("Agent", "Organization"):
            return "entity"
        return "other"

    def event_triggers(self) -> dict[str, str]:
        """Trigger phrase (lower case) → event class: the classes' own labels first, then :data:`EVENT_WORDS`."""
        triggers: dict[str, str] = {}
        for cls in self.below("Event"):
            for name in self.labels.get(cls, ()):
                triggers.setdefault(name.lower(), cls)
        for cls, words in EVENT_WORDS.items():
            for word in words:
                triggers.setdefault(word, cls)
        return triggers

    def qualifiers(self) -> list[str]:
        """The qualifier individuals (``Exactly``, ``Approximately`` …)."""
        return sorted(n for n, c in self.individuals.items() if c == "Qualifier")

    def attributions(self) -> list[str]:
        """The kinds of attribution (``Alleged``, ``Reported`` …)."""
        return sorted(n for n, c in self.individuals.items() if c == "Attribution")


@lru_cache(maxsize=1)
def ontology() -> Ontology:
    """The ontology, parsed once per process."""
    return Ontology()


def known_entities(store: FactStore) -> list[KnownEntity]:
    """Every name of every actor, place, nationality and claimant in the store's reviewed graphs.

    Pending graphs, the ontology and the inferred graph are left out: an unreviewed candidate never
    becomes something later reports link to.
    """
    onto = ontology()
    wanted = {c for c in onto.classes if onto.kind_of(c) == "entity"}
    rows = store.query(
        f"""SELECT ?s ?type ?name ?pref WHERE {{
          GRAPH ?g {{ ?s a ?type . {{ ?s <{_RDFS}label> ?name BIND(true AS ?pref) }}
                                   UNION {{ ?s <{_SKOS}altLabel> ?name BIND(false AS ?pref) }} }}
          FILTER (?g NOT IN (<{ONTOLOGY_GRAPH}>, <{INFERRED_GRAPH}>, <{META_GRAPH}>, <{JUSTIFICATIONS_GRAPH}>))
          FILTER (!STRSTARTS(STR(?g), "{PENDING_GRAPHS}"))
          FILTER (STRSTARTS(STR(?s), "{ID}"))
        }}""",
        prefixes=False,
    )
    found: dict[tuple[str, str], KnownEntity] = {}
    for row in rows:
        type_iri = row["type"].value
        if type_iri.startswith(str(CK)):
            cls = type_iri[len(str(CK)):]
        elif type_iri in (_PROV + "Agent", _PROV + "Organization"):
            cls = type_iri[len(_PROV):]
        else:
            continue
        if cls not in wanted and cls not in ("Agent", "Organization"):
            continue
        iri, name = row["s"].value, row["name"].value
        key = (iri, name)
        prev = found.get(key)
        # keep the most specific class seen for the entity
        if prev is None or onto.is_a(cls, prev.cls):
            found[key] = KnownEntity(iri, cls, name, row["pref"].value == "true")
    _ = GRAPH
    return sorted(found.values(), key=lambda e: (e.iri, e.name))
