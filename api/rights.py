"""Personal data rights (UK GDPR): subject access and erasure.

Subject access returns everything held about a person; the only thing
withheld is who is at the other end of a tie when the caller may not see them
(a third party's data, not the subject's). Erasure is the store's: the person
and every record naming them go, and an audit keeps only the id, the time and
the key that did it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from graph.errors import NotFound
from graph.model import (
    ApiKey,
    Cohort,
    Employment,
    Erasure,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
)
from graph.store import GraphStore, Page
from services import consent
from services.consent import Viewer
from services.schemas import (
    AssessmentOut,
    CohortRef,
    EmploymentOut,
    ExportOut,
    KeyOut,
    MembershipOut,
    OrganisationRef,
    PersonRecordOut,
    ProjectMembershipOut,
    ProjectRef,
    SavedAnswerOut,
    SavedSurveyOut,
)

_SCAN = Page(limit=100_000)


def key_out(key: ApiKey) -> KeyOut:
    """A key's public record: never its hash."""
    return KeyOut.model_validate(key, from_attributes=True)


def export(store: GraphStore, viewer: Viewer, person_id: str) -> ExportOut:
    """Everything held about a person, for that person or an admin."""
    consent.ensure_own_data(viewer, person_id)
    person = store.get(Person, person_id)
    employments = sorted(
        store.find(Employment, {"person_id": person_id}, _SCAN).data, key=lambda e: e.start
    )
    memberships = store.find(Membership, {"person_id": person_id}, _SCAN).data
    on_projects = store.find(ProjectMember, {"person_id": person_id}, _SCAN).data
    sponsored = store.find(Project, {"sponsor_id": person_id}, _SCAN).data
    ties = store.ties_of([person_id])
    organisations = store.get_many(Organisation, {e.organisation_id for e in employments})
    cohorts = store.get_many(Cohort, {m.cohort_id for m in memberships})
    projects = store.get_many(Project, {m.project_id for m in on_projects})
    cohort_ids = sorted({m.cohort_id for m in memberships})
    others = store.get_many(
        Person, {t.source_id for t in ties} | {t.target_id for t in ties} - {person_id}
    )
    return ExportOut(
        exported_at=datetime.now(UTC),
        person=PersonRecordOut.model_validate(person, from_attributes=True),
        employments=[
            EmploymentOut(
                organisation=OrganisationRef(
                    id=e.organisation_id,
                    name=o.name if (o := organisations.get(e.organisation_id)) else "",
                ),
                start=e.start,
                end=e.end,
                job_title=e.job_title,
            )
            for e in employments
        ],
        memberships=[
            MembershipOut(
                cohort=CohortRef(
                    id=m.cohort_id, name=c.name if (c := cohorts.get(m.cohort_id)) else ""
                ),
                role=m.role,
            )
            for m in memberships
        ],
        projects=[
            ProjectMembershipOut(
                project=ProjectRef(
                    id=m.project_id, title=p.title if (p := projects.get(m.project_id)) else ""
                ),
                role=m.role,
            )
            for m in on_projects
        ],
        sponsored_projects=[ProjectRef(id=p.id, title=p.title) for p in sponsored],
        ties=[consent.tie_out(viewer, t, person_id, others) for t in ties],
        api_keys=[key_out(k) for k in store.keys() if k.person_id == person_id],
        survey_answers=_survey_answers(
            store, viewer, person_id, [m.cohort_id for m in memberships]
        ),
        assessments=[
            AssessmentOut(
                cohort_id=a.cohort_id,
                wave=a.wave,
                indicator=a.indicator,
                rater=a.rater.value,
                score=a.score,
                ratings=a.ratings,
            )
            for cohort_id in cohort_ids
            for a in store.assessments(cohort_id, person_id=person_id)
        ],
    )


def _survey_answers(
    store: GraphStore, viewer: Viewer, person_id: str, cohort_ids: list[str]
) -> list[SavedSurveyOut]:
    """What the person saved in each wave of their cohorts; a person they named shows
    only if the caller may see them (their answers are theirs, the others' names are not)."""
    saved = []
    for cohort_id in cohort_ids:
        for wave in store.surveys.waves(cohort_id):
            try:
                found = store.surveys.answers(cohort_id, wave.wave, person_id)
            except NotFound:
                continue
            saved.append(found)
    named = store.get_many(Person, {a.person_id for s in saved for a in s.answers})
    return [
        SavedSurveyOut(
            cohort_id=s.cohort_id,
            wave=s.wave,
            saved_at=s.saved_at,
            consent=dict(s.consent),
            answers=[
                SavedAnswerOut(
                    relationship=a.relationship,
                    person_id=a.person_id
                    if (p := named.get(a.person_id)) is not None and viewer.sees(p)
                    else None,
                    frequency=a.frequency,
                )
                for a in s.answers
            ],
            self_assessment={r.indicator: r.score for r in s.assessments},
        )
        for s in saved
    ]


def erase(store: GraphStore, viewer: Viewer, person_id: str) -> Erasure:
    """Erase a person and everything naming them; the audit names the key, not its holder.
    The person's keys go with them, and so do those keys' page sessions, their survey
    links and answers, and their name in everyone else's saved answers."""
    their_keys = [k.id for k in store.keys() if k.person_id == person_id]
    erasure = store.erase_person(person_id, actor=viewer.key_id)
    for key_id in their_keys:
        store.delete_sessions_of_key(key_id)
    store.surveys.forget_person(person_id)  # survey links and answers, theirs and naming them
    return erasure
