"""What a reader may see: a staging graph, and the graphs of an unfinished import, are left out."""

from __future__ import annotations

from conflictkg.graph.store import Store
from conflictkg.graph.store.datasets import STAGING_PREFIX
from conflictkg.graph.store.visibility import ReadView, hidden_graphs
from conflictkg.ontology.vocab import CK, META_GRAPH


def test_staging_graphs_and_unfinished_imports_are_hidden_from_readers() -> None:
    store = Store()
    staging, pending = f"{STAGING_PREFIX}import-1", "urn:import:pending"
    store.update(
        f"INSERT DATA {{ GRAPH <urn:facts> {{ <urn:a> <urn:p> 1 }} GRAPH <{staging}> {{ <urn:b> <urn:p> 2 }} "
        f"GRAPH <{META_GRAPH}> {{ <{pending}> <{CK.importStatus}> <{CK.ImportPending}> }} "
        f"GRAPH <{pending}> {{ <urn:c> <urn:p> 3 }} }}"
    )
    assert hidden_graphs(store) == {staging, pending}
    view = ReadView(store)
    assert staging not in view.named_graphs() and pending not in view.named_graphs()
    seen = {row["s"].value for row in view.query("SELECT ?s WHERE { GRAPH ?g { ?s <urn:p> ?o } }")}  # type: ignore[union-attr]
    assert seen == {"urn:a"}
    store.update(f"DROP GRAPH <{staging}> ; DROP GRAPH <{pending}> ; DROP GRAPH <{META_GRAPH}>")
    assert hidden_graphs(store) == frozenset()
