"""ACLED exports into the graph: events, actors, places, fatalities, row provenance.

One row of an ACLED export (the 31 columns of the API/export CSV, optional
population columns after them) becomes one event in the import's named graph:

=========================  ===================================================
column                     becomes
=========================  ===================================================
event_id_cnty              the event IRI ``id/event/acled/<event_id_cnty>``
                           (stable: a newer export replaces it) and
                           ``dcterms:identifier``
event_date, time_precision ``ck:date``; ``ck:datePrecision`` 1 ``ck:Day``,
                           2 ``ck:Approximate`` (within a week), 3 ``ck:Month``
event_type, sub_event_type ``rdf:type`` from ``data/acled-mapping.csv`` and
                           ``dcterms:type`` the ACLED concept ``id/acled/<slug>``
actor1 / inter1            ``ck:actor``, typed by ``data/acled-actor-types.csv``
actor2 / inter2            ``ck:target`` (ACLED's other side), typed likewise
assoc_actor_1/2            ``ck:participant`` (``;``-separated)
country, admin1–3,         places ``id/place/<country>/<admin1>/…`` linked by
location                   ``ck:locatedIn``; ``ck:adminLevel`` 1–3
latitude, longitude        ``geo:hasGeometry``/``geo:asWKT`` on the location
geo_precision              ``ck:placePrecision`` on the event. Precision 1 and
                           2 place the event at the location (a point);
                           precision 3 (only a wider region is known) places
                           it at admin1 and claims no point.
fatalities                 ``ck:fatalities`` → ``ck:Quantity`` (``ck:value``,
                           ``ck:qualifier ck:Estimated``: ACLED's conservative
                           estimate of reported deaths)
source, source_scale,      ``dcterms:source``, ``ck:sourceScale``,
notes                      ``ck:sourceNote``: the event's provenance
timestamp                  ``dcterms:modified``: the row's version
=========================  ===================================================

Not mapped (derivable or outside the model): ``year`` (checked against the
date), ``disorder_type``, ``interaction`` (from the inter codes),
``civilian_targeting``, ``iso``, ``region``, ``tags``, population columns.

Actor names go through the alias table (:mod:`conflictkg.graph.loaders.aliases`).

References
----------
ACLED (2023). *Armed Conflict Location & Event Data Project (ACLED) Codebook*.
https://acleddata.com/acleddatanew/wp-content/uploads/dlm_uploads/2023/06/ACLED_Codebook_2023.pdf
"""

from __future__ import annotations

import csv
import functools
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path

from conflictkg.graph.errors import InputError, ParseError
from conflictkg.graph.loaders.aliases import AliasTable, slugify
from conflictkg.graph.loaders.imports import (
    BadRow,
    ImportReport,
    Progress,
    RejectWriter,
    RowError,
    delete_events,
    import_file,
    nt_literal,
    recover_imports,
)
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import CK, ID

__all__ = [
    "ACLED_COLUMNS",
    "AcledConverter",
    "DeletionReport",
    "apply_deletions",
    "event_iri",
    "import_acled",
    "load_mapping",
]

#: The columns of an ACLED export, in order.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip
(
    EVENT_ID, EVENT_DATE, YEAR, TIME_PRECISION, _DISORDER, EVENT_TYPE, SUB_EVENT_TYPE, ACTOR1, ASSOC1,
    INTER1, ACTOR2, ASSOC2, INTER2, _INTERACTION, _CIV, _ISO, _REGION, COUNTRY, ADMIN1, ADMIN2, ADMIN3,
    LOCATION, LATITUDE, LONGITUDE, GEO_PRECISION, SOURCE, SOURCE_SCALE, NOTES, FATALITIES, _TAGS, TIMESTAMP,
) = range(31)  # fmt: skip

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
_DCT = "http://purl.org/dc/terms/"
_GEO = "http://www.opengis.net/ont/geosparql#"
_EVENT_ID = re.compile(r"[A-Za-z0-9_.\-]+")


# rdflib builds and validates a URIRef on every Namespace lookup (about 4 µs);
# a row names some fifteen terms, so the N-Triples form of each is kept.
@functools.cache
def _ck(name: str) -> str:
    return f"<{CK[name]}>"


def _data(name: str) -> Path:
    return Path(str(resources.files("conflictkg.data"))) / name


def _class_iris(text: str, path: Path, line: int) -> tuple[str, ...]:
    out = []
    for token in text.split():
        if not token.startswith("ck:"):
            raise ParseError(f"class {token!r} is not a ck: term", file=str(path), line=line, field="classes")
        out.append(_ck(token[3:]))
    if not out:
        raise ParseError("a mapping row needs at least one class", file=str(path), line=line, field="classes")
    return tuple(out)


def load_mapping(path: str | Path | None = None) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(event_type, sub_event_type) → class IRIs`` from ``data/acled-mapping.csv``.

    A row with an empty ``sub_event_type`` is the event type's fallback.
    """
    path = Path(path) if path else _data("acled-mapping.csv")
    mapping = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            key = (row["event_type"].strip().casefold(), row["sub_event_type"].strip().casefold())
            mapping[key] = _class_iris(row["classes"], path, reader.line_num)
    return mapping


def _load_actor_types(path: Path | None = None) -> dict[int, str]:
    path = path or _data("acled-actor-types.csv")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return {int(row["inter"]): _class_iris(row["class"], path, reader.line_num)[0] for row in reader}


def event_iri(event_id_cnty: str) -> str:
    """The stable IRI of an ACLED event."""
    return f"{ID}event/acled/{event_id_cnty}"


_DATE_PRECISION = {1: _ck("Day"), 2: _ck("Approximate"), 3: _ck("Month")}


class _Places:
    """Place IRIs of the admin hierarchy, and their triples the first time each is seen."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self._slugs: dict[str, str] = {}

    def slug(self, text: str) -> str:
        s = self._slugs.get(text)
        if s is None:
            s = self._slugs[text] = slugify(text)
        return s

    def chain(self, out: list[str], country: str, admins: tuple[str, str, str]) -> tuple[str, str, str, list[str]]:
        """IRIs of country and admin regions (adding triples to ``out``): (country, admin1 or country, deepest, path)."""
        path = [self.slug(country)]
        iri = f"<{ID}place/{path[0]}>"
        if iri not in self.seen:
            self.seen.add(iri)
            out.append(f"{iri} {_RDF_TYPE} {_ck('Country')} .\n{iri} {_LABEL} {nt_literal(country)} .\n")
        country_iri = parent = region1 = iri
        for level, name in enumerate(admins, start=1):
            path.append(self.slug(name) if name else "-")
            if not name:
                continue
            iri = f"<{ID}place/{'/'.join(path)}>"
            if iri not in self.seen:
                self.seen.add(iri)
                out.append(
                    f"{iri} {_RDF_TYPE} {_ck('AdministrativeRegion')} .\n{iri} {_LABEL} {nt_literal(name)} .\n"
                    f'{iri} {_ck("adminLevel")} "{level}"^^<{_XSD}integer> .\n{iri} {_ck("locatedIn")} {parent} .\n'
                )
            if level == 1:
                region1 = iri
            parent = iri
        return country_iri, region1, parent, path


class AcledConverter:
    """One ACLED row → N-Triples of the event and, the first time seen, its actors and places.

    Parameters
    ----------
    aliases : AliasTable, optional
        Actor names to stable IRIs (default: ``data/actor-aliases.csv``).
    mapping : dict, optional
        As :func:`load_mapping` returns (default: ``data/acled-mapping.csv``).
    """

    format = "acled"
    publisher = "ACLED"
    event_prefix = f"{ID}event/acled/"

    def __init__(self, aliases: AliasTable | None = None, mapping: dict[tuple[str, str], tuple[str, ...]] | None = None) -> None:
        self.aliases = aliases or AliasTable()
        self.mapping = mapping or load_mapping()
        self.actor_types = _load_actor_types()
        self.unknown_actors: dict[str, int] = {}
        self.latest: date | None = None
        self._latest_ts = -1
        self._dates: dict[str, date] = {}
        self._actors: dict[tuple[str, date | None], str] = {}
        self._actor_triples: set[str] = set()
        self._places = _Places()
        self._concepts: dict[tuple[str, str], str] = {}
        # Ids seen in this file (about 60 bytes each): the one thing that grows with the rows.
        self._ids: set[str] = set()

    # -- checks ------------------------------------------------------------

    def check_header(self, header: list[str]) -> None:
        got = tuple(header[: len(ACLED_COLUMNS)])
        if got != ACLED_COLUMNS:
            for i, (want, have) in enumerate(zip(ACLED_COLUMNS, got + ("",) * len(ACLED_COLUMNS))):
                if want != have:
                    raise RowError("header", have, f"column {i + 1} should be {want!r}")
            raise RowError("header", len(header), f"expected at least {len(ACLED_COLUMNS)} columns")

    def _date(self, text: str) -> date:
        d = self._dates.get(text)
        if d is None:
            value = text.strip()
            try:
                d = date.fromisoformat(value)
            except ValueError:
                try:
                    d = datetime.strptime(value, "%d %B %Y").date()
                except ValueError:
                    raise RowError("event_date", text, "not a date (YYYY-MM-DD or '15 January 2024')") from None
            if len(self._dates) < 100_000:
                self._dates[text] = d
        return d

    @staticmethod
    def _int(row: list[str], i: int, lo: int, hi: int) -> int:
        text = row[i]
        try:
            n = int(text)
        except ValueError:
            raise RowError(ACLED_COLUMNS[i], text, "not an integer") from None
        if not lo <= n <= hi:
            raise RowError(ACLED_COLUMNS[i], text, f"must be between {lo} and {hi}")
        return n

    @staticmethod
    def _float(row: list[str], i: int, bound: float) -> str:
        text = row[i].strip()
        try:
            x = float(text)
        except ValueError:
            raise RowError(ACLED_COLUMNS[i], row[i], "not a number") from None
        if not -bound <= x <= bound:  # also refuses nan
            raise RowError(ACLED_COLUMNS[i], row[i], f"must be between {-bound:g} and {bound:g}")
        return repr(x)

    # -- actors --------------------------------------------------------------

    def _actor(self, name: str, day: date, out: list[str]) -> str:
        key = (name, day if self.aliases.is_dated(name) else None)
        iri = self._actors.get(key)
        if iri is not None:
            return iri
        alias = self.aliases.resolve(name, day, source="ACLED")
        if alias is not None:
            slug, label, start, end = alias.actor, alias.label, alias.start, alias.end
        else:
            slug, label, start, end = slugify(name), name, None, None
            self.unknown_actors[name] = 0
        iri = f"<{ID}actor/{slug}>"
        if iri not in self._actor_triples:
            self._actor_triples.add(iri)
            out.append(f"{iri} {_RDF_TYPE} {_ck('Actor')} .\n{iri} {_LABEL} {nt_literal(label)} .\n")
        use = f"<{ID}actor/{slug}/name/acled-{slugify(name)}>"
        if use not in self._actor_triples:
            self._actor_triples.add(use)
            out.append(
                f"{iri} {_ALT} {nt_literal(name)} .\n{iri} {_ck('nameUse')} {use} .\n"
                f"{use} {_RDF_TYPE} {_ck('NameUse')} .\n{use} {_ck('name')} {nt_literal(name)} .\n"
                f'{use} {_ck("nameSource")} "ACLED" .\n'
            )
            if start:
                out.append(f'{use} {_ck("startDate")} "{start.isoformat()}"^^<{_XSD}date> .\n')
            if end:
                out.append(f'{use} {_ck("endDate")} "{end.isoformat()}"^^<{_XSD}date> .\n')
        if len(self._actors) < 200_000:
            self._actors[key] = iri
        return iri

    def _typed(self, iri: str, inter: int, out: list[str]) -> None:
        key = f"{iri} {inter}"
        if key not in self._actor_triples:
            self._actor_triples.add(key)
            out.append(f"{iri} {_RDF_TYPE} {self.actor_types[inter]} .\n")

    # -- one row -----------------------------------------------------------------

    def convert(self, row: list[str]) -> tuple[str, int, str]:
        # Check every field before changing any state: a rejected row leaves no trace.
        eid = row[EVENT_ID].strip()
        if not eid:
            raise RowError("event_id_cnty", row[EVENT_ID], "missing")
        if not _EVENT_ID.fullmatch(eid):
            raise RowError("event_id_cnty", row[EVENT_ID], "may only hold letters, digits, '-', '_' and '.'")
        if eid in self._ids:
            raise RowError("event_id_cnty", eid, "duplicate: an earlier row of this file has the same id")
        day = self._date(row[EVENT_DATE])
        year = self._int(row, YEAR, 1900, 2200)
        if year != day.year:
            raise RowError("year", row[YEAR], f"does not match event_date {day.isoformat()}")
        tprec = self._int(row, TIME_PRECISION, 1, 3)
        etype, subtype = row[EVENT_TYPE].strip(), row[SUB_EVENT_TYPE].strip()
        classes = self.mapping.get((etype.casefold(), subtype.casefold())) or self.mapping.get((etype.casefold(), ""))
        if classes is None:
            raise RowError("event_type", etype, "not an ACLED event type (see data/acled-mapping.csv)")
        actor1, actor2 = row[ACTOR1].strip(), row[ACTOR2].strip()
        if not actor1:
            raise RowError("actor1", row[ACTOR1], "missing")
        inter1 = self._int(row, INTER1, 1, 8)
        inter2 = self._int(row, INTER2, 0, 8) if row[INTER2].strip() or actor2 else 0
        if actor2 and inter2 == 0:
            raise RowError("inter2", row[INTER2], "actor2 is given, so inter2 must be 1-8")
        country = row[COUNTRY].strip()
        if not country:
            raise RowError("country", row[COUNTRY], "missing")
        location = row[LOCATION].strip()
        gprec = self._int(row, GEO_PRECISION, 1, 3)
        if gprec < 3 and not location:
            raise RowError("location", row[LOCATION], f"missing, yet geo_precision is {gprec}")
        lat = self._float(row, LATITUDE, 90)
        lon = self._float(row, LONGITUDE, 180)
        deaths = self._int(row, FATALITIES, 0, 10_000_000)
        try:
            ts = int(row[TIMESTAMP])
            modified = datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ValueError, OverflowError, OSError):
            raise RowError("timestamp", row[TIMESTAMP], "not a Unix time in seconds") from None

        out: list[str] = []
        e = f"<{ID}event/acled/{eid}>"
        a1 = self._actor(actor1, day, out)
        self._typed(a1, inter1, out)
        a2 = None
        if actor2:
            a2 = self._actor(actor2, day, out)
            self._typed(a2, inter2, out)
        assoc = [
            self._actor(name.strip(), day, out)
            for col in (ASSOC1, ASSOC2)
            for name in row[col].split(";")
            if name.strip()
        ]
        for name in (actor1, actor2, *(n.strip() for c in (ASSOC1, ASSOC2) for n in row[c].split(";"))):
            if name in self.unknown_actors:
                self.unknown_actors[name] += 1

        places = self._places
        admins = (row[ADMIN1].strip(), row[ADMIN2].strip(), row[ADMIN3].strip())
        country_iri, region1, deepest, path = places.chain(out, country, admins)
        if gprec < 3:
            place = f"<{ID}place/{'/'.join(path)}/{places.slug(location)}>"
            if place not in places.seen:
                places.seen.add(place)
                geom = place[:-1] + "/geometry>"
                out.append(
                    f"{place} {_RDF_TYPE} {_ck('Place')} .\n{place} {_LABEL} {nt_literal(location)} .\n"
                    f"{place} {_ck('locatedIn')} {deepest} .\n"
                    f"{place} <{_GEO}hasGeometry> {geom} .\n{geom} {_RDF_TYPE} <{_GEO}Geometry> .\n"
                    f'{geom} <{_GEO}asWKT> "POINT({lon} {lat})"^^<{_GEO}wktLiteral> .\n'
                )
        else:
            place = region1  # only the wider region is known: no point is claimed

        concept = self._concepts.get((etype, subtype))
        if concept is None:
            concept = self._concepts[(etype, subtype)] = f"<{ID}acled/{slugify(subtype or etype)}>"
        iso_day = day.isoformat()
        q = f"<{ID}event/acled/{eid}/fatalities>"
        for c in classes:
            out.append(f"{e} {_RDF_TYPE} {c} .\n")
        out.append(
            f"{e} <{_DCT}type> {concept} .\n"
            f"{e} {_LABEL} {nt_literal(f'{subtype or etype}, {location or admins[0] or country}, {iso_day}')} .\n"
            f'{e} <{_DCT}identifier> "{eid}" .\n'
            f'{e} {_ck("date")} "{iso_day}"^^<{_XSD}date> .\n'
            f"{e} {_ck('datePrecision')} {_DATE_PRECISION[tprec]} .\n"
            f"{e} {_ck('actor')} {a1} .\n"
            f"{e} {_ck('place')} {place} .\n"
            f'{e} {_ck("placePrecision")} "{gprec}"^^<{_XSD}integer> .\n'
            f"{e} {_ck('fatalities')} {q} .\n{q} {_RDF_TYPE} {_ck('Quantity')} .\n"
            f'{q} {_ck("value")} "{deaths}"^^<{_XSD}decimal> .\n{q} {_ck("qualifier")} {_ck("Estimated")} .\n'
            f'{e} <{_DCT}modified> "{modified}"^^<{_XSD}dateTime> .\n'
        )
        if a2 is not None:
            out.append(f"{e} {_ck('target')} {a2} .\n")
        for a in assoc:
            out.append(f"{e} {_ck('participant')} {a} .\n")
        for col, prop in ((SOURCE, f"<{_DCT}source>"), (SOURCE_SCALE, _ck("sourceScale")), (NOTES, _ck("sourceNote"))):
            if row[col]:
                out.append(f"{e} {prop} {nt_literal(row[col])} .\n")
        self._ids.add(eid)
        if ts > self._latest_ts:
            self._latest_ts = ts
            self.latest = datetime.fromtimestamp(ts, timezone.utc).date()
        text = "".join(out)
        return text, text.count("\n"), event_iri(eid)


def import_acled(
    store: FactStore,
    path: str | os.PathLike[str],
    *,
    aliases: AliasTable | None = None,
    skip_bad_rows: bool = False,
    rejects: RejectWriter | None = None,
    progress: Progress | None = None,
    **options: object,
) -> ImportReport:
    """Import one ACLED export into its own named graph, all or nothing.

    A newer export replaces the events it shares with earlier imports
    (matched by ``event_id_cnty``). See :func:`~conflictkg.graph.loaders.imports.import_file`
    for the parameters and errors.

    Examples
    --------
    >>> from conflictkg.graph.store import Store
    >>> report = import_acled(Store(), "tests/fixtures/acled/valid.csv")  # doctest: +SKIP
    >>> report.rows  # doctest: +SKIP
    6
    """
    return import_file(
        store, path, AcledConverter(aliases), skip_bad_rows=skip_bad_rows, rejects=rejects, progress=progress,
        **options,  # type: ignore[arg-type]
    )


@dataclass
class DeletionReport:
    """What a deletions file did: rows read, events found and removed."""

    file: str
    rows: int
    removed: int


def apply_deletions(store: FactStore, path: str | os.PathLike[str]) -> DeletionReport:
    """Remove the events an ACLED deletions file lists from every ACLED import, in one transaction.

    The file is ACLED's list of deleted events: a CSV with an
    ``event_id_cnty`` column (``deleted_timestamp`` and others are ignored).
    Every row is checked before anything is removed.

    Raises
    ------
    InputError
        The file is missing.
    ParseError
        The file has no ``event_id_cnty`` column, or a row has a bad id.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file", file=str(path))
    recover_imports(store)
    ids: list[str] = []
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f, strict=True)
            header = [h.lstrip("\ufeff").strip() for h in next(reader, [])]
            if "event_id_cnty" not in header:
                raise ParseError("a deletions file needs an event_id_cnty column", file=str(path), line=1, field="header")
            col = header.index("event_id_cnty")
            for n, row in enumerate(reader, start=1):
                if not row:
                    continue
                value = row[col].strip() if col < len(row) else ""
                if not _EVENT_ID.fullmatch(value):
                    raise BadRow(str(path), reader.line_num, n, "event_id_cnty", value,
                                 "missing" if not value else "not an ACLED event id")
                ids.append(event_iri(value))
    except UnicodeDecodeError as err:
        raise ParseError(f"not UTF-8: {err}", file=str(path)) from None
    except csv.Error as err:
        raise ParseError(f"not valid CSV: {err}", file=str(path)) from None
    removed = delete_events(store, ids, "acled")
    store.flush()
    return DeletionReport(str(path), len(ids), removed)
