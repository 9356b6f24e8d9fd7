"""Imports of tabular event files: one named graph per import, with provenance, all or nothing.

The steps below live in their own modules: :mod:`.convert` (step 1: read, check, convert, chunk),
:mod:`.load` (step 2: bulk loads, superseding, staging), :mod:`.metadata` (the import's record),
:mod:`.recover` (finishing after a crash, listing, dropping) and :mod:`.pipeline` (the steps in order).
Converters (ACLED, UCDP) import the names below from this package.

Every importer (ACLED, UCDP GED) is a *converter* that turns one CSV row into
N-Triples text; this module does the rest, the same way for every format:

1. **Read and convert, streaming.** Rows are read one at a time, checked and
   converted; the N-Triples go to temporary chunk files on disk, never to a
   list in memory. A bad row stops the import with file, line, row, column
   and value (:class:`BadRow`), or, with ``skip_bad_rows``, goes to a reject
   file with its reason. Either way the store ends as it was: on the embedded
   store the chunks already read are loading meanwhile (step 2, in a
   thread), and a bad row undoes them before the error is raised.
2. **Load, recoverably.** The import's metadata goes into the default graph
   with ``ck:importStatus ck:ImportPending`` before the first chunk; the
   chunks are bulk-loaded into
   the import's own named graph (``g:import/<format>/<id>``); older versions
   of the same events are removed from earlier imports of the format
   (status ``ck:ImportSuperseding``); then the status becomes
   ``ck:ImportComplete``. A crash (even SIGKILL) at any point leaves a
   status that :func:`recover_imports` finishes: a pending import is dropped,
   a superseding one is completed. Importers call it before they start.

A single pyoxigraph transaction over millions of quads would hold them all in
memory, and chunked transactional writes would leave half an import after a
crash; the pending/complete status makes chunked bulk loading all or nothing.

What readers see depends on the store:

- **Embedded, on disk**: RocksDB lets one process open the folder, so while
  ``conflictkg import`` runs every other process (``conflictkg query``,
  ``serve``) is refused with an error naming the store's lock: it never sees
  half an import. A reader *in the importing process* (library code sharing
  the :class:`Store` across threads) is not isolated: it sees the pending
  metadata, then the new graph beside the old versions, then the old
  versions going batch by batch. Isolating it would need the whole import
  (and every deletion it causes) in one RocksDB transaction, held in memory
  (gigabytes at a million rows), which is what bulk loading avoids.
- **SPARQL server with Oxigraph's layout** (``sparql+http://…``): steps 2–3
  are *one streamed update* (supersede ``DELETE``, ``INSERT DATA`` read from
  the chunk files, the metadata as ``ck:ImportComplete``): one server
  transaction, so every client sees the import whole or not at all, and a
  client killed mid-request leaves nothing to recover (the server refuses a
  truncated request). The server holds that transaction in memory.
- **Other SPARQL servers**: the chunks go to hidden staging graphs
  (:data:`~conflictkg.graph.store.remote.STAGING_PREFIX`, skipped by conflictkg's
  own reads; the metadata waits in a staging graph as ``ck:ImportPending``)
  and one update publishes them (``ADD``, supersede, metadata). A raw
  ``GRAPH ?g`` query by another client sees the staging graphs; Virtuoso
  commits the operations of one update one by one.

Metadata of an import (default graph, about the graph IRI)::

    g:import/acled/… a ck:FactGraph ; ck:importFormat "acled" ;
        ck:importStatus ck:ImportComplete ; prov:wasDerivedFrom <id/source/file/sha256-…> ;
        prov:generatedAtTime "…"^^xsd:dateTime ; ck:importerVersion "…" ;
        ck:rowCount 1000 ; ck:rejectedRowCount 0 ; ck:tripleCount 18000 ; ck:reportedOn "…"^^xsd:date .
    <id/source/file/sha256-…> a ck:SourceDocument ; rdfs:label "export.csv" ;
        ck:fileName "export.csv" ; ck:checksum "sha256:…" ; dcterms:publisher "ACLED" .
"""

from conflictkg.graph.loaders.imports.convert import (
    BadRow,
    Converter,
    ImportReport,
    Progress,
    RejectWriter,
    RowError,
    nt_iri,
    nt_literal,
)
from conflictkg.graph.loaders.imports.load import (
    CHUNK_TRIPLES,
    LOAD_THREADS,
    bulk_load_file,
    delete_events,
    delete_events_update,
)
from conflictkg.graph.loaders.imports.metadata import IMPORTER_VERSION
from conflictkg.graph.loaders.imports.pipeline import import_file
from conflictkg.graph.loaders.imports.recover import drop_import, list_imports, recover_imports

__all__ = [
    "BadRow",
    "CHUNK_TRIPLES",
    "Converter",
    "IMPORTER_VERSION",
    "ImportReport",
    "LOAD_THREADS",
    "Progress",
    "RejectWriter",
    "RowError",
    "bulk_load_file",
    "delete_events",
    "delete_events_update",
    "drop_import",
    "import_file",
    "list_imports",
    "nt_iri",
    "nt_literal",
    "recover_imports",
]
