"""The explorer, the entity pages and the search box in a real headless Chromium, on the seed graph.

Acts as a user: moves the time slider, clicks a drawn edge, types in the search box; asserts on
the DOM (and the Cytoscape.js model behind the canvas), never on pixels. Screenshots go to the
test's tmp dir. Needs what tests/api/test_query_page.py needs, plus Cytoscape.js from `make install`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conflictkg.api.routes.pages import CYTOSCAPE_DIR

from .conftest import chromium_context

pytestmark = [pytest.mark.server, pytest.mark.browser]

SDF = "https://w3id.org/conflictkg/id/actor/sdf"
COALITION = "https://w3id.org/conflictkg/id/actor/us-led-coalition"
TIE = f'#tie-list li[data-source="{SDF}"][data-target="{COALITION}"]'





@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from chromium_context(tmp_path_factory, CYTOSCAPE_DIR / "cytoscape.min.js", "Cytoscape.js", viewport={"width": 1500, "height": 1100})


def _slide_to(page, day: date) -> None:
    """Drag the slider's value to ``day`` as a user would (a range input takes a number of days)."""
    start = date.fromisoformat(page.evaluate("() => new Date(window.conflictkgExplorer.state.start).toISOString().slice(0, 10)"))
    page.locator("#slider").fill(str((day - start).days))
    page.wait_for_function("d => document.getElementById('date-label').textContent === d", arg=day.isoformat())


def test_explorer_replays_the_sdf_coalition_breakdown_and_shows_its_evidence(seed_server, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(seed_server.url + "/explore", wait_until="networkidle")
    page.locator("#tie-list li").first.wait_for(timeout=15000)

    # 2017: the SDF and the US-led coalition, drawn, with a cooperation edge
    _slide_to(page, date(2017, 6, 1))
    tie = page.locator(TIE)
    assert tie.get_attribute("data-sign") == "1"
    assert tie.get_attribute("data-kind") == "Cooperation"
    drawn = page.evaluate(f"""() => {{ const cy = window.conflictkgExplorer.cy, e = cy.getElementById("{SDF}|{COALITION}");
        return {{ nodes: [cy.getElementById("{SDF}").data("label"), cy.getElementById("{COALITION}").data("label")],
                  shown: e.nonempty() && !e.hasClass("off"), colour: e.data("colour"), style: e.data("lineStyle") }}; }}""")
    assert drawn == {"nodes": ["Syrian Democratic Forces", "US-led coalition"], "shown": True, "colour": "#2a8a2a", "style": "solid"}
    page.screenshot(path=str(tmp_path / "explore-2017.png"))

    # the breakdown is marked on the track
    mark = page.locator('.breakdown-mark[data-date="2026-01-01"]')
    assert "Syrian Democratic Forces – US-led coalition" in mark.inner_text()
    before = page.evaluate("() => window.conflictkgExplorer.cy.getElementById('" + SDF + "').position()")

    # past it, the edge is strained: red and dashed
    _slide_to(page, date(2026, 3, 1))
    assert tie.get_attribute("data-sign") == "-1"
    assert tie.get_attribute("data-kind") == "Strain"
    style = page.evaluate(f"() => window.conflictkgExplorer.cy.getElementById('{SDF}|{COALITION}').data()")
    assert (style["colour"], style["lineStyle"]) == ("#c0392b", "dashed")
    # the layout stayed where it was while the date moved
    assert page.evaluate("() => window.conflictkgExplorer.cy.getElementById('" + SDF + "').position()") == before

    # clicking the drawn edge shows its evidence, with source and claimant
    # a point of the drawn edge that no node covers (the layout is random, so look along it)
    point = page.evaluate(f"""() => {{ const cy = window.conflictkgExplorer.cy, e = cy.getElementById("{SDF}|{COALITION}");
        cy.center(e); const a = e.renderedSourceEndpoint(), b = e.renderedTargetEndpoint(), box = cy.container().getBoundingClientRect();
        for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {{
          const x = a.x + t * (b.x - a.x), y = a.y + t * (b.y - a.y);
          const covered = cy.nodes().some(n => {{ const r = n.renderedBoundingBox(); return x >= r.x1 && x <= r.x2 && y >= r.y1 && y <= r.y2; }});
          if (!covered) {{ return {{ x: box.left + x, y: box.top + y }}; }}
        }}
        return null; }}""")
    assert point is not None, "the edge is hidden under nodes everywhere"
    page.mouse.click(point["x"], point["y"])
    evidence = page.locator("#details .evidence li")
    evidence.first.wait_for(timeout=10000)
    texts = evidence.all_inner_texts()
    assert any("the SDF accuses the US-led coalition of failing to intervene" in t and "source: Al-Aqtaan prison break report" in t
               for t in texts), texts
    claim = page.locator("#details .evidence li.claim").filter(has_text="collaboration has utterly crumbled")
    assert "claim by the author of the Al-Aqtaan report" in claim.inner_text()
    assert "Strain" in page.locator("#details .spell-head").first.inner_text()
    page.screenshot(path=str(tmp_path / "explore-2026-evidence.png"))

    # clicking the mark jumps there
    mark.click()
    assert page.locator("#date-label").inner_text() == "2026-01-01"
    # the page talks to this server only
    assert requests and all(url.startswith(seed_server.url) or url.startswith("data:") for url in requests), requests
    page.close()


def test_entity_pages_show_qualified_quantities_and_mark_claims(seed_server, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(seed_server.url + "/id/place/al-aqtaan-prison", wait_until="networkidle")
    page.locator("#timeline li").first.wait_for(timeout=10000)
    assert page.locator("#title").inner_text() == "Al-Aqtaan Prison"
    escape = page.locator("#timeline li").filter(has_text="Al-Aqtaan prison break")
    assert "approximately 120" in escape.inner_text()
    assert not escape.locator(".claim-mark").count()
    siege = page.locator("#timeline li.claim").filter(has_text="siege of Al-Aqtaan Prison")
    assert "claim by Syrian Democratic Forces" in siege.locator(".claim-mark").inner_text()
    overcrowded = page.locator('.graph.claim[data-graph$="claim/facilities-overcrowded"]')
    assert "claim by unnamed sources" in overcrowded.locator(".claim-mark").inner_text()
    assert "overcrowding" in overcrowded.inner_text()
    page.locator("#ncy canvas").first.wait_for(timeout=10000)
    page.screenshot(path=str(tmp_path / "entity-prison.png"), full_page=True)

    page.goto(seed_server.url + "/id/actor/sdf", wait_until="networkidle")
    page.locator("#graphs .graph").first.wait_for(timeout=10000)
    assert page.locator("#title").inner_text() == "Syrian Democratic Forces"
    assert "SDF" in page.locator("#summary").inner_text() and "QSD" in page.locator("#summary").inner_text()
    cooperation = page.locator(".rel").filter(has_text="SDF – US-led coalition military cooperation")
    # its end is only the author's assessment: marked as a claim, with the claimant
    assert "claim by the author of the Al-Aqtaan report (not named) (its end)" in cooperation.inner_text()
    made = page.locator("#claims-made-list li")
    assert made.count() >= 2 and all("claim by Syrian Democratic Forces" in t for t in made.all_inner_texts())
    page.screenshot(path=str(tmp_path / "entity-sdf.png"), full_page=True)
    page.close()


def test_search_box_finds_isis_when_typing_daesh(seed_server, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(seed_server.url + "/explore", wait_until="networkidle")
    page.locator("#search-input").press_sequentially("Daesh", delay=40)
    first = page.locator("#search-results li a").first
    first.wait_for(timeout=10000)
    page.wait_for_function("() => document.querySelector('#search-results li a').textContent.includes('Islamic State')")
    assert "ArmedGroup" in first.inner_text() and "also Daesh" in first.inner_text()
    page.screenshot(path=str(tmp_path / "search-daesh.png"))
    first.click()
    page.wait_for_url("**/id/actor/isis")
    page.wait_for_function("() => document.getElementById('title').textContent === 'Islamic State'")
    page.close()
