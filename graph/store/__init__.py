"""Storing: the fact store and its kinds (embedded Oxigraph, SPARQL servers), dump and restore, snapshots.

May import ``graph.errors`` and ``ontology``; never SPARQL serving, networks, loaders or ``api``.
"""

from conflictkg.graph.store.base import (
    MEMORY,
    REMOTE_SCHEMES,
    FactStore,
    QueryResult,
    Row,
    format_for_path,
    from_ox,
    insert_data,
    read_quads,
    to_ox,
)
from conflictkg.graph.store.datasets import DEFAULT_GRAPHS_QUERY, default_graphs, has_dataset_clause
from conflictkg.graph.store.embedded import Store
from conflictkg.graph.store.frames import Rows
from conflictkg.graph.store.opening import open_store, store_kind

__all__ = [
    "DEFAULT_GRAPHS_QUERY",
    "MEMORY",
    "REMOTE_SCHEMES",
    "FactStore",
    "QueryResult",
    "Row",
    "Rows",
    "Store",
    "default_graphs",
    "format_for_path",
    "from_ox",
    "has_dataset_clause",
    "insert_data",
    "open_store",
    "read_quads",
    "store_kind",
    "to_ox",
]
