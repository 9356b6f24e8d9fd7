"""Finishing what a crash left, listing imports, dropping one."""


from __future__ import annotations

import pyoxigraph as ox

from conflictkg.graph.errors import UnknownEntity
from conflictkg.graph.loaders.imports.convert import _term, _values
from conflictkg.graph.loaders.imports.load import (
    _STAGED_IMPORTS,
    _data_staging,
    _delete_graph_in_chunks,
    _meta_staging,
    _delete_metadata,
    _delete_metadata_update,
    _set_status,
    _supersede,
)
from conflictkg.graph.loaders.imports.metadata import COMPLETE, DROPPING, SUPERSEDING
from conflictkg.graph.store import FactStore
from conflictkg.graph.store.remote import STAGING_PREFIX
from conflictkg.ontology.vocab import BASE, GRAPH

__all__ = ["drop_import", "list_imports", "recover_imports"]


def recover_imports(store: FactStore) -> list[tuple[str, str]]:
    """Finish what a crashed import or drop left: drop pending imports, complete superseding ones.

    Staging graphs a crashed import left on a SPARQL server are dropped too.

    Every import calls this first. Call it after opening a store a crash may
    have left behind (``conflictkg import recover`` does). Meant for one
    writer at a time: on a shared remote store it would also "recover" an
    import another process is running.

    Returns
    -------
    list of (graph IRI, action)
        ``"dropped"`` or ``"completed"`` for each import found unfinished.
    """
    done = []
    for row in store.select(
        f"SELECT DISTINCT ?m ?g WHERE {{ GRAPH ?m {{ ?g ck:importStatus ?status }} "
        f"FILTER(STRSTARTS(STR(?m), {ox.Literal(STAGING_PREFIX)})) }}",
        raw=True,
    ):
        # An import never published, or one being dropped: its record waits in staging, so
        # readers see none of it. Its graph goes first (in chunks), the record last, so a
        # crash here leaves the record for the next recovery.
        meta, g = str(row["m"]), str(row["g"])
        _delete_metadata(store, g)  # a drop cut short between its own steps (nothing, for a pending import)
        _delete_graph_in_chunks(store, g)
        store.update(f"DROP SILENT GRAPH {_term(_data_staging(meta))} ;\nDROP SILENT GRAPH {_term(meta)}")
        done.append((g, "dropped"))
    for staged in store.named_graphs():  # the list of graphs, not a scan of every quad (recovery runs at every start)
        if staged.startswith(_STAGED_IMPORTS):
            # The staged copy of an import that was published (its metadata staging is gone).
            store.update(f"DROP SILENT GRAPH {_term(staged)}")
    for row in store.select(
        "SELECT ?g ?status ?fmt WHERE { GRAPH g:meta { ?g ck:importStatus ?status ; ck:importFormat ?fmt } "
        "FILTER(?status != ck:ImportComplete) }",
        raw=True,
    ):
        g, status, fmt = str(row["g"]), row["status"], str(row["fmt"])
        if str(status) == str(SUPERSEDING):
            _supersede(store, g, fmt, None)
            _set_status(store, g, COMPLETE)
            done.append((g, "completed"))
        else:  # pending or dropping
            _set_status(store, g, DROPPING)
            _delete_graph_in_chunks(store, g)
            _delete_metadata(store, g)
            done.append((g, "dropped"))
    store.flush()
    return done


def list_imports(store: FactStore) -> list[dict[str, object]]:
    """Every import in the store, oldest first: id, graph, format, file, checksum, rows, status, time."""
    rows = store.select(
        "SELECT ?g ?fmt ?status ?file ?checksum ?rows ?rejected ?triples ?at WHERE { GRAPH g:meta { "
        "?g ck:importFormat ?fmt ; ck:importStatus ?status ; prov:wasDerivedFrom ?src ; "
        "prov:generatedAtTime ?at ; ck:rowCount ?rows ; ck:rejectedRowCount ?rejected ; ck:tripleCount ?triples . "
        "?src ck:fileName ?file ; ck:checksum ?checksum } } ORDER BY ?at ?g",
        raw=True,
    )
    prefix = str(GRAPH) + "import/"
    return [
        {
            "id": str(r["g"]).removeprefix(prefix),
            "graph": str(r["g"]),
            "format": str(r["fmt"]),
            "status": str(r["status"]).rsplit("#", 1)[-1].removeprefix("Import").lower(),
            "file": str(r["file"]),
            "checksum": str(r["checksum"]),
            "rows": int(r["rows"].toPython()),  # type: ignore[union-attr]
            "rejected": int(r["rejected"].toPython()),  # type: ignore[union-attr]
            "triples": int(r["triples"].toPython()),  # type: ignore[union-attr]
            "imported_at": str(r["at"]),
        }
        for r in rows
    ]


def drop_import(store: FactStore, import_id: str) -> str:
    """Remove one import: its named graph and its metadata.

    Events an import superseded in earlier imports are gone with it (a newer
    version replaced them); drop the newer import and re-import the older
    file to get them back.

    Parameters
    ----------
    import_id : str
        The id :func:`list_imports` shows (``acled/…``) or the full graph IRI.

    Returns
    -------
    str
        The IRI of the dropped graph.

    Raises
    ------
    UnknownEntity
        If no import has that id.
    """
    graph = import_id if import_id.startswith(BASE) else str(GRAPH) + "import/" + import_id
    if not store.ask(f"ASK {{ {_values('g', [graph])} GRAPH g:meta {{ ?g ck:importFormat ?fmt }} }}", raw=True):
        raise UnknownEntity(f"no import {import_id!r}; `conflictkg import list` shows them", parameter="import")
    # One update hides the import from readers: its record moves to staging as dropping
    # (the file's description stays if another import came from the same file).
    meta, g = _meta_staging(graph), _values("g", [graph])
    store.update(
        f"INSERT {{ GRAPH {_term(meta)} {{ ?s ?p ?o }} }} WHERE {{ {g} {{ GRAPH g:meta {{ ?g ?p ?o }} BIND(?g AS ?s) }} UNION "
        "{ GRAPH g:meta { ?g prov:wasDerivedFrom ?s . ?s ?p ?o } } } ;\n"
        f"DELETE {{ GRAPH {_term(meta)} {{ ?g ck:importStatus ?old }} }} INSERT {{ GRAPH {_term(meta)} {{ ?g ck:importStatus {_term(str(DROPPING))} }} }} "
        f"WHERE {{ {g} GRAPH {_term(meta)} {{ ?g ck:importStatus ?old }} }} ;\n"
        + _delete_metadata_update(store, graph)
    )
    _delete_graph_in_chunks(store, graph)
    store.update(f"DROP SILENT GRAPH {_term(meta)}")
    store.flush()
    return graph
