"""The demo's catalogue (demo/catalogue.json): read and checked before anything is built.

Expected values come from the JSON file itself, read with ``json``, not through the models.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import demo
from ingest.demo import demo_tables
from ingest.demo_catalogue import CATALOGUE_FILE, Catalogue, load_catalogue


@pytest.fixture(scope="module")
def raw() -> dict[str, object]:
    data = json.loads(demo.path(CATALOGUE_FILE).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_demo_catalogue_is_found_through_the_demo_package() -> None:
    assert demo.path(CATALOGUE_FILE).is_file()
    assert isinstance(load_catalogue(), Catalogue)


def test_demo_bundles_carry_the_catalogue_organisations_cohorts_and_bundle_order(
    raw: dict[str, object],
) -> None:
    bundles = demo_tables()
    orgs = raw["organisations"]
    assert isinstance(orgs, list)
    expected_names = [o["name"] for o in orgs]
    plans = raw["bundles"]
    assert isinstance(plans, list)
    assert [stem for stem, _ in bundles] == [b["stem"] for b in plans]
    for (_, tables), plan in zip(bundles, plans, strict=True):
        assert tables["cohort"][0]["cohort_id"] == plan["cohort"]
        if plan["kind"] == "main":
            assert [o["name"] for o in tables["organisations"]] == expected_names


def test_load_catalogue_with_an_unknown_sponsor_names_the_cohort_and_key(
    raw: dict[str, object], tmp_path: Path
) -> None:
    data = json.loads(json.dumps(raw))
    data["cohorts"][1]["projects"][0]["sponsor"] = "no-such-sponsor"
    with pytest.raises(ValidationError, match=r"cohort 'lge-2020': 'no-such-sponsor'"):
        load_catalogue(_write(tmp_path, data))


def test_load_catalogue_with_an_unknown_organisation_in_a_quota_names_it(
    raw: dict[str, object], tmp_path: Path
) -> None:
    data = json.loads(json.dumps(raw))
    data["quotas"][0]["organisation"] = "Essex Council"
    with pytest.raises(ValidationError, match=r"quota 'Essex Council'"):
        load_catalogue(_write(tmp_path, data))


def test_load_catalogue_with_a_mentor_slot_naming_two_sources_is_refused(
    raw: dict[str, object], tmp_path: Path
) -> None:
    data = json.loads(json.dumps(raw))
    data["cohorts"][0]["mentors"][0]["alumni_of"] = "lge-2019"
    with pytest.raises(ValidationError, match="names one of person, alumni_of, moved_from"):
        load_catalogue(_write(tmp_path, data))
