"""Survey waves (``../shared/spec/surveys.md``), one function a use case.

The programme team opens a wave (a personal link per member), follows it,
reissues a link and closes it; a respondent, whose link's token is their only
credential, reads and saves their form. A token that is unknown, reissued, of a
closed or expired wave, or of a person since erased fails exactly as an absent
one (``NotFound``), so a link says nothing about anyone else's.

The respondent's side (their form and its saves) is ``services.survey_form``.

Closing turns the saved answers into one bundle (its ``cohort``, ``survey`` and
``assessments`` rows) and loads it through ``ingest.pipeline``: checked, one
transaction, journaled, undone by ``ingest rollback``. Consent set on the form
takes effect when it is saved, dated that moment (``graph.facts.set_consent``),
so no older bundle can undo it.

Who may be named: the roster is the respondent's cohort (every role; they met)
and, searchable, every other person who consented to the directory. The roster
shows an email only with its person's consent to contact
(``Viewer.sees_contact_details``); nobody outside it can be named.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from graph import measure
from graph.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from graph.model import (
    Cohort,
    KeyRole,
    Membership,
    Person,
    Role,
    TieKind,
    Wave,
)
from graph.profiles import profiles
from graph.store import GraphStore, Page
from graph.surveys import Indicator, SurveyToken, SurveyWave
from services.consent import Viewer
from services.schemas import CohortRef
from services.schemas_surveys import (
    ClosedWaveOut,
    DevelopmentOut,
    OpenedWaveOut,
    RateOut,
    RespondentOut,
    SurveyLinkOut,
    WavesOut,
    WaveStatusOut,
)

__all__ = [
    "LINK_PREFIX",
    "QUESTIONS",
    "close_wave",
    "cohort_development",
    "hash_token",
    "list_waves",
    "open_wave",
    "questions_of",
    "reissue_link",
    "members_of",
    "now_or",
    "wave_bundle",
    "wave_status",
]

LINK_PREFIX = "/s/"

QUESTIONS: dict[TieKind, str] = {
    TieKind.ADVICE: "Who do you go to for advice on work that crosses organisations?",
    TieKind.COLLABORATION: "Who have you worked with on a shared problem?",
    TieKind.KNEW_BEFORE: "Whom did you know before the programme?",
    TieKind.WANT_TO_MEET: "Whom would you like to get to know?",
}


def questions_of(wave: Wave) -> list[TieKind]:
    """The name generators of a wave: ``knew_before`` is asked at the baseline only."""
    return [k for k in QUESTIONS if k is not TieKind.KNEW_BEFORE or wave is Wave.BASELINE]


def hash_token(token: str) -> str:
    """The SHA-256 (hex) a link's token is kept as."""
    return hashlib.sha256(token.encode()).hexdigest()


def now_or(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _team(viewer: Viewer) -> None:
    if viewer.role not in (KeyRole.PROGRAMME, KeyRole.ADMIN):
        raise Forbidden("survey waves are run by the programme team (programme or admin keys)")


def members_of(store: GraphStore, cohort_id: str) -> dict[str, list[Role]]:
    """Every member of a cohort and their roles (``NotFound`` for an unknown cohort)."""
    store.get(Cohort, cohort_id)
    roles: dict[str, list[Role]] = {}
    offset = 0
    while True:
        page = store.find(Membership, {"cohort_id": cohort_id}, Page(limit=500, offset=offset))
        for m in page.data:
            roles.setdefault(m.person_id, []).append(m.role)
        offset += len(page.data)
        if not page.data or offset >= page.count:
            return roles


def _issue(store: GraphStore, wave: SurveyWave, person: Person, roles: list[Role]) -> SurveyLinkOut:
    token = secrets.token_urlsafe(32)
    store.surveys.issue_token(
        SurveyToken(
            token_sha256=hash_token(token),
            cohort_id=wave.cohort_id,
            wave=wave.wave,
            person_id=person.id,
            issued_at=datetime.now(UTC),
        )
    )
    return SurveyLinkOut(
        email=person.email, name=person.name, roles=sorted(roles), link=LINK_PREFIX + token
    )


def _open_wave_of(store: GraphStore, cohort_id: str, wave: Wave, now: datetime) -> SurveyWave:
    found = store.surveys.wave(cohort_id, wave)
    if not found.is_open(now):
        raise Conflict(f"the {wave.value} wave of {cohort_id!r} is closed")
    return found


# -- the programme team -------------------------------------------------------------------


def open_wave(
    store: GraphStore,
    viewer: Viewer,
    cohort_id: str,
    wave: Wave,
    closes_on: date,
    indicators: Sequence[Indicator] = (),
    *,
    now: datetime | None = None,
) -> OpenedWaveOut:
    """Open a wave and issue one link per member; the links are shown here only."""
    _team(viewer)
    at = now_or(now)
    problems = []
    if closes_on < at.date():
        problems.append(Problem("wave", "closes_on", closes_on.isoformat(), "is in the past"))
    seen: set[str] = set()
    for i, indicator in enumerate(indicators):
        if indicator.id in seen:
            problems.append(Problem(f"indicators[{i}]", "id", indicator.id, "given twice"))
        seen.add(indicator.id)
    if problems:
        raise Invalid(problems)
    members = members_of(store, cohort_id)
    try:
        store.surveys.wave(cohort_id, wave)
    except NotFound:
        pass
    else:
        raise Conflict(f"the {wave.value} wave of {cohort_id!r} was opened already")
    opened = SurveyWave(
        cohort_id=cohort_id,
        wave=wave,
        opened_at=at,
        closes_on=closes_on,
        indicators=tuple(indicators),
        members=len(members),
    )
    store.surveys.save_wave(opened)
    people = store.get_many(Person, members)
    links = [_issue(store, opened, people[pid], members[pid]) for pid in people]
    return OpenedWaveOut(
        cohort_id=cohort_id,
        wave=wave,
        closes_on=closes_on,
        indicators=list(indicators),
        links=sorted(links, key=lambda link: link.email),
    )


def reissue_link(
    store: GraphStore,
    viewer: Viewer,
    cohort_id: str,
    wave: Wave,
    email: str,
    *,
    now: datetime | None = None,
) -> SurveyLinkOut:
    """A new link for one member; their old one stops working."""
    _team(viewer)
    found = _open_wave_of(store, cohort_id, wave, now_or(now))
    person = store.person_by_email(email)
    roles = members_of(store, cohort_id).get(person.id)
    if roles is None:
        raise Invalid([Problem("reissue", "email", email, f"not a member of {cohort_id!r}")])
    return _issue(store, found, person, roles)


def _rate(answered: int, members: int) -> RateOut:
    return RateOut(
        answered=answered, members=members, rate=round(answered / members, 4) if members else 0.0
    )


def wave_status(
    store: GraphStore, viewer: Viewer, cohort_id: str, wave: Wave, *, now: datetime | None = None
) -> WaveStatusOut:
    """Who has answered, and the response rate overall, by role and by organisation."""
    _team(viewer)
    found = store.surveys.wave(cohort_id, wave)
    members = members_of(store, cohort_id)
    answered = {s.person_id for s in store.surveys.answers_of_wave(cohort_id, wave)}
    found_people = store.get_many(Person, members)
    profile = profiles(store, found_people.values())
    by_role: dict[str, list[int]] = {}
    by_organisation: dict[str, list[int]] = {}
    respondents = []
    for pid, person in found_people.items():
        done = pid in answered
        organisation = profile[pid].organisation
        org_name = organisation.name if organisation else None
        for role in set(members[pid]):
            counts = by_role.setdefault(role.value, [0, 0])
            counts[0] += done
            counts[1] += 1
        counts = by_organisation.setdefault(org_name or "(none)", [0, 0])
        counts[0] += done
        counts[1] += 1
        respondents.append(
            RespondentOut(
                name=person.name, roles=sorted(members[pid]), organisation=org_name, answered=done
            )
        )
    total = found.members if found.closed_at else len(found_people)
    done_count = found.answered if found.answered is not None else len(answered & set(members))
    return WaveStatusOut(
        cohort_id=cohort_id,
        wave=wave,
        opened_at=found.opened_at,
        closes_on=found.closes_on,
        closed_at=found.closed_at,
        run_id=found.run_id,
        open=found.is_open(now_or(now)),
        response=_rate(done_count, total),
        by_role={k: _rate(*v) for k, v in sorted(by_role.items())},
        by_organisation={k: _rate(*v) for k, v in sorted(by_organisation.items())},
        respondents=sorted(respondents, key=lambda r: r.name),
    )


def wave_bundle(store: GraphStore, found: SurveyWave) -> dict[str, list[dict[str, object]]]:
    """The bundle a wave's saved answers make: its cohort, ``survey`` and ``assessments``."""
    cohort = store.get(Cohort, found.cohort_id)
    saved = store.surveys.answers_of_wave(found.cohort_id, found.wave)
    named = {a.person_id for s in saved for a in s.answers} | {s.person_id for s in saved}
    people = store.get_many(Person, named)
    survey: list[dict[str, object]] = []
    assessments: list[dict[str, object]] = []
    for s in saved:
        respondent = people.get(s.person_id)
        if respondent is None:  # erased since they answered
            continue
        day = s.saved_at.date().isoformat()
        for a in s.answers:
            if (contact := people.get(a.person_id)) is None:
                continue
            row: dict[str, object] = {
                "respondent_email": respondent.email,
                "contact_email": contact.email,
                "relationship": a.relationship.value,
                "wave": found.wave.value,
                "response_date": day,
            }
            if a.frequency is not None:
                row["frequency"] = a.frequency.value
            survey.append(row)
        assessments += [
            {
                "email": respondent.email,
                "wave": found.wave.value,
                "indicator": r.indicator,
                "rater": "self",
                "score": r.score,
                "response_date": day,
            }
            for r in s.assessments
        ]
    cohort_row: dict[str, object] = {
        "cohort_id": cohort.id,
        "name": cohort.name,
        "start_date": cohort.start_date.isoformat(),
    }
    if cohort.end_date is not None:
        cohort_row["end_date"] = cohort.end_date.isoformat()
    bundle: dict[str, list[dict[str, object]]] = {"cohort": [cohort_row], "survey": survey}
    if assessments:
        bundle["assessments"] = assessments
    return bundle


def _rolled_back(store: GraphStore, run_id: str | None) -> bool:
    return any(r.id == run_id and r.status == "rolled_back" for r in store.runs())


def close_wave(
    store: GraphStore, viewer: Viewer, cohort_id: str, wave: Wave, *, now: datetime | None = None
) -> ClosedWaveOut:
    """Stop taking answers and load them as one ingest run; if the load is refused the
    wave stays open and nothing is written. A closed wave whose run was rolled back may
    be closed again: its answers are loaded once more."""
    from ingest.pipeline import load_bundle

    _team(viewer)
    at = now_or(now)
    found = store.surveys.wave(cohort_id, wave)
    if found.closed_at is not None and not _rolled_back(store, found.run_id):
        raise Conflict(f"the {wave.value} wave of {cohort_id!r} was closed already")
    closing = found.model_copy(update={"closed_at": found.closed_at or at})
    store.surveys.save_wave(closing)  # from here every save is refused
    try:
        bundle = wave_bundle(store, found)
        with tempfile.TemporaryDirectory(prefix="survey-") as folder:
            path = Path(folder) / f"survey-{cohort_id}-{wave.value}.json"
            path.write_text(json.dumps(bundle), encoding="utf-8")
            report = load_bundle(path, store)
        if not report.ok or report.run_id is None:
            raise Invalid(
                [Problem("survey bundle", "load", None, str(issue)) for issue in report.errors]
            )
    except BaseException:
        store.surveys.save_wave(found)
        raise
    answered = {s.person_id for s in store.surveys.answers_of_wave(cohort_id, wave)}
    members = members_of(store, cohort_id)
    closed = closing.model_copy(
        update={"run_id": report.run_id, "answered": len(answered & set(members))}
    )
    store.surveys.save_wave(closed)
    return ClosedWaveOut(
        cohort_id=cohort_id,
        wave=wave,
        run_id=report.run_id,
        counts=report.counts,
        warnings=[str(w) for w in report.warnings],
        response=_rate(closed.answered or 0, closed.members),
    )


def cohort_development(store: GraphStore, viewer: Viewer, cohort_id: str) -> list[DevelopmentOut]:
    """A cohort's individual development from the assessments the graph holds (closed
    waves' self-assessments and bundles' ratings), per indicator and rater, over the people
    rated at both waves of a pair (``graph.measure.cohort_development``)."""
    _team(viewer)
    found = measure.cohort_development(store, cohort_id)
    return [DevelopmentOut(**d.model_dump()) for d in found]


def list_waves(store: GraphStore, viewer: Viewer, *, now: datetime | None = None) -> WavesOut:
    """Every wave with its response so far, and the cohorts (newest first)."""
    _team(viewer)
    cohorts = sorted(
        store.find(Cohort, page=Page(limit=500)).data, key=lambda c: (c.start_date, c.id)
    )
    order = {c.id: n for n, c in enumerate(reversed(cohorts))}
    waves = sorted(
        store.surveys.waves(), key=lambda w: (order.get(w.cohort_id, len(order)), w.wave.value)
    )
    return WavesOut(
        cohorts=[CohortRef(id=c.id, name=c.name) for c in reversed(cohorts)],
        waves=[wave_status(store, viewer, w.cohort_id, w.wave, now=now) for w in waves],
    )
