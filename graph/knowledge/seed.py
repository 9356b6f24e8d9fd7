"""Building the seed knowledge graph: the ontology, the curated facts, the inferences."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from conflictkg.graph.knowledge.reasoning import materialize
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ONTOLOGY_GRAPH

__all__ = ["build_seed", "has_seed", "ontology_files", "seed_files"]


def ontology_files() -> list[Path]:
    """The Turtle files of the OWL ontology (not the SHACL shapes)."""
    root = Path(str(resources.files("conflictkg.ontology")))
    return sorted(p for p in root.glob("*.ttl") if not p.name.startswith("shapes"))


def seed_files() -> list[Path]:
    """The curated TriG files of the seed graph, in ``data/``."""
    root = Path(str(resources.files("conflictkg.data")))
    return sorted(root.glob("*.trig"))


def has_seed(store: Store) -> bool:
    """Whether the store already holds the ontology graph (a built seed)."""
    return str(ONTOLOGY_GRAPH) in store.named_graphs()


def build_seed(store: Store) -> dict[str, int]:
    """Load the ontology into its own named graph, the curated facts, then the inferences.

    The OWL 2 RL closure of the asserted facts goes to ``g:inferred``
    (:func:`conflictkg.graph.knowledge.reasoning.materialize`), apart from what was asserted.

    Returns
    -------
    dict
        Counts: ``ontology`` triples, ``facts`` quads read, ``inferred`` triples
        materialized, ``total`` quads stored.
    """
    ontology = store.load(ontology_files(), graph=str(ONTOLOGY_GRAPH))
    facts = store.load(seed_files())
    inference = materialize(store)
    return {"ontology": ontology, "facts": facts, "inferred": inference.inferred, "total": store.count()}
