"""UCDP GED import: classes, sides split into actors, death estimates with bounds, places, provenance, bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conflictkg.graph.loaders.imports import BadRow, list_imports
from conflictkg.graph.loaders.ucdp import UCDP_COLUMNS, import_ucdp
from conflictkg.graph.store import Store, to_ox
from conflictkg.ontology.vocab import CK, ID

VALID = Path(__file__).parents[2] / "fixtures" / "ucdp" / "valid.csv"
PREFIX = "PREFIX dcterms: <http://purl.org/dc/terms/>\n"


def ev(gid: str):
    return ID[f"event/ucdp/{gid}"]


def select(store: Store, sparql: str, **binds: object) -> list[dict]:
    values = " ".join(f"VALUES ?{k} {{ {to_ox(v)} }}" for k, v in binds.items())  # type: ignore[arg-type]
    head, _, rest = sparql.partition("{")
    return store.select(f"{PREFIX}{head}{{ {values} {rest}")


@pytest.fixture
def imported(store: Store) -> Store:
    import_ucdp(store, VALID)
    return store


@pytest.mark.parametrize(("gid", "cls"), [("900001", "Battle"), ("900002", "Battle"), ("900003", "ViolenceAgainstCivilians")])
def test_type_of_violence_becomes_an_event_class(imported: Store, gid: str, cls: str) -> None:
    rows = select(imported, "SELECT ?c WHERE { GRAPH ?g { ?e a ?c } }", e=ev(gid))
    assert [r["c"] for r in rows] == [CK[cls]]


def test_a_side_naming_two_actors_is_split_and_resolved_through_the_aliases(imported: Store) -> None:
    rows = select(imported, "SELECT ?p ?a WHERE { GRAPH ?g { ?e ?p ?a FILTER(?p IN (ck:actor, ck:target)) } }", e=ev("900001"))
    got = {(str(r["p"]).rsplit("#")[1], str(r["a"]).rsplit("/", 1)[1]) for r in rows}
    assert got == {("actor", "syrian-government"), ("actor", "government-of-iran"), ("target", "isis")}


def test_ucdp_sdf_is_the_same_actor_as_acleds(imported: Store) -> None:
    rows = select(imported, "SELECT ?e WHERE { GRAPH ?g { ?e ck:actor ?a } }", a=ID["actor/sdf"])
    assert [r["e"] for r in rows] == [ev("900002")]


def test_low_best_high_are_one_quantity_with_bounds(imported: Store) -> None:
    rows = select(
        imported,
        "SELECT ?v ?lo ?hi ?q WHERE { GRAPH ?g { ?e ck:fatalities [ a ck:Quantity ; ck:value ?v ; "
        "ck:lowerBound ?lo ; ck:upperBound ?hi ; ck:qualifier ?q ] } }",
        e=ev("900001"),
    )
    assert [(r["v"].toPython(), r["lo"].toPython(), r["hi"].toPython(), r["q"]) for r in rows] == [(4, 3, 7, CK.Estimated)]


@pytest.mark.parametrize(
    ("gid", "place", "precision", "point"),
    [
        ("900001", "place/syria/hasakah-governorate/hasakah-district/-/ghweiran-town", 1, True),
        ("900002", "place/syria/hasakah-governorate", 3, False),
        ("900003", "place/syria", 3, False),
    ],
)
def test_where_prec_decides_between_a_point_and_a_region(imported: Store, gid: str, place: str, precision: int, point: bool) -> None:
    rows = select(
        imported,
        "SELECT ?p ?prec ?wkt WHERE { GRAPH ?g { ?e ck:place ?p ; ck:placePrecision ?prec "
        "OPTIONAL { ?p geo:hasGeometry/geo:asWKT ?wkt } } }",
        e=ev(gid),
    )
    assert [(r["p"], r["prec"].toPython(), r["wkt"] is not None) for r in rows] == [(ID[place], precision, point)]


def test_dates_keep_their_span_and_precision(imported: Store) -> None:
    rows = select(imported, "SELECT ?d ?end ?prec WHERE { GRAPH ?g { ?e ck:date ?d ; ck:endDate ?end ; ck:datePrecision ?prec } }",
                  e=ev("900003"))
    assert [(str(r["d"]), str(r["end"]), r["prec"]) for r in rows] == [("2026-01-21", "2026-01-23", CK.Approximate)]


def test_source_columns_are_the_events_provenance(imported: Store) -> None:
    row = select(
        imported,
        "SELECT ?article ?office ?date ?headline ?original WHERE { GRAPH ?g { ?e dcterms:source ?article ; "
        "dcterms:publisher ?office ; dcterms:date ?date ; dcterms:title ?headline ; ck:sourceNote ?original } }",
        e=ev("900001"),
    )[0]
    assert str(row["article"]) == '"Made-up Wire, 2026-01-18, MADE UP headline";"Made-up Daily, 2026-01-19"'
    assert (str(row["office"]), str(row["date"]), str(row["original"])) == (
        "Made-up Wire;Made-up Daily", "2026-01-18;2026-01-19", "Made-up monitor"
    )


def test_the_import_has_its_own_graph_and_provenance(store: Store) -> None:
    report = import_ucdp(store, VALID)
    [meta] = list_imports(store)
    assert (meta["format"], meta["file"], meta["rows"], meta["graph"]) == ("ucdp", "valid.csv", 3, report.graph)
    assert report.unknown_actors == {"Government of Iran": 1, "Civilians": 1}


def test_a_newer_download_replaces_events_by_id(store: Store, tmp_path: Path) -> None:
    import_ucdp(store, VALID)
    with VALID.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows = [rows[0], rows[1]]
    rows[1][UCDP_COLUMNS.index("best")] = "5"
    newer = tmp_path / "ged-newer.csv"
    with newer.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    report = import_ucdp(store, newer)
    assert report.superseded == 1
    got = select(store, "SELECT ?g ?v WHERE { GRAPH ?g { ?e ck:fatalities/ck:value ?v } }", e=ev("900001"))
    assert [(str(r["g"]), r["v"].toPython()) for r in got] == [(report.graph, 5)]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("best", "99", "must lie between low 3 and high 7"),
        ("date_start", "18/01/2026", "not a date"),
        ("latitude", "200", "between -90 and 90"),
        ("id", "", "missing"),
        ("side_a", " ", "missing"),
        ("type_of_violence", "4", "between 1 and 3"),
    ],
)
def test_a_bad_row_stops_the_import_and_changes_nothing(store: Store, tmp_path: Path, column: str, value: str, reason: str) -> None:
    with VALID.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][UCDP_COLUMNS.index(column)] = value
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(BadRow, match=reason) as err:
        import_ucdp(store, path)
    assert (err.value.row, err.value.field) == (1, column)
    assert store.count() == 0


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_a_row_with_the_wrong_column_count_is_bad(imported: Store, tmp_path: Path) -> None:
    rows = rows_of(VALID)
    del rows[2][-1]
    before = imported.count()
    with pytest.raises(BadRow, match="expected 49 columns, found 48") as err:
        import_ucdp(imported, write(tmp_path / "short.csv", rows))
    assert err.value.row == 2
    assert imported.count() == before


def test_a_non_utf8_byte_is_a_bad_row_naming_its_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(VALID.read_bytes().replace(b"MADE UP: fighting near a prison", b"MADE UP: pr\xe9s d'une prison", 1))
    with pytest.raises(BadRow, match="not UTF-8: byte e9") as err:
        import_ucdp(store, path)
    assert (err.value.row, err.value.field) == (1, "source_headline")
    assert store.count() == 0


def test_a_wrong_header_is_refused_before_any_row(store: Store, tmp_path: Path) -> None:
    from conflictkg.graph.errors import ParseError

    rows = rows_of(VALID)
    rows[0][UCDP_COLUMNS.index("best")] = "deaths"
    with pytest.raises(ParseError, match="should be 'best'"):
        import_ucdp(store, write(tmp_path / "h.csv", rows))
    assert store.count() == 0


def test_skip_bad_rows_imports_the_rest_and_writes_every_reject_with_its_reason(store: Store, tmp_path: Path) -> None:
    from conflictkg.graph.loaders.imports import RejectWriter

    rows = rows_of(VALID)
    rows[2][UCDP_COLUMNS.index("latitude")] = "200"
    with RejectWriter(tmp_path / "rejects.csv") as rejects:
        report = import_ucdp(store, write(tmp_path / "mixed.csv", rows), skip_bad_rows=True, rejects=rejects)
    assert (report.rows, report.rejected) == (2, 1)
    got = list(csv.DictReader((tmp_path / "rejects.csv").open(encoding="utf-8", newline="")))
    assert [(r["row"], r["field"], r["value"]) for r in got] == [("2", "latitude", "200")]
    assert "between -90 and 90" in got[0]["reason"]
    ids = {str(r["id"]) for r in store.select(PREFIX + "SELECT ?id WHERE { GRAPH ?g { ?e a ?c ; dcterms:identifier ?id } }")}
    assert "900002" not in ids and {"900001", "900003"} <= ids
    assert list_imports(store)[0]["rejected"] == 1
