"""Step 1 of an import: rows read and checked one at a time, converted to N-Triples, written to chunk files."""


from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol, TextIO

import pyoxigraph as ox

from conflictkg.graph.errors import ParseError
from conflictkg.ontology.vocab import GRAPH

__all__ = ["BadRow", "Converter", "ImportReport", "RejectWriter", "RowError", "nt_iri", "nt_literal"]

Progress = Callable[[str, int, int, int], None]
"""``progress(stage, done, total, rows)``: stage ``"read"`` counts bytes, ``"load"`` triples."""

# -- errors -----------------------------------------------------------------


class RowError(Exception):
    """A converter's complaint about one field of one row (turned into :class:`BadRow`)."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


class BadRow(ParseError):
    """A row of an import file is wrong; the store is unchanged.

    ``details`` carries ``file``, ``line`` (physical line), ``row`` (data row,
    1 = the first row after the header), ``field`` (column name) and ``value``.
    """

    code = "bad_row"

    def __init__(self, file: str, line: int, row: int, field: str, value: object, reason: str) -> None:
        shown = value if isinstance(value, str) else repr(value)
        super().__init__(
            f"row {row}, column {field} = {shown!r}: {reason}",
            file=file,
            line=line,
            row=row,
            field=field,
            value=None if value is None else str(value),
        )
        self.row, self.field, self.value, self.reason = row, field, value, reason


# -- N-Triples text -----------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt_literal(text: str, datatype: str | None = None) -> str:
    """An N-Triples literal, escaped (``datatype`` is a full IRI)."""
    body = text.translate(_ESCAPES)
    return f'"{body}"^^<{datatype}>' if datatype else f'"{body}"'


def nt_iri(iri: str) -> str:
    """An N-Triples IRI reference (the IRI must already be valid)."""
    return f"<{iri}>"


# -- converters ----------------------------------------------------------------


class Converter(Protocol):
    """What an importer provides: how one row becomes N-Triples."""

    #: Short name: ``"acled"``, ``"ucdp"``.
    format: str
    #: Who publishes the files (``dcterms:publisher`` of the source).
    publisher: str
    #: IRI prefix of the events, e.g. ``…/id/event/acled/``.
    event_prefix: str
    #: Names never seen in the alias table, with how many rows used them.
    unknown_actors: dict[str, int]
    #: The newest version date seen (the export's "as of"), if the format has one.
    latest: date | None

    def check_header(self, header: list[str]) -> None:
        """Raise :class:`RowError` (field ``header``) if the columns are not the expected ones."""

    def convert(self, row: list[str]) -> tuple[str, int, str]:
        """N-Triples text, its triple count, and the event IRI, or raise :class:`RowError`.

        Must raise before changing any state of its own, so a rejected row
        leaves no trace.
        """


# -- reports -----------------------------------------------------------------


@dataclass
class ImportReport:
    """What one import did."""

    file: str
    format: str
    graph: str
    checksum: str
    rows: int = 0
    rejected: int = 0
    triples: int = 0
    superseded: int = 0
    unknown_actors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    already_imported: bool = False

    @property
    def import_id(self) -> str:
        """The short name of the import (the graph IRI after ``g:import/``)."""
        return self.graph.removeprefix(str(GRAPH) + "import/")


class RejectWriter:
    """A CSV of rejected rows: ``file, row, line, field, value, reason, record``.

    ``record`` is the rejected row itself, re-written as one CSV line, so the
    file can hold rows of several formats. Bytes that were not UTF-8 are
    written back as they were.
    """

    HEADER = ["file", "row", "line", "field", "value", "reason", "record"]

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._f: TextIO = self.path.open("w", encoding="utf-8", errors="surrogateescape", newline="")
        self._w = csv.writer(self._f)
        self._w.writerow(self.HEADER)
        self.count = 0

    def write(self, file: str, row: int, line: int, err: RowError, record: list[str]) -> None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(record)
        self._w.writerow([file, row, line, err.field, "" if err.value is None else err.value, err.reason, buf.getvalue()])
        self.count += 1

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> RejectWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

def _term(value: object) -> str:
    """A SPARQL term for a VALUES clause, written by pyoxigraph (never spliced text)."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return str(value)
    return str(ox.NamedNode(str(value)))


def _values(var: str, terms: Iterable[object]) -> str:
    return f"VALUES ?{var} {{ {' '.join(_term(t) for t in terms)} }}"

# -- reading -------------------------------------------------------------------


def _checksum(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _encoding_error(row: list[str], header: list[str]) -> RowError | None:
    # Rows are decoded with surrogateescape, so a non-UTF-8 byte shows up as a
    # lone surrogate; find the first column holding one.
    for i, value in enumerate(row):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            bad = value[err.start : err.end].encode("utf-8", "surrogateescape")
            name = header[i] if i < len(header) else f"column {i + 1}"
            return RowError(name, value.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                            f"not UTF-8: byte {bad.hex(' ')} at character {err.start + 1}")
    return None


class _Chunks:
    """N-Triples text into numbered chunk files of at most ``limit`` triples.

    Each finished file goes to ``done(path, triples)`` when given (a
    :class:`_Loader`), otherwise into :attr:`files`.
    """

    def __init__(self, folder: Path, limit: int, done: Callable[[Path, int], None] | None = None) -> None:
        self.folder, self.limit, self.done = folder, limit, done
        self.files: list[Path] = []
        self.triples = 0
        self._count = 0
        self._in_chunk = 0
        self._path: Path | None = None
        self._f: TextIO | None = None

    def write(self, text: str, triples: int) -> None:
        if self._f is None or self._in_chunk >= self.limit:
            self._roll()
        assert self._f is not None
        self._f.write(text)
        self._in_chunk += triples
        self.triples += triples

    def _finish_file(self) -> None:
        if self._f is None:
            return
        self._f.close()
        self._f = None
        assert self._path is not None
        if self.done is not None:
            self.done(self._path, self._in_chunk)
        else:
            self.files.append(self._path)

    def _roll(self) -> None:
        self._finish_file()
        self._path = self.folder / f"chunk-{self._count:05d}.nt"
        self._count += 1
        self._f = self._path.open("w", encoding="utf-8", buffering=1 << 20)
        self._in_chunk = 0

    def close(self) -> None:
        self._finish_file()

def _rows(path: Path) -> Iterator[tuple[int, int, list[str], int]]:
    """``(row number, line number, fields, bytes read so far)`` of a CSV, header included as row 0."""
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.reader(text, strict=True)
    n = 0
    try:
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise ParseError(f"row {n}: not valid CSV: {err}", file=str(path), line=reader.line_num) from None
            if not fields:  # blank line
                continue
            yield n, reader.line_num, fields, raw.tell() if n % 512 == 0 else -1
            n += 1
    finally:
        text.close()
