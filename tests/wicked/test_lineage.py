"""The domain: an issue's lineage, its supporters, delivery tracking and recording a
handover, on the hand-drawn sample (tests/wicked/sample.py), on each store.

Expected answers come from the sample's table, worked out by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from graph import delivery, supporters
from graph import lineage as baton
from graph.errors import Invalid, NotFound
from graph.model import (
    Employment,
    Handover,
    IngestRun,
    Organisation,
    Person,
    Project,
    Sector,
    Tie,
    TieKind,
    Wave,
)
from graph.notes import read_notes
from graph.store import Batch, GraphStore, Page

from ..contract.sample import person
from .sample import NOTE


def everyone(person: Person) -> bool:
    return True


def directory(person: Person) -> bool:
    return person.consent_directory


def contact(person: Person) -> bool:
    return person.consent_contact


@dataclass(frozen=True)
class Reader:
    """A reader made of three rules, as ``graph.supporters.Reader`` asks of one."""

    visible: Callable[[Person], bool]
    route_through: Callable[[Person], bool]
    contact_details: Callable[[Person], bool]

    def sees(self, person: Person) -> bool:
        return self.visible(person)

    def may_route_through(self, person: Person) -> bool:
        return self.route_through(person)

    def sees_contact_details(self, person: Person) -> bool:
        return self.contact_details(person)


def run(run_id: str = "run-3") -> IngestRun:
    return IngestRun(
        id=run_id, file_name="test", sha256="2" * 64, started_at=datetime(2024, 1, 3, tzinfo=UTC)
    )


def ranked(found: list[supporters.Supporter]) -> list[tuple[str, float]]:
    return [(s.profile.person.id, s.score) for s in found]


# -- lineage ---------------------------------------------------------------------------


def test_read_lineage_lists_projects_in_cohort_order(baton_store: GraphStore) -> None:
    found = baton.lineage(baton_store, "domestic-abuse")
    assert [(s.project.id, s.project.cohort_id) for s in found.steps] == [
        ("pr-da", "c2019"),
        ("pr-da2", "c2021"),
    ]
    first, second = found.steps
    assert (first.leads, first.members, first.sponsor) == (("ann",), ("bob", "cat"), "dan")
    assert (second.leads, second.members, second.sponsor) == (("fay",), ("eve",), None)
    assert [h.key for h in first.handed_over] == ["domestic-abuse|pr-da|c2021"]
    assert [h.key for h in second.received] == ["domestic-abuse|pr-da|c2021"]
    assert (first.active_until, second.active_until) == (date(2020, 12, 1), None)
    assert [s.project.id for s in found.current] == ["pr-da2"]
    assert found.working_now == ("fay", "eve")


def test_read_lineage_keeps_notes_for_a_reader_who_sees_everyone(
    baton_store: GraphStore,
) -> None:
    found = baton.lineage(baton_store, "domestic-abuse")
    assert [h.notes for h in found.handovers] == [NOTE]


def test_read_lineage_withholds_names_the_reader_may_not_see(baton_store: GraphStore) -> None:
    # what a reader may read of a note is the consent module's to say
    from graph.model import KeyRole
    from services.consent import Viewer, lineage_seen

    alumni = Viewer(role=KeyRole.ALUMNI, key_id="k")
    found = lineage_seen(baton_store, alumni, baton.lineage(baton_store, "domestic-abuse"))
    (note,) = [h.notes for h in found.handovers]
    assert note is not None
    assert note.endswith("Talk to [name withheld], its sponsor, and Ann Example.")
    assert "Dan" not in note


def test_read_lineage_of_unknown_issue_raises_not_found(baton_store: GraphStore) -> None:
    with pytest.raises(NotFound):
        baton.lineage(baton_store, "no-such-issue")


def test_read_notes_splits_learned_open_questions_and_talk_to() -> None:
    notes = read_notes(NOTE)
    assert notes.learned == ("One referral route works only if every front door uses it.",)
    assert notes.open_questions == (
        "Who funds the refuge network after March?",
        "Is the NHS ready to share data?",
    )
    assert notes.talk_to == ("Talk to Dan Example, its sponsor, and Ann Example.",)
    assert notes.other == ()


def test_read_notes_of_unlabelled_text_keeps_it_as_other() -> None:
    notes = read_notes("We met monthly.\n- Funding ends in March")
    assert notes.other == ("We met monthly.", "Funding ends in March")
    assert notes.open_questions == ()


# -- supporters ----------------------------------------------------------------------------


def test_rank_supporters_of_handed_over_issue_for_the_team(baton_store: GraphStore) -> None:
    found = baton.lineage(baton_store, "domestic-abuse")
    helpers = supporters.supporters(baton_store, found, Reader(everyone, directory, contact))
    # ann led pr-da (4), bob and cat worked on it (3 each), dan sponsored it but can be
    # neither contacted nor introduced; fay and eve are the receiving team; gil opens ECFRS.
    assert ranked(helpers) == [("ann", 4.0), ("bob", 3.0), ("cat", 3.0), ("gil", 2.5)]
    gil = helpers[-1]
    assert [r.kind for r in gil.reasons] == ["new_organisation", "knows_the_team", "interest"]
    assert [v.person.id for v in gil.via] == ["ann"]
    led = "led Domestic abuse pathways (Leading Greater Essex 2019)"
    assert [r.text for r in helpers[0].reasons] == [led]


def test_rank_supporters_of_finished_issue_opens_unreached_organisation(
    baton_store: GraphStore,
) -> None:
    found = baton.lineage(baton_store, "rural-isolation")
    helpers = supporters.supporters(baton_store, found, Reader(everyone, directory, contact))
    assert ranked(helpers) == [("bob", 4.0), ("cat", 3.0), ("hal", 1.5)]
    assert [v.person.id for v in helpers[-1].via] == ["bob"]


def test_rank_supporters_leaves_out_the_reader_and_hidden_people(
    baton_store: GraphStore,
) -> None:
    found = baton.lineage(baton_store, "domestic-abuse")
    helpers = supporters.supporters(
        baton_store, found, Reader(directory, directory, contact), exclude=["ann"]
    )
    assert ranked(helpers) == [("bob", 3.0), ("cat", 3.0), ("gil", 2.5)]


# -- delivery tracking ---------------------------------------------------------------------


def test_summarise_issues_says_when_each_was_last_active(baton_store: GraphStore) -> None:
    found = {s.issue.id: s for s in delivery.issue_summaries(baton_store)}
    assert list(found) == ["county-lines", "domestic-abuse", "rural-isolation"]
    assert {k: (s.active_now, s.last_active) for k, s in found.items()} == {
        "county-lines": (False, None),
        "domestic-abuse": (True, date(2020, 12, 1)),
        "rural-isolation": (False, date(2020, 6, 30)),
    }
    assert [p.id for p in found["domestic-abuse"].projects] == ["pr-da", "pr-da2"]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (date(2020, 6, 30), ["county-lines"]),
        (date(2020, 7, 1), ["county-lines", "rural-isolation"]),
    ],
)
def test_list_issues_orphaned_since_date_leaves_out_active_ones(
    baton_store: GraphStore, since: date, expected: list[str]
) -> None:
    found = delivery.issue_summaries(baton_store, orphaned_since=since)
    assert [s.issue.id for s in found] == expected


@pytest.mark.parametrize(
    ("as_of", "expected"), [(date(2022, 5, 31), []), (date(2022, 6, 1), ["pr-da2"])]
)
def test_find_overdue_projects_past_due_and_still_active(
    baton_store: GraphStore, as_of: date, expected: list[str]
) -> None:
    projects = baton_store.find(Project, page=Page(limit=100)).data
    assert [p.id for p in delivery.overdue_projects(projects, as_of)] == expected


def test_find_unsponsored_projects_lists_those_without_sponsor(baton_store: GraphStore) -> None:
    projects = baton_store.find(Project, page=Page(limit=100)).data
    assert [p.id for p in delivery.unsponsored_projects(projects)] == ["pr-da2"]


# -- recording a handover ----------------------------------------------------------------------


def handover(**changes: object) -> Handover:
    given: dict[str, object] = {
        "issue_id": "rural-isolation",
        "from_project_id": "pr-ri",
        "to_cohort_id": "c2021",
        "date": date(2020, 7, 15),
        "notes": "Remains: transport?",
    }
    return Handover.model_validate(given | changes)


def test_record_handover_writes_it_with_its_run(baton_store: GraphStore) -> None:
    report = baton.record_handover(baton_store, handover(), run(), issue_id="rural-isolation")
    assert report.counts["handover"].created == 1
    stored = baton_store.get(Handover, "rural-isolation|pr-ri|c2021")
    assert (stored.date, stored.run_id) == (date(2020, 7, 15), "run-3")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_project_id": "pr-da"}, "from_project_id"),
        ({"date": date(2019, 6, 30)}, "date"),
        ({"from_project_id": "pr-none"}, "from_project_id"),
        ({"issue_id": "domestic-abuse", "from_project_id": "pr-da"}, "issue_id"),
    ],
    ids=["project-off-the-issue", "before-project-start", "unknown-project", "other-issue"],
)
def test_record_handover_breaking_a_rule_is_refused_and_writes_nothing(
    baton_store: GraphStore, changes: dict[str, object], field: str
) -> None:
    before, runs = baton_store.dump(), baton_store.runs()
    with pytest.raises(Invalid) as refused:
        baton.record_handover(baton_store, handover(**changes), run(), issue_id="rural-isolation")
    assert [p.field for p in refused.value.problems] == [field]
    assert (baton_store.dump(), baton_store.runs()) == (before, runs)


def test_rank_supporters_uses_no_tie_of_people_without_analytics_consent(
    baton_store: GraphStore,
) -> None:
    # two more newcomers, each at an organisation no project on the issue reached, with
    # directory and contact consent and no interests: jon (refuses analytics) named Ann as
    # an advice contact; kim (analytics yes) named Eve, who is on pr-da2 and refuses
    # analytics. Each would score 1 + 0.5 (knows someone on its projects) from that tie.
    jon = person("jon", consent_directory=True, consent_contact=True, consent_analytics=False)
    kim = person("kim", consent_directory=True, consent_contact=True)
    baton_store.apply(
        Batch(
            organisations=[
                Organisation(id="chamber", name="Chelmsford Chamber", sector=Sector.BUSINESS),
                Organisation(id="uni", name="University of Essex", sector=Sector.EDUCATION),
            ],
            people=[jon, kim],
            employments=[
                Employment(person_id="jon", organisation_id="chamber", start=date(2019, 5, 1)),
                Employment(person_id="kim", organisation_id="uni", start=date(2019, 5, 1)),
            ],
            ties=[
                Tie(
                    source_id=who,
                    target_id=whom,
                    tie_kind=TieKind.ADVICE,
                    start=date(2020, 4, 20),
                    wave=Wave.END,
                    cohort_id="c2019",
                    context="c2019",
                )
                for who, whom in (("jon", "ann"), ("kim", "eve"))
            ],
        ),  # fmt: skip
        run("run-4"),
    )
    assert not jon.interests and not kim.interests  # their only claim would be the tie
    found = baton.lineage(baton_store, "domestic-abuse")
    helpers = supporters.supporters(baton_store, found, Reader(everyone, directory, contact))
    # as without them: ann 4, bob 3, cat 3, gil 2.5 (new organisation, knows Ann, interest)
    assert ranked(helpers) == [("ann", 4.0), ("bob", 3.0), ("cat", 3.0), ("gil", 2.5)]
    assert [v.person.id for v in helpers[-1].via] == ["ann"]
