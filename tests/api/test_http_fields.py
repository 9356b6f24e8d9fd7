"""The form and query-string reader of every route: the standard library's answer, faster."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.requests import Request

from conflictkg.api.http import form_fields, query_fields
from conflictkg.graph.errors import InputError

# Form text as clients send it, and as they should not: escapes valid and broken, '+', '=', '&' runs.
_PIECES = st.sampled_from(["a", "query", "=", "&", "+", "%", "%2", "%20", "%C3%A9", "%C3", "%ZZ", "%41", "%F0%9F%98%80",
                           "%FF", "SELECT", "?s", "%3D", "%26", ";", " "])
_FORMS = st.lists(_PIECES, max_size=30).map("".join)


@given(_FORMS)
@example("query=SELECT+%3Fp+%3Fo+WHERE+%7B+%3Chttps%3A%2F%2Fw3id.org%2Fx%3E+%3Fp+%3Fo+%7D&format=json")
@example("&&=&a&a=b=c&%C3")
def test_form_fields_are_what_parse_qsl_reads(text: str) -> None:
    try:
        expected = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        with pytest.raises(InputError, match="not UTF-8 once percent-decoded"):
            form_fields(text.encode("ascii"))
        return
    assert form_fields(text.encode("ascii")) == expected


def test_a_form_past_ascii_is_refused() -> None:
    with pytest.raises(InputError, match="must be ASCII"):
        form_fields("query=é".encode("utf-8"))


def _request(query_string: bytes) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/sparql", "query_string": query_string, "headers": []})


def test_query_strings_read_as_the_url_shows_them_and_garbage_is_named() -> None:
    assert query_fields(_request(b"query=ASK+%7B%7D&format=")) == [("query", "ASK {}"), ("format", "")]
    # raw UTF-8 past ASCII (a client that did not percent-encode) reads as Starlette's URL reads it
    assert query_fields(_request("query=ASK{}&x=é".encode("utf-8"))) == [("query", "ASK{}"), ("x", "é")]
    with pytest.raises(InputError, match="the query string is not UTF-8") as raw:
        query_fields(_request(b"query=\xff"))
    assert raw.value.details["parameter"] == "query string"
    with pytest.raises(InputError, match="not UTF-8 once percent-decoded"):
        query_fields(_request(b"query=%FF"))
