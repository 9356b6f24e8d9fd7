"""Property tests: any Turtle or TriG fragment either loads or is refused with a ParseError, store unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from conflictkg.graph.errors import ParseError
from conflictkg.graph.store import FactStore, Store

FIXTURES = Path(__file__).parents[2] / "fixtures"

iri = st.sampled_from(["<http://e/a>", "<http://e/b>", "ex:c", "<urn:x>", "<rel>", "ex:", "a"])
literal = st.one_of(
    st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'),
    st.sampled_from(['"x"@en', '"1"^^xsd:integer', "42", "-1.5e3", "true", '"""multi\nline"""', '"bad\\q"']),
)
node = st.one_of(iri, literal, st.sampled_from(["_:b1", "_:b2", "[]", "[ ex:p 1 ]", "( 1 2 )"]))
triple = st.tuples(node, iri, node, st.sampled_from([" .", " ;", " ,", ""])).map(lambda t: " ".join(t))
prologue = st.sampled_from(
    ["@prefix ex: <http://e/> .", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .", "@base <http://b/> .", "PREFIX ex: <http://e/>"]
)
graph_block = st.tuples(iri, st.lists(triple, max_size=3)).map(lambda t: f"{t[0]} {{ {' '.join(t[1])} }}")
junk = st.one_of(st.text(max_size=20), st.sampled_from(["{", "}", "<", '"', "@prefix", ".", ";", "GRAPH", "\\u00"]))
fragment = st.lists(st.one_of(prologue, triple, graph_block, junk), max_size=8).map("\n".join)


def check_load(store: FactStore, text: str, ending: str) -> None:
    before = set(store.quads()) if store.kind != "remote" else store.count()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fragment.{ending}"
        path.write_text(text, encoding="utf-8")
        try:
            read = store.load([path], graph="urn:fuzz:g" if ending == "ttl" else None)
        except ParseError as err:
            assert err.file == str(path) and err.line is not None
            after = set(store.quads()) if store.kind != "remote" else store.count()
            assert after == before, "a refused load changed the store"
            return
    assert read >= 0
    if store.kind != "remote":
        assert before <= set(store.quads())


@settings(max_examples=200, deadline=None)
@given(text=fragment, ending=st.sampled_from(["ttl", "trig"]))
def test_a_fragment_loads_or_is_refused_with_the_store_unchanged(text: str, ending: str) -> None:
    store = Store()
    store.load([FIXTURES / "small.trig"])
    check_load(store, text, ending)


@pytest.mark.server
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=fragment, ending=st.sampled_from(["ttl", "trig"]))
def test_a_fragment_sent_to_a_server_loads_or_is_refused_with_the_server_unchanged(
    remote_store: FactStore, text: str, ending: str
) -> None:
    check_load(remote_store, text, ending)


def parses(text: str) -> bool:
    try:
        list(ox.parse(text, format=ox.RdfFormat.TRIG))
    except SyntaxError:
        return False
    return True


def test_the_generator_makes_both_good_and_bad_fragments() -> None:
    # Guards the properties above against a generator that only ever makes one kind.
    assert parses(find(fragment, lambda t: parses(t) and t.count(".") >= 2))
    assert not parses(find(fragment, lambda t: not parses(t)))
