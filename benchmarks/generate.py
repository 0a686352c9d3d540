"""A deterministic scale generator: a national programme's history as cohort bundles.

``generate(people, seed)`` invents a leadership programme big enough to load
``people`` alumni: one cohort of 50 people (47 participants, 2 Chief Officer
sponsors, 1 facilitator) every few weeks between 2006 and 2023, each handed in
as one bundle (the pipeline takes one cohort per bundle, and one bundle per
finished cohort is what a programme team migrating its records would load).
Bundles are loaded oldest first: a survey may name anyone from an earlier
cohort, because they are already in the graph.

The structure is what the analytics and the API see in real programmes:

- organisation sizes are heavy-tailed (Zipf weights: at 10,000 people the
  largest body sends about one participant in six, the median body 7), each
  body in one sector;
- projects of 4 to 8 participants on wicked issues, sponsored by the cohort's
  Chief Officers, some handed over to the next cohort;
- mentoring by alumni of earlier cohorts, preferably from the same sector;
- baseline, end and follow-up survey waves (answered by 40 %, 35 % and 25 %
  of the members), each answer naming 5 to 15 people, chosen with homophily:
  colleagues of the same organisation and sector dominate at baseline,
  cohort and project peers at the end, so cross-organisation ties grow
  (at 10,000 people, 61 % of named contacts are in another organisation at
  baseline, 83 % at the end);
- a few alumni move job and are restated by a later bundle.

On average a person gives 10 survey rows, so 10,000 people give about
100,000 survey rows. Output depends on ``(people, seed)`` alone: names, dates,
choices all come from one ``random.Random(seed)``, never from the clock.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graph.model import Sector
from ingest.write import write_bundle

__all__ = ["COHORT_SIZE", "Programme", "generate", "generate_bundles", "write_programme"]

Row = dict[str, object]
Tables = dict[str, list[Row]]

COHORT_SIZE = 50
PARTICIPANTS = 47
FIRST_START = date(2006, 1, 9)
LAST_START = date(2023, 6, 5)
"""Cohorts start between these dates, so the last follow-up survey is in 2025."""
AS_OF = date(2025, 12, 31)
"""A date after every tie of every generated programme: its snapshot holds everything."""

WAVES: tuple[tuple[str, float, int], ...] = (
    ("baseline", 0.40, 10),
    ("end", 0.35, 360),
    ("follow_up", 0.25, 730),
)
"""Wave, share of the members answering it, days after the cohort start."""

# Where a named contact comes from, per wave (the homophily of the survey).
CONTACT_SOURCES: dict[str, tuple[tuple[str, float], ...]] = {
    "baseline": (("organisation", 0.40), ("sector", 0.15), ("cohort", 0.25), ("anyone", 0.20)),
    "end": (
        ("project", 0.30),
        ("cohort", 0.40),
        ("organisation", 0.12),
        ("sector", 0.08),
        ("anyone", 0.10),
    ),
    "follow_up": (
        ("project", 0.20),
        ("cohort", 0.30),
        ("organisation", 0.15),
        ("sector", 0.15),
        ("anyone", 0.20),
    ),
}
RELATIONSHIPS: dict[str, tuple[tuple[str, float], ...]] = {
    "baseline": (
        ("knew_before", 0.45),
        ("advice", 0.25),
        ("collaboration", 0.15),
        ("want_to_meet", 0.15),
    ),
    "end": (
        ("advice", 0.40),
        ("collaboration", 0.40),
        ("knew_before", 0.05),
        ("want_to_meet", 0.15),
    ),
    "follow_up": (("advice", 0.40), ("collaboration", 0.45), ("want_to_meet", 0.15)),
}

SECTOR_SHARES: tuple[tuple[Sector, float], ...] = (
    (Sector.LOCAL_GOVERNMENT, 0.34),
    (Sector.HEALTH, 0.26),
    (Sector.POLICE, 0.07),
    (Sector.FIRE, 0.05),
    (Sector.EDUCATION, 0.07),
    (Sector.VOLUNTARY_COMMUNITY, 0.12),
    (Sector.BUSINESS, 0.03),
    (Sector.CENTRAL_GOVERNMENT, 0.05),
    (Sector.OTHER, 0.01),
)
ORG_TYPES: dict[Sector, tuple[tuple[str, str], ...]] = {
    Sector.LOCAL_GOVERNMENT: (
        ("County Council", "CC"),
        ("City Council", "CityC"),
        ("Borough Council", "BC"),
        ("District Council", "DC"),
        ("Metropolitan Borough Council", "MBC"),
    ),
    Sector.HEALTH: (
        ("NHS Foundation Trust", "FT"),
        ("Integrated Care Board", "ICB"),
        ("Community Health Services", "CHS"),
        ("Hospice", "Hospice"),
    ),
    Sector.POLICE: (("Police", "Police"), ("Office of the Police and Crime Commissioner", "OPCC")),
    Sector.FIRE: (("Fire and Rescue Service", "FRS"),),
    Sector.EDUCATION: (("University", "Uni"), ("College", "College")),
    Sector.VOLUNTARY_COMMUNITY: (
        ("Council for Voluntary Service", "CVS"),
        ("Community Foundation", "CF"),
        ("Citizens Advice", "CA"),
        ("Age Concern", "AgeC"),
        ("Carers Trust", "Carers"),
    ),
    Sector.BUSINESS: (("Chamber of Commerce", "Chamber"), ("Enterprise Partnership", "LEP")),
    Sector.CENTRAL_GOVERNMENT: (("Jobcentre Plus District", "JCP"), ("Probation Region", "PDU")),
    Sector.OTHER: (("Housing Association", "HA"),),
}
PLACES: tuple[str, ...] = (
    "Ashford", "Barnsley", "Bedford", "Blackburn", "Bolton", "Bradford", "Brighton",
    "Bristol", "Burnley", "Bury", "Calderdale", "Cambridge", "Carlisle", "Cheltenham",
    "Chester", "Colchester", "Coventry", "Crawley", "Darlington", "Derby", "Doncaster",
    "Dorset", "Dudley", "Durham", "Exeter", "Gateshead", "Gloucester", "Halton", "Harlow",
    "Hartlepool", "Hastings", "Hereford", "Hull", "Ipswich", "Kent", "Kirklees", "Lancaster",
    "Leeds", "Leicester", "Lincoln", "Luton", "Maidstone", "Medway", "Middlesbrough",
    "Norfolk", "Northampton", "Norwich", "Nottingham", "Oldham", "Oxford", "Peterborough",
    "Plymouth", "Portsmouth", "Preston", "Reading", "Rochdale", "Rotherham", "Salford",
    "Sheffield", "Shropshire", "Slough", "Somerset", "Southampton", "Stockport", "Stoke",
    "Suffolk", "Sunderland", "Swindon", "Telford", "Thurrock", "Torbay", "Wakefield",
    "Walsall", "Warrington", "Wigan", "Wirral", "Wolverhampton", "Worcester", "York",
)  # fmt: skip
FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Alex", "Amara", "Amir", "Ben", "Bethan", "Callum", "Chen", "Chloe", "Daniel",
    "Deepa", "Eilidh", "Ellis", "Emeka", "Fatima", "Finn", "Grace", "Hamza", "Hannah", "Imran",
    "Isla", "Jack", "Jade", "Jamal", "Kai", "Kate", "Leah", "Liam", "Maya", "Mohammed", "Nadia",
    "Niamh", "Noah", "Olu", "Owen", "Priya", "Rachel", "Ravi", "Rhys", "Rosa", "Sam", "Sana",
    "Sean", "Siobhan", "Sophie", "Tariq", "Tom", "Uma", "Wei", "Yusuf", "Zara", "Zoe",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Adams", "Ahmed", "Ali", "Begum", "Bennett", "Brown", "Campbell", "Chan", "Clarke",
    "Davies", "Evans", "Fraser", "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson",
    "James", "Jones", "Kaur", "Khan", "King", "Lewis", "Martin", "Mensah", "Morgan", "Murphy",
    "Nowak", "Okafor", "Owen", "Patel", "Phillips", "Price", "Roberts", "Robinson", "Scott",
    "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Walker", "Ward", "Watson",
    "White", "Williams", "Wilson", "Wood", "Wright", "Young",
)  # fmt: skip
JOB_TITLES: tuple[str, ...] = (
    "Director of Public Health", "Head of Housing", "Assistant Director, Adult Social Care",
    "Chief Inspector", "Station Commander", "Head of Community Safety", "Service Manager",
    "Programme Director", "Head of Partnerships", "Deputy Director of Nursing",
    "Head of Strategy", "Associate Professor", "Chief Executive", "Operations Manager",
    "Head of Early Help", "Consultant in Public Health", "Policy Lead", "Head of Transformation",
)  # fmt: skip
TOPICS: tuple[str, ...] = (
    "loneliness", "homelessness", "domestic abuse", "net zero", "school readiness",
    "youth violence", "digital inclusion", "care workforce", "frailty", "mental health",
    "cost of living", "rural transport", "food poverty", "skills", "housing", "data sharing",
    "community safety", "early help", "dementia", "carers", "air quality", "flooding",
    "county lines", "suicide prevention", "obesity", "social prescribing", "apprenticeships",
    "refugees", "veterans", "substance misuse",
)  # fmt: skip
SKILLS: tuple[str, ...] = (
    "commissioning", "coaching", "facilitation", "data analysis", "evaluation",
    "finance", "procurement", "co-production", "service design", "project management",
    "communications", "negotiation", "policy writing", "change management", "safeguarding",
)  # fmt: skip
ISSUES: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (
        topic.replace(" ", "-"),
        f"{topic.capitalize()} across the system",
        (
            ("identity", "communities"),
            ("old_age",),
            ("equal_start",),
            ("sustainable",),
            ("connect",),
            ("prosperity",),
            ("communities",),
        )[i % 7],
    )  # fmt: skip
    for i, topic in enumerate(TOPICS)
)


@dataclass
class _Org:
    name: str
    sector: Sector
    org_type: str
    alias: str
    area: str
    domain: str

    def row(self) -> Row:
        return {
            "name": self.name,
            "sector": self.sector.value,
            "org_type": self.org_type,
            "aliases": [self.alias],
            "area": self.area,
        }


@dataclass
class _Person:
    email: str
    name: str
    org: int
    job_title: str
    employed_from: date
    interests: tuple[str, ...]
    skills: tuple[str, ...]
    area: str
    consent_directory: bool
    consent_contact: bool
    consent_analytics: bool

    def row(self, orgs: Sequence[_Org]) -> Row:
        return {
            "email": self.email,
            "name": self.name,
            "organisation": orgs[self.org].name,
            "job_title": self.job_title,
            "employed_from": self.employed_from,
            "interests": list(self.interests),
            "skills": list(self.skills),
            "area": self.area,
            "consent_directory": self.consent_directory,
            "consent_contact": self.consent_contact,
            "consent_analytics": self.consent_analytics,
        }


@dataclass
class Programme:
    """The generated bundles (oldest first) and what the benchmarks need to know of them."""

    people: int
    seed: int
    bundles: list[tuple[str, Tables]] = field(default_factory=list)

    def rows(self) -> dict[str, int]:
        """Input rows per table over every bundle."""
        counts: dict[str, int] = defaultdict(int)
        for _, tables in self.bundles:
            for name, rows in tables.items():
                counts[name] += len(rows)
        return dict(counts)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    names = [n for n, _ in weighted]
    return rng.choices(names, weights=[w for _, w in weighted])[0]


def _partition(rng: random.Random, count: int, low: int = 4, high: int = 8) -> list[int]:
    """Sizes between ``low`` and ``high`` that add up to ``count`` (``count >= low``)."""
    sizes: list[int] = []
    left = count
    while left > high:
        size = rng.randint(low, min(high, left - low))
        sizes.append(size)
        left -= size
    sizes.append(left)
    return sizes


class _Generator:
    def __init__(self, people: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.cohorts = max(1, -(-people // COHORT_SIZE))
        self.orgs = self._organisations(max(30, people // 25))
        ranks = list(range(len(self.orgs)))
        self.rng.shuffle(ranks)
        self.org_weights = [1.0 / (rank + 1) ** 1.05 for rank in ranks]
        self.people: list[_Person] = []
        self.by_email: dict[str, int] = {}
        self.known_by_org: dict[int, list[int]] = defaultdict(list)
        self.known_by_sector: dict[Sector, list[int]] = defaultdict(list)
        self.cohort_of: list[int] = []

    def _organisations(self, count: int) -> list[_Org]:
        combos = [
            (place, sector, org_type, short)
            for sector, _ in SECTOR_SHARES
            for org_type, short in ORG_TYPES[sector]
            for place in PLACES
        ]
        share = dict(SECTOR_SHARES)
        weights = [share[s] / len(ORG_TYPES[s]) for _, s, _, _ in combos]
        chosen: set[int] = set()
        while len(chosen) < min(count, len(combos)):
            chosen.add(self.rng.choices(range(len(combos)), weights=weights)[0])
        orgs = []
        for index in sorted(chosen):
            place, sector, org_type, short = combos[index]
            domain = f"{place}-{short}".lower().replace(" ", "") + ".example.org"
            orgs.append(
                _Org(f"{place} {org_type}", sector, org_type, f"{place} {short}", place, domain)
            )
        return orgs

    # -- people ----------------------------------------------------------------------
    def _person(self, start: date) -> int:
        rng = self.rng
        org = rng.choices(range(len(self.orgs)), weights=self.org_weights)[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        serial = len(self.people)
        person = _Person(
            email=f"{first}.{last}.{serial}@{self.orgs[org].domain}".lower(),
            name=f"{first} {last}",
            org=org,
            job_title=rng.choice(JOB_TITLES),
            employed_from=start - timedelta(days=rng.randint(60, 5000)),
            interests=tuple(rng.sample(TOPICS, rng.randint(1, 4))),
            skills=tuple(rng.sample(SKILLS, rng.randint(1, 3))),
            area=self.orgs[org].area if rng.random() < 0.8 else rng.choice(PLACES),
            consent_directory=rng.random() < 0.85,
            consent_contact=rng.random() < 0.6,
            consent_analytics=rng.random() < 0.97,
        )
        self.people.append(person)
        self.by_email[person.email] = serial
        return serial

    def _know(self, index: int) -> None:
        person = self.people[index]
        self.known_by_org[person.org].append(index)
        self.known_by_sector[self.orgs[person.org].sector].append(index)

    # -- one cohort --------------------------------------------------------------------
    def cohort(self, c: int) -> tuple[str, Tables]:
        rng = self.rng
        span = (LAST_START - FIRST_START).days
        start = FIRST_START + timedelta(days=round(c * span / max(1, self.cohorts - 1)))
        end = start + timedelta(days=364)
        cohort_id = f"cohort-{c + 1:04d}"
        earlier = len(self.people)
        members = [self._person(start) for _ in range(COHORT_SIZE)]
        self.cohort_of += [c] * COHORT_SIZE
        participants, sponsors, facilitator = members[:PARTICIPANTS], members[47:49], members[49]
        restated: list[int] = list(members)
        # A few alumni have moved job since: the bundle restates them at their new employer.
        if earlier and rng.random() < 0.5:
            mover = rng.randrange(earlier)
            person = self.people[mover]
            new_org = rng.choices(range(len(self.orgs)), weights=self.org_weights)[0]
            if new_org != person.org:
                person.org = new_org
                person.employed_from = start - timedelta(days=30)
                restated.append(mover)
                self._know(mover)
        for index in members:
            self._know(index)

        tables: Tables = {
            "cohort": [
                {
                    "cohort_id": cohort_id,
                    "name": f"National Systems Leadership cohort {c + 1}",
                    "start_date": start,
                    "end_date": end,
                }
            ],
            "organisations": [
                self.orgs[o].row() for o in sorted({self.people[i].org for i in restated})
            ],
            "people": [self.people[i].row(self.orgs) for i in restated],
            "members": [
                {"email": self.people[i].email, "role": role}
                for i, role in [
                    *((p, "participant") for p in participants),
                    *((s, "sponsor") for s in sponsors),
                    (facilitator, "facilitator"),
                ]
            ],
        }
        # Projects: participants dealt into tables of 4 to 8, one wicked issue each.
        order = list(participants)
        rng.shuffle(order)
        projects: list[Row] = []
        project_members: list[Row] = []
        handovers: list[Row] = []
        mates: dict[int, list[int]] = {}
        issue_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(ISSUES))]
        issues: set[int] = set()
        taken = 0
        for k, size in enumerate(_partition(rng, len(order))):
            team = order[taken : taken + size]
            taken += size
            issue = rng.choices(range(len(ISSUES)), weights=issue_weights)[0]
            issues.add(issue)
            sponsor = sponsors[k % 2]
            project_id = f"{cohort_id}-p{k + 1:02d}"
            begun = start + timedelta(days=rng.randint(30, 60))
            due = begun + timedelta(days=rng.randint(365, 540))
            handed = c + 1 < self.cohorts and rng.random() < 0.1
            projects.append(
                {
                    "project_id": project_id,
                    "title": f"{ISSUES[issue][1]}: project {k + 1} of cohort {c + 1}",
                    "issue_id": ISSUES[issue][0],
                    "sponsor_email": self.people[sponsor].email,
                    "start_date": begun,
                    "due_date": due,
                    "status": "handed_over" if handed else rng.choice(["completed", "closed"]),
                    "outcomes": "What it delivered, measured against its aims.",
                }
            )
            for position, member in enumerate(team):
                project_members.append(
                    {
                        "project_id": project_id,
                        "email": self.people[member].email,
                        "role": "lead" if position == 0 else "member",
                    }
                )
                mates[member] = [m for m in team if m != member] + [sponsor]
            mates.setdefault(sponsor, []).extend(team)
            if handed:
                handovers.append(
                    {
                        "issue_id": ISSUES[issue][0],
                        "from_project_id": project_id,
                        "to_cohort_id": f"cohort-{c + 2:04d}",
                        "date": due,
                        "notes": "What was learned, what remains, who to talk to.",
                    }
                )
        tables["wicked_issues"] = [
            {"issue_id": ISSUES[i][0], "title": ISSUES[i][1], "ambitions": list(ISSUES[i][2])}
            for i in sorted(issues)
        ]
        tables["projects"] = projects
        tables["project_members"] = project_members
        tables["handovers"] = handovers
        tables["mentoring"] = self._mentoring(participants, sponsors, earlier, start)
        tables["survey"] = self._survey(cohort_id, members, mates, start)
        return cohort_id, tables

    def _mentoring(
        self, participants: Sequence[int], sponsors: Sequence[int], earlier: int, start: date
    ) -> list[Row]:
        rng = self.rng
        rows: list[Row] = []
        for mentee in participants:
            if rng.random() >= 0.4:
                continue
            sector = self.orgs[self.people[mentee].org].sector
            same = [i for i in self.known_by_sector[sector] if i < earlier]
            if earlier == 0:
                mentor = rng.choice(sponsors)
            elif same and rng.random() < 0.6:
                mentor = rng.choice(same)
            else:
                mentor = rng.randrange(earlier)
            begun = start + timedelta(days=rng.randint(20, 45))
            rows.append(
                {
                    "mentor_email": self.people[mentor].email,
                    "mentee_email": self.people[mentee].email,
                    "start_date": begun,
                    "end_date": begun + timedelta(days=300),
                }
            )
        return rows

    def _survey(
        self, cohort_id: str, members: Sequence[int], mates: dict[int, list[int]], start: date
    ) -> list[Row]:
        rng = self.rng
        known = len(self.people)
        rows: list[Row] = []
        for wave, share, offset in WAVES:
            answered = start + timedelta(days=offset)
            for respondent in members:
                if rng.random() >= share:
                    continue
                me = self.people[respondent]
                pools = {
                    "project": mates.get(respondent, []),
                    "cohort": members,
                    "organisation": self.known_by_org[me.org],
                    "sector": self.known_by_sector[self.orgs[me.org].sector],
                }
                named: set[int] = set()
                wanted = rng.randint(5, 15)
                for _ in range(wanted * 4):
                    if len(named) == wanted:
                        break
                    source = _pick(rng, CONTACT_SOURCES[wave])
                    pool = pools.get(source)
                    contact = rng.choice(pool) if pool else rng.randrange(known)
                    if contact == respondent or contact in named:
                        continue
                    named.add(contact)
                    rows.append(
                        {
                            "respondent_email": me.email,
                            "contact_email": self.people[contact].email,
                            "relationship": _pick(rng, RELATIONSHIPS[wave]),
                            "wave": wave,
                            "response_date": answered,
                            "frequency": rng.choice(["weekly", "monthly", "quarterly", "rarely"]),
                        }
                    )
        return rows


def generate(people: int, seed: int = 2024) -> Programme:
    """The bundles of a programme with at least ``people`` alumni (a multiple of 50)."""
    generator = _Generator(people, seed)
    programme = Programme(people=generator.cohorts * COHORT_SIZE, seed=seed)
    programme.bundles = [generator.cohort(c) for c in range(generator.cohorts)]
    return programme


def write_programme(programme: Programme, folder: Path) -> list[Path]:
    """One JSON bundle per cohort (the fastest container to read), plus a manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        write_bundle(tables, folder / f"{cohort_id}.json")
        for cohort_id, tables in programme.bundles
    ]
    manifest = {
        "people": programme.people,
        "seed": programme.seed,
        "bundles": [p.name for p in paths],
        "rows": programme.rows(),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return paths


def generate_bundles(people: int, seed: int, folder: str) -> dict[str, Any]:
    """Generate and write a programme (a benchmark phase): what was made, and how fast."""
    started = time.perf_counter()
    programme = generate(people, seed)
    generated = time.perf_counter() - started
    paths = write_programme(programme, Path(folder))
    return {
        "people": programme.people,
        "seed": seed,
        "bundles": len(paths),
        "rows": programme.rows(),
        "total_rows": sum(programme.rows().values()),
        "generate_s": round(generated, 2),
        "write_s": round(time.perf_counter() - started - generated, 2),
    }


def extra_cohort(bundle: str, out: str, tag: str = "extra") -> str:
    """A new cohort shaped like ``bundle``: its cohort, projects and people renamed, so that
    loading it after the programme writes one whole cohort of new people (their survey
    answers still name the earlier alumni ``bundle`` names). The file written is ``out``."""
    tables: dict[str, Any] = json.loads(Path(bundle).read_text())
    cohort_id = str(tables["cohort"]["cohort_id"])
    emails = {str(row["email"]) for row in tables["people"]}

    def renamed(value: object) -> object:
        if isinstance(value, str):
            if value in emails:
                return f"{tag}.{value}"
            if value.startswith(cohort_id):
                return f"{cohort_id}-{tag}{value[len(cohort_id) :]}"
        return value

    def walk(value: object) -> object:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return renamed(value)

    moved = walk(tables)
    assert isinstance(moved, dict)
    moved["cohort"]["name"] = f"{tables['cohort']['name']} ({tag})"
    Path(out).write_text(json.dumps(moved))
    return out
