"""A small bundle drawn by hand, so every expected count can be worked out on paper.

Cohort c2019 starts 2019-05-01. Organisations: Essex County Council (alias ECC),
Mid and South Essex ICB, Essex Police.

people  employer (named as)         member role   consent
ann     ECC (alias)                 participant   directory + contact
bob     Mid and South Essex ICB     participant   defaults (no, no, yes)
cat     essex police (other case)   participant   analytics no; employed_from 2018-01-15
dan     Essex Police                sponsor       defaults

cohort_peer: 4 members -> 6 ties.
project pr-da (sponsor dan): ann (lead), bob, cat + dan -> 4 people -> 6 ties.
mentoring dan -> ann: 1 tie.
survey: ann->bob advice, bob->cat knew_before (baseline); ann->cat collaboration,
        cat->dan advice (end); ann->zed want_to_meet: zed unknown -> warning, skipped.
        -> 4 ties.
Ties: 6 + 6 + 1 + 4 = 17. Records: 3 orgs + 4 people + 1 cohort + 1 issue +
4 memberships + 4 employments + 1 project + 3 project members + 1 handover + 17 ties = 39.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graph.model import person_id_for
from graph.settings import get_settings

Tables = dict[str, list[dict[str, object]]]

TOTAL_RECORDS = 39


def pid(name: str) -> str:
    """The id of a sample person, by first name."""
    return person_id_for(f"{name}@example.org", get_settings().id_salt.get_secret_value())


def sample_tables() -> Tables:
    return {
        "cohort": [
            {
                "cohort_id": "c2019",
                "name": "Leading Greater Essex 2019",
                "start_date": "2019-05-01",
                "end_date": "2020-04-30",
            }
        ],
        "organisations": [
            {
                "name": "Essex County Council",
                "sector": "local_government",
                "org_type": "County council",
                "aliases": "ECC; Essex CC",
                "area": "Chelmsford",
            },
            {"name": "Mid and South Essex ICB", "sector": "health"},
            {"name": "Essex Police", "sector": "police"},
        ],
        "people": [
            {
                "email": "ann@example.org",
                "name": "Ann Example",
                "organisation": "ECC",
                "job_title": "Head of Service",
                "interests": "loneliness; housing",
                "consent_directory": "yes",
                "consent_contact": "yes",
            },
            {
                "email": "bob@example.org",
                "name": "Bob Example",
                "organisation": "Mid and South Essex ICB",
            },
            {
                "email": "cat@example.org",
                "name": "Cat Example",
                "organisation": "essex police",
                "employed_from": "2018-01-15",
                "consent_analytics": "no",
            },
            {"email": "dan@example.org", "name": "Dan Example", "organisation": "Essex Police"},
        ],
        "members": [
            {"email": "ann@example.org", "role": "participant"},
            {"email": "bob@example.org", "role": "participant"},
            {"email": "cat@example.org", "role": "participant"},
            {"email": "dan@example.org", "role": "sponsor"},
        ],
        "wicked_issues": [
            {
                "issue_id": "domestic-abuse",
                "title": "Domestic abuse",
                "ambitions": "communities; Provide an equal start for every child",
            }
        ],
        "projects": [
            {
                "project_id": "pr-da",
                "title": "Domestic abuse pathways",
                "issue_id": "domestic-abuse",
                "sponsor_email": "dan@example.org",
                "start_date": "2019-06-01",
                "due_date": "2020-11-30",
            }
        ],
        "project_members": [
            {"project_id": "pr-da", "email": "ann@example.org", "role": "lead"},
            {"project_id": "pr-da", "email": "bob@example.org"},
            {"project_id": "pr-da", "email": "cat@example.org"},
        ],
        "handovers": [
            {
                "issue_id": "domestic-abuse",
                "from_project_id": "pr-da",
                "to_cohort_id": "c2021",
                "date": "2020-12-01",
                "notes": "Talk to the refuge network",
            }
        ],
        "mentoring": [
            {
                "mentor_email": "dan@example.org",
                "mentee_email": "ann@example.org",
                "start_date": "2019-07-01",
                "end_date": "2020-06-30",
            }
        ],
        "survey": [
            survey_row("ann", "bob", "advice", "baseline", "2019-05-10", "monthly"),
            survey_row("bob", "cat", "knew_before", "baseline", "2019-05-10"),
            survey_row("ann", "cat", "collaboration", "end", "2020-04-20"),
            survey_row("cat", "dan", "advice", "end", "2020-04-20"),
            survey_row("ann", "zed", "want_to_meet", "end", "2020-04-20"),
        ],
    }


def survey_row(
    respondent: str, contact: str, kind: str, wave: str, on: str, frequency: str | None = None
) -> dict[str, object]:
    row: dict[str, object] = {
        "respondent_email": f"{respondent}@example.org",
        "contact_email": f"{contact}@example.org",
        "relationship": kind,
        "wave": wave,
        "response_date": on,
    }
    if frequency:
        row["frequency"] = frequency
    return row


CONTAINERS = ("bundle.xlsx", "bundle.json", "bundle")
"""One file name per container: workbook, JSON file, CSV folder."""


@pytest.fixture
def tables() -> Tables:
    return sample_tables()


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Tables, str], Path]:
    """Write tables into a container under tmp_path: ``write(tables, "b.xlsx")``."""
    from ingest.write import write_bundle

    def _write(tables: Tables, name: str) -> Path:
        return write_bundle(tables, tmp_path / name)

    return _write
