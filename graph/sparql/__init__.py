"""Answering SPARQL: the 1.1 Protocol, the guard, limits and query workers, result formats, saved queries.

May import ``graph.store``, ``graph.errors`` and ``ontology``; never networks, loaders or ``api``.
"""

__all__: list[str] = []
