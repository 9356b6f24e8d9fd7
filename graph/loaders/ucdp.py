"""UCDP GED downloads into the graph: events, sides split into actors, death estimates with bounds.

One row of the UCDP Georeferenced Event Dataset CSV (49 columns) becomes one
event in the import's named graph:

=============================  ===============================================
column                         becomes
=============================  ===============================================
id                             the event IRI ``id/event/ucdp/<id>`` (a newer
                               download replaces it) and ``dcterms:identifier``
type_of_violence               ``rdf:type`` from ``data/ucdp-mapping.csv``
                               (1 state-based and 2 non-state: ``ck:Battle``;
                               3 one-sided: ``ck:ViolenceAgainstCivilians``)
date_start, date_end,          ``ck:date``, ``ck:endDate`` (when later);
date_prec                      ``ck:datePrecision`` 1 ``ck:Day``, 2–3 and 5
                               ``ck:Approximate``, 4 ``ck:Month``
side_a, side_b                 ``ck:actor`` / ``ck:target``, one per actor the
                               side names ("Government of Syria, Government
                               of Iran" is two), through the alias table
best, low, high                ``ck:fatalities`` → one ``ck:Quantity``:
                               ``ck:value`` best, ``ck:lowerBound`` low,
                               ``ck:upperBound`` high, ``ck:Estimated``
country, adm_1, adm_2,         places as for ACLED (``id/place/<country>/…``),
where_coordinates              ``ck:locatedIn``
latitude, longitude,           the point on the place when where_prec is 1–2;
where_prec                     3 places the event at adm_2, 4–5 at adm_1,
                               6–7 at the country, with no point claimed.
                               ``ck:placePrecision`` 1, 2, or 3 (region)
source_article, source_office, ``dcterms:source``, ``dcterms:publisher``,
source_date, source_headline,  ``dcterms:date`` (as written), ``dcterms:title``,
source_original                ``ck:sourceNote``: the event's provenance
conflict_name, dyad_name       the event's ``rdfs:label``
=============================  ===============================================

Not mapped: ``relid``, ``year`` (checked), ``active_year``, ``code_status``,
dataset ids (``*_dset_id``, ``*_new_id``), ``number_of_sources``,
``where_description``, ``geom_wkt``, ``priogrid_gid``, ``country_id``,
``region``, ``event_clarity``, ``deaths_a/b/civilians/unknown``, ``gwnoa/b``.

References
----------
Sundberg, R. and Melander, E. (2013). Introducing the UCDP Georeferenced Event
Dataset. *Journal of Peace Research* 50(4), 523–532.
Davies, S., Pettersson, T. and Öberg, M. (2024). *UCDP GED Codebook version 24.1*.
"""

from __future__ import annotations

import csv
import os
from datetime import date
from importlib import resources
from pathlib import Path

from conflictkg.graph.loaders.acled import _ck, _class_iris, _Places
from conflictkg.graph.loaders.aliases import AliasTable, slugify
from conflictkg.graph.loaders.imports import ImportReport, Progress, RejectWriter, RowError, import_file, nt_literal
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import ID

__all__ = ["UCDP_COLUMNS", "UcdpConverter", "event_iri", "import_ucdp", "split_side"]

#: The columns of a UCDP GED CSV, in order.
UCDP_COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start",
    "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
    "gwnoa", "gwnob",
)  # fmt: skip
_I = {name: i for i, name in enumerate(UCDP_COLUMNS)}

_XSD = "http://www.w3.org/2001/XMLSchema#"
_DCT = "http://purl.org/dc/terms/"
_GEO = "http://www.opengis.net/ont/geosparql#"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
_DATE_PRECISION = {1: "Day", 2: "Approximate", 3: "Approximate", 4: "Month", 5: "Approximate"}


def event_iri(ged_id: str) -> str:
    """The stable IRI of a UCDP GED event."""
    return f"{ID}event/ucdp/{ged_id}"


def _load_mapping(path: Path | None = None) -> dict[int, tuple[str, ...]]:
    path = path or Path(str(resources.files("conflictkg.data"))) / "ucdp-mapping.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return {int(r["type_of_violence"]): _class_iris(r["classes"], path, reader.line_num) for r in reader}


def split_side(side: str, aliases: AliasTable) -> list[str]:
    """The actor names a GED side holds: ``"Government of Syria, Government of Iran"`` → two.

    A side the alias table knows as a whole (a name with a comma in it) stays whole.

    >>> split_side("Government of Syria, Government of Iran", AliasTable())
    ['Government of Syria', 'Government of Iran']
    """
    side = side.strip()
    if not side or aliases.resolve(side) is not None:
        return [side] if side else []
    return [part.strip() for part in side.split(",") if part.strip()]


class UcdpConverter:
    """One GED row → N-Triples of the event and, the first time seen, its actors and places."""

    format = "ucdp"
    publisher = "UCDP"
    event_prefix = f"{ID}event/ucdp/"

    def __init__(self, aliases: AliasTable | None = None) -> None:
        self.aliases = aliases or AliasTable()
        self.mapping = _load_mapping()
        self.unknown_actors: dict[str, int] = {}
        self.latest: date | None = None
        self._seen: set[str] = set()
        self._places = _Places()
        self._ids: set[int] = set()  # ids seen in this file: a duplicate is a bad row

    def check_header(self, header: list[str]) -> None:
        got = tuple(header[: len(UCDP_COLUMNS)])
        if got != UCDP_COLUMNS:
            for i, want in enumerate(UCDP_COLUMNS):
                have = got[i] if i < len(got) else ""
                if want != have:
                    raise RowError("header", have, f"column {i + 1} should be {want!r}")

    @staticmethod
    def _int(row: list[str], name: str, lo: int, hi: int) -> int:
        text = row[_I[name]].strip()
        try:
            n = int(float(text)) if text.endswith(".0") else int(text)
        except ValueError:
            raise RowError(name, row[_I[name]], "not an integer") from None
        if not lo <= n <= hi:
            raise RowError(name, text, f"must be between {lo} and {hi}")
        return n

    @staticmethod
    def _date(row: list[str], name: str) -> date:
        text = row[_I[name]].strip()
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise RowError(name, row[_I[name]], "not a date (YYYY-MM-DD)") from None

    @staticmethod
    def _float(row: list[str], name: str, bound: float) -> str:
        text = row[_I[name]].strip()
        try:
            x = float(text)
        except ValueError:
            raise RowError(name, row[_I[name]], "not a number") from None
        if not -bound <= x <= bound:
            raise RowError(name, text, f"must be between {-bound:g} and {bound:g}")
        return repr(x)

    def _actor(self, name: str, day: date, out: list[str]) -> str:
        alias = self.aliases.resolve(name, day, source="UCDP")
        if alias is not None:
            slug, label, start, end = alias.actor, alias.label, alias.start, alias.end
        else:
            slug, label, start, end = slugify(name), name, None, None
            self.unknown_actors[name] = self.unknown_actors.get(name, 0) + 1
        iri = f"<{ID}actor/{slug}>"
        if iri not in self._seen:
            self._seen.add(iri)
            out.append(f"{iri} {_RDF_TYPE} {_ck('Actor')} .\n{iri} {_LABEL} {nt_literal(label)} .\n")
        use = f"<{ID}actor/{slug}/name/ucdp-{slugify(name)}>"
        if use not in self._seen:
            self._seen.add(use)
            out.append(
                f"{iri} {_ALT} {nt_literal(name)} .\n{iri} {_ck('nameUse')} {use} .\n"
                f"{use} {_RDF_TYPE} {_ck('NameUse')} .\n{use} {_ck('name')} {nt_literal(name)} .\n"
                f'{use} {_ck("nameSource")} "UCDP" .\n'
            )
            if start:
                out.append(f'{use} {_ck("startDate")} "{start.isoformat()}"^^<{_XSD}date> .\n')
            if end:
                out.append(f'{use} {_ck("endDate")} "{end.isoformat()}"^^<{_XSD}date> .\n')
        return iri

    def convert(self, row: list[str]) -> tuple[str, int, str]:
        # Every check first: a rejected row must leave no state behind.
        gid = row[_I["id"]].strip()
        if not gid.isdigit():
            raise RowError("id", row[_I["id"]], "missing" if not gid else "not a GED event id (digits)")
        if int(gid) in self._ids:
            raise RowError("id", gid, "duplicate: an earlier row of this file has the same id")
        tov = self._int(row, "type_of_violence", 1, 3)
        start, end = self._date(row, "date_start"), self._date(row, "date_end")
        if end < start:
            raise RowError("date_end", row[_I["date_end"]], f"before date_start {start.isoformat()}")
        year = self._int(row, "year", 1900, 2200)
        if year != start.year:
            raise RowError("year", row[_I["year"]], f"does not match date_start {start.isoformat()}")
        dprec = self._int(row, "date_prec", 1, 5)
        wprec = self._int(row, "where_prec", 1, 7)
        lat = self._float(row, "latitude", 90)
        lon = self._float(row, "longitude", 180)
        low, best, high = (self._int(row, c, 0, 10_000_000) for c in ("low", "best", "high"))
        if not low <= best <= high:
            raise RowError("best", best, f"must lie between low {low} and high {high}")
        side_a = split_side(row[_I["side_a"]], self.aliases)
        side_b = split_side(row[_I["side_b"]], self.aliases)
        if not side_a:
            raise RowError("side_a", row[_I["side_a"]], "missing")
        if not side_b:
            raise RowError("side_b", row[_I["side_b"]], "missing")
        country = row[_I["country"]].strip()
        if not country:
            raise RowError("country", row[_I["country"]], "missing")

        out: list[str] = []
        e = f"<{ID}event/ucdp/{gid}>"
        a_iris = [self._actor(name, start, out) for name in side_a]
        b_iris = [self._actor(name, start, out) for name in side_b]
        adm1, adm2 = row[_I["adm_1"]].strip(), row[_I["adm_2"]].strip()
        where = row[_I["where_coordinates"]].strip()
        country_iri, region1, _, path = self._places.chain(out, country, (adm1, adm2, ""))
        region2 = f"<{ID}place/{'/'.join(path[:3])}>" if adm2 else region1
        deepest = region2
        if wprec <= 2 and where:
            place = f"<{ID}place/{'/'.join(path)}/{self._places.slug(where)}>"
            if place not in self._places.seen:
                self._places.seen.add(place)
                geom = place[:-1] + "/geometry>"
                out.append(
                    f"{place} {_RDF_TYPE} {_ck('Place')} .\n{place} {_LABEL} {nt_literal(where)} .\n"
                    f"{place} {_ck('locatedIn')} {deepest} .\n"
                    f"{place} <{_GEO}hasGeometry> {geom} .\n{geom} {_RDF_TYPE} <{_GEO}Geometry> .\n"
                    f'{geom} <{_GEO}asWKT> "POINT({lon} {lat})"^^<{_GEO}wktLiteral> .\n'
                )
            precision = wprec
        else:
            place = {3: region2, 4: region1, 5: region1}.get(wprec, country_iri)
            precision = 3
        q = f"<{ID}event/ucdp/{gid}/fatalities>"
        label = row[_I["dyad_name"]].strip() or row[_I["conflict_name"]].strip() or f"GED event {gid}"
        for c in self.mapping[tov]:
            out.append(f"{e} {_RDF_TYPE} {c} .\n")
        out.append(
            f"{e} {_LABEL} {nt_literal(f'{label}, {where or adm1 or country}, {start.isoformat()}')} .\n"
            f'{e} <{_DCT}identifier> "{gid}" .\n'
            f'{e} {_ck("date")} "{start.isoformat()}"^^<{_XSD}date> .\n'
            f"{e} {_ck('datePrecision')} {_ck(_DATE_PRECISION[dprec])} .\n"
            f"{e} {_ck('place')} {place} .\n"
            f'{e} {_ck("placePrecision")} "{precision}"^^<{_XSD}integer> .\n'
            f"{e} {_ck('fatalities')} {q} .\n{q} {_RDF_TYPE} {_ck('Quantity')} .\n"
            f'{q} {_ck("value")} "{best}"^^<{_XSD}decimal> .\n'
            f'{q} {_ck("lowerBound")} "{low}"^^<{_XSD}decimal> .\n'
            f'{q} {_ck("upperBound")} "{high}"^^<{_XSD}decimal> .\n'
            f"{q} {_ck('qualifier')} {_ck('Estimated')} .\n"
        )
        if end > start:
            out.append(f'{e} {_ck("endDate")} "{end.isoformat()}"^^<{_XSD}date> .\n')
        out.extend(f"{e} {_ck('actor')} {a} .\n" for a in a_iris)
        out.extend(f"{e} {_ck('target')} {b} .\n" for b in b_iris)
        for col, prop in (
            ("source_article", f"<{_DCT}source>"),
            ("source_office", f"<{_DCT}publisher>"),
            ("source_date", f"<{_DCT}date>"),
            ("source_headline", f"<{_DCT}title>"),
            ("source_original", _ck("sourceNote")),
        ):
            value = row[_I[col]].strip()
            if value:
                out.append(f"{e} {prop} {nt_literal(value)} .\n")
        self._ids.add(int(gid))
        if self.latest is None or end > self.latest:
            self.latest = end
        text = "".join(out)
        return text, text.count("\n"), event_iri(gid)


def import_ucdp(
    store: FactStore,
    path: str | os.PathLike[str],
    *,
    aliases: AliasTable | None = None,
    skip_bad_rows: bool = False,
    rejects: RejectWriter | None = None,
    progress: Progress | None = None,
    **options: object,
) -> ImportReport:
    """Import one UCDP GED CSV into its own named graph, all or nothing.

    A newer download replaces the events it shares with earlier imports
    (matched by GED ``id``). See :func:`~conflictkg.graph.loaders.imports.import_file`.
    """
    return import_file(
        store, path, UcdpConverter(aliases), skip_bad_rows=skip_bad_rows, rejects=rejects, progress=progress,
        **options,  # type: ignore[arg-type]
    )
