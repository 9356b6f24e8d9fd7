"""Networks: ties read from the store, snapshots over time, alliances and breakdowns, exports, signed analysis.

May import ``graph.store``, ``graph.errors`` and ``ontology``; never SPARQL serving, loaders or ``api``.
``signed`` works on networkx graphs alone and imports nothing of the store.
"""

__all__: list[str] = []
