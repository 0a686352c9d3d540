"""The programme team's survey waves page: open a wave (its links shown once, with a
CSV for a mail merge), reissue a link, close the wave; alumni are refused, a post
without the session's CSRF token is refused, and bad input changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import issue_key
from api.settings import ApiSettings
from graph.model import KeyRole, Wave
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from tests.surveys.programme import (
    COHORT,
    RUNNABLE_NAME,
    load_programme,
    member_email,
    name_runnable,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CLOSES = (date.today() + timedelta(days=9)).isoformat()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, GraphStore, dict[KeyRole, str]]]:
    store = SqliteStore(f"sqlite:///{tmp_path / 'graph.db'}")
    load_programme(store, tmp_path, size=4)
    keys = {
        KeyRole.PROGRAMME: issue_key(store, KeyRole.PROGRAMME)[0],
        KeyRole.ALUMNI: issue_key(store, KeyRole.ALUMNI, store.person_by_email(member_email(0)).id)[
            0
        ],
    }
    with TestClient(create_app(store=store, settings=ApiSettings())) as client:
        yield client, store, keys
    store.close()


def _sign_in(client: TestClient, key: str) -> str:
    token = CSRF.search(client.get("/sign-in").text)
    assert token
    response = client.post("/sign-in", data={"key": key, "csrf_token": token[1]})
    assert response.status_code == 200
    page = client.get("/survey-waves")
    found = CSRF.search(page.text)
    assert found, page.text[:300]
    return found[1]


def test_team_opens_reissues_and_closes_a_wave_from_the_page(
    site: tuple[TestClient, GraphStore, dict[KeyRole, str]],
) -> None:
    client, store, keys = site
    csrf = _sign_in(client, keys[KeyRole.PROGRAMME])
    opened = client.post(
        "/survey-waves/open",
        data={"csrf_token": csrf, "cohort_id": COHORT, "wave": "end", "closes_on": CLOSES,
              "indicators": "trust: Builds trust\nsystems: Sees the system"},
    )  # fmt: skip
    assert opened.status_code == 200, opened.text
    links = re.findall(r"<code>(http://testserver/s/[^<]+)</code>", opened.text)
    assert len(links) == 4
    assert "email,name,link\nm00@example.org,Member 00,http://testserver/s/" in opened.text
    assert [i.id for i in store.surveys.wave(COHORT, Wave.END).indicators] == ["trust", "systems"]
    reissued = client.post(
        f"/survey-waves/{COHORT}/end/reissue", data={"csrf_token": csrf, "email": member_email(2)}
    )
    assert reissued.status_code == 200 and "New link for m02@example.org" in reissued.text
    closed = client.post(f"/survey-waves/{COHORT}/end/close", data={"csrf_token": csrf})
    assert closed.status_code == 200 and "0 of 4 answered; loaded as run" in closed.text
    assert store.surveys.wave(COHORT, Wave.END).run_id is not None


def test_waves_page_refuses_alumni_forged_posts_and_bad_input(
    site: tuple[TestClient, GraphStore, dict[KeyRole, str]],
) -> None:
    client, store, keys = site
    csrf = _sign_in(client, keys[KeyRole.PROGRAMME])
    bad = client.post(
        "/survey-waves/open",
        data={"csrf_token": csrf, "cohort_id": COHORT, "wave": "end", "closes_on": CLOSES,
              "indicators": "Not An Id: wording"},
    )  # fmt: skip
    assert bad.status_code == 422 and "indicator line 1" in bad.text
    forged = client.post(
        "/survey-waves/open",
        data={"csrf_token": "forged", "cohort_id": COHORT, "wave": "end", "closes_on": CLOSES},
    )
    assert forged.status_code == 403
    assert store.surveys.waves() == []
    client.cookies.clear()
    alumni_csrf = _sign_in(client, keys[KeyRole.ALUMNI])
    page = client.get("/survey-waves")
    assert page.status_code == 403 and "Open a wave" not in page.text
    as_alumnus = client.post(
        "/survey-waves/open",
        data={"csrf_token": alumni_csrf, "cohort_id": COHORT, "wave": "end", "closes_on": CLOSES},
    )
    assert as_alumnus.status_code == 403
    assert store.surveys.waves() == []


def test_mail_merge_csv_opens_a_runnable_name_as_text(
    site: tuple[TestClient, GraphStore, dict[KeyRole, str]],
) -> None:
    client, store, keys = site
    name_runnable(store, member_email(1))
    csrf = _sign_in(client, keys[KeyRole.PROGRAMME])
    opened = client.post(
        "/survey-waves/open",
        data={"csrf_token": csrf, "cohort_id": COHORT, "wave": "end", "closes_on": CLOSES},
    )
    assert opened.status_code == 200, opened.text
    assert f"m01@example.org,&#39;{RUNNABLE_NAME}," in opened.text
    assert f",{RUNNABLE_NAME}," not in opened.text
