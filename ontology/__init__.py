"""The conflictkg OWL ontology, its SHACL shapes, and the Python that loads them."""

from conflictkg.ontology.vocab import CK, GRAPH, ID, PREFIXES, graph_iri, id_iri

__all__ = ["CK", "GRAPH", "ID", "PREFIXES", "graph_iri", "id_iri"]
