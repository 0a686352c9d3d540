"""services.selection's optimum on small random programmes, on both stores, against brute
force: a_o and a_r counted here from the bundles' own rows, every subset enumerated."""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from graph.model import KeyRole
from graph.store import GraphStore
from ingest.pipeline import load_bundle
from services.consent import Viewer
from services.selection import plan_for

TEAM = Viewer(KeyRole.PROGRAMME, "k-team")
ORGS = [
    {"name": f"Org {i}", "sector": s} for i, s in enumerate(["health", "police", "fire", "health"])
]
AREAS = ["North", "South", ""]


@pytest.mark.parametrize("seed", range(6))
def test_plan_for_equals_brute_force_on_random_programmes(
    store: GraphStore, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    alumni: list[dict[str, str]] = []
    for cohort, year in (("a", 2018), ("b", 2019)):
        people = [
            {"email": f"{cohort}{i}@x.org", "name": f"{cohort}{i}",
             "organisation": rng.choice(ORGS)["name"], "area": rng.choice(AREAS)}
            for i in range(rng.randint(2, 5))
        ]  # fmt: skip
        alumni += people
        tables = {
            "cohort": [{"cohort_id": f"c-{cohort}", "name": cohort, "start_date": f"{year}-01-01"}],
            "organisations": ORGS,
            "people": people,
            "members": [{"email": p["email"], "role": "participant"} for p in people],
        }
        path = tmp_path / f"{cohort}.json"
        path.write_text(json.dumps(tables))
        assert load_bundle(path, store).ok
    a_org = {o["name"]: sum(1 for p in alumni if p["organisation"] == o["name"]) for o in ORGS}
    a_area = {r: sum(1 for p in alumni if p["area"] == r) for r in AREAS if r}
    applicants = [
        {"email": f"x{i}@x.org", "name": f"X{i}", "organisation": rng.choice(ORGS)["name"],
         "area": rng.choice(AREAS), "sponsor_email": "s@x.org" if rng.random() > 0.15 else "",
         "score": rng.randint(0, 10)}
        for i in range(rng.randint(3, 8))
    ]  # fmt: skip
    applicants.append({**alumni[0], "sponsor_email": "s@x.org", "score": 10})  # a member
    places = rng.randint(1, 4)
    sector_min = {"police": 1} if rng.random() < 0.5 else {}
    plan = plan_for(store, TEAM, applicants, places=places, sector_min=sector_min)

    eligible = [a for a in applicants if a["sponsor_email"] and a["email"] != alumni[0]["email"]]
    sector = {o["name"]: o["sector"] for o in ORGS}

    def objective(chosen: tuple[dict[str, object], ...]) -> Fraction:
        total = Fraction(0)
        for group, alumni_count in (("organisation", a_org), ("area", a_area)):
            for key in {str(c[group]) for c in chosen if c[group]}:
                s = sum(1 for c in chosen if c[group] == key)
                total += sum(Fraction(1, alumni_count[key] + k) for k in range(1, s + 1))
        return total + sum(Fraction(int(c["score"]), 10) for c in chosen)  # type: ignore[call-overload]

    feasible = [
        s
        for s in itertools.combinations(eligible, min(places, len(eligible)))
        if sum(1 for c in s if sector[str(c["organisation"])] == "police")
        >= sector_min.get("police", 0)
    ]
    if not feasible:
        assert plan.selected == [] and plan.quotas_unmet
        return
    assert plan.objective == pytest.approx(float(max(objective(s) for s in feasible)), abs=1e-9)
    assert {i.email for i in plan.ineligible} == {
        str(a["email"]) for a in applicants if a not in eligible
    }
