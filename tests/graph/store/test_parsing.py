"""Untrusted RDF: entity bombs refused before parsing, literals capped, uploads parsed in a bounded child."""

from __future__ import annotations

import pytest

from conflictkg.graph.errors import ParseError
from conflictkg.graph.store import Store
from conflictkg.graph.store.parsing import UploadLimits, check_rdfxml, parse_upload

RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


def billion_laughs(levels: int = 9, fanout: int = 10) -> bytes:
    """Nested internal entities: ``levels`` of ``fanout`` references each (9 × 10 expands to ~10 GB)."""
    entities = ['<!ENTITY a0 "laughlaughlaughlaugh">'] + [
        f'<!ENTITY a{i} "{f"&a{i - 1};" * fanout}">' for i in range(1, levels)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
        f'<rdf:RDF {RDF}><rdf:Description rdf:about="http://example.org/s"><ex:p>&a{levels - 1};</ex:p>'
        "</rdf:Description></rdf:RDF>"
    ).encode()


def flat_expansion(references: int, size: int = 1000) -> bytes:
    """One plain entity of ``size`` bytes, referenced ``references`` times (no nesting)."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> <!ENTITY big "{"x" * size}"> ]>\n'
        f'<rdf:RDF {RDF}><rdf:Description rdf:about="&ex;s"><ex:p>{"&big;" * references}</ex:p></rdf:Description></rdf:RDF>'
    ).encode()


def test_a_720_byte_billion_laughs_is_refused_naming_the_nested_entity() -> None:
    bomb = billion_laughs()
    assert len(bomb) == 720  # ~10 GB once expanded
    with pytest.raises(ParseError) as caught:
        check_rdfxml(bomb, file="bomb.rdf")
    assert caught.value.message == (
        "bomb.rdf:4: entity 'a1' refers to other entities; nested entities (a 'billion laughs' document) are refused"
    )


def test_plain_namespace_entities_as_protege_writes_them_are_accepted() -> None:
    check_rdfxml(flat_expansion(10))
    quads = parse_upload(flat_expansion(10), "application/rdf+xml", base_iri="urn:x")
    assert len(quads) == 1 and len(quads[0].object.value) == 10_000
    assert quads[0].subject.value == "http://example.org/s"


def test_references_that_would_expand_past_the_cap_are_refused() -> None:
    with pytest.raises(ParseError, match=r"would expand the document past 16777216 bytes, the limit"):
        check_rdfxml(flat_expansion(20_000))


@pytest.mark.parametrize(
    ("declaration", "why"),
    [
        ('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "external entity 'xxe' is refused"),
        ('<!ENTITY % p "x">', "parameter entity %p; is refused"),
        ('<!ENTITY a "&#38;b;">', "entity 'a' refers to other entities"),
    ],
)
def test_external_parameter_and_disguised_entities_are_refused(declaration: str, why: str) -> None:
    doc = f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [ {declaration} ]><rdf:RDF {RDF}/>'.encode()
    with pytest.raises(ParseError, match=why):
        check_rdfxml(doc)


def test_a_literal_past_the_cap_is_refused_in_any_format() -> None:
    body = b'<urn:a> <urn:b> "' + b"x" * 2000 + b'" .'
    with pytest.raises(ParseError, match="a literal of 2000 bytes .* is longer than 1000 bytes, the limit"):
        parse_upload(body, "text/turtle", base_iri="urn:x", limits=UploadLimits(max_literal_bytes=1000))


def test_a_parse_past_its_memory_limit_is_stopped_and_this_process_lives() -> None:
    body = b'<urn:a> <urn:b> "' + b"x" * (40 << 20) + b'" .'
    limits = UploadLimits(memory_bytes=64 << 20, max_literal_bytes=1 << 30)
    with pytest.raises(ParseError, match="parsing needed more than 64 MiB, the limit, and was stopped"):
        parse_upload(body, "text/turtle", base_iri="urn:x", limits=limits)
    assert parse_upload(b"<urn:a> <urn:b> <urn:c> .", "text/turtle", base_iri="urn:x")[0].object.value == "urn:c"


def test_a_syntax_error_in_an_upload_names_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        parse_upload(b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> .", "text/turtle", base_iri="urn:x")
    assert caught.value.details["line"] == 2 and caught.value.details["file"] == "request body"


def test_loading_a_billion_laughs_file_leaves_the_store_unchanged(tmp_path) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(billion_laughs())
    good = tmp_path / "good.ttl"
    good.write_text("<urn:a> <urn:b> <urn:c> .\n")
    with Store() as store:
        store.load([good])
        with pytest.raises(ParseError, match="nested entities"):
            store.load([bomb])
        assert store.count() == 1
