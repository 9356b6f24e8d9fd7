"""Dumping a whole store to TriG or N-Quads, and restoring it, streaming and all or nothing."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.errors import InputError, StoreError, UnsupportedFormat
from conflictkg.graph.store.base import FactStore, read_quads

__all__ = ["DUMP_FORMATS", "dump", "restore"]

#: The formats a dump is written in: the two that keep named graphs, by name and ending.
DUMP_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
}


def _format_of(path: Path, fmt: str | None) -> tuple[str, ox.RdfFormat]:
    name = (fmt or path.suffix.lstrip(".")).lower()
    if name not in DUMP_FORMATS:
        raise UnsupportedFormat(
            f"{path}: a dump is TriG (.trig) or N-Quads (.nq); "
            f"{'the format ' + repr(fmt) if fmt else 'the ending ' + (path.suffix or '(none)')} is neither",
            file=str(path),
            parameter="format" if fmt else None,
        )
    return ("trig" if name == "trig" else "nquads"), DUMP_FORMATS[name]


def dump(store: FactStore, path: str | os.PathLike[str], *, fmt: str | None = None) -> int:
    """Write every quad of the store to one file, streaming.

    The quads go through Oxigraph's serializer as the store yields them, so a
    dump never holds the store in memory. The file appears whole or not at
    all: it is written beside its final name and renamed when complete.

    Parameters
    ----------
    store : FactStore
        Any kind of store.
    path : path-like
        The dump file; its ending (``.trig``, ``.nq``) picks the format.
    fmt : {"trig", "nquads"}, optional
        The format, whatever the ending.

    Returns
    -------
    int
        The number of quads written.

    Raises
    ------
    UnsupportedFormat
        If the format is neither TriG nor N-Quads.
    InputError
        If the file cannot be written.
    """
    target = Path(path)
    _, rdf_format = _format_of(target, fmt)
    written = 0

    def counted(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        nonlocal written
        for q in quads:
            written += 1
            yield q

    directory = target.resolve().parent
    try:
        handle, scratch = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as err:
        raise InputError(f"{target}: cannot write here: {err.strerror}", file=str(target)) from err
    try:
        with os.fdopen(handle, "wb") as out:
            ox.serialize(counted(store.quads()), output=out, format=rdf_format)
            out.flush()
            os.fsync(out.fileno())
        os.replace(scratch, target)
    except OSError as err:
        raise InputError(f"{target}: cannot write: {err.strerror or err}", file=str(target)) from err
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return written


def restore(
    store: FactStore,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    replace: bool = False,
) -> int:
    """Load a dump into a store, all or nothing.

    The file is parsed completely before anything is written (a broken dump
    changes nothing). Into an empty store the quads go in with one
    transaction; with ``replace`` the old content is swapped for the dump in
    one transaction, so a crash leaves the old content or the new.

    Parameters
    ----------
    store : FactStore
        Any kind of store.
    path : path-like
        A TriG or N-Quads file written by :func:`dump` (or any other).
    fmt : {"trig", "nquads"}, optional
        The format, whatever the ending.
    replace : bool
        Replace whatever the store holds; without it a non-empty store is refused.

    Returns
    -------
    int
        The number of quads in the dump.

    Raises
    ------
    InputError
        If the store is not empty and ``replace`` is not set, or the file is missing.
    ParseError
        If the dump does not parse; the message names file, line and column.
    UnsupportedFormat
        If the format is neither TriG nor N-Quads.
    """
    source = Path(path)
    name, _ = _format_of(source, fmt)
    quads = read_quads([source], fmt=name)
    if replace:
        store.replace_all(quads)
        return len(quads)
    held = store.count()
    if held:
        raise InputError(
            f"the store already holds {held} quads; restore refuses to mix a dump into it "
            "(pass --replace to swap its content for the dump)",
            parameter="replace",
        )
    try:
        store.extend(quads)
    except OSError as err:
        raise StoreError(f"writing to the store failed, nothing was written: {err}") from err
    return len(quads)
