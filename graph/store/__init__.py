"""Storing: the fact store and its kinds (embedded Oxigraph, SPARQL servers), dump and restore, snapshots.

May import ``graph.errors`` and ``ontology``; never SPARQL serving, networks, loaders or ``api``.
"""

from conflictkg.graph.store.base import (
    MEMORY,
    REMOTE_SCHEMES,
    FactStore,
    QueryResult,
    format_for_path,
    from_ox,
    insert_data,
    read_quads,
    to_ox,
)
from conflictkg.graph.store.embedded import Store
from conflictkg.graph.store.frames import Rows
from conflictkg.graph.store.opening import open_store

__all__ = [
    "MEMORY",
    "REMOTE_SCHEMES",
    "FactStore",
    "QueryResult",
    "Rows",
    "Store",
    "format_for_path",
    "from_ox",
    "insert_data",
    "open_store",
    "read_quads",
    "to_ox",
]
