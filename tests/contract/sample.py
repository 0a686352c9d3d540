"""A small programme drawn by hand, so that every expected answer can be worked out
on paper.

Organisations: ECC (local_government), NHS (health), POL (police).
Cohort c2019 starts 2019-05-01; cohort c2021 starts 2021-05-01.

people   employer (from)            cohorts            consent
ann      ECC 2019-05-01             c2019 participant  all yes
bob      NHS 2019-05-01             c2019 participant  directory, analytics
cat      ECC 2019-05-01 -> POL 2020-06-01 (job move)   c2019 participant
dan      POL 2019-05-01             c2019 sponsor      analytics only
eve      NHS 2021-05-01             c2021 participant  refuses analytics
fay      POL 2021-05-01             c2021 participant  all yes

project pr-da (c2019, issue domestic-abuse, sponsor dan): ann (lead), bob, cat
  -> project ties ann-bob, ann-cat, bob-cat from 2019-06-01
mentoring dan -> fay 2021-06-01 .. 2022-06-01
survey c2019: baseline (2019-05-10): ann->bob advice, bob->cat knew_before
              end (2020-04-20):      ann->cat collaboration, cat->dan advice,
                                     ann->fay want_to_meet
"""

from __future__ import annotations

from datetime import date

from graph.model import (
    Cohort,
    Employment,
    Handover,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    ProjectRole,
    Role,
    Sector,
    Tie,
    TieKind,
    Wave,
    WickedIssue,
)
from graph.store import Batch

ECC = Organisation(
    id="ecc",
    name="Essex County Council",
    sector=Sector.LOCAL_GOVERNMENT,
    aliases=("ECC",),
    area="Chelmsford",
)
NHS = Organisation(id="mse-icb", name="Mid and South Essex ICB", sector=Sector.HEALTH)
POL = Organisation(id="essex-police", name="Essex Police", sector=Sector.POLICE)


def person(pid: str, **consent: bool) -> Person:
    return Person(
        id=pid,
        email=f"{pid}@example.org",
        name=pid.title() + " Example",
        job_title="Head of Service",
        interests=("loneliness",) if pid in {"ann", "fay"} else (),
        skills=("data",) if pid == "bob" else (),
        area="Tendring" if pid in {"ann", "bob"} else "Basildon",
        **consent,
    )


def programme() -> Batch:
    """The whole sample programme in one batch."""
    people = [
        person("ann", consent_directory=True, consent_contact=True),
        person("bob", consent_directory=True),
        person("cat", consent_directory=True, consent_contact=True),
        person("dan"),
        person("eve", consent_directory=True, consent_analytics=False),
        person("fay", consent_directory=True, consent_contact=True),
    ]
    d = date
    return Batch(
        organisations=[ECC, NHS, POL],
        people=people,
        cohorts=[
            Cohort(
                id="c2019",
                name="Leading Greater Essex 2019",
                start_date=d(2019, 5, 1),
                end_date=d(2020, 4, 30),
            ),
            Cohort(id="c2021", name="Leading Greater Essex 2021", start_date=d(2021, 5, 1)),
        ],
        issues=[WickedIssue(id="domestic-abuse", title="Domestic abuse", ambitions=())],
        memberships=[
            Membership(person_id="ann", cohort_id="c2019", role=Role.PARTICIPANT),
            Membership(person_id="bob", cohort_id="c2019", role=Role.PARTICIPANT),
            Membership(person_id="cat", cohort_id="c2019", role=Role.PARTICIPANT),
            Membership(person_id="dan", cohort_id="c2019", role=Role.SPONSOR),
            Membership(person_id="eve", cohort_id="c2021", role=Role.PARTICIPANT),
            Membership(person_id="fay", cohort_id="c2021", role=Role.PARTICIPANT),
        ],
        employments=[
            Employment(person_id="ann", organisation_id="ecc", start=d(2019, 5, 1)),
            Employment(person_id="bob", organisation_id="mse-icb", start=d(2019, 5, 1)),
            Employment(
                person_id="cat", organisation_id="ecc", start=d(2019, 5, 1), end=d(2020, 5, 31)
            ),
            Employment(person_id="cat", organisation_id="essex-police", start=d(2020, 6, 1)),
            Employment(person_id="dan", organisation_id="essex-police", start=d(2019, 5, 1)),
            Employment(person_id="eve", organisation_id="mse-icb", start=d(2021, 5, 1)),
            Employment(person_id="fay", organisation_id="essex-police", start=d(2021, 5, 1)),
        ],
        projects=[
            Project(
                id="pr-da",
                title="Domestic abuse pathways",
                cohort_id="c2019",
                issue_id="domestic-abuse",
                sponsor_id="dan",
                start_date=d(2019, 6, 1),
                due_date=d(2020, 11, 30),
                outcomes="A shared referral pathway",
            ),
        ],
        project_members=[
            ProjectMember(project_id="pr-da", person_id="ann", role=ProjectRole.LEAD),
            ProjectMember(project_id="pr-da", person_id="bob"),
            ProjectMember(project_id="pr-da", person_id="cat"),
        ],
        handovers=[
            Handover(
                issue_id="domestic-abuse",
                from_project_id="pr-da",
                to_cohort_id="c2021",
                date=d(2020, 12, 1),
                notes="Talk to the refuge network",
            ),
        ],
        ties=[
            *(project_tie(a, b) for a, b in [("ann", "bob"), ("ann", "cat"), ("bob", "cat")]),
            Tie(
                source_id="dan",
                target_id="fay",
                tie_kind=TieKind.MENTORING,
                start=d(2021, 6, 1),
                end=d(2022, 6, 1),
            ),
            survey("ann", "bob", TieKind.ADVICE, Wave.BASELINE, d(2019, 5, 10)),
            survey("bob", "cat", TieKind.KNEW_BEFORE, Wave.BASELINE, d(2019, 5, 10)),
            survey("ann", "cat", TieKind.COLLABORATION, Wave.END, d(2020, 4, 20)),
            survey("cat", "dan", TieKind.ADVICE, Wave.END, d(2020, 4, 20)),
            survey("ann", "fay", TieKind.WANT_TO_MEET, Wave.END, d(2020, 4, 20)),
        ],
    )


def project_tie(a: str, b: str) -> Tie:
    return Tie(
        source_id=a, target_id=b, tie_kind=TieKind.PROJECT, start=date(2019, 6, 1), context="pr-da"
    )


def survey(a: str, b: str, kind: TieKind, wave: Wave, on: date) -> Tie:
    return Tie(
        source_id=a,
        target_id=b,
        tie_kind=kind,
        start=on,
        wave=wave,
        cohort_id="c2019",
        context="c2019",
    )
