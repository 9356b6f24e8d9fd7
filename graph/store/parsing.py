"""Parsing untrusted RDF safely: RDF/XML entity declarations checked, literals capped, uploads parsed in a bounded child.

Oxigraph's RDF/XML parser expands internal entities, so a 622-byte document
of nested entities ("billion laughs") becomes gigabytes in memory, and a
534-byte one a 100 MB literal. Three defences, each enough for that attack:

- :func:`check_rdfxml` refuses, before parsing, parameter and external
  entities, entities that refer to other entities (the nesting that makes a
  bomb), and documents whose entity references would expand past
  :attr:`UploadLimits.max_expanded_bytes` (plain one-level declarations, as
  Protégé writes for namespaces, stay accepted);
- :func:`check_literal` refuses any literal longer than
  :attr:`UploadLimits.max_literal_bytes`, whatever the format;
- :func:`parse_upload` parses a request body in a child process with a data
  memory limit (``RLIMIT_DATA``) and a time limit, killed when it passes
  either, so no parse can take the server down with it.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import resource
import time
from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.graph.errors import KGError, ParseError

__all__ = ["UploadLimits", "check_rdfxml", "check_literal", "parse_upload"]


@dataclass(frozen=True)
class UploadLimits:
    """The bounds of parsing one uploaded or loaded RDF document."""

    #: Longest literal accepted, in bytes of UTF-8 (a detailed country border as WKT is a few MB).
    max_literal_bytes: int = 8 * 1024 * 1024
    #: Most bytes an RDF/XML document may have once its entity references are expanded.
    max_expanded_bytes: int = 16 * 1024 * 1024
    #: Time limit of parsing one request body, in seconds.
    timeout_s: float = 30.0
    #: Data memory (heap) limit of the process parsing one request body, in bytes.
    memory_bytes: int = 1024 * 1024 * 1024


_DOCTYPE = re.compile(rb"<!DOCTYPE\b")
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s%;&<>\"']+)\s+(SYSTEM\b|PUBLIC\b|\"([^\"]*)\"|'([^']*)')", re.S)
_ANY_ENTITY = re.compile(rb"<!ENTITY\b")
_REFERENCE = re.compile(rb"&([^\s&;#<>\"']+);")
_CHARREF = re.compile(rb"&#(x[0-9A-Fa-f]+|[0-9]+);")


def _ascii_view(data: bytes) -> bytes:
    # UTF-16 (a BOM, or NULs between ASCII characters): look at it as UTF-8 instead.
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:64]:
        for codec in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                return data.decode(codec).encode("utf-8")
            except UnicodeDecodeError:
                continue
    return data


def _code(ref: bytes) -> int:
    return int(ref[1:], 16) if ref[:1] == b"x" else int(ref)


def check_rdfxml(data: bytes, limits: UploadLimits = UploadLimits(), *, file: str | None = None) -> None:
    """Refuse an RDF/XML document whose entity declarations could make it expand (a "billion laughs").

    Parameters
    ----------
    data : bytes
        The whole document.
    limits : UploadLimits
    file : str, optional
        Named in the error ("request body" for uploads).

    Raises
    ------
    ParseError
        For a parameter or external entity, an entity whose value refers to
        another entity, or references that would expand the document past
        ``limits.max_expanded_bytes``; the message names the entity.
    """
    data = _ascii_view(data)
    doctype = _DOCTYPE.search(data)
    if doctype is None:
        return
    start = doctype.start()
    line_of = lambda offset: data.count(b"\n", 0, offset) + 1  # noqa: E731
    declared: dict[bytes, int] = {}
    end = start
    for match in _ANY_ENTITY.finditer(data, start):
        found = _ENTITY.match(data, match.start())
        line = line_of(match.start())
        if found is None:
            raise ParseError("an <!ENTITY> declaration this server cannot read is refused", file=file, line=line)
        name = found[2].decode("utf-8", "replace")
        if found[1]:
            raise ParseError(f"parameter entity %{name}; is refused (entities that expand the DTD are not accepted)", file=file, line=line)
        if found[4] is None and found[5] is None:
            raise ParseError(f"external entity {name!r} is refused: the server never reads files or fetches IRIs", file=file, line=line)
        value = found[4] if found[4] is not None else found[5]
        # A character reference is plain text, unless it writes '&', '%' or '<' (a reference in disguise).
        rest = _CHARREF.sub(lambda m: b"&" if _code(m[1]) in (0x26, 0x25, 0x3C) else b"", value)
        if b"&" in rest or b"%" in rest:
            raise ParseError(
                f"entity {name!r} refers to other entities; nested entities (a 'billion laughs' document) are refused",
                file=file, line=line,
            )
        declared[name.encode("utf-8")] = len(value)
        end = found.end()
    if not declared:
        return
    expanded = len(data)
    for reference in _REFERENCE.finditer(data, end):
        expanded += declared.get(reference[1], 0)
        if expanded > limits.max_expanded_bytes:
            name = reference[1].decode("utf-8", "replace")
            raise ParseError(
                f"entity references (&{name}; and others) would expand the document past {limits.max_expanded_bytes} bytes, the limit",
                file=file, line=line_of(reference.start()), limit=limits.max_expanded_bytes,
            )


def check_literal(quad: ox.Quad, limits: UploadLimits, *, file: str | None = None) -> None:
    """Refuse a quad whose object is a literal longer than ``limits.max_literal_bytes``.

    Raises
    ------
    ParseError
        Naming the subject and predicate of the literal and the limit.
    """
    term = quad.object
    if isinstance(term, ox.Literal) and len(term.value) * 4 > limits.max_literal_bytes:
        size = len(term.value.encode("utf-8"))
        if size > limits.max_literal_bytes:
            raise ParseError(
                f"a literal of {size} bytes (on {quad.subject} {quad.predicate}) is longer than {limits.max_literal_bytes} bytes, the limit",
                file=file, limit=limits.max_literal_bytes,
            )


def _parse_checked(body: bytes, media_type: str, base_iri: str, limits: UploadLimits, file: str) -> bytes:
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format == ox.RdfFormat.RDF_XML:
        check_rdfxml(body, limits, file=file)
    quads = []
    for quad in ox.parse(body, format=rdf_format, base_iri=base_iri):
        check_literal(quad, limits, file=file)
        quads.append(quad)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b""


def _child(conn, body: bytes, media_type: str, base_iri: str, limits: UploadLimits, file: str) -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_bytes, limits.memory_bytes))
    try:
        conn.send(("ok", _parse_checked(body, media_type, base_iri, limits, file)))
    except ParseError as err:
        conn.send(("error", err.message, err.details))
    except SyntaxError as err:
        conn.send(("syntax", str(err.args[0] if err.args else err), err.lineno, err.offset))
    except MemoryError:
        conn.send(("memory",))
    finally:
        conn.close()


def _context() -> mp.context.BaseContext:
    # A fork of a small, single-threaded server process: milliseconds, not a fresh interpreter.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["conflictkg.graph.store.parsing"])
    return ctx


def parse_upload(
    body: bytes, media_type: str, *, base_iri: str, limits: UploadLimits = UploadLimits(), file: str = "request body"
) -> list[ox.Quad]:
    """Parse an RDF document from a client in a child process bounded in time and memory.

    Parameters
    ----------
    body : bytes
    media_type : str
        Its RDF media type (``text/turtle``, ``application/rdf+xml`` …).
    base_iri : str
    limits : UploadLimits

    Returns
    -------
    list of pyoxigraph.Quad
        Its quads (graph names as in the document).

    Raises
    ------
    ParseError
        A syntax error (with line and column), a refused entity, a literal
        past the limit, or a parse that passed the time or memory limit.
    """
    ctx = _context()
    mine, theirs = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(theirs, body, media_type, base_iri, limits, file), daemon=True)
    process.start()
    theirs.close()
    deadline = time.monotonic() + limits.timeout_s
    try:
        message = mine.recv() if mine.poll(max(deadline - time.monotonic(), 0)) else ("timeout",)
    except (EOFError, OSError):
        message = ("died",)
    finally:
        if message[0] == "timeout":
            process.kill()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
        mine.close()
    if message[0] == "ok":
        return list(ox.parse(message[1], format=ox.RdfFormat.N_QUADS)) if message[1] else []
    if message[0] == "error":
        err = ParseError.__new__(ParseError)
        KGError.__init__(err, message[1], **message[2])
        err.file, err.line, err.column = (message[2].get(k) for k in ("file", "line", "column"))
        raise err
    if message[0] == "syntax":
        raise ParseError(message[1], file=file, line=message[2], column=message[3])
    if message[0] == "timeout":
        raise ParseError(f"parsing took longer than {limits.timeout_s:g} s, the limit, and was stopped", file=file, limit=limits.timeout_s)
    raise ParseError(
        f"parsing needed more than {limits.memory_bytes // (1024 * 1024)} MiB, the limit, and was stopped",
        file=file, limit=limits.memory_bytes,
    )

