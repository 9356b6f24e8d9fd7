"""A report's text: read, checked (size, binary, encoding), markup blanked so offsets stay the file's own."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from conflictkg.graph.errors import InputError, RequestTooLarge

__all__ = ["MAX_REPORT_BYTES", "Report", "read_report", "report_from_text", "slugify"]

#: Past this a report is refused before it is read: a news or NGO report is a few pages (the seed is 5 kB).
MAX_REPORT_BYTES = 2_000_000

_HTML = re.compile(r"<(html|body|p|div|article|head)\b", re.I)
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.I | re.S)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)
# Markdown markup that is not words: heading hashes, quote marks, list bullets, emphasis, link targets.
_MD_LINE = re.compile(r"^(\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+))", re.M)
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


@dataclass(frozen=True)
class Report:
    """A report to ingest: its words (offsets are into ``text``) and what is known about it."""

    text: str
    slug: str
    checksum: str
    path: str | None = None
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    url: str | None = None


def slugify(text: str, *, limit: int = 60) -> str:
    """A readable IRI segment: ``"Al-Aqtaan Prison"`` → ``"al-aqtaan-prison"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "x"


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _plain(text: str) -> str:
    """The words of Markdown or HTML with the markup replaced by spaces, so every offset is the file's own."""
    if _HTML.search(text):
        text = _TAG.sub(_blank, text)
        # An entity keeps its length: '&amp;' becomes '&' and four spaces.
        text = _ENTITY.sub(lambda m: _entity(m.group(0)), text)
        return text
    text = _MD_LINE.sub(_blank, text)
    text = _MD_LINK.sub(lambda m: " " + m.group(1) + " " * (len(m.group(0)) - len(m.group(1)) - 1), text)
    text = _MD_EMPH.sub(lambda m: " " * len(m.group(1)) + m.group(2) + " " * len(m.group(1)), text)
    return text


def _entity(raw: str) -> str:
    import html

    char = html.unescape(raw)
    return (char if len(char) == 1 else " ") + " " * (len(raw) - 1)


def report_from_text(raw: bytes, *, name: str, **meta: str | None) -> Report:
    """Check a report's bytes and make a :class:`Report` of them.

    Parameters
    ----------
    raw : bytes
        The file's content.
    name : str
        The file name (for messages and the default slug and title).
    **meta
        ``title``, ``published`` (YYYY-MM-DD), ``publisher``, ``url``, ``path``, ``slug``.

    Raises
    ------
    RequestTooLarge
        Past :data:`MAX_REPORT_BYTES`.
    InputError
        An empty or blank file, a binary file, text that is not UTF-8 (with the byte offset),
        a bad publication date.
    """
    if len(raw) > MAX_REPORT_BYTES:
        raise RequestTooLarge(
            f"{name}: {len(raw):,} bytes is larger than a report can be ({MAX_REPORT_BYTES:,} bytes); "
            "split it into the reports it holds", file=name, limit=MAX_REPORT_BYTES)
    if not raw.strip():
        raise InputError(f"{name}: the report is empty", file=name)
    if b"\x00" in raw[:65536]:
        offset = raw.index(b"\x00")
        raise InputError(f"{name}: this is a binary file, not a text report (a NUL byte at offset {offset})",
                         file=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"{name}: line {line}: the report is not UTF-8 (byte {raw[err.start]:#04x} at offset "
                         f"{err.start}); convert it first, e.g. iconv -f latin1 -t utf-8", file=name, line=line) from None
    controls = [c for c in text[:65536] if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f"]
    if len(controls) > 8:
        raise InputError(f"{name}: this is a binary file, not a text report ({len(controls)} control characters)",
                         file=name)
    published = meta.get("published")
    if published is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        raise InputError(f"published={published!r} is not a date (YYYY-MM-DD)", parameter="published")
    stem = Path(name).stem
    slug = meta.get("slug") or slugify(stem)
    return Report(
        text=_plain(text.replace("\r\n", "\n").replace("\r", "\n")),
        slug=slugify(slug),
        checksum=hashlib.sha256(raw).hexdigest(),
        path=meta.get("path"),
        title=meta.get("title") or stem.replace("-", " ").replace("_", " "),
        published=published,
        publisher=meta.get("publisher"),
        url=meta.get("url"),
    )


def read_report(path: str | Path, **meta: str | None) -> Report:
    """Read and check a report file (plain text, Markdown or HTML); see :func:`report_from_text`.

    The size is checked before the file is read, so a 50 MB file costs nothing.

    Raises
    ------
    InputError
        No such file, or as :func:`report_from_text`.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file", file=str(p))
    size = p.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise RequestTooLarge(
            f"{p}: {size:,} bytes is larger than a report can be ({MAX_REPORT_BYTES:,} bytes); "
            "split it into the reports it holds", file=str(p), limit=MAX_REPORT_BYTES)
    return report_from_text(p.read_bytes(), name=str(p), path=str(p), **meta)
