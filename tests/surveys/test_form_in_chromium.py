"""A respondent fills the survey form in Chromium on a phone-sized screen, with no
script: ticks a colleague with a frequency, rates themself, gives their consent,
saves, and finds it all ticked again; what was saved is what they ticked."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page

from graph.model import Frequency, KeyRole, TieKind, Wave
from graph.sqlite_store import SqliteStore
from graph.surveys import Indicator
from services import surveys
from services.consent import Viewer
from tests.browser import Screenshot, Serve
from tests.surveys.programme import COHORT, load_programme, member_email

PHONE = {"width": 390, "height": 844}


def test_a_respondent_fills_the_form_on_a_phone(
    page: Page, serve: Serve, tmp_path: Path, page_errors: list[str], screenshot: Screenshot
) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'graph.db'}")
    try:
        load_programme(store, tmp_path, size=6)
        opened = surveys.open_wave(
            store,
            Viewer(role=KeyRole.PROGRAMME, key_id="t"),
            COHORT,
            Wave.END,
            date.today() + timedelta(days=7),
            [Indicator(id="trust", wording="I build trust with people in other organisations")],
        )
        link = next(x.link for x in opened.links if x.email == member_email(1))
        site = serve(store)
        page.set_viewport_size(PHONE)
        page.goto(f"{site}{link}")
        assert page.locator("h1").inner_text().startswith("Survey cohort")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        advice = page.locator("fieldset.question").first
        colleague = store.person_by_email(member_email(2))
        advice.get_by_label("Member 02").check()
        advice.locator(f'select[name="freq-advice|{colleague.id}"]').select_option("monthly")
        page.get_by_label("List me in the alumni directory").check()
        page.locator('input[name="score-trust"][value="4"]').check()
        screenshot(page, "filled")
        with page.expect_navigation():
            page.get_by_role("button", name="Save my answers").click()
        assert page.url.endswith("?saved=1")
        assert "Your answers are saved." in page.inner_text("main")
        assert page.locator("fieldset.question").first.get_by_label("Member 02").is_checked()
        assert page.locator('input[name="score-trust"][value="4"]').is_checked()
        assert page_errors == []

        me = store.person_by_email(member_email(1))
        saved = store.surveys.answers(COHORT, Wave.END, me.id)
        assert [(a.relationship, a.person_id, a.frequency) for a in saved.answers] == [
            (TieKind.ADVICE, colleague.id, Frequency.MONTHLY)
        ]
        assert [(r.indicator, r.score) for r in saved.assessments] == [("trust", 4)]
        assert me.consent_directory
    finally:
        store.close()
