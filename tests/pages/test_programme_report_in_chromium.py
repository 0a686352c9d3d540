"""The programme report in headless Chromium: it opens with no console error, and
prints on A4 pages (a PDF written by Chromium, its pages counted)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page

from graph.model import KeyRole
from graph.store import GraphStore
from services.consent import Viewer
from services.programme import ProgrammeQuestion, programme_report
from tests.browser import Serve

from ..api.conftest import SETTINGS, Keys

A4_POINTS = (595, 842)
"""210 mm x 297 mm in PDF points (1/72 inch), rounded down."""


def test_programme_report_opens_cleanly_and_prints_on_a4(
    page: Page, page_errors: list[str], sample_store: GraphStore, tmp_path: Path
) -> None:
    html = programme_report(
        sample_store,
        Viewer(role=KeyRole.PROGRAMME, key_id="k"),
        ProgrammeQuestion(date(2019, 7, 1), date(2021, 7, 1), "quarter"),
    )
    report = tmp_path / "programme.html"
    report.write_text(html, encoding="utf-8")
    page.goto(report.as_uri())
    assert page.locator("figure img").count() == 10
    # every image decoded: an inlined SVG that failed would have no natural width
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths)
    assert page_errors == []
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "programme.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    boxes = {
        tuple(round(float(x)) for x in box.split()[2:])
        for box in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", pdf)
    }
    assert len(pages) >= 3  # summary, ten figures and the tables do not fit on one
    assert boxes == {(595, 842)} or boxes == {(596, 842)}


def test_programme_page_shows_its_plots_under_the_pages_policy(
    page: Page, page_errors: list[str], serve: Serve, sample_store: GraphStore, keys: Keys
) -> None:
    """The pages' Content-Security-Policy allows ``data:`` images and no inline style:
    the plots are SVG images, so they draw; the page logs no error (a refused style or
    image would)."""
    site = serve(sample_store, SETTINGS)
    page.goto(f"{site}/sign-in")
    page.fill("#key", keys.programme)
    with page.expect_navigation():
        page.click("form.sign-in button")
    page.goto(f"{site}/programme?from=2019-07-01&to=2021-07-01&every=year")
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 8 and all(w > 0 for w in widths)
    page.click("#groups-link")
    assert page.locator("#under-reached-areas li").all_inner_texts() == ["Chelmsford: 0 alumni"]
    assert page_errors == []
