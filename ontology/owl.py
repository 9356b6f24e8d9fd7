"""The ontology in owlready2, checked and classified by HermiT.

owlready2 cannot read Turtle, so the Turtle files (and any data to check with
them) are converted to N-Triples with pyoxigraph first. Every check builds its
own owlready2 ``World`` so runs never leak into each other. HermiT runs in a
Java subprocess and costs a few seconds; callers should run it rarely.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.errors import InputError, KGError, ParseError

__all__ = [
    "ONTOLOGY_IRI",
    "Consistency",
    "Culprit",
    "check_consistency",
    "load_world",
    "ontology_paths",
    "to_ntriples",
    "unsupported_datatypes",
    "OWL2_XSD_DATATYPES",
]

#: The IRI of the main ontology (``owl:Ontology`` in conflictkg.ttl).
ONTOLOGY_IRI = "https://w3id.org/conflictkg/ontology"

_OWL = "http://www.w3.org/2002/07/owl#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OWL_ONTOLOGY = ox.NamedNode(_OWL + "Ontology")
_OWL_IMPORTS = ox.NamedNode(_OWL + "imports")
_OWL_NAMED_INDIVIDUAL = ox.NamedNode(_OWL + "NamedIndividual")
_SCHEMA_NAMESPACES = (_OWL, "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#")


def ontology_paths() -> list[Path]:
    """The Turtle files of the OWL ontology (every ``*.ttl`` here but the SHACL shapes)."""
    root = Path(__file__).parent
    return sorted(p for p in root.glob("*.ttl") if not p.name.startswith("shapes"))


_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_DATE = ox.NamedNode(_XSD + "date")
_XSD_DATETIME = ox.NamedNode(_XSD + "dateTime")
_DATE = re.compile(r"(-?[0-9]{4,}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")

#: The XML Schema datatypes of the OWL 2 datatype map (OWL 2 Structural Specification §4),
#: the only ones HermiT reasons with. xsd:date is not among them.
OWL2_XSD_DATATYPES = frozenset(
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short byte "
    "unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token language "
    "Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp".split()
)


def _for_hermit(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    # xsd:date is not an OWL 2 datatype, so HermiT refuses it (or, told to ignore
    # it, checks nothing about dates). Each date is the midnight that starts it:
    # distinct dates stay distinct and ordered, a date range stays a date range,
    # and a string where a date belongs is caught.
    if term == _XSD_DATE:
        return _XSD_DATETIME
    if isinstance(term, ox.Literal) and term.datatype == _XSD_DATE:
        m = _DATE.fullmatch(term.value)
        if m:
            return ox.Literal(f"{m[1]}T00:00:00{m[2] or ''}", datatype=_XSD_DATETIME)
    return term


_OWL2_OTHER_DATATYPES = frozenset({
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/2000/01/rdf-schema#Literal",
    _OWL + "real",
    _OWL + "rational",
})


def _owl2_datatype(iri: str) -> bool:
    return iri in _OWL2_OTHER_DATATYPES or (iri.startswith(_XSD) and iri.removeprefix(_XSD) in OWL2_XSD_DATATYPES)


def unsupported_datatypes(ntriples: bytes) -> list[str]:
    """The datatypes an N-Triples document uses, as literals' types or XML Schema IRIs, that HermiT does not know (sorted).

    geo:wktLiteral (the imports' points) is one; xsd:date is not, once :func:`to_ntriples` has mapped it.
    """
    used = {m.decode() for m in re.findall(rb'"\^\^<([^>]+)>', ntriples)}
    used |= {_XSD + m.decode() for m in re.findall(rb"<http://www\.w3\.org/2001/XMLSchema#([A-Za-z]+)>", ntriples)}
    return sorted(d for d in used if not _owl2_datatype(d))


def to_ntriples(paths: Sequence[str | Path] = (), triples: Iterable[ox.Triple] = ()) -> bytes:
    """Turtle files and extra triples as one N-Triples document owlready2 can read.

    Ontology headers other than the main one, and ``owl:imports``, are dropped:
    the files are read together here, and owlready2 would otherwise try to
    fetch imports from the network. ``xsd:date`` (ranges and values) becomes
    ``xsd:dateTime`` at midnight, which HermiT reasons with: xsd:date is not
    in the OWL 2 datatype map.

    Raises
    ------
    ParseError
        If a file does not parse (file, line and column in the message).
    """
    keep: list[ox.Triple] = []

    def add(t: ox.Triple) -> None:
        if t.predicate == _OWL_IMPORTS:
            return
        if t.predicate == _RDF_TYPE and t.object == _OWL_ONTOLOGY and t.subject != ox.NamedNode(ONTOLOGY_IRI):
            return
        keep.append(ox.Triple(t.subject, t.predicate, _for_hermit(t.object)))

    for path in paths:
        try:
            for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                add(quad.triple)
        except SyntaxError as err:
            raise ParseError(str(err.args[0] if err.args else err), file=str(path), line=err.lineno, column=err.offset) from err
    for t in triples:
        add(t)
    # owlready2 (and OWL 2's structural form) only see typed IRIs as individuals
    # once they are declared owl:NamedIndividual; curated data rarely says so.
    named = {
        t.subject
        for t in keep
        if t.predicate == _RDF_TYPE
        and isinstance(t.subject, ox.NamedNode)
        and isinstance(t.object, ox.NamedNode)
        and not t.object.value.startswith(_SCHEMA_NAMESPACES)
    }
    keep += [ox.Triple(s, _RDF_TYPE, _OWL_NAMED_INDIVIDUAL) for s in named]
    # Declare the main ontology even if only data was given, so owlready2 has a home for it.
    keep.append(ox.Triple(ox.NamedNode(ONTOLOGY_IRI), _RDF_TYPE, _OWL_ONTOLOGY))
    return ox.serialize(keep, format=ox.RdfFormat.N_TRIPLES) or b""


def load_world(ntriples: bytes):  # -> tuple[owlready2.World, owlready2.Ontology]
    """A fresh owlready2 ``World`` holding the given N-Triples as one ontology."""
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology(ONTOLOGY_IRI)
    try:
        onto.load(fileobj=io.BytesIO(ntriples), format="ntriples", reload=True)
    except Exception as err:  # owlready2 raises bare Exceptions on bad input
        raise InputError(f"owlready2 could not read the ontology: {err}") from err
    return world, onto


@dataclass
class Culprit:
    """An individual that makes the ontology and data inconsistent, and why."""

    individual: str
    reason: str

    def __str__(self) -> str:
        return f"{self.individual}: {self.reason}"


@dataclass
class Consistency:
    """The outcome of a HermiT run over the ontology and (asserted) data."""

    consistent: bool
    seconds: float
    classes: int = 0
    individuals: int = 0
    #: Classes HermiT finds unsatisfiable (equivalent to owl:Nothing).
    unsatisfiable: list[str] = field(default_factory=list)
    #: New class memberships HermiT infers for individuals (classification).
    inferred_types: int = 0
    #: The individuals that explain an inconsistency, where they can be told.
    culprits: list[Culprit] = field(default_factory=list)
    #: Datatypes outside the OWL 2 datatype map that the data used, which HermiT was told to ignore.
    ignored_datatypes: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def check_consistency(ntriples: bytes) -> Consistency:
    """Run HermiT over an N-Triples document of ontology plus data.

    Parameters
    ----------
    ntriples : bytes
        What :func:`to_ntriples` made of the ontology files and the data.

    Returns
    -------
    Consistency
        Whether HermiT finds it consistent, the unsatisfiable classes, the
        number of individual types it infers, and on inconsistency the
        individuals that cause it (disjoint types, clashing functional values),
        found by following owlready2's class hierarchy and property domains.

    Raises
    ------
    KGError
        If Java or HermiT fail for another reason than inconsistency.
    """
    import owlready2

    world, onto = load_world(ntriples)
    individuals = list(world.individuals())
    before = {ind.iri: set(ind.is_a) for ind in individuals}
    classes = sum(1 for _ in world.classes())
    # Only a datatype to_ntriples could not map (one a user's data brings) needs HermiT to look away.
    ignored = unsupported_datatypes(ntriples)
    start = time.perf_counter()
    try:
        with onto:
            owlready2.sync_reasoner_hermit(
                world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=bool(ignored)
            )
    except owlready2.OwlReadyInconsistentOntologyError:
        seconds = time.perf_counter() - start
        culprits = explain_inconsistency(world)
        return Consistency(
            consistent=False,
            seconds=seconds,
            classes=classes,
            individuals=len(individuals),
            culprits=culprits,
            ignored_datatypes=ignored,
            message="HermiT: the ontology with this data is inconsistent" + _ignored_note(ignored),
        )
    except owlready2.OwlReadyJavaError as err:
        raise KGError(f"HermiT failed: {err}") from err
    seconds = time.perf_counter() - start
    nothing = owlready2.Nothing
    unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c is not nothing)
    inferred = sum(len(set(ind.is_a) - before.get(ind.iri, set())) for ind in world.individuals())
    return Consistency(
        consistent=True,
        seconds=seconds,
        classes=classes,
        individuals=len(individuals),
        unsatisfiable=unsatisfiable,
        inferred_types=inferred,
        ignored_datatypes=ignored,
        message="HermiT: consistent"
        + (f"; {len(unsatisfiable)} unsatisfiable class(es)" if unsatisfiable else "")
        + _ignored_note(ignored),
    )


def _ignored_note(ignored: list[str]) -> str:
    if not ignored:
        return ""
    names = ", ".join(_short(d).replace(_XSD, "xsd:") for d in ignored)
    return f" (HermiT ignored the values of {names}: not OWL 2 datatypes)"


def explain_inconsistency(world) -> list[Culprit]:  # world: owlready2.World
    """The individuals whose types are declared disjoint, or whose functional values clash.

    HermiT only says *that* the ontology is inconsistent. This walks what
    owlready2 knows: each individual's asserted classes and their ancestors,
    the domains and ranges of the properties it is used with, the declared
    disjointness axioms, and functional properties with two different values.
    """
    import owlready2

    types: dict[object, set] = defaultdict(set)
    why: dict[tuple[object, object], str] = {}

    def note(ind: object, cls: object, reason: str) -> None:
        if not isinstance(cls, owlready2.ThingClass):
            return
        for anc in cls.ancestors():
            if anc not in types[ind]:
                types[ind].add(anc)
                why.setdefault((ind, anc), reason)

    for ind in world.individuals():
        for cls in ind.is_a:
            note(ind, cls, f"asserted a {_short(cls)}")
    for prop in world.object_properties():
        props = [p for p in prop.ancestors() if isinstance(p, owlready2.ObjectPropertyClass)]
        for s, o in prop.get_relations():
            for p in props:
                for d in p.domain:
                    note(s, d, f"subject of {_short(prop)} (domain {_short(d)})")
                for r in p.range:
                    if isinstance(o, owlready2.Thing):
                        note(o, r, f"object of {_short(prop)} (range {_short(r)})")
    for prop in world.data_properties():
        for s, _o in _relations(prop):
            for d in prop.domain:
                note(s, d, f"subject of {_short(prop)} (domain {_short(d)})")

    disjoint_pairs: list[tuple[object, object]] = []
    for axiom in world.disjoint_classes():
        members = [e for e in axiom.entities if isinstance(e, owlready2.ThingClass)]
        disjoint_pairs += [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]

    culprits: list[Culprit] = []
    for ind, classes in types.items():
        for a, b in disjoint_pairs:
            if a in classes and b in classes:
                culprits.append(
                    Culprit(
                        ind.iri,
                        f"is both a {_short(a)} ({why[(ind, a)]}) and a {_short(b)} ({why[(ind, b)]}), "
                        "which are disjoint",
                    )
                )
    for prop in list(world.data_properties()) + list(world.object_properties()):
        if owlready2.FunctionalProperty not in prop.is_a:
            continue
        values: dict[object, set] = defaultdict(set)
        for s, o in _relations(prop):
            values[s].add(o)
        for s, vals in values.items():
            if len(vals) > 1 and all(not isinstance(v, owlready2.Thing) for v in vals):
                shown = ", ".join(sorted(_shown(v) for v in vals))
                culprits.append(Culprit(s.iri, f"has {len(vals)} values for functional {_short(prop)}: {shown}"))
    return sorted(culprits, key=lambda c: (c.individual, c.reason))


def _relations(prop) -> list[tuple[object, object]]:
    # owlready2 cannot read values of a datatype outside OWL 2 (geo:wktLiteral);
    # HermiT was told to ignore those, so the explanation leaves them out too.
    try:
        return list(prop.get_relations())
    except ValueError:
        return []


def _shown(value: object) -> str:
    # A date was given to HermiT as its midnight (see to_ntriples): show the date again.
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    return str(value)


def _short(entity: object) -> str:
    iri = getattr(entity, "iri", str(entity))
    for prefix, ns in (("ck:", "https://w3id.org/conflictkg/ontology#"), ("prov:", "http://www.w3.org/ns/prov#"),
                       ("geo:", "http://www.opengis.net/ont/geosparql#"), ("owl:", _OWL)):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri
