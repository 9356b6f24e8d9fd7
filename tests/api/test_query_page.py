"""The query page in a real headless Chromium: open it, run a query, see the rows.

Needs Debian's ``chromium`` (``apt-get install chromium``; /usr/bin/chromium, or
CONFLICTKG_CHROMIUM) and the python ``playwright`` package (``pip install
playwright``; its own browser download is never used), plus YASGUI from
``make install``. Outside CI a missing piece skips these tests with that
advice; in CI (CI=true) it fails them.
"""

from __future__ import annotations


import httpx
import pytest

from conflictkg.api.routes.pages import YASGUI_DIR

from .conftest import chromium_context

pytestmark = [pytest.mark.server, pytest.mark.browser]




@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from chromium_context(tmp_path_factory, YASGUI_DIR / "yasgui.min.js", "YASGUI")


@pytest.mark.both_modes
def test_the_page_runs_a_saved_query_and_shows_the_rows(server, browser) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(server.url + "/", wait_until="networkidle")
    page.get_by_role("button", name="Armed groups and their labels").click()
    page.locator(".yasqe_queryButton").click()
    cells = page.locator(".yasr table tbody td")
    cells.filter(has_text="Syrian Democratic Forces").first.wait_for(timeout=15000)
    texts = cells.all_inner_texts()
    assert any("Islamic State" in t for t in texts)
    assert any("Syrian Democratic Forces" in t for t in texts)
    # The page talks to this server only (YASGUI served from our vendor folder, queries to /sparql).
    assert requests and all(url.startswith(server.url) or url.startswith("data:") for url in requests), requests
    page.close()


def test_the_page_runs_a_typed_query(server, browser) -> None:
    page = browser.new_page()
    page.goto(server.url + "/sparql", wait_until="networkidle")
    page.evaluate("q => { window.conflictkgYasgui.getTab().setQuery(q); }",
                  "SELECT ?g (COUNT(*) AS ?facts) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    page.locator(".yasqe_queryButton").click()
    page.locator(".yasr table tbody td", has_text="http://example.org/g2").first.wait_for(timeout=15000)
    rows = [r.split("\t") for r in page.locator(".yasr table tbody tr").all_inner_texts()]
    assert len(rows) == 2
    integer = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    assert [(r[1].strip(), r[2].strip()) for r in rows] == [
        ("<http://example.org/g1>", f'"4"{integer}'),
        ("<http://example.org/g2>", f'"1"{integer}'),
    ]
    page.close()


def test_the_page_is_served_to_plain_http_clients_too(server) -> None:
    r = httpx.get(server.url + "/", timeout=10)
    assert r.status_code == 200
    assert "/static/query.js" in r.text
    assert httpx.get(server.url + "/static/query.js", timeout=10).status_code == 200


def test_the_api_docs_load_swagger_ui_from_this_server_only(server, browser, tmp_path) -> None:
    from conflictkg.api.routes.pages import SWAGGER_DIR

    if not (SWAGGER_DIR / "swagger-ui-bundle.js").is_file():
        pytest.fail("Swagger UI is missing: run `make install` (npm install swagger-ui-dist into api/static/vendor)")
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(server.url + "/docs", wait_until="networkidle")
    page.locator(".opblock-summary-path", has_text="/sparql").first.wait_for(timeout=15000)
    assert page.locator(".info .title").inner_text().startswith("conflictkg")
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/sparql", "/store", "/queries/{name}"} <= {p.replace("\u200b", "") for p in paths}
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=False)
    # Offline-proof: no CDN, every request went to this server.
    assert requests and all(url.startswith(server.url) or url.startswith("data:") for url in requests), requests
    page.close()
