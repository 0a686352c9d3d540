"""How long the two decisions take (issue 19: each answer under 2 s): a mentor match of
50 participants to 40 mentors, and a selection of 50 places among 200 applicants.

::

    python -m benchmarks.decisions [--repeats 5] [--neo4j-uri URI]

A programme of four cohorts of 50 (30 organisations, 12 areas) is loaded through the
ordinary pipeline; the newest cohort's participants are matched to a pool of 30
earlier alumni and 10 mentors from outside the graph, and 200 applicants (a few
ineligible) compete for 50 places under sector quotas. Each answer is timed end to
end through its service (store reads, the snapshot, the solver), median of the repeats,
on SQLite and, given a Neo4j URI, on Neo4j (its data is wiped first).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Json, loadavg
from benchmarks.stores import fresh_store

SECTORS = ("local_government", "health", "police", "fire", "education", "voluntary_community")
AREAS = tuple(f"Area {i}" for i in range(12))
COHORT_SIZE = 50


def _programme(rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Four cohort bundles (with survey ties) and the organisations they name."""
    orgs = [{"name": f"Org {i:02}", "sector": SECTORS[i % len(SECTORS)]} for i in range(30)]
    bundles = []
    for c in range(4):
        year = 2019 + c
        people = [
            {
                "email": f"p{c}-{i}@org.example",
                "name": f"Person {c}-{i}",
                "organisation": rng.choice(orgs)["name"],
                "area": rng.choice(AREAS),
                "interests": "; ".join(
                    rng.sample(("data", "housing", "health", "youth", "climate"), 2)
                ),
            }
            for i in range(COHORT_SIZE)
        ]
        survey = [
            {
                "respondent_email": p["email"],
                "contact_email": rng.choice(people)["email"],
                "relationship": "advice",
                "wave": "baseline",
                "response_date": f"{year}-05-20",
            }
            for p in people
        ]
        bundles.append(
            {
                "cohort": [{"cohort_id": f"c-{year}", "name": f"Cohort {year}",
                            "start_date": f"{year}-05-01"}],
                "organisations": orgs,
                "people": people,
                "members": [{"email": p["email"], "role": "participant"} for p in people],
                "survey": [s for s in survey if s["respondent_email"] != s["contact_email"]],
            }
        )  # fmt: skip
    return bundles, orgs


def _pool(rng: random.Random) -> list[dict[str, Any]]:
    alumni = [
        {"email": f"p{rng.randrange(3)}-{i}@org.example", "capacity": rng.choice([1, 2])}
        for i in rng.sample(range(COHORT_SIZE), 30)
    ]
    unique = list({a["email"]: a for a in alumni}.values())
    outside = [
        {"email": f"m{i}@outside.example", "capacity": 2, "name": f"Mentor {i}",
         "organisation": f"Company {i}", "sector": "business", "interests": "data; climate"}
        for i in range(40 - len(unique))
    ]  # fmt: skip
    return unique + outside


def _applicants(rng: random.Random, orgs: list[dict[str, str]]) -> list[dict[str, Any]]:
    found = []
    for i in range(200):
        org = rng.choice(orgs)["name"]
        found.append(
            {
                "email": f"a{i}@org.example" if i >= 3 else f"p0-{i}@org.example",
                "name": f"Applicant {i}",
                "organisation": org,
                "area": rng.choice((*AREAS, "")),
                "sponsor_email": "" if i % 40 == 7 else "chief@org.example",
                "score": rng.randint(0, 10),
            }
        )
    return found


def _median(repeats: int, work: Any) -> tuple[float, Any]:
    times, answer = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        answer = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def run_decisions(repeats: int = 5, neo4j_uri: str | None = None, seed: int = 2024) -> Json:
    """Median seconds of each answer, per store."""
    from graph.model import KeyRole
    from ingest.pipeline import load_bundle
    from services.consent import Viewer
    from services.mentoring import match_for
    from services.selection import plan_for

    rng = random.Random(seed)
    bundles, orgs = _programme(rng)
    pool, applicants = _pool(rng), _applicants(rng, orgs)
    team = Viewer(KeyRole.PROGRAMME, "bench")
    results: Json = {"repeats": repeats, "loadavg_before": loadavg(), "stores": {}}
    with tempfile.TemporaryDirectory() as folder:
        urls = {"sqlite": f"sqlite:///{Path(folder) / 'graph.db'}"}
        if neo4j_uri:
            urls["neo4j"] = neo4j_uri
        for name, url in urls.items():
            store = fresh_store(url)
            try:
                for i, tables in enumerate(bundles):
                    path = Path(folder) / f"bundle-{name}-{i}.json"
                    path.write_text(json.dumps(tables))
                    assert load_bundle(path, store).ok
                match_s, matched = _median(
                    repeats, lambda s=store: match_for(s, team, "c-2022", pool)
                )
                plan_s, planned = _median(
                    repeats,
                    lambda s=store: plan_for(
                        s, team, applicants, places=50,
                        sector_min={"health": 8, "police": 5}, sector_max={"local_government": 15},
                        organisation_max=4,
                    ),
                )  # fmt: skip
            finally:
                store.close()
            results["stores"][name] = {
                "match_50_mentees_40_mentors_s": round(match_s, 3),
                "match_pairs": len(matched.pairs),
                "select_200_applicants_50_places_s": round(plan_s, 3),
                "selected": len(planned.selected),
            }
    results["loadavg_after"] = loadavg()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--neo4j-uri", default=None)
    args = parser.parse_args()
    result = run_decisions(args.repeats, args.neo4j_uri)
    for store, figures in result["stores"].items():
        print(
            f"{store}: match 50 x 40 {figures['match_50_mentees_40_mentors_s']} s"
            f" ({figures['match_pairs']} pairs); select 50 of 200"
            f" {figures['select_200_applicants_50_places_s']} s ({figures['selected']} selected)"
        )
    print(f"load average before/after: {result['loadavg_before']} / {result['loadavg_after']}")


if __name__ == "__main__":
    main()
