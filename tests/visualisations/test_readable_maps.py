"""Maps a person can read (issue 18, item 4), on the demo in headless Chromium: every
map opens fitted to its box, a wave comparison's panels share one scale, and no two
names overlap as drawn.

Positions are read from vis-network itself after drawing: each drawn label's box
(``labelModule.size``, canvas units) and each node's place on the screen
(``canvasToDOM``), so what is checked is what a reader sees, not what the server
meant to draw.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import Any

import pytest
from playwright.sync_api import Page

from api.keys import issue_key
from graph.model import KeyRole
from graph.sqlite_store import SqliteStore

from .conftest import map_data

DRAWN = "() => document.documentElement.dataset.drawn === 'yes'"
DRAWN_LABELS = """() => window.alumniMap.networks.map(network =>
  Object.values(network.body.nodes)
    .filter(node => node.options.label)
    .map(node => {
      const size = node.labelModule.size;
      return {id: node.id, left: size.left, top: size.top, width: size.width, height: size.height};
    }))"""
NODES_ON_SCREEN = """() => window.alumniMap.networks.map((network, i) => {
  const box = document.getElementById('map-' + i);
  const ids = network.body.nodeIndices;
  const positions = network.getPositions(ids);
  return {
    width: box.clientWidth, height: box.clientHeight, scale: network.getScale(),
    nodes: ids.map(id => network.canvasToDOM(positions[id])),
  };
})"""


def _open(page: Page, store: SqliteStore, base: str, query: str) -> list[dict[str, Any]]:
    key, _ = issue_key(store, KeyRole.PROGRAMME)
    page.set_extra_http_headers({"Authorization": f"Bearer {key}"})
    response = page.goto(f"{base}/visualisations/network.html?{query}")
    assert response is not None and response.status == 200
    page.wait_for_function(DRAWN, timeout=60_000)
    return map_data(page.content())


def _overlapping(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    def apart(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return (
            a["left"] + a["width"] <= b["left"]
            or b["left"] + b["width"] <= a["left"]
            or a["top"] + a["height"] <= b["top"]
            or b["top"] + b["height"] <= a["top"]
        )

    return [(a["id"], b["id"]) for a, b in combinations(labels, 2) if not apart(a, b)]


def _busiest_person(store: SqliteStore) -> str:
    """The person with the most ties at the end of 2022: the hardest ego map to label."""
    snapshot = store.snapshot(date(2022, 12, 31))
    return str(max(snapshot.nodes, key=lambda v: (snapshot.degree(v), str(v))))


def _check_fitted(page: Page) -> list[tuple[float, float]]:
    """Every node of every panel inside its box (no crop at opening); for each panel, its
    scale and how much of its box the drawing spans (the larger of width and height)."""
    found = []
    for panel in page.evaluate(NODES_ON_SCREEN):
        assert panel["nodes"], "a panel with nobody drawn"
        for at in panel["nodes"]:
            assert 0 <= at["x"] <= panel["width"] and 0 <= at["y"] <= panel["height"]
        xs = [at["x"] for at in panel["nodes"]]
        ys = [at["y"] for at in panel["nodes"]]
        span = max((max(xs) - min(xs)) / panel["width"], (max(ys) - min(ys)) / panel["height"])
        found.append((panel["scale"], span))
    return found


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_demo_ego_map_opens_fitted_with_no_two_names_overlapping(
    demo_store: SqliteStore,
    serve,  # type: ignore[no-untyped-def]
    page: Page,
    page_errors: list[str],
    viewport: tuple[int, int],
) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    person = _busiest_person(demo_store)
    (data,) = _open(page, demo_store, serve(demo_store), f"person={person}")
    assert len(data["nodes"]) > 20  # radius 1 by default, and still a crowd to label
    ((_, span),) = _check_fitted(page)
    assert span > 0.6  # fitted, not lost in a corner
    (labels,) = page.evaluate(DRAWN_LABELS)
    assert person in {label["id"] for label in labels}  # the ego is always named
    assert len(labels) >= 3  # names are drawn where they fit, not dropped wholesale
    assert _overlapping(labels) == []
    assert page_errors == []


def test_demo_wave_comparison_shares_one_scale_with_no_two_names_overlapping(
    demo_store: SqliteStore,
    serve,  # type: ignore[no-untyped-def]
    page: Page,
    page_errors: list[str],
) -> None:
    panels = _open(page, demo_store, serve(demo_store), "cohort=lge-2019&compare=waves")
    assert len(panels) == 3
    scales, spans = zip(*_check_fitted(page), strict=True)
    assert max(scales) == pytest.approx(min(scales))  # consistent panels: one scale
    assert max(spans) > 0.6  # the largest wave fills its box
    drawn = page.evaluate(DRAWN_LABELS)
    assert sum(len(labels) for labels in drawn) >= 3  # names where they fit, not none
    assert [_overlapping(labels) for labels in drawn] == [[], [], []]
    sizes = page.evaluate(
        "[...document.querySelectorAll('.network')].map(b => [b.clientWidth, b.clientHeight])"
    )
    assert len({tuple(s) for s in sizes}) == 1  # every panel the same size
    assert page_errors == []
