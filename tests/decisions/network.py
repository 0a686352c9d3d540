"""A small programme whose match and selection are worked out by hand in the tests.

c-2018 (starts 2018-01-01): alum1 (Org A, health, area Tendring), alum2 (Org B,
police), alum3 (Org C, fire), participants, so cohort peers of each other.
c-2019 (starts 2019-01-01): p1 (Org A; contact consent), p2 (Org D, local government).
"""

from __future__ import annotations

import json
from pathlib import Path

from graph.store import GraphStore
from ingest.pipeline import load_bundle

ORGS = [
    {"name": "Org A", "sector": "health"},
    {"name": "Org B", "sector": "police"},
    {"name": "Org C", "sector": "fire"},
    {"name": "Org D", "sector": "local_government"},
]


def _person(email: str, org: str, **extra: str) -> dict[str, str]:
    return {"email": email, "name": email.split("@")[0].title(), "organisation": org, **extra}


FIRST = {
    "cohort": [{"cohort_id": "c-2018", "name": "Cohort 2018", "start_date": "2018-01-01"}],
    "organisations": ORGS,
    "people": [
        _person("alum1@x.org", "Org A", interests="housing; data", area="Tendring"),
        _person("alum2@x.org", "Org B"),
        _person("alum3@x.org", "Org C"),
    ],
    "members": [{"email": f"alum{i}@x.org", "role": "participant"} for i in (1, 2, 3)],
}
SECOND = {
    "cohort": [{"cohort_id": "c-2019", "name": "Cohort 2019", "start_date": "2019-01-01"}],
    "people": [
        _person("p1@x.org", "Org A", interests="Data", consent_contact="yes"),
        _person("p2@x.org", "Org D", interests=" HOUSING "),
    ],
    "members": [
        {"email": "p1@x.org", "role": "participant"},
        {"email": "p2@x.org", "role": "participant"},
    ],
}

POOL = [
    {"email": "alum1@x.org", "capacity": 1},
    {"email": "alum2@x.org", "capacity": 1},
    {
        "email": "out@acme.com",
        "capacity": 1,
        "name": "Outside Mentor",
        "organisation": "Acme Ltd",
        "sector": "business",
    },
]


def load_programme(store: GraphStore, folder: Path) -> None:
    for name, tables in (("first.json", FIRST), ("second.json", SECOND)):
        path = folder / name
        path.write_text(json.dumps(tables))
        report = load_bundle(path, store)
        assert report.ok, report.errors
