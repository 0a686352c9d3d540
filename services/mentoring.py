"""Match mentors to a cohort's participants (``spec/matching.md``), and accept a match.

One door for the API, the pages and the CLI: read the cohort, the pool and the
snapshot from the store, let ``graph.matching`` decide, and name people as the caller
may see them. Accepting recomputes the match and writes its mentoring ties through
the ordinary ingest pipeline: one run, which ``rollback`` undoes.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import Forbidden, Invalid, Problem
from graph.matching import Match, Party, Rules, match_mentors, reach_in
from graph.model import (
    DEFAULT_METRIC_KINDS,
    Cohort,
    KeyRole,
    Membership,
    Organisation,
    Person,
    Role,
    TieKind,
    person_id_for,
)
from graph.settings import get_settings
from graph.snapshot import organisation_on
from graph.store import GraphStore, Page
from ingest.decision_files import (
    PoolEntry,
    Row,
    RulesFile,
    emails_in,
    read_pool,
    read_rows,
    read_rules,
    rows_of_items,
    rules_of,
)
from services.consent import Viewer
from services.schemas_decisions import AcceptedOut, MatchOut, MatchPairOut, UnmatchedOut

__all__ = ["PoolSource", "RulesSource", "accept_match", "match_for"]

PoolSource = Path | Sequence[Mapping[str, Any]]
"""A pool file, or its rows as JSON objects (a request's body)."""
RulesSource = Path | Mapping[str, Any] | None

MATCH_KINDS: tuple[TieKind, ...] = (*DEFAULT_METRIC_KINDS, TieKind.COHORT_PEER)
"""The spec's network: the default tie kinds plus ``cohort_peer``."""

_ALL = Page(limit=1_000_000)


def ensure_team(viewer: Viewer) -> None:
    """Decisions about a cohort are the programme team's (programme or admin keys)."""
    if viewer.role not in (KeyRole.PROGRAMME, KeyRole.ADMIN):
        raise Forbidden("only the programme team (programme or admin keys) may do this")


@dataclass(frozen=True)
class _Problem:
    """Everything the match needs, read from the store and the files."""

    cohort: Cohort
    mentees: list[Party]
    mentors: list[Party]
    existing: set[tuple[str, str]]
    rules: Rules
    people: dict[str, Person]
    pool: dict[str, PoolEntry]
    names: dict[str, str]
    sectors: dict[str, str]
    given_emails: dict[str, str]
    """Person id -> the email the caller gave for them (pool and rules)."""


def _rows(pool: PoolSource) -> list[Row]:
    if isinstance(pool, Path):
        return read_rows(pool, "mentors")
    return rows_of_items("pool", list(pool))


def _rules(source: RulesSource) -> RulesFile:
    if source is None:
        return RulesFile()
    if isinstance(source, Path):
        return read_rules(source)
    return rules_of("rules", dict(source))


def _prepare(store: GraphStore, cohort_id: str, pool: PoolSource, rules: RulesSource) -> _Problem:
    salt = get_settings().id_salt.get_secret_value()
    cohort = store.get(Cohort, cohort_id)
    rows = _rows(pool)
    given_rules = _rules(rules)
    organisations = store.find(Organisation, None, _ALL).data
    pool_ids = {email: person_id_for(email, salt) for email in emails_in(rows)}
    stored = store.get_many(Person, set(pool_ids.values()))
    known = {email: pid for email, pid in pool_ids.items() if pid in stored}
    entries = read_pool(rows, known, organisations)
    members = store.find(Membership, {"cohort_id": cohort.id}, _ALL).data
    in_cohort = {m.person_id for m in members}
    mentee_ids = sorted({m.person_id for m in members if m.role is Role.PARTICIPANT})
    people = {**stored, **store.get_many(Person, mentee_ids)}
    employments, _ = store.profile_links(list(people))
    spells: dict[str, list[tuple[str, Any]]] = {}
    for e in employments:
        spells.setdefault(e.person_id, []).append((e.organisation_id, e.start))
    names = {o.id: o.name for o in organisations}
    sectors = {o.id: o.sector.value for o in organisations}
    for entry in entries:
        if entry.organisation is not None:
            names.setdefault(entry.organisation.id, entry.organisation.name)
            sectors.setdefault(entry.organisation.id, entry.organisation.sector.value)
    snapshot = store.snapshot(cohort.start_date, MATCH_KINDS)

    def party(person: Person, **extra: Any) -> Party:
        org = organisation_on(spells.get(person.id, []), cohort.start_date)
        return Party(
            person.id,
            org,
            sectors.get(org or ""),
            person.interests,
            reach_in(snapshot, person.id, org),
            **extra,
        )

    mentees = [party(people[i]) for i in mentee_ids if i in people]
    mentors: list[Party] = []
    for entry in entries:
        pid = pool_ids[entry.email]
        if pid in stored:
            mentors.append(party(stored[pid], capacity=entry.capacity, in_cohort=pid in in_cohort))
        else:
            org = entry.organisation
            assert org is not None  # read_pool requires it of a mentor outside the graph
            mentors.append(
                Party(pid, org.id, org.sector.value, entry.interests, frozenset({org.id}),
                      capacity=entry.capacity)
            )  # fmt: skip

    def pair_ids(pairs: Sequence[tuple[str, str]]) -> frozenset[tuple[str, str]]:
        return frozenset((person_id_for(m, salt), person_id_for(p, salt)) for m, p in pairs)

    ties = store.ties_among([*mentee_ids, *(m.id for m in mentors)], [TieKind.MENTORING])
    return _Problem(
        cohort=cohort,
        mentees=mentees,
        mentors=mentors,
        existing={(t.source_id, t.target_id) for t in ties},
        rules=Rules(
            pair_ids(given_rules.locked),
            pair_ids(given_rules.forbidden),
            given_rules.mentees_per_participant,
        ),
        people=people,
        pool={pool_ids[e.email]: e for e in entries},
        names=names,
        sectors=sectors,
        given_emails={
            person_id_for(e, salt): e
            for e in {*pool_ids, *(e for pair in given_rules.locked for e in pair)}
        },
    )


def _solve(problem: _Problem) -> Match:
    """The match; a rule it refuses is named by the emails the caller gave, not by ids."""
    try:
        return match_mentors(
            problem.mentees, problem.mentors, existing=problem.existing, rules=problem.rules
        )
    except Invalid as exc:
        named = []
        for p in exc.problems:
            value = str(p.value)
            for pid, email in problem.given_emails.items():
                value = value.replace(pid, email)
            named.append(Problem(p.record, p.field, value, p.reason))
        raise Invalid(named) from None


def _words(sector: str | None) -> str:
    return (sector or "unknown").replace("_", " ")


def _out(viewer: Viewer, problem: _Problem, found: Match) -> MatchOut:
    def who(person_id: str) -> str:
        entry = problem.pool.get(person_id)
        if entry is not None:  # the caller named them in the pool
            return entry.email
        person = problem.people[person_id]
        return person.email if viewer.sees_contact_details(person) else person.id

    sector_of = {m.id: m.sector for m in problem.mentors}
    pairs = []
    for pair in found.pairs:
        opens = [f"the {_words(sector_of[pair.mentor])} sector"] if pair.new_sector else []
        opens += [problem.names.get(o, o) for o in pair.new_orgs]
        pairs.append(
            MatchPairOut(
                mentor=who(pair.mentor),
                mentee=who(pair.mentee),
                score=pair.score,
                new_sector=pair.new_sector,
                new_orgs=len(pair.new_orgs),
                shared_interests=len(pair.shared_interests),
                opens=opens,
            )
        )
    return MatchOut(
        pairs=pairs,
        unmatched=[UnmatchedOut(mentee=who(u.mentee), reason=u.reason) for u in found.unmatched],
        total_score=found.total_score,
    )


def match_for(
    store: GraphStore,
    viewer: Viewer,
    cohort_id: str,
    pool: PoolSource,
    rules: RulesSource = None,
) -> MatchOut:
    """The match of ``spec/matching.md`` for a cohort's participants and a mentor pool."""
    ensure_team(viewer)
    problem = _prepare(store, cohort_id, pool, rules)
    return _out(viewer, problem, _solve(problem))


def _bundle(problem: _Problem, found: Match) -> dict[str, list[dict[str, object]]]:
    """The match as a cohort bundle: the cohort (restated as it is), the new mentors and
    their new organisations, and one ``mentoring`` row a pair, from the cohort's start."""
    cohort = problem.cohort
    tables: dict[str, list[dict[str, object]]] = {
        "cohort": [
            {
                "cohort_id": cohort.id,
                "name": cohort.name,
                "start_date": cohort.start_date.isoformat(),
                **({"end_date": cohort.end_date.isoformat()} if cohort.end_date else {}),
            }
        ],
        "organisations": [],
        "people": [],
        "mentoring": [],
    }
    used = {p.mentor for p in found.pairs}
    new_orgs: dict[str, dict[str, object]] = {}
    for pid in sorted(used):
        entry = problem.pool[pid]
        if entry.name is None or entry.organisation is None:
            continue  # already in the graph
        org = entry.organisation
        if not org.known:
            new_orgs[org.id] = {"name": org.name, "sector": org.sector.value}
        tables["people"].append(
            {
                "email": entry.email,
                "name": entry.name,
                "organisation": org.name,
                "interests": "; ".join(entry.interests),
            }
        )
    tables["organisations"] = [new_orgs[k] for k in sorted(new_orgs)]
    for pair in found.pairs:
        tables["mentoring"].append(
            {
                "mentor_email": problem.pool[pair.mentor].email,
                "mentee_email": problem.people[pair.mentee].email,
                "start_date": cohort.start_date.isoformat(),
            }
        )
    return tables


def accept_match(
    store: GraphStore,
    viewer: Viewer,
    cohort_id: str,
    pool: PoolSource,
    rules: RulesSource = None,
) -> AcceptedOut:
    """Work the match out again and write its mentoring ties (and the pool's new mentors)
    as one ingest run; ``Invalid`` with the pipeline's errors if it refuses."""
    from ingest.pipeline import load_bundle

    ensure_team(viewer)
    problem = _prepare(store, cohort_id, pool, rules)
    found = _solve(problem)
    if not found.pairs:
        raise Invalid([Problem("match", "pairs", 0, "no pair to accept: nothing was written")])
    with tempfile.TemporaryDirectory(prefix="alumni-graph-match-") as folder:
        path = Path(folder) / f"mentoring-{problem.cohort.id}.json"
        path.write_text(json.dumps(_bundle(problem, found), indent=1), encoding="utf-8")
        report = load_bundle(path, store)
    if not report.ok or report.run_id is None:
        raise Invalid(
            [Problem(str(e.location.describe()), e.column or "", e.value, e.reason)
             for e in report.errors]
        )  # fmt: skip
    return AcceptedOut(
        run_id=report.run_id, ties=len(found.pairs), match=_out(viewer, problem, found)
    )
