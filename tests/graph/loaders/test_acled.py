"""ACLED import: every column mapping, re-import, deletions, bad rows, provenance, the seed's SDF."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from conflictkg.graph.errors import ParseError, UnknownEntity
from conflictkg.graph.knowledge.seed import build_seed
from conflictkg.graph.loaders.acled import ACLED_COLUMNS, apply_deletions, import_acled, load_mapping
from conflictkg.graph.loaders.imports import BadRow, RejectWriter, drop_import, list_imports
from conflictkg.graph.store import Store, to_ox
from conflictkg.ontology.vocab import CK, ID

FIXTURES = Path(__file__).parents[2] / "fixtures" / "acled"
VALID, NEWER, DELETIONS = FIXTURES / "valid.csv", FIXTURES / "newer.csv", FIXTURES / "deletions.csv"
ONTOLOGY = Path(__file__).parents[3] / "ontology" / "conflictkg.ttl"


def ev(eid: str) -> URIRef:
    return ID[f"event/acled/{eid}"]


def bound(sparql: str, binds: dict[str, object]) -> str:
    """The query with VALUES for the bound variables, right after its first ``{``."""
    values = " ".join(f"VALUES ?{k} {{ {to_ox(v)} }}" for k, v in binds.items())  # type: ignore[arg-type]
    head, _, rest = sparql.partition("{")
    return f"PREFIX dcterms: <http://purl.org/dc/terms/>\n{head}{{ {values} {rest}"


def one(store: Store, sparql: str, **bind: object) -> list:
    return [tuple(r.values()) for r in store.select(bound(sparql, bind))]


def snapshot(store: Store) -> list[str]:
    return sorted(str(q) for q in store.quads())


@pytest.fixture
def imported(store: Store) -> Store:
    import_acled(store, VALID)
    return store


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


# -- mappings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eid", "classes"),
    [
        ("XSYR0001", {"Battle"}),
        ("XSYR0002", {"StrategicDevelopment"}),
        ("XSYR0003", {"RemoteViolence"}),
        ("XSYR0004", {"ViolenceAgainstCivilians", "Attack"}),
        ("XSYR0005", {"Protest"}),
        ("XSYR0006", {"Riot"}),
    ],
)
def test_event_types_become_ontology_classes(imported: Store, eid: str, classes: set[str]) -> None:
    got = imported.select(bound("SELECT ?c WHERE { GRAPH ?g { ?e a ?c } }", {"e": ev(eid)}))
    assert {str(r["c"]).rsplit("#", 1)[1] for r in got} == classes


def test_every_mapped_class_and_actor_type_exists_in_the_ontology() -> None:
    ontology = ONTOLOGY.read_text(encoding="utf-8")
    used = {c for classes in load_mapping().values() for c in classes}
    with (ONTOLOGY.parents[1] / "data" / "acled-actor-types.csv").open(encoding="utf-8") as f:
        used |= {f"<{CK[row['class'][3:]]}>" for row in csv.DictReader(f)}
    for iri in used:
        name = iri.rsplit("#", 1)[1].rstrip(">")
        assert re.search(rf"^ck:{name} a owl:Class", ontology, re.M), name


def test_sub_event_type_is_kept_as_the_acled_concept(imported: Store) -> None:
    got = one(imported, "SELECT ?t WHERE { GRAPH ?g { ?e dcterms:type ?t } }", e=ev("XSYR0003"))
    assert got == [(ID["acled/air-drone-strike"],)]


@pytest.mark.parametrize(
    ("actor", "cls"),
    [
        ("syrian-government-forces", "StateForce"),
        ("sdf", "RebelGroup"),
        ("isis", "RebelGroup"),
        ("us-led-coalition", "ExternalForce"),
        ("rioters-syria", "Rioters"),
        ("protesters-syria", "Protesters"),
        ("civilians-syria", "Civilians"),
    ],
)
def test_actors_are_typed_by_their_inter_code(imported: Store, actor: str, cls: str) -> None:
    assert (ID[f"actor/{actor}"], CK[cls]) in {
        (r["a"], r["c"]) for r in imported.select("SELECT ?a ?c WHERE { GRAPH ?g { ?a a ?c } }")
    }


def test_actor1_acts_actor2_is_the_target_and_associated_actors_participate(imported: Store) -> None:
    rows = imported.select(bound("SELECT ?p ?a WHERE { GRAPH ?g { ?e ?p ?a FILTER(?p IN (ck:actor, ck:target, ck:participant)) } }", {"e": ev("XSYR0001")}))
    got = {(str(r["p"]).rsplit("#")[1], str(r["a"]).rsplit("/", 1)[1]) for r in rows}
    assert got == {("actor", "syrian-government-forces"), ("target", "sdf"), ("participant", "ypg"), ("participant", "asayish")}


def test_versioned_names_are_kept_as_name_uses_with_their_dates(imported: Store) -> None:
    rows = imported.select(
        "SELECT ?name ?src ?start WHERE { GRAPH ?g { actor:sdf skos:altLabel ?name ; ck:nameUse ?u . "
        "?u ck:name ?name ; ck:nameSource ?src ; ck:startDate ?start } }"
    )
    assert [(str(r["name"]), str(r["src"]), str(r["start"])) for r in rows] == [
        ("QSD: Syrian Democratic Forces", "ACLED", "2015-10-10")
    ]


def test_places_form_the_admin_hierarchy_and_precise_events_get_a_point(imported: Store) -> None:
    rows = imported.select(bound("SELECT ?place ?l3 ?l2 ?l1 ?country ?wkt ?prec WHERE { GRAPH ?g { ?e ck:place ?place ; ck:placePrecision ?prec . "
        "?place ck:locatedIn ?l3 ; geo:hasGeometry/geo:asWKT ?wkt . ?l3 ck:adminLevel 3 ; ck:locatedIn ?l2 . "
        "?l2 ck:adminLevel 2 ; ck:locatedIn ?l1 . ?l1 ck:adminLevel 1 ; ck:locatedIn ?country . ?country a ck:Country } }", {"e": ev("XSYR0001")}))
    assert len(rows) == 1
    r = rows[0]
    assert str(r["place"]).endswith("place/syria/al-hasakeh/al-hasakeh/al-hasakeh/ghweiran")
    assert r["country"] == ID["place/syria"]
    assert str(r["wkt"]) == "POINT(40.74 36.48)"
    assert r["prec"].toPython() == 1


def test_a_region_level_event_is_placed_in_its_region_without_a_point(imported: Store) -> None:
    rows = imported.select(bound("SELECT ?place ?level ?prec WHERE { GRAPH ?g { ?e ck:place ?place ; ck:placePrecision ?prec . "
        "?place ck:adminLevel ?level FILTER NOT EXISTS { ?place geo:hasGeometry ?geom } } }", {"e": ev("XSYR0003")}))
    assert [(r["place"], r["level"].toPython(), r["prec"].toPython()) for r in rows] == [(ID["place/syria/ar-raqqa"], 1, 3)]


@pytest.mark.parametrize(("eid", "prec"), [("XSYR0001", "Day"), ("XSYR0002", "Approximate"), ("XSYR0003", "Month")])
def test_time_precision_becomes_date_precision(imported: Store, eid: str, prec: str) -> None:
    got = one(imported, "SELECT ?p WHERE { GRAPH ?g { ?e ck:datePrecision ?p } }", e=ev(eid))
    assert got == [(CK[prec],)]


def test_fatalities_are_an_estimated_quantity(imported: Store) -> None:
    got = one(imported, "SELECT ?v ?q WHERE { GRAPH ?g { ?e ck:fatalities [ a ck:Quantity ; ck:value ?v ; ck:qualifier ?q ] } }",
              e=ev("XSYR0003"))
    assert [(v.toPython(), q) for v, q in got] == [(12, CK.Estimated)]


def test_source_scale_and_notes_are_the_events_provenance_and_timestamp_its_version(imported: Store) -> None:
    row = imported.select(bound("SELECT ?src ?scale ?note ?modified WHERE { GRAPH ?g { ?e dcterms:source ?src ; ck:sourceScale ?scale ; "
        "ck:sourceNote ?note ; dcterms:modified ?modified } }", {"e": ev("XSYR0001")}))[0]
    assert str(row["src"]) == "Made-up Source A; Made-up Source B"
    assert str(row["scale"]) == "National-International"
    assert str(row["note"]) == 'MADE UP for tests: clashes near a "detention" site.\nSecond line of notes.'
    assert row["modified"].toPython() == datetime(2026, 1, 19, tzinfo=timezone.utc)


def test_unknown_actor_names_become_actors_and_are_reported(store: Store) -> None:
    report = import_acled(store, VALID)
    assert report.unknown_actors == {"Asayish": 1, "Civilians (Syria)": 2, "Protesters (Syria)": 1, "Rioters (Syria)": 1}
    got = one(store, "SELECT ?label WHERE { GRAPH ?g { ?a rdfs:label ?label } }", a=ID["actor/asayish"])
    assert [str(label) for (label,) in got] == ["Asayish"]


# -- provenance of the import ---------------------------------------------------


def test_each_import_records_file_checksum_rows_time_and_version(store: Store) -> None:
    report = import_acled(store, VALID)
    [meta] = list_imports(store)
    assert meta["graph"] == report.graph and meta["status"] == "complete"
    assert meta["file"] == "valid.csv" and meta["checksum"] == "sha256:" + report.checksum
    assert (meta["rows"], meta["rejected"], meta["triples"]) == (6, 0, report.triples)
    assert store.ask(bound("ASK { GRAPH g:meta { ?g ck:importerVersion ?v ; prov:generatedAtTime ?t ; ck:reportedOn ?d . "
        "?g prov:wasDerivedFrom [ a ck:SourceDocument ; dcterms:publisher 'ACLED' ] } }", {}))


def test_which_facts_came_from_this_export_is_one_query(store: Store) -> None:
    report = import_acled(store, VALID)
    import_acled(store, NEWER)
    rows = store.select(bound("SELECT (COUNT(*) AS ?n) WHERE { GRAPH g:meta { ?g prov:wasDerivedFrom/ck:checksum ?c } GRAPH ?g { ?s ?p ?o } }", {"c": Literal("sha256:" + report.checksum)}))
    # The newer export replaced XSYR0001, so the first graph lost that event's triples.
    assert 0 < rows[0]["n"].toPython() < report.triples
    assert rows[0]["n"].toPython() == store.count(report.graph)


def test_the_same_file_twice_is_imported_once(store: Store) -> None:
    first = import_acled(store, VALID)
    before = snapshot(store)
    again = import_acled(store, VALID)
    assert again.already_imported and again.graph == first.graph
    assert snapshot(store) == before


def test_dropping_an_import_removes_its_facts_and_metadata(store: Store) -> None:
    import_acled(store, VALID)
    before = snapshot(store)
    report = import_acled(store, NEWER)
    drop_import(store, report.import_id)
    assert report.graph not in store.named_graphs()
    assert [m["graph"] for m in list_imports(store)] != [] and report.graph not in [m["graph"] for m in list_imports(store)]
    # XSYR0001 was superseded and is gone with the newer import; the rest is as before.
    assert snapshot(store) == [q for q in before if "XSYR0001>" not in q.split()[0] and "XSYR0001/" not in q.split()[0]]
    with pytest.raises(UnknownEntity):
        drop_import(store, report.import_id)


# -- living data ------------------------------------------------------------------


def test_a_newer_export_replaces_events_by_id_without_duplicates(store: Store) -> None:
    first = import_acled(store, VALID)
    newer = import_acled(store, NEWER)
    assert newer.superseded == 1
    rows = store.select(bound("SELECT ?g ?date ?deaths WHERE { GRAPH ?g { ?e ck:date ?date ; ck:fatalities/ck:value ?deaths } }", {"e": ev("XSYR0001")}))
    assert [(str(r["g"]), r["deaths"].toPython()) for r in rows] == [(newer.graph, 6)]
    assert store.count(first.graph) > 0
    events = store.select(bound("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e dcterms:identifier ?id } }", {}))
    assert events[0]["n"].toPython() == 7
    # The old version's associated actors went with it.
    assert not store.ask(bound("ASK { GRAPH ?g { ?e ck:participant ?a } }", {"e": ev("XSYR0001")}))


def test_a_deletions_file_removes_the_events_it_lists(store: Store) -> None:
    import_acled(store, VALID)
    done = apply_deletions(store, DELETIONS)
    assert (done.rows, done.removed) == (2, 1)
    assert not store.ask(bound("ASK { GRAPH ?g { ?e ?p ?o } }", {"e": ev("XSYR0002")}))
    assert not store.ask(bound("ASK { GRAPH ?g { ?q ?p ?o } }", {"q": URIRef(ev("XSYR0002") + "/fatalities")}))
    assert store.ask(bound("ASK { GRAPH ?g { ?e ?p ?o } }", {"e": ev("XSYR0001")}))


def test_deletions_leave_curated_graphs_alone(store: Store) -> None:
    import_acled(store, VALID)
    store.update("INSERT DATA { GRAPH <urn:curated> { <https://w3id.org/conflictkg/id/event/acled/XSYR0002> rdfs:comment 'kept' } }")
    apply_deletions(store, DELETIONS)
    assert store.count("urn:curated") == 1


def test_a_deletions_file_with_a_bad_id_changes_nothing(store: Store, tmp_path: Path) -> None:
    import_acled(store, VALID)
    before = snapshot(store)
    bad = tmp_path / "del.csv"
    bad.write_text("event_id_cnty,deleted_timestamp\nXSYR0002,1\n,2\n", encoding="utf-8")
    with pytest.raises(BadRow) as err:
        apply_deletions(store, bad)
    assert (err.value.row, err.value.field) == (2, "event_id_cnty")
    assert snapshot(store) == before


# -- bad rows ----------------------------------------------------------------------

BAD_CASES = {
    "unparseable date": ("event_date", "2026-02-30", "event_date"),
    "latitude of 200": ("latitude", "200", "latitude"),
    "missing event_id_cnty": ("event_id_cnty", "", "event_id_cnty"),
    "unknown event type": ("event_type", "Picnics", "event_type"),
    "negative fatalities": ("fatalities", "-1", "fatalities"),
    "year not the date's": ("year", "1999", "year"),
    "actor2 without inter2": ("inter2", "0", "inter2"),
}


def _bad_file(tmp_path: Path, column: str, value: str) -> Path:
    rows = rows_of(VALID)
    rows[3][ACLED_COLUMNS.index(column)] = value
    return write(tmp_path / "bad.csv", rows)


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_a_bad_row_stops_the_import_naming_file_row_column_and_value(imported: Store, tmp_path: Path, case: str) -> None:
    column, value, field = BAD_CASES[case]
    before = snapshot(imported)
    path = _bad_file(tmp_path, column, value)
    with pytest.raises(BadRow) as err:
        import_acled(imported, path)
    assert (err.value.row, err.value.field, err.value.value) == (3, field, value)
    assert str(path) in str(err.value) and f"column {field}" in str(err.value)
    assert snapshot(imported) == before


def test_a_second_row_with_the_same_event_id_is_bad(imported: Store, tmp_path: Path) -> None:
    rows = rows_of(VALID)
    rows[4][0] = rows[2][0]
    with pytest.raises(BadRow, match="duplicate") as err:
        import_acled(imported, write(tmp_path / "dup.csv", rows))
    assert (err.value.row, err.value.field, err.value.value) == (4, "event_id_cnty", "XSYR0002")


def test_a_row_with_the_wrong_column_count_is_bad(imported: Store, tmp_path: Path) -> None:
    rows = rows_of(VALID)
    rows[2].append("surplus")
    before = snapshot(imported)
    with pytest.raises(BadRow, match="expected 31 columns, found 32") as err:
        import_acled(imported, write(tmp_path / "bad.csv", rows))
    assert err.value.row == 2
    assert snapshot(imported) == before


def test_a_non_utf8_byte_is_a_bad_row_naming_its_column(imported: Store, tmp_path: Path) -> None:
    good = VALID.read_bytes()
    path = tmp_path / "latin1.csv"
    path.write_bytes(good.replace(b"MADE UP: detainees escape.", b"MADE UP: d\xe9tenus.", 1))
    before = snapshot(imported)
    with pytest.raises(BadRow, match="not UTF-8: byte e9") as err:
        import_acled(imported, path)
    assert (err.value.row, err.value.field) == (2, "notes")
    assert err.value.line == 4  # row 1 spans two lines
    assert snapshot(imported) == before


def test_a_wrong_header_is_refused_before_any_row(store: Store, tmp_path: Path) -> None:
    rows = rows_of(VALID)
    rows[0][5] = "kind"
    with pytest.raises(ParseError, match="column 6 should be 'event_type'"):
        import_acled(store, write(tmp_path / "h.csv", rows))
    assert store.count() == 0


def test_skip_bad_rows_imports_the_rest_and_writes_every_reject_with_its_reason(store: Store, tmp_path: Path) -> None:
    rows = rows_of(VALID)
    rows[2][ACLED_COLUMNS.index("latitude")] = "200"
    rows[4][ACLED_COLUMNS.index("event_date")] = "someday"
    with RejectWriter(tmp_path / "rejects.csv") as rejects:
        report = import_acled(store, write(tmp_path / "mixed.csv", rows), skip_bad_rows=True, rejects=rejects)
    assert (report.rows, report.rejected) == (4, 2)
    got = list(csv.DictReader((tmp_path / "rejects.csv").open(encoding="utf-8", newline="")))
    assert [(r["row"], r["field"], r["value"]) for r in got] == [("2", "latitude", "200"), ("4", "event_date", "someday")]
    assert "between -90 and 90" in got[0]["reason"]
    assert next(csv.reader([got[1]["record"]]))[0] == "XSYR0004"
    ids = {str(r["id"]) for r in store.select(bound("SELECT ?id WHERE { GRAPH ?g { ?e dcterms:identifier ?id } }", {}))}
    assert ids == {"XSYR0001", "XSYR0003", "XSYR0005", "XSYR0006"}
    assert list_imports(store)[0]["rejected"] == 2


# -- one actor across sources --------------------------------------------------------


def test_the_acled_sdf_and_the_seed_sdf_are_one_actor_with_both_sources() -> None:
    store = Store()
    build_seed(store)
    import_acled(store, VALID)
    rows = store.select(
        "SELECT DISTINCT ?source WHERE { GRAPH ?g { { actor:sdf ?p ?o } UNION { ?s ?p actor:sdf } } "
        "GRAPH g:meta { ?g prov:wasDerivedFrom ?source } }"
    )
    sources = {str(r["source"]) for r in rows}
    assert any(s.endswith("source/al-aqtaan-prison-break-report") for s in sources)
    assert any("/source/file/sha256-" in s for s in sources)
    assert not store.ask("ASK { GRAPH ?g { ?a skos:altLabel 'QSD: Syrian Democratic Forces' FILTER(?a != actor:sdf) } }")
