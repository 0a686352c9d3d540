"""services.mentoring's optimum on small random programmes, on both stores, against brute
force: reach worked out here from the bundles' own rows (each cohort a clique of cohort
peers, plus the survey's advice ties), every set of allowed pairs enumerated."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from graph.model import KeyRole
from graph.store import GraphStore
from ingest.pipeline import load_bundle
from services.consent import Viewer
from services.mentoring import match_for

TEAM = Viewer(KeyRole.PROGRAMME, "k-team")
SECTORS = ["health", "police", "fire"]
WORDS = ["data", "housing", "youth"]


def _instance(
    rng: random.Random,
) -> tuple[list[dict[str, object]], list[dict[str, object]], dict[str, dict[str, object]]]:
    orgs = [{"name": f"Org {i}", "sector": rng.choice(SECTORS)} for i in range(5)]
    people: dict[str, dict[str, object]] = {}
    for cohort, size in (("a", 4), ("b", 3)):
        for i in range(size):
            email = f"{cohort}{i}@x.org"
            people[email] = {
                "email": email, "name": email, "organisation": rng.choice(orgs)["name"],
                "interests": "; ".join(rng.sample(WORDS, rng.randint(0, 2))), "cohort": cohort,
            }  # fmt: skip
    cross = [(f"b{rng.randrange(3)}@x.org", f"a{rng.randrange(4)}@x.org") for _ in range(2)]
    bundles = []
    for cohort, year in (("a", 2018), ("b", 2019)):
        mine = [p for p in people.values() if p["cohort"] == cohort]
        tables: dict[str, object] = {
            "cohort": [{"cohort_id": f"c-{cohort}", "name": cohort, "start_date": f"{year}-01-01"}],
            "organisations": orgs,
            "people": [{k: v for k, v in p.items() if k != "cohort"} for p in mine],
            "members": [{"email": p["email"], "role": "participant"} for p in mine],
        }
        if cohort == "b":
            tables["survey"] = [
                {"respondent_email": s, "contact_email": t, "relationship": "advice",
                 "wave": "baseline", "response_date": "2019-01-01"}
                for s, t in set(cross)
            ]  # fmt: skip
        bundles.append(tables)
    pool = [{"email": e, "capacity": rng.randint(1, 2)} for e in rng.sample(sorted(people)[:4], 2)]
    outside = rng.choice(orgs)
    pool.append(
        {"email": "out@y.org", "capacity": rng.randint(1, 2), "name": "Out",
         "organisation": "New Org" if rng.random() < 0.5 else outside["name"],
         "sector": "business", "interests": rng.choice(WORDS)}
    )  # fmt: skip
    edges = {frozenset(p) for c in "ab" for p in itertools.combinations(
        [e for e, p in people.items() if p["cohort"] == c], 2)}  # fmt: skip
    edges |= {frozenset(x) for x in cross}
    for email, person in people.items():
        near = {email} | {next(iter(e - {email})) for e in edges if email in e}
        two = near | {next(iter(e - {n})) for n in near for e in edges if n in e}
        person["reach"] = {str(people[x]["organisation"]) for x in two}
    return bundles, pool, people


@pytest.mark.parametrize("seed", range(3))
def test_match_for_equals_brute_force_on_random_programmes(
    store: GraphStore, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    bundles, pool, people = _instance(rng)
    sectors: dict[str, str] = {}
    for i, tables in enumerate(bundles):
        for org in tables["organisations"]:  # type: ignore[attr-defined]
            sectors[org["name"]] = org["sector"]
        path = tmp_path / f"bundle-{i}.json"
        path.write_text(json.dumps(tables))
        assert load_bundle(path, store).ok
    sectors["New Org"] = "business"
    mentees = [e for e, p in people.items() if p["cohort"] == "b"]

    def side(email: str) -> tuple[str, str, set[str], set[str]]:
        if email in people:
            p = people[email]
            org = str(p["organisation"])
            words = {w.strip() for w in str(p["interests"]).split(";") if w.strip()}
            return org, sectors[org], words, set(p["reach"])  # type: ignore[arg-type]
        m = next(x for x in pool if x["email"] == email)
        org = str(m["organisation"])
        return org, "business" if org == "New Org" else sectors[org], {str(m["interests"])}, {org}

    scores = {}
    for m in pool:
        for p in mentees:
            mo, ms, mi, mr = side(str(m["email"]))
            po, ps, pi, pr = side(p)
            if mo != po and m["email"] != p:
                scores[(str(m["email"]), p)] = 3 * (ms != ps) + len(mr - pr) + len(mi & pi)
    best = (0, 0)
    pairs = sorted(scores)
    for size in range(1, len(pairs) + 1):
        for chosen in itertools.combinations(pairs, size):
            if any(sum(1 for x, _ in chosen if x == m["email"]) > m["capacity"] for m in pool):
                continue
            if any(sum(1 for _, y in chosen if y == p) > 1 for p in mentees):
                continue
            best = max(best, (size, sum(scores[c] for c in chosen)))
    found = match_for(store, TEAM, "c-b", pool)
    assert (len(found.pairs), found.total_score) == best
    ids = {store.person_by_email(p).id: p for p in mentees}
    for pair in found.pairs:
        assert pair.score == scores[(pair.mentor, ids.get(pair.mentee, pair.mentee))]
