"""Done when (issue 16): a whole wave on each store, through HTTP only. The team
opens it; 50 members answer, half through the form page and half through the JSON,
some change their answers, three never answer; the team closes it. What the graph
then holds (survey ties, consent) is what was submitted, worked out here from the
plan below; the response rate is 47 / 50; and the wave's metrics equal those of the
same answers loaded by hand as an ordinary bundle."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from httpx2 import Response

from api.app import create_app
from api.keys import issue_key
from api.settings import ApiSettings
from graph.measure import network_report
from graph.model import KeyRole, Rater, TieKind, Wave
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from ingest.pipeline import load_bundle
from tests.surveys.programme import (
    COHORT,
    alumni_bundle,
    cohort_bundle,
    load_programme,
    member_email,
    people_rows,
    token_of,
)

SIZE = 50
SILENT = {47, 48, 49}
CHANGERS = {0, 10, 20, 30, 40, 5, 15}
INDICATORS = [
    {"id": "trust", "wording": "Builds trust across organisations"},
    {"id": "systems", "wording": "Sees the whole system"},
]
SETTINGS = ApiSettings(auth_failures_per_minute=1000)


def planned(i: int) -> list[tuple[str, str, str | None]]:
    """Member i's final answers: (relationship, contact email, frequency)."""
    answers: list[tuple[str, str, str | None]] = [
        ("advice", member_email((i + 1) % SIZE), None),
        ("collaboration", member_email((i + 2) % SIZE), "weekly" if i % 2 == 0 else None),
    ]
    if i % 4 == 0:
        answers.append(("knew_before", member_email((i + 3) % SIZE), "rarely"))
    if i % 7 == 0:
        answers.append(("want_to_meet", "dir1@example.org", None))
    return answers


def first_try(i: int) -> list[tuple[str, str, str | None]]:
    """What a changer saved first, before changing their mind."""
    return [
        ("advice", member_email((i + 5) % SIZE), "monthly"),
        ("knew_before", "dir2@example.org", None),
    ]


def consent_of(i: int, answered: bool = True) -> dict[str, bool]:
    """Member i's consents at the end: the bundle's, then the form's changes."""
    directory, contact, analytics = i % 5 == 0, i % 3 == 0, True
    if answered:
        directory = directory or i % 6 == 0
        analytics = i % 9 != 4
    return {
        "consent_directory": directory,
        "consent_contact": contact,
        "consent_analytics": analytics,
    }


def scores(i: int) -> dict[str, int]:
    return {"trust": i % 5 + 1, "systems": (i * 3) % 5 + 1}


def _put_json(
    client: TestClient, token: str, i: int, answers: list[tuple[str, str, str | None]]
) -> None:
    body = {
        "consent": consent_of(i),
        "answers": [
            {"relationship": r, "email": e, **({"frequency": f} if f else {})}
            for r, e, f in answers
        ],
        "assessments": [{"indicator": k, "score": v} for k, v in scores(i).items()],
    }
    response = client.put(f"/s/{token}.json", json=body)
    assert response.status_code == 200, response.text


def _post_form(
    client: TestClient,
    store: GraphStore,
    token: str,
    i: int,
    answers: list[tuple[str, str, str | None]],
) -> tuple[int, list[tuple[str, str]]]:
    page = client.get(f"/s/{token}", params={"q": "Directory"})
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    assert csrf and revision
    fields: list[tuple[str, str]] = [("csrf_token", csrf[1]), ("revision", revision[1])]
    for fact, given in consent_of(i).items():
        if given:
            fields.append((fact, "yes"))
    for relationship, email, frequency in answers:
        tick = f"{relationship}|{store.person_by_email(email).id}"
        assert f'value="{tick}"' in page.text  # the box is on the page to tick
        fields += [("tie", tick), (f"freq-{tick}", frequency or "")]
    fields += [(f"score-{k}", str(v)) for k, v in scores(i).items()]
    return post_fields(client, token, fields).status_code, fields


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post_fields(client: TestClient, token: str, fields: list[tuple[str, str]]) -> Response:
    return client.post(
        f"/s/{token}", content=urlencode(fields), headers=FORM, follow_redirects=False
    )


def _survey_ties(store: GraphStore) -> set[tuple[str, str, str, str | None]]:
    emails = {
        p.id: p.email
        for p in store.search_people(
            __import__("graph.store").store.PersonQuery(),
            __import__("graph.store").store.Page(limit=500),
        ).data
    }
    kinds = [TieKind.ADVICE, TieKind.COLLABORATION, TieKind.KNEW_BEFORE, TieKind.WANT_TO_MEET]
    return {
        (
            emails[t.source_id],
            emails[t.target_id],
            t.tie_kind.value,
            t.frequency.value if t.frequency else None,
        )
        for t in store.ties_of(list(emails), kinds)
        if t.wave is Wave.BASELINE
    }


def test_a_whole_wave_through_http_loads_what_was_submitted(
    store: GraphStore, tmp_path: Path
) -> None:
    load_programme(store, tmp_path, size=SIZE)
    team, _ = issue_key(store, KeyRole.PROGRAMME)
    with TestClient(create_app(store=store, settings=SETTINGS)) as client:
        headers = {"Authorization": f"Bearer {team}"}
        opened = client.post(
            "/surveys",
            headers=headers,
            json={
                "cohort_id": COHORT,
                "wave": "baseline",
                "closes_on": (date.today() + timedelta(days=7)).isoformat(),
                "indicators": INDICATORS,
            },
        )
        assert opened.status_code == 201, opened.text
        links = {link["email"]: token_of(link["link"]) for link in opened.json()["links"]}
        assert len(links) == SIZE
        for i in range(SIZE):
            if i in SILENT:
                continue
            token = links[member_email(i)]
            by_form = i % 2 == 0
            if i in CHANGERS:
                if by_form:
                    assert _post_form(client, store, token, i, first_try(i))[0] == 303
                else:
                    _put_json(client, token, i, first_try(i))
            if by_form:
                status, fields = _post_form(client, store, token, i, planned(i))
                assert status == 303
                if i == 0:  # the same form sent twice: refused, nothing written
                    again = post_fields(client, token, fields)
                    assert again.status_code == 409
            else:
                _put_json(client, token, i, planned(i))
        status = client.get(f"/surveys/{COHORT}/baseline", headers=headers).json()
        assert (status["response"]["answered"], status["response"]["members"]) == (47, 50)
        closed = client.post(f"/surveys/{COHORT}/baseline/close", headers=headers)
        assert closed.status_code == 200, closed.text
        assert closed.json()["response"] == {"answered": 47, "members": 50, "rate": 0.94}
        assert client.get(f"/s/{links[member_email(1)]}.json").status_code == 404

    expected = {
        (member_email(i), email, relationship, frequency)
        for i in range(SIZE)
        if i not in SILENT
        for relationship, email, frequency in planned(i)
    }
    assert _survey_ties(store) == expected
    for i in range(SIZE):
        person = store.person_by_email(member_email(i))
        given = {f: getattr(person, f) for f in consent_of(i)}
        assert given == consent_of(i, answered=i not in SILENT), i
    saved = store.surveys.answers_of_wave(COHORT, Wave.BASELINE)
    ids = {store.person_by_email(member_email(i)).id: i for i in range(SIZE)}
    assert {ids[s.person_id]: {r.indicator: r.score for r in s.assessments} for s in saved} == {
        i: scores(i) for i in range(SIZE) if i not in SILENT
    }
    # ... and the graph holds them, loaded with the wave: one self rating each.
    in_graph = {
        (ids[a.person_id], a.indicator): (a.rater, a.score, a.ratings, a.run_id)
        for a in store.assessments(COHORT, wave=Wave.BASELINE)
    }
    assert in_graph == {
        (i, indicator): (Rater.SELF, score, 1, closed.json()["run_id"])
        for i in range(SIZE)
        if i not in SILENT
        for indicator, score in scores(i).items()
    }

    # The same answers, loaded by hand as a bundle into a store of its own.
    by_hand = SqliteStore(f"sqlite:///{tmp_path / 'by-hand.db'}")
    try:
        for path in (alumni_bundle(tmp_path), cohort_bundle(tmp_path, SIZE)):
            assert load_bundle(path, by_hand).ok
        today = date.today().isoformat()
        people = people_rows(SIZE)
        for i, row in enumerate(people):
            row.update({k: "yes" if v else "no" for k, v in consent_of(i, i not in SILENT).items()})
        bundle = {
            "cohort": [{"cohort_id": COHORT, "name": "Survey cohort", "start_date": "2026-01-12"}],
            "organisations": [
                {"name": o, "sector": s}
                for o, s in (("ECC", "local_government"), ("NHS", "health"), ("POL", "police"))
            ],
            "people": people,
            "survey": [
                {
                    "respondent_email": member_email(i),
                    "contact_email": email,
                    "relationship": r,
                    "wave": "baseline",
                    "response_date": today,
                    **({"frequency": f} if f else {}),
                }
                for i in range(SIZE)
                if i not in SILENT
                for r, email, f in planned(i)
            ],
            "assessments": [
                {
                    "email": member_email(i),
                    "wave": "baseline",
                    "indicator": indicator,
                    "rater": "self",
                    "score": score,
                    "response_date": today,
                }
                for i in range(SIZE)
                if i not in SILENT
                for indicator, score in scores(i).items()
            ],
        }
        path = tmp_path / "by-hand.json"
        path.write_text(json.dumps(bundle), encoding="utf-8")
        assert load_bundle(path, by_hand).ok
        assert _survey_ties(by_hand) == expected
        assert [a.content() for a in by_hand.assessments(COHORT)] == [
            a.content() for a in store.assessments(COHORT)
        ]
        served = network_report(store, cohort_id=COHORT, wave=Wave.BASELINE)
        assert served == network_report(by_hand, cohort_id=COHORT, wave=Wave.BASELINE)
        assert served["network"]["ties"] > SIZE  # not two empty networks
    finally:
        by_hand.close()
