"""A programme drawn for the survey tests, small enough to reason about by hand.

Cohort ``s2026`` (from 2026-01-12): ``size`` members ``m00@example.org`` ..., names
``Member 00`` ..., employed in turn by ECC, NHS and POL; every fifth member
consents to the directory, every third to contact. The last two members are
sponsors, the two before them mentors, everyone else a participant.

Cohort ``s2024`` (an earlier cohort, alumni): ``dir1`` and ``dir2`` (directory
consent: searchable on the roster) and ``hid1`` and ``hid2`` (no directory
consent: nobody outside their cohort may name them).
"""

from __future__ import annotations

import json
from pathlib import Path

from graph.store import Batch, GraphStore
from ingest.pipeline import load_bundle

COHORT = "s2026"
ORGS = ("ECC", "NHS", "POL")
_ORGANISATIONS = [
    {"name": "ECC", "sector": "local_government"},
    {"name": "NHS", "sector": "health"},
    {"name": "POL", "sector": "police"},
]


def member_email(i: int) -> str:
    return f"m{i:02d}@example.org"


def role_of(i: int, size: int) -> str:
    if i >= size - 2:
        return "sponsor"
    if i >= size - 4:
        return "mentor"
    return "participant"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def people_rows(size: int) -> list[dict[str, str]]:
    return [
        {
            "email": member_email(i),
            "name": f"Member {i:02d}",
            "organisation": ORGS[i % 3],
            "consent_directory": _yes(i % 5 == 0),
            "consent_contact": _yes(i % 3 == 0),
        }
        for i in range(size)
    ]


def cohort_bundle(folder: Path, size: int) -> Path:
    people = people_rows(size)
    bundle = {
        "cohort": [
            {
                "cohort_id": COHORT,
                "name": "Survey cohort",
                "start_date": "2026-01-12",
                "as_of": "2026-01-12",
            }
        ],
        "organisations": _ORGANISATIONS,
        "people": people,
        "members": [{"email": member_email(i), "role": role_of(i, size)} for i in range(size)],
    }
    path = folder / f"{COHORT}.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def alumni_bundle(folder: Path) -> Path:
    people = [
        {
            "email": f"{name}@example.org",
            "name": title,
            "organisation": "NHS",
            "consent_directory": _yes(name.startswith("dir")),
            "consent_contact": "yes",
        }
        for name, title in (
            ("dir1", "Dora Directory"),
            ("dir2", "Dave Directory"),
            ("hid1", "Hilda Hidden"),
            ("hid2", "Hugo Hidden"),
        )
    ]
    bundle = {
        "cohort": [
            {
                "cohort_id": "s2024",
                "name": "Earlier cohort",
                "start_date": "2024-01-15",
                "as_of": "2024-01-15",
            }
        ],
        "organisations": _ORGANISATIONS,
        "people": people,
        "members": [{"email": p["email"], "role": "participant"} for p in people],
    }
    path = folder / "s2024.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def load_programme(store: GraphStore, folder: Path, size: int = 10) -> None:
    for path in (alumni_bundle(folder), cohort_bundle(folder, size)):
        report = load_bundle(path, store)
        assert report.ok, report.errors


def token_of(link: str) -> str:
    assert link.startswith("/s/")
    return link.removeprefix("/s/")


RUNNABLE_NAME = "@SUM(1+1) Member"
"""A name a spreadsheet would run as a formula (the ingest refuses ``=``, not ``@``)."""


def name_runnable(store: GraphStore, email: str) -> None:
    """Give one member a name starting with ``@``, stated after the bundle's."""
    person = store.person_by_email(email)
    stated = {**person.stated_on, "name": "2099-01-01"}
    store.apply(
        Batch(people=[person.model_copy(update={"name": RUNNABLE_NAME, "stated_on": stated})])
    )
