"""The core of conflictkg: store, loaders, validation, reasoning and network analysis."""

from conflictkg.graph.errors import KGError
from conflictkg.graph.store import MEMORY, Store, open_store

__all__ = ["KGError", "MEMORY", "Store", "open_store"]
