"""The seed facts (ontology and curated graphs, no reasoning: fast) in one store for the entity tests."""

from __future__ import annotations

import pytest

from conflictkg.graph.knowledge.seed import ontology_files, seed_files
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ONTOLOGY_GRAPH


@pytest.fixture(scope="module")
def seeded() -> Store:
    store = Store()
    store.load(ontology_files(), graph=str(ONTOLOGY_GRAPH))
    store.load(seed_files())
    return store
