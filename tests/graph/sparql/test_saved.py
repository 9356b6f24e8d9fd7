"""Saved queries: grlc decorators and parameters read from .rq files, values bound as RDF terms."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conflictkg.graph.errors import InputError, ParseError, UnknownEntity
from conflictkg.graph.sparql.saved import QUERIES_DIR, find_saved, load_folder, load_saved, where_group_start
from conflictkg.graph.store import Store

FIXTURES = Path(__file__).parents[2] / "fixtures"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.load([FIXTURES / "small.trig"])
    return s


def _labels(store: Store, text: str) -> list[str]:
    return [str(row[next(iter(row))]) for row in store.select(text)]


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.glob("*.rq")) + sorted((FIXTURES / "queries").glob("*.rq")), ids=lambda p: p.name)
def test_every_saved_query_parses_and_runs_on_an_empty_store(path: Path) -> None:
    saved = load_saved(path)
    assert saved.summary, f"{path.name} has no '#+ summary:'"
    values = {p.name: ("http://example.org/x" if p.kind == "iri" else "1") for p in saved.parameters if p.required}
    Store().query(saved.bind(values))


def test_a_broken_query_fails_with_file_and_line() -> None:
    with pytest.raises(ParseError) as caught:
        load_folder(FIXTURES / "queries_broken")
    assert caught.value.file.endswith("broken.rq")
    assert caught.value.line == 2


def test_decorators_and_parameters_are_read() -> None:
    saved = find_saved("labels_limited", FIXTURES / "queries")
    assert saved.summary == "Labels longer than a length"
    assert [p.as_dict() for p in saved.parameters] == [
        {"name": "min_length", "type": XSD + "integer", "required": False, "default": "5"}
    ]
    hostile = find_saved("hostile_to", FIXTURES / "queries")
    assert {p.name: (p.kind, p.required) for p in hostile.parameters} == {"target": ("iri", True), "graph": ("iri", False)}


def test_values_are_bound_as_terms(store: Store) -> None:
    saved = find_saved("actor_by_label", FIXTURES / "queries")
    assert _labels(store, saved.bind({"label": "Islamic State"})) == ["http://example.org/isis"]


def test_an_injection_is_only_a_string(store: Store) -> None:
    saved = find_saved("actor_by_label", FIXTURES / "queries")
    text = saved.bind({"label": 'x" } ; DROP ALL #'})
    assert store.select(text) == []
    assert str(ox.Literal('x" } ; DROP ALL #')) in text
    assert store.count() == 5


def test_bad_values_name_the_parameter() -> None:
    saved = find_saved("hostile_to", FIXTURES / "queries")
    with pytest.raises(InputError) as caught:
        saved.bind({"target": "<http://x> } DROP ALL"})
    assert caught.value.details["parameter"] == "target"
    with pytest.raises(InputError, match="needs the parameter 'target'"):
        saved.bind({})
    with pytest.raises(UnknownEntity):
        find_saved("../etc/passwd", FIXTURES / "queries")


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "WHERE {"),
        ("SELECT * { ?s ?p ?o }", "* {"),
        ('PREFIX w: <http://e/#where> SELECT ("where {" AS ?x) WHERE { ?s ?p ?o }', "WHERE {"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "WHERE {"),
        ("# WHERE { in a comment\nSELECT ?where WHERE { ?s ?p ?where }", "WHERE {"),
    ],
)
def test_the_where_group_is_found_past_strings_iris_and_comments(text: str, marker: str) -> None:
    at = where_group_start(text)
    assert text[:at].endswith(marker)
    assert text.rindex(marker) + len(marker) == at
