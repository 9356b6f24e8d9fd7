"""Schemathesis against the live server's own OpenAPI schema: no 500, no traceback, no write."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.server, pytest.mark.slow]

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
EXAMPLES = 25  # per operation


def _quads(url: str) -> int:
    answer = httpx.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_no_operation_answers_500_or_a_traceback_or_writes(server) -> None:  # type: ignore[no-untyped-def]
    # Schemathesis's pytest plugin does not load on this pytest; the same
    # generated cases run through hypothesis directly, one operation at a time.
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    before = _quads(server.url)
    problems: list[str] = []
    calls: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(base_url=server.url, timeout=30)
            calls[operation.label] = calls.get(operation.label, 0) + 1
            where = f"{case.method} {case.formatted_path} {case.query or ''}"
            if response.status_code == 500:
                problems.append(f"{where}: 500 {response.text[:200]}")
            if "Traceback (most recent call last)" in response.text or 'File "/' in response.text:
                problems.append(f"{where}: a traceback in the body")

        fuzz()
    print(f"\n{sum(calls.values())} requests over {len(calls)} operations: {calls}")
    assert len(calls) == len(operations)
    assert problems == []
    # The fuzzed server has no update token: nothing may have changed, whatever was sent.
    assert _quads(server.url) == before


# The schema declares no parameters for /sparql and /store (their handlers read
# the protocol's fields themselves), so schemathesis sends one case there; these
# cover the protocol's fields with generated values instead.
_texts = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["SELECT * WHERE { ?s ?p ?o }", "ASK {}", "CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <urn:a>"]).flatmap(
        lambda q: st.integers(0, len(q)).map(lambda i: q[:i] + "\x00{}<>\"'\\"[i % 8] + q[i:])
    ),
)
_types = st.sampled_from(
    ["application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded",
     "text/turtle", "application/n-triples", "multipart/form-data", "", "text/plain; charset=latin-1"]
)  # fmt: skip
_accepts = st.sampled_from(["*/*", "application/sparql-results+json", "text/csv", "text/turtle", "image/png", ""])


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    path=st.sampled_from(["/sparql", "/store"]),
    params=st.dictionaries(
        st.sampled_from(["query", "update", "default-graph-uri", "named-graph-uri", "graph", "default", "format"]),
        _texts,
        max_size=3,
    ),
    body=st.one_of(st.none(), _texts.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=60)),
    content_type=_types,
    accept=_accepts,
)
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_protocol_fields_with_any_values_never_500_or_write(server, method, path, params, body, content_type, accept) -> None:  # type: ignore[no-untyped-def]
    before = _quads(server.url)
    headers = {k: v for k, v in {"Content-Type": content_type, "Accept": accept}.items() if v}
    response = httpx.request(method, server.url + path, params=params, content=body, headers=headers, timeout=30)
    assert response.status_code != 500, response.text[:300]
    assert "Traceback (most recent call last)" not in response.text
    assert _quads(server.url) == before
