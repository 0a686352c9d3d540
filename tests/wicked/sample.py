"""The hand-drawn sample programme (tests/contract/sample.py), grown so that every
answer about wicked issues can be worked out on paper.

On top of the sample (Ann, Bob, Cat, Dan in c2019; Eve, Fay in c2021; project pr-da
on domestic-abuse, sponsored by Dan, led by Ann, handed to c2021 on 2020-12-01):

project  cohort issue             sponsor start       due         status       people
pr-da    c2019  domestic-abuse    dan     2019-06-01  2020-11-30  handed_over  ann (lead), bob, cat
pr-da2   c2021  domestic-abuse    -       2021-06-01  2022-05-31  active       fay (lead), eve
pr-ri    c2019  rural-isolation   dan     2019-07-01  2020-06-30  completed    bob (lead), cat
-        -      county-lines      (no project at all)

The handover pr-da -> c2021 now names pr-da2 and carries a note naming Dan (who
has not consented to the directory) and Ann.

Two newcomers at an organisation nobody on any project ever worked for
(ECFRS, fire), both consenting to the directory and to contact:
gil  interests "domestic abuse"; named Ann as an advice contact (c2019 end wave)
hal  no interests;               named Bob as an advice contact (c2019 end wave)

domestic-abuse: insiders ann, bob, cat, dan, fay, eve; gil scores 1 (new
  organisation) + 0.5 (knows Ann) + 1 (interest) = 2.5, hal 1 + 0.5 (knows Bob)
  = 1.5: gil opens ECFRS, via Ann.
rural-isolation: insiders bob, cat, dan; reached: mse-icb (bob), ecc and
  essex-police (cat's two jobs, dan); hal scores 1 + 0.5 (knows Bob) = 1.5, gil
  knows no insider and "domestic abuse" is not the topic: hal opens ECFRS. Ann and
  Fay share the topic ("loneliness") but work at reached organisations.
"""

from __future__ import annotations

from datetime import date

from graph.model import (
    Employment,
    Handover,
    Organisation,
    Person,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    Sector,
    Tie,
    TieKind,
    Wave,
    WickedIssue,
)
from graph.store import Batch

from ..contract.sample import person

NOTE = (
    "Learned: one referral route works only if every front door uses it."
    " Remains: who funds the refuge network after March?"
    " Is the NHS ready to share data? Talk to Dan Example, its sponsor, and Ann Example."
)

ECFRS = Organisation(id="ecfrs", name="Essex County Fire and Rescue Service", sector=Sector.FIRE)


def newcomer(pid: str, interests: tuple[str, ...]) -> Person:
    base = person(pid, consent_directory=True, consent_contact=True)
    return base.model_copy(update={"interests": interests})


def baton() -> Batch:
    """What the wicked-issue tests add to the sample programme."""
    d = date
    return Batch(
        organisations=[ECFRS],
        people=[newcomer("gil", ("domestic abuse",)), newcomer("hal", ())],
        employments=[
            Employment(person_id="gil", organisation_id="ecfrs", start=d(2019, 5, 1)),
            Employment(person_id="hal", organisation_id="ecfrs", start=d(2019, 5, 1)),
        ],
        issues=[
            WickedIssue(id="rural-isolation", title="Loneliness and isolation in rural Essex"),
            WickedIssue(id="county-lines", title="County lines and youth violence"),
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
                status=ProjectStatus.HANDED_OVER,
                outcomes="A shared referral pathway",
            ),
            Project(
                id="pr-da2",
                title="Domestic abuse at work",
                cohort_id="c2021",
                issue_id="domestic-abuse",
                start_date=d(2021, 6, 1),
                due_date=d(2022, 5, 31),
                outcomes="Interim: a model workplace policy",
            ),
            Project(
                id="pr-ri",
                title="Village connectors",
                cohort_id="c2019",
                issue_id="rural-isolation",
                sponsor_id="dan",
                start_date=d(2019, 7, 1),
                due_date=d(2020, 6, 30),
                status=ProjectStatus.COMPLETED,
                outcomes="Twelve villages mapped",
            ),
        ],
        project_members=[
            ProjectMember(project_id="pr-da2", person_id="fay", role=ProjectRole.LEAD),
            ProjectMember(project_id="pr-da2", person_id="eve"),
            ProjectMember(project_id="pr-ri", person_id="bob", role=ProjectRole.LEAD),
            ProjectMember(project_id="pr-ri", person_id="cat"),
        ],
        handovers=[
            Handover(
                issue_id="domestic-abuse",
                from_project_id="pr-da",
                to_cohort_id="c2021",
                to_project_id="pr-da2",
                date=d(2020, 12, 1),
                notes=NOTE,
            )
        ],
        ties=[
            Tie(
                source_id=who,
                target_id=whom,
                tie_kind=TieKind.ADVICE,
                start=d(2020, 4, 20),
                wave=Wave.END,
                cohort_id="c2019",
                context="c2019",
            )
            for who, whom in (("gil", "ann"), ("hal", "bob"))
        ],
    )
