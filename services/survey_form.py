"""The respondent's side of a survey wave: their form and its saves.

The link's token is the respondent's only credential: unknown, reissued, of a
closed or expired wave, or of a person since erased, it fails exactly as an
absent one (``NotFound``), so a link says nothing about anyone else's.

Who may be named: the roster is the respondent's cohort (every role; they met)
and, searchable, every other person who consented to the directory. The roster
shows an email only with its person's consent to contact
(``Viewer.sees_contact_details``); nobody outside it can be named. Consent set on
the form is saved at once, dated that moment (``graph.facts.set_consent``), so no
older bundle can undo it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.errors import Invalid, NotFound, Problem
from graph.facts import set_consent
from graph.model import CONSENT_FACTS, SURVEY_KINDS, Cohort, KeyRole, Person, Role, TieKind
from graph.profiles import profiles
from graph.store import GraphStore, Page, PersonQuery
from graph.surveys import Answer, Rating, SavedAnswers, SurveyWave, previous_wave
from services.consent import Viewer
from services.schemas_surveys import (
    AnswerOut,
    QuestionOut,
    RatingOut,
    RosterPersonOut,
    SurveyAnswersIn,
    SurveyFormOut,
)
from services.surveys import QUESTIONS, hash_token, members_of, now_or, questions_of

__all__ = ["ROSTER_SEARCH_LIMIT", "save_answers", "survey_form"]

ROSTER_SEARCH_LIMIT = 50
"""People outside the cohort a roster search shows at once."""


@dataclass(frozen=True)
class _Respondent:
    person: Person
    cohort: Cohort
    wave: SurveyWave
    members: dict[str, list[Role]]

    @property
    def viewer(self) -> Viewer:
        return Viewer(role=KeyRole.ALUMNI, key_id="survey-link", person_id=self.person.id)

    def may_name(self, person: Person) -> bool:
        return person.id != self.person.id and (
            person.id in self.members or person.consent_directory
        )


def _respondent(store: GraphStore, token: str, now: datetime) -> _Respondent:
    """Whose link this is; ``NotFound``, the same for every reason, when it does not work."""
    absent = NotFound("survey link", "given")
    if not token or len(token) > 200:
        raise absent
    try:
        record = store.surveys.token(hash_token(token))
        wave = store.surveys.wave(record.cohort_id, record.wave)
        person = store.get(Person, record.person_id)
        cohort = store.get(Cohort, record.cohort_id)
    except NotFound:
        raise absent from None
    if not wave.is_open(now):
        raise absent
    return _Respondent(person, cohort, wave, members_of(store, cohort.id))


def _previous_answers(store: GraphStore, who: _Respondent) -> tuple[Answer, ...]:
    """The previous wave's answers of this respondent, as the graph keeps them."""
    before = previous_wave(who.wave.wave)
    if before is None:
        return ()
    asked = set(questions_of(who.wave.wave))
    ties = [
        t
        for t in store.ties_of([who.person.id], SURVEY_KINDS)
        if t.source_id == who.person.id
        and t.wave is before
        and t.cohort_id == who.cohort.id
        and t.tie_kind in asked
    ]
    return tuple(
        Answer(relationship=t.tie_kind, person_id=t.target_id, frequency=t.frequency)
        for t in sorted(ties, key=lambda t: t.key)
    )


def _roster_entry(who: _Respondent, person: Person, organisation: str | None) -> RosterPersonOut:
    return RosterPersonOut(
        id=person.id,
        name=person.name,
        organisation=organisation,
        in_cohort=person.id in who.members,
        email=person.email if who.viewer.sees_contact_details(person) else None,
    )


def _form(
    store: GraphStore, who: _Respondent, saved: SavedAnswers | None, query: str | None
) -> SurveyFormOut:
    answers = saved.answers if saved is not None else _previous_answers(store, who)
    named = {a.person_id for a in answers} | set(who.members)
    people = store.get_many(Person, named)
    if query and query.strip():
        found = store.search_people(
            PersonQuery(text=query.strip()[:200], directory_only=True),
            Page(limit=ROSTER_SEARCH_LIMIT),
        )
        people.update({p.id: p for p in found.data})
    allowed = [p for p in people.values() if who.may_name(p)]
    answers = tuple(a for a in answers if a.person_id in {p.id for p in allowed})
    profile = profiles(store, allowed)
    roster = []
    for p in allowed:
        organisation = profile[p.id].organisation
        roster.append(_roster_entry(who, p, organisation.name if organisation else None))
    roster.sort(key=lambda r: (not r.in_cohort, r.name.casefold(), r.id))
    by_id = {r.id: r for r in roster}
    consent = {fact: bool(getattr(who.person, fact)) for fact in CONSENT_FACTS}
    return SurveyFormOut(
        cohort_id=who.cohort.id,
        cohort_name=who.cohort.name,
        wave=who.wave.wave,
        closes_on=who.wave.closes_on,
        respondent=who.person.name,
        consent=consent,
        questions=[
            QuestionOut(relationship=k, text=QUESTIONS[k]) for k in questions_of(who.wave.wave)
        ],
        indicators=list(who.wave.indicators),
        roster=roster,
        answers=[
            AnswerOut(
                relationship=a.relationship,
                person_id=a.person_id,
                email=by_id[a.person_id].email,
                frequency=a.frequency,
            )
            for a in answers
        ],
        assessments=[
            RatingOut(indicator=r.indicator, score=r.score)
            for r in (saved.assessments if saved else ())
        ],
        revision=saved.revision if saved else 0,
        saved_at=saved.saved_at if saved else None,
    )


def _saved(store: GraphStore, who: _Respondent) -> SavedAnswers | None:
    try:
        return store.surveys.answers(who.cohort.id, who.wave.wave, who.person.id)
    except NotFound:
        return None


def survey_form(
    store: GraphStore, token: str, query: str | None = None, *, now: datetime | None = None
) -> SurveyFormOut:
    """The respondent's form: the roster (their cohort, then ``query``'s matches among
    everyone in the directory), the questions, and their answers so far."""
    who = _respondent(store, token, now_or(now))
    return _form(store, who, _saved(store, who), query)


def _resolve(
    store: GraphStore, who: _Respondent, body: SurveyAnswersIn
) -> tuple[list[Answer], list[Problem]]:
    """The answers as roster people, and every problem with them (all, not the first)."""
    problems: list[Problem] = []
    asked = questions_of(who.wave.wave)
    by_id = store.get_many(Person, {a.person_id for a in body.answers if a.person_id})
    answers: list[Answer] = []
    seen: set[tuple[TieKind, str]] = set()
    for i, given in enumerate(body.answers):
        where = f"answers[{i}]"
        if given.relationship not in asked:
            problems.append(
                Problem(
                    where,
                    "relationship",
                    given.relationship.value,
                    f"not asked in the {who.wave.wave.value} wave: {', '.join(asked)}",
                )
            )
            continue
        if (given.email is None) == (given.person_id is None):
            problems.append(Problem(where, "email", None, "give one of email or person_id"))
            continue
        person: Person | None
        value: str | None
        if given.person_id is not None:
            person = by_id.get(given.person_id)
            field, value = "person_id", given.person_id
        else:
            field, value = "email", given.email
            try:
                person = store.person_by_email(given.email or "")
            except NotFound:
                person = None
        if person is not None and person.id == who.person.id:
            problems.append(Problem(where, field, value, "names yourself"))
            continue
        if person is None or not who.may_name(person):
            problems.append(Problem(where, field, value, "not on your roster"))
            continue
        if (given.relationship, person.id) in seen:
            problems.append(Problem(where, field, value, "named twice under this question"))
            continue
        seen.add((given.relationship, person.id))
        answers.append(
            Answer(relationship=given.relationship, person_id=person.id, frequency=given.frequency)
        )
    return answers, problems


def _ratings(who: _Respondent, body: SurveyAnswersIn) -> tuple[list[Rating], list[Problem]]:
    known = {i.id for i in who.wave.indicators}
    problems: list[Problem] = []
    ratings: dict[str, Rating] = {}
    for i, given in enumerate(body.assessments):
        where = f"assessments[{i}]"
        if given.indicator not in known:
            problems.append(
                Problem(where, "indicator", given.indicator, "not an indicator of this wave")
            )
        elif given.indicator in ratings:
            problems.append(Problem(where, "indicator", given.indicator, "rated twice"))
        elif not 1 <= given.score <= 5:
            problems.append(Problem(where, "score", given.score, "must be 1 to 5"))
        else:
            ratings[given.indicator] = Rating(indicator=given.indicator, score=given.score)
    return list(ratings.values()), problems


def save_answers(
    store: GraphStore, token: str, body: SurveyAnswersIn, *, now: datetime | None = None
) -> SurveyFormOut:
    """Save a respondent's whole form (what is left out is no longer ticked), and their
    consent, dated now; every problem is reported and nothing written when there is one."""
    at = now_or(now)
    who = _respondent(store, token, at)
    answers, problems = _resolve(store, who, body)
    ratings, rating_problems = _ratings(who, body)
    problems += rating_problems
    if problems:
        raise Invalid(problems)
    current = _saved(store, who)
    stored_revision = current.revision if current else 0
    revision = stored_revision if body.revision is None else body.revision
    consent = body.consent.given()
    saved = store.surveys.save_answers(
        SavedAnswers(
            cohort_id=who.cohort.id,
            wave=who.wave.wave,
            person_id=who.person.id,
            saved_at=at,
            revision=revision + 1,
            consent=consent,
            answers=tuple(answers),
            assessments=tuple(ratings),
        )
    )
    changed = {k: v for k, v in consent.items() if getattr(who.person, k) != v}
    person = set_consent(store, who.person.id, changed, at) if changed else who.person
    return _form(store, _Respondent(person, who.cohort, who.wave, who.members), saved, None)
