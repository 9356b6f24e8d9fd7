"""The actor alias table: versioned source names resolve to the seed's stable actors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conflictkg.graph.errors import ParseError
from conflictkg.graph.loaders.aliases import AliasTable, slugify


@pytest.mark.parametrize(
    ("name", "actor"),
    [
        ("QSD: Syrian Democratic Forces", "sdf"),
        ("Islamic State (Syria)", "isis"),
        ("Global Coalition Against Daesh", "us-led-coalition"),
        ("Military Forces of Syria (2000-2024)", "syrian-government-forces"),
        ("Military Forces of Syria (2024-)", "syrian-government-forces"),
        ("SDF", "sdf"),
        ("IS", "isis"),
    ],
)
def test_versioned_source_names_resolve_to_the_seed_actor(name: str, actor: str) -> None:
    assert AliasTable().resolve(name).actor == actor


def test_the_table_points_at_actors_the_seed_graph_defines() -> None:
    seed = (Path(__file__).parents[3] / "data" / "al-aqtaan.trig").read_text(encoding="utf-8")
    targets = {a.actor for rows in AliasTable()._by_name.values() for a in rows}
    for slug in ("sdf", "isis", "us-led-coalition", "syrian-government-forces", "syrian-government"):
        assert slug in targets
        assert f"actor:{slug} a " in seed


def test_matching_ignores_case_and_runs_of_spaces() -> None:
    assert AliasTable().resolve("  qsd:   syrian democratic FORCES ").actor == "sdf"


def test_an_unknown_name_resolves_to_none() -> None:
    assert AliasTable().resolve("Unidentified Armed Group (Syria)") is None


def test_the_dates_of_use_pick_the_actor_when_one_name_meant_two(tmp_path: Path) -> None:
    table = tmp_path / "aliases.csv"
    table.write_text(
        "name,actor,label,source,start_date,end_date,note\n"
        "Military Forces of Xland,xland-forces-old,Old forces,ACLED,2000-01-01,2010-12-31,\n"
        "Military Forces of Xland,xland-forces-new,New forces,ACLED,2011-01-01,,\n",
        encoding="utf-8",
    )
    aliases = AliasTable(table)
    assert aliases.is_dated("Military Forces of Xland")
    assert aliases.resolve("Military Forces of Xland", date(2005, 6, 1)).actor == "xland-forces-old"
    assert aliases.resolve("Military Forces of Xland", date(2020, 6, 1)).actor == "xland-forces-new"
    # Before any span: the nearest span wins.
    assert aliases.resolve("Military Forces of Xland", date(1990, 1, 1)).actor == "xland-forces-old"


def test_a_row_without_an_actor_is_refused_with_its_line(tmp_path: Path) -> None:
    table = tmp_path / "aliases.csv"
    table.write_text("name,actor,label,source,start_date,end_date,note\nGood,good,,,,,\nLonely,,,,,,\n", encoding="utf-8")
    with pytest.raises(ParseError) as err:
        AliasTable(table)
    assert err.value.line == 3


def test_a_bad_date_names_its_column(tmp_path: Path) -> None:
    table = tmp_path / "aliases.csv"
    table.write_text("name,actor,label,source,start_date,end_date,note\nX,x,,,last spring,,\n", encoding="utf-8")
    with pytest.raises(ParseError, match="start_date 'last spring'"):
        AliasTable(table)


def test_slugs_are_readable_iri_segments() -> None:
    assert slugify("YPG: People's Protection Units") == "ypg-people-s-protection-units"
    assert slugify("Ar-Raqqa") == "ar-raqqa"
    assert slugify("???") == "unnamed"
