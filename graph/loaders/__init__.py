"""Loading: sources (RDF files, ACLED and UCDP exports) into named graphs of the store, all or nothing.

May import ``graph.store``, ``graph.errors`` and ``ontology``; never SPARQL serving, networks or ``api``.
"""

__all__: list[str] = []
