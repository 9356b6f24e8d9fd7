"""The actor alias table: versioned source names ("QSD: Syrian Democratic Forces") to stable actor IRIs.

ACLED and UCDP name actors with strings that change over time
("Military Forces of Syria (2000-2024)", then "(2024-)"). The table in
``data/actor-aliases.csv`` is data, one row per name:

``name``
    The name exactly as a source writes it (matched ignoring case and runs of
    white space).
``actor``
    The slug of the stable actor IRI, ``id/actor/<slug>`` (``sdf``, ``isis`` …,
    the seed graph's IRIs).
``label``
    The actor's preferred name (``rdfs:label``).
``source``
    Which source uses the name (``ACLED``, ``UCDP``), empty for any.
``start_date``, ``end_date``
    When the name was in use (ISO dates, either may be empty). When one name
    maps to several actors, the row whose span holds the event's date wins.
``note``
    Why the row is there.

An importer writes, for each name it resolved, ``skos:altLabel`` and a
``ck:NameUse`` (``ck:name``, ``ck:nameSource``, ``ck:startDate``,
``ck:endDate``) into its import graph, so the graph says which source called
the actor what. Names the table lacks become new actors, ``id/actor/<slug of
the name>``, and are reported.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from conflictkg.graph.errors import InputError, ParseError

__all__ = ["Alias", "AliasTable", "default_alias_path", "normalize_name", "slugify"]

_SPACES = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[^\w]+")


def normalize_name(name: str) -> str:
    """The key a name is matched by: case-folded, white space collapsed."""
    return _SPACES.sub(" ", name).strip().casefold()


def slugify(text: str) -> str:
    """A readable IRI segment: lower case word characters joined by ``-``.

    >>> slugify("Military Forces of Syria (2000-2024)")
    'military-forces-of-syria-2000-2024'
    >>> slugify("Shelling/artillery/missile attack")
    'shelling-artillery-missile-attack'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    slug = _NOT_SLUG.sub("-", text).replace("_", "-").strip("-")
    return slug or "unnamed"


def default_alias_path() -> Path:
    """``data/actor-aliases.csv`` as installed with the package."""
    return Path(str(resources.files("conflictkg.data"))) / "actor-aliases.csv"


@dataclass(frozen=True)
class Alias:
    """One row of the alias table."""

    name: str
    actor: str
    label: str
    source: str | None
    start: date | None
    end: date | None

    def holds(self, day: date | None) -> bool:
        """Whether the name was in use on ``day`` (always, when the day is unknown)."""
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def distance(self, day: date) -> int:
        """Days from ``day`` to the span of use (0 inside it)."""
        if self.start is not None and day < self.start:
            return (self.start - day).days
        if self.end is not None and day > self.end:
            return (day - self.end).days
        return 0


class AliasTable:
    """Source actor names resolved to stable actor slugs.

    Parameters
    ----------
    path : path, optional
        The CSV table; by default ``data/actor-aliases.csv``.

    Raises
    ------
    InputError
        If the file is missing.
    ParseError
        If a row lacks a name or actor, or has a bad date.

    Examples
    --------
    >>> table = AliasTable()
    >>> table.resolve("QSD: Syrian Democratic Forces").actor
    'sdf'
    >>> table.resolve("Somebody Unheard Of") is None
    True
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_alias_path()
        self._by_name: dict[str, list[Alias]] = {}
        if not self.path.is_file():
            raise InputError(f"{self.path}: no such alias table", file=str(self.path))
        with self.path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            for row in reader:
                line = reader.line_num
                name, actor = (row.get("name") or "").strip(), (row.get("actor") or "").strip()
                if not name or not actor:
                    raise ParseError("an alias needs a name and an actor", file=str(self.path), line=line)
                alias = Alias(
                    name=name,
                    actor=actor,
                    label=(row.get("label") or "").strip() or name,
                    source=(row.get("source") or "").strip() or None,
                    start=_date(row.get("start_date"), self.path, line, "start_date"),
                    end=_date(row.get("end_date"), self.path, line, "end_date"),
                )
                self._by_name.setdefault(normalize_name(name), []).append(alias)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_name.values())

    def is_dated(self, name: str) -> bool:
        """Whether the name means different actors at different times (so the date matters)."""
        return len(self._by_name.get(normalize_name(name), ())) > 1

    def resolve(self, name: str, day: date | None = None, *, source: str | None = None) -> Alias | None:
        """The alias row a name means on a day, or ``None`` for an unknown name.

        Parameters
        ----------
        name : str
            The name as the source writes it.
        day : date, optional
            The event's date: picks among rows of one name used at different times.
        source : str, optional
            ``"ACLED"`` or ``"UCDP"``: rows of another source are ignored.
        """
        rows = self._by_name.get(normalize_name(name))
        if not rows:
            return None
        if source is not None:
            rows = [a for a in rows if a.source is None or a.source == source] or rows
        if len(rows) == 1:
            return rows[0]
        inside = [a for a in rows if a.holds(day)]
        if inside:
            return inside[0]
        assert day is not None  # holds() is always true without a day
        return min(rows, key=lambda a: a.distance(day))


def _date(text: str | None, path: Path, line: int, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParseError(f"{field} {text!r} is not an ISO date", file=str(path), line=line, field=field) from None
