"""Three invented cohorts of Leading Greater Essex, as the bundles a programme team hands in.

The demo, the docs and the analytics need data shaped like the real programme
(the public bodies of Greater Essex, about 50 senior participants a cohort,
Chief Officer sponsors, alumni mentors, projects on wicked issues tied to the
Essex Vision, three survey waves in which cross-organisation ties grow) without
holding one real person. So it is produced as bundles and loaded the way users
load theirs: nothing here writes to a store.

The content (organisations, name lists, cohorts, issues, projects, handovers, the
survey model) is data, ``demo/catalogue.json``, read by ``ingest.demo_catalogue``;
this module is the generator. Organisations are real; people are invented from
the name lists and every email is at an ``example.org`` domain. Output depends on
the seed alone (``random.Random(seed)``; no global random state, no clock).
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import demo
from graph.model import ProjectRole, Role, Wave
from ingest.demo_catalogue import (
    Catalogue,
    CohortPlan,
    DemoOrg,
    Handover,
    ProjectPlan,
    load_catalogue,
)
from ingest.write import write_bundle

__all__ = [
    "COHORT_IDS",
    "DEMO_SUFFIXES",
    "ORGANISATIONS",
    "UNKNOWN_CONTACT",
    "DemoOrg",
    "DemoPerson",
    "demo_tables",
    "write_demo",
]

Row = dict[str, object]
Tables = dict[str, list[Row]]

DEMO_SUFFIXES: tuple[str, ...] = (".xlsx", "", ".json")
"""Containers used in turn by ``write_demo`` (``""`` is a CSV folder): every reader is exercised."""

_CATALOGUE = load_catalogue()
DEMO_AREAS: tuple[dict[str, object], ...] = tuple(
    json.loads(demo.path("areas.json").read_text(encoding="utf-8"))["areas"]
)
"""Every main bundle's ``areas`` sheet: illustrative values (see ``demo/areas.json``)."""
ORGANISATIONS: tuple[DemoOrg, ...] = _CATALOGUE.organisations
"""Every organisation of the demo; each main bundle carries them all, unchanged."""
COHORT_IDS: tuple[str, ...] = tuple(c.cohort_id for c in _CATALOGUE.cohorts)
UNKNOWN_CONTACT: str = _CATALOGUE.unknown_contact.email
"""The one survey contact who is in no bundle: loading shows the 'not in the graph' warning."""


@dataclass(frozen=True)
class DemoPerson:
    """One invented person as their ``people`` row says, in one bundle."""

    email: str
    name: str
    org: DemoOrg
    org_cell: str
    """How the bundle names the organisation: its name or an alias."""
    job_title: str
    employed_from: date | None
    interests: tuple[str, ...]
    skills: tuple[str, ...]
    area: str | None
    consent_directory: bool = True
    consent_contact: bool = True
    consent_analytics: bool | None = True

    @property
    def reusable(self) -> bool:
        """Fit to appear in a later bundle: every consent given, an explicit start date."""
        return (
            self.consent_directory
            and self.consent_contact
            and self.consent_analytics is True
            and self.employed_from is not None
        )

    def row(self) -> Row:
        return {
            "email": self.email,
            "name": self.name,
            "organisation": self.org_cell,
            "job_title": self.job_title,
            "employed_from": self.employed_from,
            "interests": self.interests,
            "skills": self.skills,
            "area": self.area,
            "consent_directory": self.consent_directory,
            "consent_contact": self.consent_contact,
            "consent_analytics": self.consent_analytics,
        }


# -- the builder ------------------------------------------------------------------------------


@dataclass
class _Project:
    project_id: str
    plan: ProjectPlan
    start: date
    due: date
    sponsor: DemoPerson
    members: list[DemoPerson] = field(default_factory=list)
    lead: str = ""


@dataclass
class _Cohort:
    plan: CohortPlan
    participants: list[DemoPerson]
    mentors: list[DemoPerson] = field(default_factory=list)
    supporters: list[DemoPerson] = field(default_factory=list)
    sponsors: list[DemoPerson] = field(default_factory=list)
    projects: list[_Project] = field(default_factory=list)
    mentor_of: dict[str, str] = field(default_factory=dict)
    mates: dict[str, set[str]] = field(default_factory=dict)
    """For each participant, their project's other members and its sponsor."""

    def project(self, issue_id: str) -> _Project:
        return next(p for p in self.projects if p.plan.issue_id == issue_id)

    def members(self, facilitator: DemoPerson) -> list[tuple[DemoPerson, Role]]:
        return [
            *((p, Role.PARTICIPANT) for p in self.participants),
            *((p, Role.ALUMNI_SUPPORTER) for p in self.supporters),
            *((p, Role.MENTOR) for p in self.mentors),
            *((p, Role.SPONSOR) for p in self.sponsors),
            (facilitator, Role.FACILITATOR),
        ]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.casefold() if ch.isalnum() or ch == "-")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


class _Demo:
    """Builds the bundles in load order, knowing at each step what the graph already holds."""

    def __init__(self, catalogue: Catalogue, seed: int) -> None:
        self.catalogue = catalogue
        self.survey = catalogue.survey
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.known: dict[str, DemoPerson] = {}
        """Everyone in the bundles built so far, as their latest row says."""
        self.alumni: dict[str, str] = {}
        """Participant email -> cohort id, for every cohort built so far."""
        self.cohorts: dict[str, _Cohort] = {}
        self.sponsor_pool: dict[str, DemoPerson] = {}
        for sponsor in catalogue.sponsors:
            since = self._joined(sponsor.joined_before)
            person = self._person(
                catalogue.org(sponsor.organisation), sponsor.job_title, since=since
            )
            self.sponsor_pool[sponsor.key] = person
        for sponsor in catalogue.sponsors:
            if not sponsor.consent_contact:
                self.sponsor_pool[sponsor.key] = replace(
                    self.sponsor_pool[sponsor.key], consent_contact=False
                )
        self.standing = {
            s.key: self._person(catalogue.org(s.organisation), s.job_title, since=s.employed_from)
            for s in catalogue.standing
        }
        self.facilitator = self.standing["facilitator"]

    # people

    def _name(self) -> tuple[str, str]:
        while True:
            first = self.rng.choice(self.catalogue.first_names)
            last = self.rng.choice(self.catalogue.surnames)
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last

    def _joined(self, before: date) -> date:
        return date(self.rng.randint(2002, before.year - 1), self.rng.randint(1, 12), 1)

    def _person(self, org: DemoOrg, title: str, *, since: date | None) -> DemoPerson:
        first, last = self._name()
        alias = org.aliases and self.rng.random() < 0.25
        return DemoPerson(
            email=f"{_ascii(first)}.{_ascii(last)}@{org.domain}",
            name=f"{first} {last}",
            org=org,
            org_cell=self.rng.choice(org.aliases) if alias else org.name,
            job_title=title,
            employed_from=since,
            interests=tuple(self.rng.sample(self.catalogue.interests, self.rng.randint(2, 4))),
            skills=tuple(self.rng.sample(self.catalogue.skills, self.rng.randint(2, 4))),
            area=org.area or self.rng.choice(self.catalogue.areas),
        )

    def _participants(self, plan: CohortPlan) -> list[DemoPerson]:
        quotas = [
            (self.catalogue.org(q.organisation), q.fewest, q.most) for q in self.catalogue.quotas
        ]
        counts = {org.name: self.rng.randint(low, high) for org, low, high in quotas}
        bounds = {org.name: (low, high) for org, low, high in quotas}
        names = sorted(counts)
        while sum(counts.values()) != plan.participants:
            name = self.rng.choice(names)
            low, high = bounds[name]
            if sum(counts.values()) > plan.participants and counts[name] > low:
                counts[name] -= 1
            elif sum(counts.values()) < plan.participants and counts[name] < high:
                counts[name] += 1
        orgs = [org for org, _, _ in quotas for _ in range(counts[org.name])]
        self.rng.shuffle(orgs)
        people = []
        for org in orgs:
            since = self._joined(plan.start_date) if self.rng.random() < 0.85 else None
            titles = self.catalogue.job_titles[org.titles_key]
            person = self._person(org, self.rng.choice(titles), since=since)
            if self.rng.random() < 0.2:
                person = replace(person, consent_analytics=None)  # the default: yes
            people.append(person)
        refusals = (
            {"consent_directory": False},
            {"consent_directory": False, "consent_contact": False},
            {"consent_contact": False},
            {"consent_analytics": False},
            {"consent_analytics": False, "consent_directory": False},
        )
        for index, refusal in zip(
            self.rng.sample(range(len(people)), len(refusals)), refusals, strict=True
        ):
            people[index] = replace(people[index], **refusal)  # type: ignore[arg-type]
        return people

    def _pick_alumni(self, cohort_id: str, count: int, taken: set[str]) -> list[DemoPerson]:
        pool = [
            p for p in self.cohorts[cohort_id].participants if p.reusable and p.email not in taken
        ]
        return self.rng.sample(pool, count)

    def _mover(self, cohort_id: str, taken: set[str]) -> DemoPerson:
        """An alumnus of ``cohort_id`` who has moved to the catalogue's ``move`` employer,
        from another body of the same sector."""
        move = self.catalogue.move
        org = self.catalogue.org(move.organisation)
        movable = [
            p
            for p in self.cohorts[cohort_id].participants
            if p.reusable and p.email not in taken and p.org.sector is org.sector
            if p.org is not org
        ]
        return replace(
            self.rng.choice(movable),
            org=org,
            org_cell=move.organisation_cell,
            job_title=move.job_title,
            employed_from=move.employed_from,
            area=org.area,
        )

    # cohorts

    def _cohort(self, plan: CohortPlan) -> _Cohort:
        cohort = _Cohort(plan, self._participants(plan))
        taken = {p.email for c in self.cohorts.values() for p in (*c.mentors, *c.supporters)}
        for slot in plan.mentors:
            if slot.person is not None:
                chosen = [self.standing[slot.person]]
            elif slot.alumni_of is not None:
                chosen = self._pick_alumni(slot.alumni_of, slot.count, taken)
            else:
                assert slot.moved_from is not None
                chosen = [self._mover(slot.moved_from, taken)]
            cohort.mentors += chosen
            taken |= {p.email for p in chosen}
        for handover in self._handovers_to(plan.cohort_id):
            supporter = self._supporter(handover.from_cohort, handover.issue_id, taken)
            cohort.supporters.append(supporter)
            taken.add(supporter.email)
        self._projects(cohort)
        self._mentoring(cohort)
        return cohort

    def _handovers_to(self, cohort_id: str) -> list[Handover]:
        return [h for h in self.catalogue.handovers if h.to_cohort == cohort_id]

    def _supporter(self, cohort_id: str, issue_id: str, taken: set[str]) -> DemoPerson:
        """An alumnus of the project that handed an issue over, back to support the next one."""
        earlier = self.cohorts[cohort_id].project(issue_id).members
        fit = [p for p in earlier if p.reusable and p.email not in taken]
        return self.rng.choice(fit or self._pick_alumni(cohort_id, 1, taken))

    def _projects(self, cohort: _Cohort) -> None:
        plan = cohort.plan
        for project_plan in plan.projects:
            sponsor = self.sponsor_pool[project_plan.sponsor]
            if sponsor not in cohort.sponsors:
                cohort.sponsors.append(sponsor)
            start = plan.start_date + timedelta(days=self.rng.randint(30, 60))
            cohort.projects.append(
                _Project(
                    f"{plan.cohort_id}-{project_plan.issue_id}",
                    project_plan,
                    start,
                    _add_months(start, self.rng.randint(12, 18)),
                    sponsor,
                )
            )
        # Deal participants, sorted by organisation, round a shuffled table: projects mix.
        order = sorted(cohort.participants, key=lambda p: (p.org.sector, p.org.name, p.email))
        tables = list(cohort.projects)
        self.rng.shuffle(tables)
        for index, person in enumerate(order):
            tables[index % len(tables)].members.append(person)
        for supporter, handover in zip(
            cohort.supporters, self._handovers_to(plan.cohort_id), strict=True
        ):
            cohort.project(handover.issue_id).members.append(supporter)
        for project in cohort.projects:
            project.lead = self.rng.choice(project.members).email
            emails = {p.email for p in project.members}
            for person in project.members:
                cohort.mates[person.email] = emails - {person.email} | {project.sponsor.email}

    def _mentoring(self, cohort: _Cohort) -> None:
        free = list(cohort.participants)
        self.rng.shuffle(free)
        for mentor in cohort.mentors:
            count = self.rng.randint(3, 5)
            mentees = [p for p in free if p.org is not mentor.org][:count]
            for mentee in mentees:
                free.remove(mentee)
                cohort.mentor_of[mentee.email] = mentor.email

    # tables

    def main_bundle(self, plan: CohortPlan) -> Tables:
        cohort = self._cohort(plan)
        self.cohorts[plan.cohort_id] = cohort
        members = cohort.members(self.facilitator)
        for person, _ in members:
            self.known[person.email] = person
        issues = [p.plan.issue_id for p in cohort.projects]
        handovers = [
            h for h in self.catalogue.handovers if plan.cohort_id in (h.from_cohort, h.to_cohort)
        ]
        tables: Tables = {
            "cohort": [self._cohort_row(plan)],
            "organisations": [org.row() for org in self.catalogue.organisations],
            "people": [person.row() for person, _ in members],
            "members": [{"email": p.email, "role": role.value} for p, role in members],
            "wicked_issues": [self.catalogue.issue(i).row() for i in dict.fromkeys(issues)],
            "projects": [self._project_row(p) for p in cohort.projects],
            "project_members": [
                {
                    "project_id": project.project_id,
                    "email": person.email,
                    "role": self._project_role(plan, project, person),
                }
                for project in cohort.projects
                for person in project.members
            ],
            "handovers": [self._handover_row(h) for h in handovers],
            "mentoring": [
                {
                    "mentor_email": mentor,
                    "mentee_email": mentee,
                    "start_date": plan.start_date + timedelta(days=28),
                    "end_date": plan.end_date,
                }
                for mentee, mentor in cohort.mentor_of.items()
            ],
            "areas": [dict(row) for row in DEMO_AREAS],
            "survey": [
                *self._wave(cohort, Wave.BASELINE, plan.start_date),
                *self._wave(cohort, Wave.END, plan.end_date - timedelta(days=13)),
            ],
        }
        for person in cohort.participants:
            self.alumni[person.email] = plan.cohort_id
        return tables

    def follow_up_bundle(self, cohort_id: str) -> Tables:
        cohort = self.cohorts[cohort_id]
        return {
            "cohort": [self._cohort_row(cohort.plan)],
            "survey": self._wave(cohort, Wave.FOLLOW_UP, cohort.plan.follow_up_date),
        }

    @staticmethod
    def _cohort_row(plan: CohortPlan) -> Row:
        return {
            "cohort_id": plan.cohort_id,
            "name": plan.name,
            "start_date": plan.start_date,
            "end_date": plan.end_date,
        }

    @staticmethod
    def _project_row(project: _Project) -> Row:
        return {
            "project_id": project.project_id,
            "title": project.plan.title,
            "issue_id": project.plan.issue_id,
            "sponsor_email": project.sponsor.email,
            "start_date": project.start,
            "due_date": project.due,
            "status": project.plan.status.value if project.plan.status else None,
            "outcomes": project.plan.outcomes,
        }

    @staticmethod
    def _project_role(plan: CohortPlan, project: _Project, person: DemoPerson) -> str | None:
        if person.email == project.lead:
            return ProjectRole.LEAD.value
        return None if plan.member_role_blank else ProjectRole.MEMBER.value

    def _handover_row(self, handover: Handover) -> Row:
        giving = self.cohorts[handover.from_cohort].project(handover.issue_id)
        receiving = self.cohorts.get(handover.to_cohort)
        lead = next(p for p in giving.members if p.email == giving.lead)
        return {
            "issue_id": handover.issue_id,
            "from_project_id": giving.project_id,
            "to_cohort_id": handover.to_cohort,
            "to_project_id": receiving.project(handover.issue_id).project_id if receiving else None,
            "date": handover.date,
            "notes": (
                f"Learned: {handover.learned}. Remains: {handover.remains}. Talk to"
                f" {lead.name} ({lead.org.name}), who led it, and {giving.sponsor.name}, its"
                " sponsor."
            ),
        }

    # surveys

    def _category(
        self, cohort: _Cohort, members: set[str], wave: Wave, who: DemoPerson, other: DemoPerson
    ) -> str:
        """How ``who`` is connected to ``other``, as far as the programme knows."""
        if wave is not Wave.BASELINE:
            if other.email in cohort.mates.get(who.email, ()):
                return "project"
            if cohort.mentor_of.get(who.email) == other.email:
                return "mentor"
        if other.org is who.org:
            return "same_org"
        if other.email in members:
            return "cohort"
        if other.email in self.alumni:
            return "alumni"
        return "other"

    def _weight(self, wave: Wave, category: str, who: DemoPerson, other: DemoPerson) -> float:
        weight = self.survey.weights[wave].get(category, 0.0)
        if wave is Wave.BASELINE and category != "same_org" and other.org.sector != who.org.sector:
            weight *= self.survey.other_sector_at_baseline
        return weight

    def _wave(self, cohort: _Cohort, wave: Wave, on: date) -> list[Row]:
        """One survey wave: respondents name 5 to 15 people the graph already holds."""
        rows: list[Row] = []
        members = {p.email for p, _ in cohort.members(self.facilitator)}
        relationships = self.survey.relationships[wave]
        for participant in cohort.participants:
            who = self.known[participant.email]  # their organisation as the graph knows it now
            if (
                who.consent_analytics is False
                or self.rng.random() > self.survey.response_rates[wave]
            ):
                continue
            answered = on + timedelta(days=self.rng.randint(0, 13))
            pool = [p for p in self.known.values() if p.email != who.email]
            categories = [self._category(cohort, members, wave, who, p) for p in pool]
            weights = [self._weight(wave, c, who, p) for c, p in zip(categories, pool, strict=True)]
            names = self.survey.names[wave]
            for i in self._sample(weights, self.rng.randint(names.fewest, names.most)):
                category = categories[i]
                options = relationships.get(category) or relationships["*"]
                frequency = self.rng.choice(self.survey.frequencies[category])
                rows.append(
                    self._survey_row(who, pool[i].email, self.rng.choice(options), wave, answered)
                    | {"frequency": frequency if self.rng.random() < 0.9 else None}
                )
            strangers = [
                p
                for p, c in zip(pool, categories, strict=True)
                if c in ("cohort", "alumni") and p.org is not who.org
            ]
            if strangers and self.rng.random() < 0.4:
                wish = self.rng.choice(strangers).email
                named = {
                    str(r["contact_email"]) for r in rows if r["respondent_email"] == who.email
                }
                if wish not in named:
                    rows.append(self._survey_row(who, wish, "want_to_meet", wave, answered))
        unknown = self.catalogue.unknown_contact
        if cohort.plan.cohort_id == unknown.cohort and wave is unknown.wave:
            first = rows[0]
            rows.append(
                first | {"contact_email": unknown.email, "relationship": unknown.relationship}
            )
        return rows

    @staticmethod
    def _survey_row(
        who: DemoPerson, contact: str, relationship: str, wave: Wave, answered: date
    ) -> Row:
        return {
            "respondent_email": who.email,
            "contact_email": contact,
            "relationship": relationship,
            "wave": wave.value,
            "response_date": answered,
            "frequency": None,
        }

    def _sample(self, weights: Sequence[float], count: int) -> list[int]:
        """``count`` distinct indices, drawn in proportion to ``weights``."""
        left = list(weights)
        chosen: list[int] = []
        while len(chosen) < count and any(w > 0 for w in left):
            (index,) = self.rng.choices(range(len(left)), weights=left)
            chosen.append(index)
            left[index] = 0.0
        return chosen


def demo_tables(seed: int = 2019, catalogue: Catalogue | None = None) -> list[tuple[str, Tables]]:
    """The demo's bundles in load order, each with a file stem.

    The catalogue's bundles: three cohort bundles and, for each cohort, a small
    follow-up bundle with just its ``cohort`` row and the follow-up survey wave,
    loaded once the next cohort is in (so alumni can name people of later cohorts).
    """
    catalogue = catalogue or _CATALOGUE
    demo = _Demo(catalogue, seed)
    return [
        (
            bundle.stem,
            demo.main_bundle(catalogue.cohort(bundle.cohort))
            if bundle.kind == "main"
            else demo.follow_up_bundle(bundle.cohort),
        )
        for bundle in catalogue.bundles
    ]


def write_demo(out: Path, seed: int = 2019) -> list[Path]:
    """Write the demo bundles into ``out``, cycling through the three containers."""
    return [
        write_bundle(tables, out / f"{stem}{DEMO_SUFFIXES[index % len(DEMO_SUFFIXES)]}")
        for index, (stem, tables) in enumerate(demo_tables(seed))
    ]
