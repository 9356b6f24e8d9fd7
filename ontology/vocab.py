"""Namespaces and IRI minting shared by the ontology, the loaders and the queries."""

from rdflib import Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

__all__ = [
    "BASE",
    "CK",
    "GEO",
    "GRAPH",
    "ID",
    "CURATED_GRAPHS",
    "GRAPH_PREFIXES",
    "ONTOLOGY_GRAPH",
    "INFERRED_GRAPH",
    "JUSTIFICATIONS_GRAPH",
    "META_GRAPH",
    "PENDING_GRAPHS",
    "PREFIXES",
    "graph_iri",
    "id_iri",
    "sparql_prefixes",
]

BASE = "https://w3id.org/conflictkg/"
#: Terms of the ontology: classes and properties.
CK = Namespace(BASE + "ontology#")
#: Entities (actors, places, events, quantities, claims): ``ID["actor/sdf"]``.
ID = Namespace(BASE + "id/")
#: Named graphs: one per source statement group, plus the reserved ones below.
GRAPH = Namespace(BASE + "graph/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")

#: The TBox, loaded into the store so SPARQL can follow subclass links.
ONTOLOGY_GRAPH = GRAPH["ontology"]
#: Everything materialized by reasoning; never mixed with asserted facts.
INFERRED_GRAPH = GRAPH["inferred"]
#: The metadata of every named graph (kind, source, claimant, reporting date).
META_GRAPH = GRAPH["meta"]
#: Unreviewed extractions from reports, one ``ck:PendingGraph`` per report: ``PENDING_GRAPHS + slug``.
PENDING_GRAPHS = str(GRAPH) + "pending/"
#: Why each triple of the inferred graph holds: its rule and premises (RDF reification).
JUSTIFICATIONS_GRAPH = GRAPH["justifications"]
#: Graphs from outside the report that curators add (CENTCOM is part of the US, aliases the report never uses).
CURATED_GRAPHS = str(GRAPH) + "curated/"

#: A prefix per family of graph IRIs, so every graph can be written as a prefixed
#: name without escapes (``al-aqtaan:facts``, not ``g:al-aqtaan\/facts``).
GRAPH_PREFIXES = {
    "g": str(GRAPH),
    "al-aqtaan": str(GRAPH) + "al-aqtaan/",
    "al-aqtaan-claim": str(GRAPH) + "al-aqtaan/claim/",
    "curated": CURATED_GRAPHS,
    "pending": PENDING_GRAPHS,
    "acled-import": str(GRAPH) + "import/acled/",
    "ucdp-import": str(GRAPH) + "import/ucdp/",
}

#: Every predeclared prefix: queries on the store and saved queries may use these without PREFIX lines.
PREFIXES = {
    "ck": str(CK),
    "id": str(ID),
    **{kind: f"{ID}{kind}/" for kind in (
        "actor", "place", "event", "group", "person", "agent", "nationality", "quantity",
        "control", "plan", "role", "source", "rule", "statement",
    )},
    "rel": f"{ID}relationship/",
    **GRAPH_PREFIXES,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "time": str(TIME),
    "geo": str(GEO),
}


def id_iri(kind: str, slug: str) -> URIRef:
    """Mint the stable, readable IRI of an entity, e.g. ``id_iri("actor", "sdf")``."""
    return ID[f"{kind}/{slug}"]


def graph_iri(slug: str) -> URIRef:
    """Mint the IRI of a named graph, e.g. ``graph_iri("seed/al-aqtaan/report")``."""
    return GRAPH[slug]


def sparql_prefixes() -> str:
    """The PREFIX lines for every namespace above, to prepend to a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
