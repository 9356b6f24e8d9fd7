"""What a reader may see: every graph but those of an import still pending or being dropped.

An import writes its record into a staging graph (under
:data:`~conflictkg.graph.store.remote.STAGING_PREFIX`) until it is published,
and a drop moves the record there before it deletes anything; so until the
next open for writing finishes what a crash left
(:func:`conflictkg.graph.loaders.imports.recover_imports`), the graphs below
are half written. :func:`hidden_graphs` names them; :class:`ReadView` is a
store whose reads leave them out. The analyst's default graph (:mod:`conflictkg.graph.store.datasets`) is computed
from published records in ``g:meta`` only, so it never holds them either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox

from conflictkg.graph.store.base import FactStore, QueryResult
from conflictkg.graph.store.datasets import STAGING_PREFIX
from conflictkg.ontology.vocab import CK

__all__ = ["ReadView", "hidden_graphs"]

# A query that names its own dataset (FROM / FROM NAMED) keeps it: naming a graph is deliberate.
_DATASET_CLAUSE = re.compile(r"\bFROM\s+(NAMED\s+)?[<\w]", re.IGNORECASE)


def hidden_graphs(store: FactStore) -> frozenset[str]:
    """The graphs a reader must not see: staging graphs, and the graphs of imports pending or being dropped.

    One query; empty on a store no crash interrupted.
    """
    status = ox.NamedNode(str(CK.importStatus))
    unfinished = " ".join(str(ox.NamedNode(str(s))) for s in (CK.ImportPending, CK.ImportDropping))
    rows = store.query(
        "SELECT DISTINCT ?h WHERE { "
        # GRAPH ?h { }: the named graphs themselves; with a triple pattern it read every quad (1.7 s at 50k rows).
        # Virtuoso binds no graph to it, but there a reader's dataset leaves staging out already (RemoteStore).
        f"{{ GRAPH ?h {{ }} FILTER(STRSTARTS(STR(?h), {ox.Literal(STAGING_PREFIX)})) }} UNION "
        f"{{ GRAPH ?m {{ ?h {status} ?st }} FILTER(STRSTARTS(STR(?m), {ox.Literal(STAGING_PREFIX)})) }} UNION "
        f"{{ VALUES ?st {{ {unfinished} }} GRAPH ?meta {{ ?h {status} ?st }} }} }}",
        prefixes=False,
    )
    return frozenset(row["h"].value for row in rows)  # type: ignore[index, union-attr]


class ReadView(FactStore):
    """A store whose reads leave out :func:`hidden_graphs` (what read-only commands open).

    Queries that name no dataset get the visible named graphs as theirs;
    ``count``, ``named_graphs`` and ``quads`` skip the hidden ones. When
    nothing is hidden (every store no crash interrupted) each call goes to
    the store unchanged. Writes are refused: a reader does not recover.
    """

    def __init__(self, store: FactStore) -> None:
        self.store = store
        self.path = store.path
        self.hidden = hidden_graphs(store)

    @property
    def kind(self) -> str:
        return self.store.kind

    @property
    def dataset(self):
        return self.store.dataset

    @property
    def listeners(self):  # type: ignore[no-untyped-def, override]
        return self.store.listeners  # the indexes following the store follow what is read through the view too

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def query(self, sparql: str, **kwargs: object) -> QueryResult:  # type: ignore[override]
        if self.hidden:
            if kwargs.get("named_graphs") is None and not _DATASET_CLAUSE.search(sparql):
                if kwargs.get("default_graph") is None and not kwargs.get("raw") and not kwargs.get("union_default_graph"):
                    # Naming the graphs would drop the analyst's default graph: name it too.
                    kwargs["default_graph"] = list(self.store.default_graphs())
                kwargs["named_graphs"] = self.named_graphs()
            if kwargs.get("default_graph") is not None:
                kwargs["default_graph"] = [g for g in kwargs["default_graph"] if str(g) not in self.hidden]  # type: ignore[union-attr]
        return self.store.query(sparql, **kwargs)  # type: ignore[arg-type]

    def default_graphs(self) -> tuple[str, ...]:
        return tuple(g for g in self.store.default_graphs() if g not in self.hidden)

    def count(self, graph=None) -> int:
        if graph is not None:
            return 0 if str(graph) in self.hidden else self.store.count(graph)
        return self.store.count() - sum(self.store.count(g) for g in self.hidden)

    def named_graphs(self) -> list[str]:
        return [g for g in self.store.named_graphs() if g not in self.hidden]

    def quads(self) -> Iterator[ox.Quad]:
        if not self.hidden:
            return self.store.quads()
        return (q for q in self.store.quads() if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in self.hidden))

    def _refuse(self, *args: object, **kwargs: object) -> None:
        from conflictkg.graph.errors import ForbiddenOperation

        raise ForbiddenOperation("this store was opened for reading; writing needs a command that writes")

    update = extend = replace_all = clear_graph = _refuse  # type: ignore[assignment]

    def flush(self) -> None:
        self.store.flush()

    def close(self) -> None:
        self.store.close()

    def __repr__(self) -> str:
        return f"ReadView({self.store!r})"
