"""The core of conflictkg, in four wings (and the loaders that feed them).

Read in the order the data flows (DESIGN.md):

- ``graph.loaders``   sources (RDF files, ACLED and UCDP exports) into named graphs;
- ``graph.store``     the fact store and its kinds, dump and restore, snapshots;
- ``graph.knowledge`` what follows from the facts: reasoning, validation, the seed build;
- ``graph.sparql``    answering SPARQL: protocol, guard, limits and workers, result formats, saved queries;
- ``graph.networks``  ties read from the store, networks over time, alliances, exports, signed analysis.

``graph.errors`` is the error vocabulary all of them share. Nothing here imports ``api``.
"""

from conflictkg.graph.errors import KGError
from conflictkg.graph.store import MEMORY, Store, open_store

__all__ = ["KGError", "MEMORY", "Store", "open_store"]
