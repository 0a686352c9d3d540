"""The demo programme's map and report, served by the API and opened in headless Chromium
(Debian's ``chromium``, through tests/browser.py): no console error, every node drawn.

Screenshots are left in ``test-artifacts/``; with ``ALUMNI_GRAPH_UPDATE_DOCS_IMAGES=1``
they also replace ``docs/img/map.png``, ``docs/img/report.png`` and the programme's
pictures (the README's).
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from api.keys import issue_key
from graph.model import KeyRole
from graph.sqlite_store import SqliteStore
from visualisations.maps import html as maps_html

from .conftest import map_data

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
DRAWN = "() => document.documentElement.dataset.drawn === 'yes'"
NODES_DRAWN = "window.alumniMap.nodesDrawn"
VIS_NODES = "window.alumniMap.networks.map(n => n.body.nodeIndices.length)"
CANVAS_INKED = """() => {
  const canvas = document.querySelector('#map-0 canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) inked++; }
  return inked;
}"""


def _for_docs(shot: Path, name: str) -> None:
    if os.environ.get("ALUMNI_GRAPH_UPDATE_DOCS_IMAGES") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_IMG / name)


def _team_page(page: Page, store: SqliteStore) -> None:
    key, _ = issue_key(store, KeyRole.PROGRAMME)
    page.set_extra_http_headers({"Authorization": f"Bearer {key}"})


def _demo_map(page: Page, base: str, store: SqliteStore, query: str) -> dict[str, Any]:
    """The programme team's map of the demo at ``query``, once drawn: its one panel's data."""
    _team_page(page, store)
    page.goto(f"{base}/visualisations/network.html?{query}")
    page.wait_for_function(DRAWN, timeout=60_000)
    (data,) = map_data(page.content())
    return data


def test_demo_map_opens_in_chromium_with_every_node_drawn(
    demo_store: SqliteStore, serve, page: Page, page_errors: list[str], screenshot
) -> None:  # type: ignore[no-untyped-def]
    base = serve(demo_store)
    _team_page(page, demo_store)
    url = f"{base}/visualisations/network.html?as_of=2022-12-31"
    response = page.goto(url)
    assert response is not None and response.status == 200
    page.wait_for_function(DRAWN, timeout=60_000)
    expected = map_data(page.content())[0]["nodes"]
    assert len(expected) > 100  # the demo's three cohorts
    assert page.evaluate(NODES_DRAWN) == [len(expected)]
    assert page.evaluate(VIS_NODES) == [len(expected)]  # vis-network's own count
    assert page.evaluate(CANVAS_INKED) > 10_000  # the canvas is drawn on, not blank
    assert page_errors == []
    _for_docs(screenshot(page, "map"), "map.png")


def test_map_with_many_ties_draws_them_in_one_layer(
    demo_store: SqliteStore,
    serve,
    page: Page,
    page_errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    # The demo's ~2,400 ties count as "many" here, as a 10,000-person programme's do.
    monkeypatch.setattr(maps_html, "MANY_TIES", 100)
    data = _demo_map(page, serve(demo_store), demo_store, "as_of=2022-12-31")
    assert data["canvasEdges"] is True and data["options"]["interaction"]["dragNodes"] is False
    assert page.evaluate(NODES_DRAWN) == [len(data["nodes"])]
    assert page.evaluate("window.alumniMap.networks[0].body.edgeIndices.length") == 0
    assert page.evaluate("window.alumniMap.edges") == [len(data["edges"])]
    assert page.evaluate(CANVAS_INKED) > 10_000
    assert page_errors == []


def _on_screen(page: Page, x: float, y: float) -> dict[str, float]:
    """A canvas point's place in the page (for the mouse)."""
    return page.evaluate(
        """([x, y]) => {
          const at = window.alumniMap.networks[0].canvasToDOM({x, y});
          const box = document.querySelector('#map-0 canvas').getBoundingClientRect();
          return {x: box.left + at.x, y: box.top + at.y};
        }""",
        [x, y],
    )


TOOLTIP = """() => {
  const tip = document.getElementById('map-0-tooltip');
  return getComputedStyle(tip).visibility === 'visible' ? tip.textContent : null;
}"""
VIS_BORDERS = """colours => colours.map(colour => {
  const box = document.createElement('div');
  document.body.appendChild(box);
  const network = new vis.Network(box, {nodes: new vis.DataSet([{id: 1, color: colour}])}, {});
  const border = network.body.nodes[1].options.color.border;
  network.destroy();
  box.remove();
  return border.toLowerCase();
})"""


def test_map_with_many_nodes_draws_them_itself_with_their_tooltips(
    demo_store: SqliteStore,
    serve,
    page: Page,
    page_errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    # The demo's few hundred people count as "many" here, as a 10,000-person programme's do.
    monkeypatch.setattr(maps_html, "MANY_NODES", 100)
    data = _demo_map(page, serve(demo_store), demo_store, "as_of=2022-12-31")
    assert data["canvasNodes"] is True and data["canvasEdges"] is True
    nodes = data["nodes"]
    assert page.evaluate(NODES_DRAWN) == [len(nodes)]
    assert page.evaluate(VIS_NODES) == [0]
    assert page.evaluate("window.alumniMap.networks[0].body.edgeIndices.length") == 0
    assert page.evaluate("window.alumniMap.edges") == [len(data["edges"])]
    assert page.evaluate(CANVAS_INKED) > 10_000
    styles = [s for s in data["nodeStyles"] if not s["ego"]]
    assert len({s["shape"] for s in styles}) >= 3  # the demo's roles, each its own shape
    colours = [s["color"] for s in styles]
    assert [s["border"] for s in styles] == page.evaluate(VIS_BORDERS, colours)

    # A node clear of every other (boxes of 2 x size, as vis-network hovers) shows its
    # title under the pointer, and only its title; empty space shows none.
    def clear(n: list) -> bool:  # type: ignore[type-arg]
        return all(
            m is n or abs(m[0] - n[0]) > m[2] + n[2] or abs(m[1] - n[1]) > m[2] + n[2]
            for m in nodes
        )

    alone = next(n for n in sorted(nodes, key=lambda n: -n[2]) if clear(n))
    at = _on_screen(page, alone[0], alone[1])
    page.mouse.move(at["x"] + 2, at["y"] + 2)
    page.wait_for_function(f"() => ({TOOLTIP})() !== null", timeout=5_000)
    assert page.evaluate(TOOLTIP) == alone[4]
    corner = page.evaluate(
        "(() => { const b = document.querySelector('#map-0 canvas').getBoundingClientRect();"
        " return {x: b.left + 3, y: b.top + 3}; })()"
    )
    page.mouse.move(corner["x"], corner["y"])
    assert page.evaluate(TOOLTIP) is None
    assert page_errors == []


EGO_EDGE_INKS = """([x, y, inward]) => {
  const canvas = document.querySelector('#map-0 canvas');
  const at = window.alumniMap.networks[0].canvasToDOM({x, y});
  const ratio = canvas.width / canvas.clientWidth;
  const px = Math.round((at.x + inward[0]) * ratio), py = Math.round((at.y + inward[1]) * ratio);
  const pixels = canvas.getContext('2d').getImageData(px - 1, py - 1, 3, 3).data;
  const found = [];
  for (let i = 0; i < pixels.length; i += 4) found.push([pixels[i], pixels[i + 1], pixels[i + 2]]);
  return found;
}"""


def test_ego_map_with_many_nodes_draws_the_ego_with_its_black_border(
    demo_store: SqliteStore,
    serve,
    page: Page,
    page_errors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(maps_html, "MANY_NODES", 10)
    snapshot = demo_store.snapshot(date(2022, 12, 31))
    person = str(max(snapshot.nodes, key=lambda v: (snapshot.degree(v), str(v))))
    data = _demo_map(page, serve(demo_store), demo_store, f"person={person}")
    assert data["canvasNodes"] is True
    (ego,) = [n for n in data["nodes"] if data["nodeStyles"][n[3]]["ego"]]
    style = data["nodeStyles"][ego[3]]
    assert (style["border"], style["borderWidth"]) == ("#000000", 4)
    assert page.evaluate(NODES_DRAWN) == [len(data["nodes"])]
    # A point on the ego's outline (vis-network's geometry), 1 px inside: in its 4 px
    # border, black; its centre is its sector's colour.
    x, y, size = ego[0], ego[1], ego[2]
    outline = {
        "dot": (x + size, y, (-1, 0)),
        "square": (x + size, y, (-1, 0)),
        "diamond": (x + size, y, (-1, 0)),
        "star": (x, y + 0.082 * size - 1.066 * size, (0, 1)),
        "triangle": (x, y + 0.275 * 1.15 * size + 3**0.5 / 3 * 1.15 * size, (0, -1)),
    }
    ox, oy, (dx, dy) = outline[style["shape"]]
    border = page.evaluate(EGO_EDGE_INKS, [ox, oy, [dx, dy]])
    assert all(max(rgb) < 40 for rgb in border), border
    fill = page.evaluate(EGO_EDGE_INKS, [x, y, [0, 0]])
    colour = tuple(int(style["color"][i : i + 2], 16) for i in (1, 3, 5))
    assert all(max(abs(a - b) for a, b in zip(rgb, colour, strict=True)) < 8 for rgb in fill)
    assert page_errors == []


def test_demo_wave_comparison_draws_every_panel(
    demo_store: SqliteStore, serve, page: Page, page_errors: list[str]
) -> None:  # type: ignore[no-untyped-def]
    base = serve(demo_store)
    _team_page(page, demo_store)
    page.goto(f"{base}/visualisations/network.html?cohort=lge-2019&compare=waves")
    page.wait_for_function(DRAWN, timeout=60_000)
    expected = [len(panel["nodes"]) for panel in map_data(page.content())]
    assert len(expected) == 3  # baseline, end, follow-up
    assert page.evaluate(NODES_DRAWN) == expected
    assert page_errors == []


def test_demo_report_opens_in_chromium_with_every_section(
    demo_store: SqliteStore, serve, page: Page, page_errors: list[str], screenshot
) -> None:  # type: ignore[no-untyped-def]
    from visualisations.report import SECTIONS

    base = serve(demo_store)
    _team_page(page, demo_store)
    response = page.goto(f"{base}/reports/cohort/lge-2019")
    assert response is not None and response.status == 200
    for section, heading in SECTIONS:
        assert page.locator(f"section#{section} h2").inner_text() == heading
    assert page.locator("section#growth svg").count() >= 2
    assert page_errors == []
    shot = screenshot(page, "report")
    if os.environ.get("ALUMNI_GRAPH_UPDATE_DOCS_IMAGES") == "1":
        top = shot.with_name(shot.stem + "-top.png")
        page.screenshot(path=str(top), full_page=False)
        _for_docs(top, "report.png")


def test_demo_programme_report_opens_in_chromium_with_its_figures(
    demo_store: SqliteStore, serve, page: Page, page_errors: list[str], screenshot
) -> None:  # type: ignore[no-untyped-def]
    """The board's report on the demo: every plot decoded (an inlined SVG that failed has
    no natural width), each captioned, no console error."""
    base = serve(demo_store)
    _team_page(page, demo_store)
    response = page.goto(f"{base}/reports/programme")
    assert response is not None and response.status == 200
    figures = page.locator("figure")
    assert figures.count() >= 5
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)
    captions = page.eval_on_selector_all(
        "figure", "fs => fs.map(f => (f.querySelector('figcaption') || {}).textContent || '')"
    )
    assert all(c.strip() for c in captions)
    assert page_errors == []
    shot = screenshot(page, "programme-report")
    if os.environ.get("ALUMNI_GRAPH_UPDATE_DOCS_IMAGES") == "1":
        top = shot.with_name(shot.stem + "-top.png")
        page.screenshot(path=str(top), full_page=False)
        _for_docs(top, "programme-report.png")


def test_demo_programme_view_opens_in_chromium_with_every_plot(
    demo_store: SqliteStore, serve, page: Page, page_errors: list[str], screenshot
) -> None:  # type: ignore[no-untyped-def]
    """The programme view page on the demo, signed in as the team: its eight plots decoded,
    each captioned, the table below, no console error (the README's picture of it)."""
    key, _ = issue_key(demo_store, KeyRole.PROGRAMME)
    base = serve(demo_store)
    page.goto(f"{base}/sign-in")
    page.fill("#key", key)
    with page.expect_navigation():
        page.click("form.sign-in button")
    response = page.goto(f"{base}/programme?from=2019-06-01&to=2023-06-30&every=quarter")
    assert response is not None and response.status == 200
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 8 and all(w > 0 for w in widths)
    captions = page.locator("figure figcaption").all_inner_texts()
    assert len(captions) == 8 and all(c.strip() for c in captions)
    assert page_errors == []
    shot = screenshot(page, "programme-view")
    if os.environ.get("ALUMNI_GRAPH_UPDATE_DOCS_IMAGES") == "1":
        top = shot.with_name(shot.stem + "-top.png")
        page.screenshot(path=str(top), full_page=False)
        _for_docs(top, "programme-view.png")
