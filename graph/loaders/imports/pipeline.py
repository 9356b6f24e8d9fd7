"""One import from file to named graph: the steps of :mod:`conflictkg.graph.loaders.imports` in order."""


from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.errors import InputError, ParseError
from conflictkg.graph.loaders.imports.convert import (
    BadRow,
    Converter,
    ImportReport,
    Progress,
    RejectWriter,
    RowError,
    _checksum,
    _Chunks,
    _encoding_error,
    _rows,
)
from conflictkg.graph.loaders.imports.load import (
    CHUNK_TRIPLES,
    REMOTE_CHUNK_TRIPLES,
    _data_staging,
    _import_in_one_update,
    _Loader,
    _meta_staging,
    _publish,
    _publish_embedded,
    _set_status,
    _streams_updates,
    _supersede,
    bulk_load_file,
)
from conflictkg.graph.loaders.imports.metadata import (
    COMPLETE,
    SUPERSEDING,
    _already_imported,
    _import_graph,
    _metadata,
    _pending_record,
    in_staging,
)
from conflictkg.graph.loaders.imports.recover import recover_imports
from conflictkg.graph.store import FactStore, Store
from conflictkg.graph.store.remote import RemoteStore

__all__ = ["import_file"]

def import_file(
    store: FactStore,
    path: str | os.PathLike[str],
    converter: Converter,
    *,
    skip_bad_rows: bool = False,
    rejects: RejectWriter | None = None,
    progress: Progress | None = None,
    one_load: bool = False,
    chunk_triples: int | None = None,
    temp_dir: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Import one CSV file into its own named graph, all or nothing.

    Parameters
    ----------
    store : FactStore
        Where the facts go.
    path : path
        The CSV file.
    converter : Converter
        The format's row converter (``AcledConverter``, ``UcdpConverter``).
    skip_bad_rows : bool
        Import the good rows and send bad ones to ``rejects`` instead of stopping.
    rejects : RejectWriter, optional
        Where rejected rows go (needed with ``skip_bad_rows``).
    progress : callable, optional
        ``progress(stage, done, total, rows)``, called now and then.
    one_load : bool
        On the embedded store, one bulk load of the whole file instead of
        chunks of :data:`CHUNK_TRIPLES` loaded :data:`LOAD_THREADS` at a
        time (peak memory about 1 GB whatever the file's size). Slower, and
        its memory grows with the file (2.1 GB at a million rows); kept to
        compare with. See ``bench/imports.py``.
    chunk_triples : int, optional
        Triples per temporary file and load; overrides the choice above.
    temp_dir : path, optional
        Folder for the temporary N-Triples (default: the system's).

    Returns
    -------
    ImportReport

    Notes
    -----
    Other processes never see half an import; threads of this process that
    read the same embedded store do (see the module notes).

    Raises
    ------
    InputError
        The file is missing, or ``skip_bad_rows`` without ``rejects``.
    BadRow
        A row is bad (without ``skip_bad_rows``); the store is unchanged.
    ParseError
        The header is wrong or the file is not CSV; the store is unchanged.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file", file=str(path))
    if skip_bad_rows and rejects is None:
        raise InputError("--skip-bad-rows needs a reject file (--rejects FILE)", parameter="rejects")
    started = time.perf_counter()
    recover_imports(store)
    checksum = _checksum(path)
    now = datetime.now(timezone.utc)
    report = ImportReport(str(path), converter.format, _import_graph(converter.format, checksum, now), checksum)
    existing = _already_imported(store, converter.format, checksum)
    if existing:
        report.graph, report.already_imported = existing, True
        return report

    if chunk_triples is None:
        if _streams_updates(store):
            chunk_triples = sys.maxsize  # streamed from the file: memory stays flat
        elif not isinstance(store, Store):
            chunk_triples = REMOTE_CHUNK_TRIPLES  # each chunk crosses the network as one request
        else:
            chunk_triples = sys.maxsize if one_load else CHUNK_TRIPLES
    total = path.stat().st_size
    folder = Path(tempfile.mkdtemp(prefix=f"conflictkg-{converter.format}-", dir=temp_dir))
    # On the embedded store, chunks load while later rows are still read (see _Loader).
    # On every store the record waits in a staging graph until the import is published:
    # readers never see it, and recover_imports finds it there.
    meta = _meta_staging(report.graph)
    loader = (
        _Loader(store, report.graph, in_staging(_pending_record(report, path, converter.publisher, now), meta))
        if isinstance(store, Store) and chunk_triples < sys.maxsize
        else None
    )
    touched = False  # whether the store has changed after the rows were read
    try:
        chunks = _Chunks(folder, chunk_triples, done=loader.submit if loader is not None else None)
        events_path = folder / "events.txt"
        with events_path.open("w", encoding="utf-8") as events:
            header: list[str] = []
            for n, line, fields, pos in _rows(path):
                if n == 0:
                    header = [h.lstrip("\ufeff").strip() for h in fields]
                    try:
                        converter.check_header(header)
                    except RowError as err:
                        raise ParseError(f"not a {converter.format} file: {err.reason}", file=str(path), line=line,
                                         field="header") from None
                    continue
                try:
                    bad = None if "".join(fields).isascii() else _encoding_error(fields, header)
                    if bad is not None:
                        raise bad
                    if len(fields) != len(header):
                        raise RowError("(row)", len(fields), f"expected {len(header)} columns, found {len(fields)}")
                    text, triples, event = converter.convert(fields)
                except RowError as err:
                    if not skip_bad_rows:
                        raise BadRow(str(path), line, n, err.field, err.value, err.reason) from None
                    assert rejects is not None
                    rejects.write(str(path), n, line, err, fields)
                    report.rejected += 1
                    continue
                chunks.write(text, triples)
                events.write(event + "\n")
                report.rows += 1
                if progress is not None and pos >= 0:
                    progress("read", pos, total, report.rows)
            if not header:
                raise ParseError(f"not a {converter.format} file: it is empty", file=str(path), line=1)
        chunks.close()
        if progress is not None:
            progress("read", total, total, report.rows)
        report.triples = chunks.triples
        report.unknown_actors = dict(converter.unknown_actors)
        if loader is not None:
            loader.finish(None if progress is None else lambda n: progress("load", n, report.triples, report.rows))

        metadata = _metadata(report, path, converter.publisher, now, converter.latest)
        if _streams_updates(store):
            assert isinstance(store, RemoteStore)
            report.superseded = _import_in_one_update(store, report, chunks.files, metadata, events_path, progress)
            report.seconds = time.perf_counter() - started
            return report
        # From here on the store changes (if it has not yet); the status makes it recoverable.
        touched = True
        staged = not isinstance(store, Store)
        # A server's readers are other clients: the import's data also goes to a staging
        # graph (which conflictkg's reads skip); both are published by one update.
        store.extend(in_staging(metadata, meta))
        loaded = loader.loaded if loader is not None else 0
        for chunk in chunks.files:
            target = _data_staging(meta) if staged else report.graph
            bulk_load_file(store, chunk, target)
            chunk.unlink()
            loaded += min(chunk_triples, report.triples - loaded)
            if progress is not None:
                progress("load", loaded, report.triples, report.rows)
        if staged:
            report.superseded = _publish(store, report, meta, metadata)
        else:
            report.superseded = _publish_embedded(store, report, meta, metadata, events_path)
        store.flush()
    except BaseException:
        if loader is not None:
            loader.cancel()
        if touched or (loader is not None and loader.started):
            # An error we can see (not a crash): undo now rather than at the next import;
            # the error raised is the import's, even if undoing fails too.
            try:
                recover_imports(store)
            finally:
                raise
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report
