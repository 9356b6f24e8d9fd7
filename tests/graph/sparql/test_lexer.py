"""The cheap scan every query and update passes before a parser sees it."""

from __future__ import annotations

import pytest

from conflictkg.graph.errors import QuerySyntaxError
from conflictkg.graph.sparql.admission import Admission, lane_eligible
from conflictkg.graph.sparql.guard import check_query, needs_parse
from conflictkg.graph.sparql.lexer import MAX_DEPTH, check_shape, scan, undeclared_prefix

BOMBS = {
    "braces": "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "negations": "ASK { FILTER(" + "!" * 100_000 + "true) }",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_depth_bomb_is_refused_naming_the_limit(name: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        check_shape(BOMBS[name])
    assert caught.value.message.endswith(f"deep (brackets and unary operators); the limit is {MAX_DEPTH}")
    assert caught.value.details["limit"] == MAX_DEPTH


def test_a_chain_of_unions_past_the_limit_is_refused() -> None:
    query = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 3000) + " }"
    with pytest.raises(QuerySyntaxError, match="chains 2999 operators .* the limit is 2000"):
        check_shape(query)


def test_brackets_inside_strings_iris_and_comments_do_not_count() -> None:
    query = 'SELECT * WHERE { ?s ?p "{{{{((((" . ?s ?p <urn:a(b> } # ((((((((((((\n'
    assert scan(query).depth == 1


def test_codepoint_escapes_are_expanded_before_scanning() -> None:
    assert "SERVICE" in scan("SELECT * { SERVI\\u0043E <http://x/> { } }").words


def test_a_trigger_word_in_a_comment_or_string_does_not_force_the_full_parse() -> None:
    assert not needs_parse('SELECT ?from WHERE { ?s ck:from "from" } # from here')
    assert needs_parse("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")


def test_a_query_60_deep_with_from_in_a_comment_passes_the_guard() -> None:
    query = "SELECT * WHERE " + "{" * 60 + " ?s ?p ?o " + "}" * 60 + " # from a comment"
    check_query(query, graphs=lambda: [])  # raises nothing


def test_a_deep_query_with_a_real_from_is_parsed_and_checked_not_refused_as_too_deep() -> None:
    query = "SELECT * FROM <urn:g> WHERE " + "{" * 60 + " ?s ?p ?o " + "}" * 60
    check_query(query, graphs=lambda: ["urn:g"])
    with pytest.raises(Exception, match="FROM <urn:other> is not a graph in this store"):
        check_query(query.replace("urn:g", "urn:other"), graphs=lambda: ["urn:g"])


def test_an_undeclared_prefix_is_named_with_its_place() -> None:
    err = undeclared_prefix("PREFIX ex: <http://e/>\nSELECT * { ex:a foo:b ?o }", frozenset({"ck"}))
    assert err is not None
    assert err.message == "line 2, column 17: undeclared prefix 'foo:'; add PREFIX foo: <…>"
    assert undeclared_prefix("SELECT * { ck:a ?p ?o }", frozenset({"ck"})) is None


@pytest.mark.parametrize(
    ("query", "cheap"),
    [
        ("ASK {}", True),
        ("SELECT ?o WHERE { actor:sdf rdfs:label ?o }", True),
        ("SELECT ?p ?o WHERE { GRAPH ?g { <urn:a> ?p ?o } } LIMIT 100", True),
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", False),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", False),
        ("SELECT ?x WHERE { ?x ck:allyOf+ actor:sdf }", False),
    ],
)
def test_only_queries_that_look_cheap_may_use_the_reserved_lane(query: str, cheap: bool) -> None:
    assert lane_eligible(scan(query)) is cheap


def test_a_client_past_its_limit_is_refused_and_others_are_not() -> None:
    admission = Admission(2)
    tickets = [admission.enter("10.0.0.1"), admission.enter("10.0.0.1")]
    with pytest.raises(Exception, match="client 10.0.0.1 already has 2 queries running"):
        admission.enter("10.0.0.1")
    other = admission.enter("10.0.0.2")
    admission.leave(tickets[0])
    admission.leave(admission.enter("10.0.0.1"))
    admission.leave(tickets[1])
    admission.leave(other)


def test_a_text_checked_again_is_held_to_the_limits_of_each_check() -> None:
    # check_shape caches the scan of short texts: the limits still apply per call.
    text = "SELECT * WHERE { { { ?s ?p ?o } } }"
    assert check_shape(text).depth == 3
    with pytest.raises(QuerySyntaxError, match="nested 3 deep") as refused:
        check_shape(text, max_depth=2)
    assert refused.value.details["limit"] == 2
    assert check_shape(text, max_depth=3).depth == 3
    long = "SELECT * WHERE { " + "{ " * 70 + "?s ?p ?o" + " }" * 70 + " } #" + "x" * 5000  # past the cached length
    for _ in range(2):
        with pytest.raises(QuerySyntaxError, match="nested 71 deep"):
            check_shape(long)
