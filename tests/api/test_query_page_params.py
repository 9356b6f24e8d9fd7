"""Saved queries with parameters on the query page: a form, the values bound by the server, rows in the table.

A real headless Chromium (Debian's, /usr/bin/chromium) on ``conflictkg serve``
over the seed graph and the shipped queries (``actor-names``,
``prison-location``), as ``make serve`` runs it. Missing pieces skip outside
CI and fail in it, as in ``test_query_page.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conflictkg.api.routes.pages import YASGUI_DIR

from .conftest import chromium_context

pytestmark = [pytest.mark.server, pytest.mark.browser]

CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")
ID = "https://w3id.org/conflictkg/id/"



@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``conflictkg serve --readers 2`` on a freshly seeded store with the shipped saved queries."""
    tmp = tmp_path_factory.mktemp("seeded-page")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLICTKG_")}
    env["CONFLICTKG_STORE"] = str(tmp / "store")
    seeded = subprocess.run([CONFLICTKG, "seed"], env=env, capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp / "serve.log"
    process = subprocess.Popen([CONFLICTKG, "serve", "--port", str(port), "--readers", "2"], env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    yield url
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    yield from chromium_context(tmp_path_factory, YASGUI_DIR / "yasgui.min.js", "YASGUI", viewport={"width": 1400, "height": 1000})


# -- the bound text, over HTTP ------------------------------------------------


def test_a_saved_query_answers_its_bound_text_when_asked_for_a_query(seeded_server: str) -> None:
    r = httpx.get(seeded_server + "/queries/actor-names", params={"name": "QSD"},
                  headers={"Accept": "application/sparql-query"}, timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-query"
    assert 'VALUES (?_name) { ("QSD") }' in r.text
    assert r.text.count("SELECT DISTINCT ?_name") == 1
    rows = httpx.get(seeded_server + "/queries/actor-names", params={"name": "QSD"}, timeout=10)
    assert rows.headers["content-type"] == "application/sparql-results+json"  # results stay the default


def test_a_bad_value_for_the_bound_text_is_400_naming_the_parameter(seeded_server: str) -> None:
    r = httpx.get(seeded_server + "/queries/prison-location", params={"place": "not an iri"},
                  headers={"Accept": "application/sparql-query"}, timeout=10)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]["parameter"] == "place"


# -- the page -------------------------------------------------------------------


def _rows(page) -> list[str]:
    return page.locator(".yasr table tbody tr").all_inner_texts()


def test_actor_names_opens_with_a_form_and_runs_with_the_value_typed(seeded_server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(seeded_server + "/", wait_until="networkidle")
    form = page.locator("#saved-params")
    assert form.is_hidden()
    page.get_by_role("button", name="The name variants of an actor").click()
    field = page.get_by_label("name")
    field.wait_for(timeout=15000)
    assert form.is_visible()
    assert field.input_value() == "Daesh"  # the query's default
    assert "xsd:string, default Daesh" in form.inner_text()
    # The editor already holds the bound query: its own run button never runs an unbound slot.
    page.wait_for_function("() => window.conflictkgYasgui.getTab().getQuery().includes('VALUES')", timeout=15000)
    field.fill("QSD")
    page.get_by_role("button", name="Run with these values").click()
    page.locator(".yasr table tbody td", has_text="QSD: Syrian Democratic Forces").first.wait_for(timeout=20000)
    rows = _rows(page)
    assert len(rows) >= 3
    assert all("sdf" in row for row in rows)  # every row is the SDF's
    assert any("Syrian Democratic Forces" in row and "preferred" in row for row in rows)
    assert 'VALUES (?_name) { ("QSD") }' in page.evaluate("() => window.conflictkgYasgui.getTab().getQuery()")
    page.screenshot(path=str(tmp_path / "actor-names-form.png"), full_page=True)
    page.close()


def test_prison_location_runs_with_its_default_place_and_shows_syria(seeded_server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(seeded_server + "/", wait_until="networkidle")
    page.get_by_role("button", name="Where is a facility (every place it lies in, transitively)").click()
    field = page.get_by_label("place")
    field.wait_for(timeout=15000)
    assert field.input_value() == ID + "place/al-aqtaan-prison"
    page.get_by_role("button", name="Run with these values").click()
    page.locator(".yasr table tbody td", has_text="place/syria").first.wait_for(timeout=20000)
    rows = _rows(page)
    served = httpx.get(seeded_server + "/queries/prison-location", timeout=10).json()["results"]["bindings"]
    assert len(rows) == len(served) >= 2  # the same rows as the saved query's own URL, with its default
    assert any("northeast Syria" in row for row in rows) and any("Syria" in row and "true" in row for row in rows)
    page.screenshot(path=str(tmp_path / "prison-location-form.png"), full_page=True)
    page.close()


def test_a_bad_value_is_named_in_the_form_and_nothing_runs(seeded_server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(seeded_server + "/", wait_until="networkidle")
    page.get_by_role("button", name="Where is a facility (every place it lies in, transitively)").click()
    field = page.get_by_label("place")
    field.wait_for(timeout=15000)
    field.fill("not an iri")
    page.get_by_role("button", name="Run with these values").click()
    error = page.locator("#saved-params .error")
    error.filter(has_text="not an absolute IRI").wait_for(timeout=15000)
    assert field.get_attribute("aria-invalid") == "true"
    assert _rows(page) == []
    page.screenshot(path=str(tmp_path / "bad-value.png"), full_page=True)
    page.close()
