"""Bad input at the survey doors (issue 16's list): forged, reissued and closed links
fail as absent ones (404); naming someone off the roster, a score of 0 or 6, 10,000
answers, a second submission of the same form and a post from another site are each
refused with what was wrong; and nothing at all is written by any of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import issue_key
from api.settings import ApiSettings
from graph.model import KeyRole, Wave
from graph.store import GraphStore
from tests.surveys.programme import COHORT, load_programme, member_email, token_of

SETTINGS = ApiSettings(auth_failures_per_minute=1000)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Wave10:
    client: TestClient
    store: GraphStore
    team: dict[str, str]
    alumnus: dict[str, str]
    links: dict[str, str]

    def nothing_written(self, version: str) -> None:
        assert self.store.version() == version
        assert self.store.surveys.answers_of_wave(COHORT, Wave.END) == []


@pytest.fixture
def wave(store: GraphStore, tmp_path: Path) -> Iterator[Wave10]:
    load_programme(store, tmp_path, size=10)
    team, _ = issue_key(store, KeyRole.PROGRAMME)
    alumnus, _ = issue_key(store, KeyRole.ALUMNI, store.person_by_email(member_email(1)).id)
    with TestClient(create_app(store=store, settings=SETTINGS)) as client:
        headers = {"Authorization": f"Bearer {team}"}
        opened = client.post(
            "/surveys",
            headers=headers,
            json={
                "cohort_id": COHORT,
                "wave": "end",
                "closes_on": (date.today() + timedelta(days=3)).isoformat(),
                "indicators": [{"id": "trust", "wording": "Builds trust"}],
            },
        )
        assert opened.status_code == 201
        links = {link["email"]: token_of(link["link"]) for link in opened.json()["links"]}
        yield Wave10(client, store, headers, {"Authorization": f"Bearer {alumnus}"}, links)


def test_team_routes_refuse_alumni_and_anonymous_callers(wave: Wave10) -> None:
    path = f"/surveys/{COHORT}/end"
    assert wave.client.get(path).status_code == 401
    assert wave.client.get(path, headers=wave.alumnus).status_code == 403
    assert wave.client.post(f"{path}/close", headers=wave.alumnus).status_code == 403
    assert wave.client.get(path, headers=wave.team).status_code == 200


def test_forged_and_reissued_links_fail_as_absent_ones(wave: Wave10) -> None:
    old = wave.links[member_email(2)]
    reissued = wave.client.post(
        f"/surveys/{COHORT}/end/reissue", headers=wave.team, json={"email": member_email(2)}
    )
    assert reissued.status_code == 200
    new = token_of(reissued.json()["link"])
    version = wave.store.version()
    for token in ("forged", old, old[:-1], new + "x"):
        assert wave.client.get(f"/s/{token}.json").status_code == 404
        assert wave.client.put(f"/s/{token}.json", json={}).status_code == 404
        page = wave.client.get(f"/s/{token}")
        assert page.status_code == 404 and "This link does not work" in page.text
    wave.nothing_written(version)
    assert wave.client.get(f"/s/{new}.json").json()["respondent"] == "Member 02"


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (
            {"answers": [{"relationship": "advice", "email": "hid1@example.org"}]},
            422,
            "not on your roster",
        ),
        (
            {"answers": [{"relationship": "advice", "email": "someone@else.org"}]},
            422,
            "not on your roster",
        ),
        (
            {"answers": [{"relationship": "advice", "email": member_email(1)}]},
            422,
            "names yourself",
        ),
        ({"assessments": [{"indicator": "trust", "score": 0}]}, 422, "score"),
        ({"assessments": [{"indicator": "trust", "score": 6}]}, 422, "score"),
        (
            {"answers": [{"relationship": "advice", "email": member_email(2)}] * 10_000},
            422,
            "at most 1000",
        ),
        (
            {"answers": [{"relationship": "advice", "email": member_email(2)}] * 1_001},
            422,
            "answers",
        ),
    ],
)
def test_bad_json_answers_are_refused_and_nothing_is_written(
    wave: Wave10, body: dict[str, object], status: int, reason: str
) -> None:
    version = wave.store.version()
    body = {**body, "consent": {"consent_directory": True}}
    response = wave.client.put(f"/s/{wave.links[member_email(1)]}.json", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.text
    wave.nothing_written(version)


def test_a_second_submission_and_a_closed_wave_are_refused(wave: Wave10) -> None:
    token = wave.links[member_email(1)]
    body = {"answers": [{"relationship": "advice", "email": member_email(2)}], "revision": 0}
    assert wave.client.put(f"/s/{token}.json", json=body).status_code == 200
    version = wave.store.version()
    again = wave.client.put(f"/s/{token}.json", json={**body, "consent": {"consent_contact": True}})
    assert again.status_code == 409 and "already saved" in again.text
    assert wave.store.version() == version
    assert wave.client.post(f"/surveys/{COHORT}/end/close", headers=wave.team).status_code == 200
    after_close = wave.store.version()
    assert wave.client.put(f"/s/{token}.json", json={**body, "revision": 1}).status_code == 404
    assert wave.client.post(f"/surveys/{COHORT}/end/close", headers=wave.team).status_code == 409
    assert wave.store.version() == after_close


def test_the_form_refuses_a_post_without_its_cookie_and_a_score_of_six(wave: Wave10) -> None:
    token = wave.links[member_email(1)]
    page = wave.client.get(f"/s/{token}")
    assert page.status_code == 200 and "Save my answers" in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    version = wave.store.version()
    fields = [("csrf_token", csrf), ("revision", "0"), ("consent_directory", "yes")]
    wave.client.cookies.clear()  # as a post from another site: no cookie comes with it
    forged = wave.client.post(f"/s/{token}", content=urlencode(fields), headers=FORM)
    assert forged.status_code == 403
    page = wave.client.get(f"/s/{token}")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    fields = [("csrf_token", csrf), ("revision", "0"), ("consent_directory", "yes")]
    six = wave.client.post(
        f"/s/{token}", content=urlencode([*fields, ("score-trust", "6")]), headers=FORM
    )
    assert six.status_code == 422 and "a score is 1 to 5" in six.text
    outsider = wave.store.person_by_email("hid1@example.org").id
    off_roster = wave.client.post(
        f"/s/{token}", content=urlencode([*fields, ("tie", f"advice|{outsider}")]), headers=FORM
    )
    assert off_roster.status_code == 422 and "not on your roster" in off_roster.text
    wave.nothing_written(version)


def test_erasing_a_person_forgets_their_link_their_answers_and_mentions(wave: Wave10) -> None:
    admin, _ = issue_key(wave.store, KeyRole.ADMIN)
    one, two = wave.links[member_email(1)], wave.links[member_email(2)]
    named = {"answers": [{"relationship": "advice", "email": member_email(2)}]}
    assert wave.client.put(f"/s/{one}.json", json=named).status_code == 200
    back = {"answers": [{"relationship": "advice", "email": member_email(1)}]}
    assert wave.client.put(f"/s/{two}.json", json=back).status_code == 200
    two_id = wave.store.person_by_email(member_email(2)).id
    erased = wave.client.delete(f"/people/{two_id}", headers={"Authorization": f"Bearer {admin}"})
    assert erased.status_code == 204
    assert wave.client.get(f"/s/{two}.json").status_code == 404
    (left,) = wave.store.surveys.answers_of_wave(COHORT, Wave.END)
    assert left.person_id == wave.store.person_by_email(member_email(1)).id
    assert left.answers == ()
    assert [t.person_id for t in wave.store.surveys.tokens(COHORT, Wave.END)].count(two_id) == 0


def test_the_form_changes_only_the_consents_the_respondent_changed(wave: Wave10) -> None:
    from graph.facts import set_consent

    token = wave.links[member_email(1)]  # member 1: no directory, no contact consent
    page = wave.client.get(f"/s/{token}")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    hidden = dict(re.findall(r'name="(was-consent_\w+)" value="(yes|no)"', page.text))
    assert hidden == {
        "was-consent_directory": "no",
        "was-consent_contact": "no",
        "was-consent_analytics": "yes",
    }
    me = wave.store.person_by_email(member_email(1))
    set_consent(wave.store, me.id, {"consent_contact": True}, datetime.now(UTC))  # elsewhere
    fields = [("csrf_token", csrf), ("revision", "0"), *hidden.items()]
    fields += [("consent_directory", "yes"), ("consent_analytics", "yes")]  # ticks directory
    saved = wave.client.post(
        f"/s/{token}", content=urlencode(fields), headers=FORM, follow_redirects=False
    )
    assert saved.status_code == 303
    after = wave.store.person_by_email(member_email(1))
    assert (after.consent_directory, after.consent_contact, after.consent_analytics) == (
        True,
        True,
        True,
    )
