"""Pool, rules and applicant files: every malformed row named by file, sheet, row, column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.errors import Invalid
from graph.model import Organisation, Sector
from ingest.decision_files import read_applicants, read_pool, read_rules

ORGS = [
    Organisation(id="essex-police", name="Essex Police", sector=Sector.POLICE, aliases=("EP",)),
    Organisation(
        id="essex-county-council", name="Essex County Council", sector=Sector.LOCAL_GOVERNMENT
    ),
]
KNOWN = {"known@x.org": "p-1"}


def _csv(tmp_path: Path, text: str, name: str = "pool.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(caught: pytest.ExceptionInfo[Invalid]) -> set[tuple[str, str, object]]:
    return {(p.record, p.field, p.value) for p in caught.value.problems}


def test_read_pool_takes_known_and_new_mentors(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Email,Capacity,name,organisation,sector,interests\n"
        "KNOWN@x.org,2,,,,\n"
        "new@y.org,1,Ann New,Acme Ltd,business,data; housing\n"
        "ep@y.org,1,Bo,ep,,\n",
    )
    pool = read_pool(path, KNOWN, ORGS)
    assert [(e.email, e.capacity) for e in pool] == [
        ("known@x.org", 2),
        ("new@y.org", 1),
        ("ep@y.org", 1),
    ]
    assert pool[1].organisation is not None and pool[1].organisation.id == "acme-ltd"
    assert pool[1].interests == ("data", "housing")
    assert pool[2].organisation is not None and pool[2].organisation.id == "essex-police"


def test_read_pool_reports_every_malformed_row_with_its_place(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "email,capacity,name,organisation,sector\n"
        "known@x.org,0,,,\n"
        "not-an-email,1,A,Essex Police,\n"
        "b@y.org,x,B,Essex Polise,\n"
        "known@x.org,1,,,\n",
    )
    with pytest.raises(Invalid) as caught:
        read_pool(path, KNOWN, ORGS)
    found = _problems(caught)
    assert ("pool.csv row 2", "capacity", "0") in found
    assert ("pool.csv row 3", "email", "not-an-email") in found
    assert ("pool.csv row 4", "capacity", "x") in found
    assert ("pool.csv row 4", "organisation", "Essex Polise") in found
    assert ("pool.csv row 5", "email", "known@x.org") in found  # twice
    polise = next(p for p in caught.value.problems if p.value == "Essex Polise")
    assert "did you mean: Essex Police" in polise.reason


def test_read_pool_reads_the_mentors_sheet_of_a_workbook(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Mentors"
    sheet.append(["email", "capacity"])
    sheet.append(["known@x.org", 3])
    sheet.append(["known2@x.org", -1])
    path = tmp_path / "pool.xlsx"
    book.save(path)
    with pytest.raises(Invalid) as caught:
        read_pool(path, {**KNOWN, "known2@x.org": "p-2"}, ORGS)
    assert _problems(caught) == {("pool.xlsx, sheet Mentors, row 3", "capacity", "-1")}


def test_read_pool_reads_a_json_list_and_numbers_its_items(tmp_path: Path) -> None:
    path = tmp_path / "pool.json"
    path.write_text(json.dumps([{"email": "known@x.org", "capacity": 1}, {"email": "known@x.org"}]))
    with pytest.raises(Invalid) as caught:
        read_pool(path, KNOWN, ORGS)
    assert ("pool.json item 2", "capacity", "") in _problems(caught)


def test_read_applicants_checks_score_sector_and_organisation(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "email,name,organisation,sector,area,sponsor_email,score\n"
        "a@x.org,A,Essex Police,,Tendring,s@x.org,7.5\n"
        "b@x.org,B,New Org,health,,,\n"
        "c@x.org,C,Esex County Council,,,,11\n"
        "d@x.org,D,Other Org,planet,,,\n",
        "applicants.csv",
    )
    with pytest.raises(Invalid) as caught:
        read_applicants(path, ORGS)
    found = _problems(caught)
    assert found == {
        ("applicants.csv row 4", "organisation", "Esex County Council"),
        ("applicants.csv row 4", "score", "11"),
        ("applicants.csv row 5", "sector", "planet"),
    }
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    good = read_applicants(path, ORGS)
    assert [(a.email, a.organisation.id, a.score, a.sponsor_email) for a in good] == [
        ("a@x.org", "essex-police", 7.5, "s@x.org"),
        ("b@x.org", "new-org", 0.0, None),
    ]


def test_read_rules_refuses_bad_pairs_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"locked": [["a@x.org"]], "mentees_per_participant": 0, "x": 1}))
    with pytest.raises(Invalid) as caught:
        read_rules(path)
    assert {p.field for p in caught.value.problems} == {"locked", "mentees_per_participant", "x"}
    path.write_text(json.dumps({"locked": [{"mentor": "M@x.org", "mentee": "p@x.org"}]}))
    assert read_rules(path).locked == (("m@x.org", "p@x.org"),)


def test_read_rows_refuses_an_unknown_file_type(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match=r"\.csv, \.xlsx or \.json"):
        read_pool(_csv(tmp_path, "x", "pool.txt"), KNOWN, ORGS)
