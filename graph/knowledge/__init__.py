"""Knowing: what follows from the facts (OWL RL materialization), whether they hold (SHACL, HermiT), the seed build.

May import ``graph.store``, ``graph.errors`` and ``ontology``; never SPARQL serving, networks or ``api``.
"""

__all__: list[str] = []
