"""The store's own gate names every broken reference by keys alone (issue 15): one
bulk look-up of keys per kind, the same problems as reading the records, both stores.

The problems expected are worked out by hand from tests/contract/sample.py and the
batch below: every reference it makes to a key the store does not hold.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import Invalid, Problem
from graph.model import (
    Assessment,
    Cohort,
    Employment,
    Handover,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    Rater,
    Role,
    Tie,
    TieKind,
    Wave,
    WickedIssue,
)
from graph.store import Batch, GraphStore

from .sample import programme
from .transactions import in_tx


def test_held_answers_which_keys_are_stored_for_every_kind_asked(store: GraphStore) -> None:
    store.apply(programme())
    asked = {
        Person: ["ann", "zed", "fay", "ann"],
        Organisation: ["ecc", "nowhere"],
        Cohort: ["c2021", "c1999"],
        WickedIssue: ["domestic-abuse", "floods"],
        Project: ["pr-da", "pr-none"],
        Membership: ["c2019|ann|participant", "c2019|zed|participant"],
    }
    found = in_tx(store, lambda tx: {m: tx.held(m, keys) for m, keys in asked.items()})
    assert found == {
        Person: {"ann", "fay"},
        Organisation: {"ecc"},
        Cohort: {"c2021"},
        WickedIssue: {"domestic-abuse"},
        Project: {"pr-da"},
        Membership: {"c2019|ann|participant"},
    }
    assert in_tx(store, lambda tx: tx.held(Person, [])) == set()


def test_the_gate_names_every_missing_reference_and_writes_nothing(store: GraphStore) -> None:
    store.apply(programme())
    before = store.dump()
    d = date(2022, 1, 1)
    batch = Batch(
        memberships=[Membership(person_id="zed", cohort_id="c1999", role=Role.PARTICIPANT)],
        employments=[Employment(person_id="ann", organisation_id="nowhere", start=d)],
        projects=[
            Project(
                id="pr-new",
                title="New",
                cohort_id="c2021",
                issue_id="floods",
                sponsor_id="yan",
                start_date=d,
            )
        ],
        project_members=[ProjectMember(project_id="pr-none", person_id="eve")],
        handovers=[
            Handover(issue_id="floods", from_project_id="pr-gone", to_cohort_id="c2021", date=d)
        ],
        ties=[Tie(source_id="ann", target_id="xia", tie_kind=TieKind.MENTORING, start=d)],
        assessments=[
            Assessment(
                person_id="wyn",
                cohort_id="c2021",
                wave=Wave.BASELINE,
                indicator="trust",
                rater=Rater.SELF,
                score=3,
                response_date=d,
            )
        ],
    )
    with pytest.raises(Invalid) as caught:
        store.apply(batch)
    tie, assessment = batch.ties[0], batch.assessments[0]
    assert sorted(caught.value.problems, key=repr) == sorted(
        [
            Problem("membership c1999|zed|participant", "person_id", "zed", "no such person"),
            Problem("membership c1999|zed|participant", "cohort_id", "c1999", "no such cohort"),
            Problem(
                f"employment {batch.employments[0].key}",
                "organisation_id",
                "nowhere",
                "no such organisation",
            ),
            Problem("project pr-new", "issue_id", "floods", "no such wicked_issue"),
            Problem("project pr-new", "sponsor_id", "yan", "no such person"),
            Problem("project_member pr-none|eve", "project_id", "pr-none", "no such project"),
            Problem(
                f"handover {batch.handovers[0].key}", "issue_id", "floods", "no such wicked_issue"
            ),
            Problem(
                f"handover {batch.handovers[0].key}",
                "from_project_id",
                "pr-gone",
                "no such project",
            ),
            Problem(f"tie {tie.key}", "target_id", "xia", "no such person"),
            Problem(f"assessment {assessment.key}", "person_id", "wyn", "no such person"),
        ],
        key=repr,
    )
    assert store.dump() == before
