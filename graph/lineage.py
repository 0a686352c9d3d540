"""Handing the baton: what happened to a wicked issue before, and who can help now.

A wicked issue outlives any one project: projects last 12 to 18 months and a
new cohort arrives every year, so what one team learned is lost unless the
next can see it. This module reads, for one issue, its *lineage* (every
project on it, in order, with its cohort, lead, sponsor, outcomes and the
handovers between them), ranks the *supporters* the receiving team could
talk to, and answers the delivery-tracking questions (projects overdue or
without a sponsor, issues nobody has worked on since a date).

Pure functions over the ``GraphStore`` protocol. As in ``graph.contacts``, who
may be seen, routed through or contacted is not decided here: functions take
predicates, and the consent policy stays in the API's ``consent`` module.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from graph.connections import STRENGTH
from graph.errors import Invalid, Problem
from graph.model import (
    DEFAULT_METRIC_KINDS,
    Cohort,
    Employment,
    Handover,
    IngestRun,
    Organisation,
    Person,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    WickedIssue,
)
from graph.profiles import Predicate, Profile, profiles
from graph.store import Batch, GraphStore, Page, PersonQuery, R, WriteReport

__all__ = [
    "OPEN_STATUSES",
    "IssueSummary",
    "Lineage",
    "Notes",
    "Step",
    "SupportReason",
    "Supporter",
    "active_until",
    "is_overdue",
    "issue_summaries",
    "lineage",
    "open_questions",
    "overdue_projects",
    "read_notes",
    "record_handover",
    "summary_of",
    "supporters",
    "unsponsored_projects",
]

OPEN_STATUSES: frozenset[ProjectStatus] = frozenset({ProjectStatus.ACTIVE, ProjectStatus.PROPOSED})
"""A project in one of these is still someone's: its team is the one picking the issue up."""

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


def _get_many(store: GraphStore, model: type[R], keys: Iterable[str]) -> dict[str, R]:
    wanted = set(keys)
    return store.get_many(model, wanted) if wanted else {}


# -- handover notes -------------------------------------------------------------------


@dataclass(frozen=True)
class Notes:
    """A handover note read into its parts; sentences without a label stay in ``other``."""

    learned: tuple[str, ...]
    open_questions: tuple[str, ...]
    talk_to: tuple[str, ...]
    other: tuple[str, ...]


_LABELS: dict[str, Literal["learned", "open", "talk_to"]] = {
    "learned": "learned",
    "learnt": "learned",
    "lessons": "learned",
    "lessons learned": "learned",
    "what worked": "learned",
    "remains": "open",
    "remaining": "open",
    "still to do": "open",
    "to do": "open",
    "todo": "open",
    "open": "open",
    "open question": "open",
    "open questions": "open",
    "question": "open",
    "questions": "open",
    "unresolved": "open",
    "next": "open",
    "next steps": "open",
    "gaps": "open",
    "talk to": "talk_to",
    "who to talk to": "talk_to",
    "contacts": "talk_to",
}
_LABEL = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z ]{0,20}?)\s*:\s*(?P<rest>.+)$", re.S)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"'(\[])")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if line:
            parts += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return parts


def _tidy(sentence: str) -> str:
    sentence = sentence.strip()
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def read_notes(text: str | None) -> Notes:
    """Split a handover note into what was learned, what remains open, and who to talk to.

    Sentences labelled ``Learned:``, ``Remains:`` (or ``Open questions:``,
    ``Next steps:`` ...), ``Talk to`` go to their part; an unlabelled sentence
    ending in ``?`` is an open question too.

    >>> n = read_notes("Learned: halls reach people. Remains: funding. Who pays? Talk to Ann.")
    >>> n.learned, n.open_questions, n.talk_to
    (('Halls reach people.',), ('Funding.', 'Who pays?'), ('Talk to Ann.',))
    """
    learned: list[str] = []
    open_: list[str] = []
    talk_to: list[str] = []
    other: list[str] = []
    for sentence in _sentences(text or ""):
        match = _LABEL.match(sentence)
        kind = _LABELS.get(match["label"].strip().casefold()) if match else None
        if match and kind == "learned":
            learned.append(_tidy(match["rest"]))
        elif match and kind == "open":
            open_.append(_tidy(match["rest"]))
        elif kind == "talk_to" or sentence.casefold().startswith(("talk to ", "speak to ")):
            talk_to.append(sentence)
        elif sentence.endswith("?"):
            open_.append(sentence)
        else:
            other.append(sentence)
    return Notes(tuple(learned), tuple(open_), tuple(talk_to), tuple(other))


def open_questions(text: str | None) -> tuple[str, ...]:
    """What a handover note leaves open (see ``read_notes``).

    >>> open_questions("Remains: rollout in Tendring. Is the data shared?")
    ('Rollout in Tendring.', 'Is the data shared?')
    """
    return read_notes(text).open_questions


# -- lineage --------------------------------------------------------------------------


def active_until(project: Project, handed_over_on: date | None = None) -> date | None:
    """The last day a project was being worked on; None while it still is.

    The bundle records no finish date: a project handed over ends on its
    handover, any other finished one on its due date (the date its delivery
    was planned for), or on its start when it has none.

    >>> p = Project(id="p", title="t", cohort_id="c", start_date=date(2020, 1, 1),
    ...             due_date=date(2021, 1, 1), status=ProjectStatus.COMPLETED)
    >>> given = p.model_copy(update={"status": ProjectStatus.HANDED_OVER})
    >>> active_until(p), active_until(given, date(2020, 6, 1))
    (datetime.date(2021, 1, 1), datetime.date(2020, 6, 1))
    """
    if project.status in OPEN_STATUSES:
        return None
    if project.status is ProjectStatus.HANDED_OVER and handed_over_on is not None:
        return handed_over_on
    return project.due_date or project.start_date


@dataclass(frozen=True)
class Step:
    """One project on the issue, with its people and the handovers on either side."""

    project: Project
    cohort: Cohort | None
    leads: tuple[str, ...]
    """Person ids, by name."""
    members: tuple[str, ...]
    """The other members' ids, by name."""
    sponsor: str | None
    handed_over: tuple[Handover, ...]
    """Handovers from this project, by date."""
    received: tuple[Handover, ...]
    """Handovers naming this project as the receiving one, by date."""

    @property
    def is_open(self) -> bool:
        return self.project.status in OPEN_STATUSES

    @property
    def active_until(self) -> date | None:
        first = min((h.date for h in self.handed_over), default=None)
        return active_until(self.project, first)

    @property
    def people(self) -> tuple[str, ...]:
        return (*self.leads, *self.members, *((self.sponsor,) if self.sponsor else ()))


@dataclass(frozen=True)
class Lineage:
    """The whole chain of one wicked issue, oldest project first.

    ``profiles`` holds every person the chain names (leads, members, sponsors),
    whoever the reader is: callers show them only through their consent rules,
    and the free text (description, outcomes, notes) too, as stored here.
    """

    issue: WickedIssue
    steps: tuple[Step, ...]
    handovers: tuple[Handover, ...]
    """Every handover of the issue, by date."""
    cohorts: dict[str, Cohort]
    """Cohorts of the projects and of the handovers' receivers, when loaded."""
    profiles: dict[str, Profile]

    @property
    def current(self) -> tuple[Step, ...]:
        """Projects still proposed or active: the team working on the issue now."""
        return tuple(s for s in self.steps if s.is_open)

    @property
    def working_now(self) -> tuple[str, ...]:
        """People on the current projects (leads first), then their sponsors, once each."""
        team = [p for s in self.current for p in (*s.leads, *s.members)]
        team += [s.sponsor for s in self.current if s.sponsor]
        return tuple(dict.fromkeys(team))

    @property
    def last_active(self) -> date | None:
        """The last day any finished project was worked on (None if none has finished)."""
        days = [d for s in self.steps if (d := s.active_until) is not None]
        return max(days, default=None)

    def step(self, project_id: str) -> Step | None:
        return next((s for s in self.steps if s.project.id == project_id), None)


def _step_order(project: Project, cohorts: dict[str, Cohort]) -> tuple[date, date, str]:
    cohort = cohorts.get(project.cohort_id)
    return (cohort.start_date if cohort else project.start_date, project.start_date, project.id)


def lineage(store: GraphStore, issue_id: str, *, visible: Predicate | None = None) -> Lineage:
    """The issue's projects in order (cohort start, project start, id), and its handovers.

    Free text (description, outcomes, notes) is returned as stored: what a
    reader may read of it is the API's consent module's to say, for everyone
    the reader may not see, not only the issue's people (``visible`` is no
    longer needed here and kept for callers that pass it).
    Raises ``NotFound`` for an unknown issue.
    """
    issue = store.get(WickedIssue, issue_id)
    projects = store.find(Project, {"issue_id": issue.id}, _SCAN).data
    handovers = sorted(
        store.find(Handover, {"issue_id": issue.id}, _SCAN).data,
        key=lambda h: (h.date, h.from_project_id, h.to_cohort_id),
    )
    cohorts = _get_many(
        store, Cohort, {p.cohort_id for p in projects} | {h.to_cohort_id for h in handovers}
    )
    members = {p.id: store.find(ProjectMember, {"project_id": p.id}, _SCAN).data for p in projects}
    ids = {m.person_id for ms in members.values() for m in ms}
    ids |= {p.sponsor_id for p in projects if p.sponsor_id}
    people = _get_many(store, Person, ids)
    found = profiles(store, sorted(people.values(), key=lambda p: (p.name, p.id)))

    def by_name(person_ids: Iterable[str]) -> tuple[str, ...]:
        known = [i for i in person_ids if i in found]
        return tuple(sorted(known, key=lambda i: (found[i].person.name, i)))

    steps = []
    for p in sorted(projects, key=lambda p: _step_order(p, cohorts)):
        team = members[p.id]
        steps.append(
            Step(
                project=p,
                cohort=cohorts.get(p.cohort_id),
                leads=by_name(m.person_id for m in team if m.role is ProjectRole.LEAD),
                members=by_name(m.person_id for m in team if m.role is not ProjectRole.LEAD),
                sponsor=p.sponsor_id if p.sponsor_id in found else None,
                handed_over=tuple(h for h in handovers if h.from_project_id == p.id),
                received=tuple(h for h in handovers if h.to_project_id == p.id),
            )
        )
    return Lineage(issue, tuple(steps), tuple(handovers), cohorts, found)


# -- recording a handover -----------------------------------------------------------------


def record_handover(
    store: GraphStore, handover: Handover, run: IngestRun, *, issue_id: str | None = None
) -> WriteReport:
    """Write one handover through the store's own gate, so a bundle and the API keep
    the same rules (the giving project worked on the issue, the date is not before it
    started). Raises ``NotFound`` for an unknown issue and ``Invalid``, writing
    nothing, for a refused handover; ``issue_id`` (the issue asked about) must match.
    """
    store.get(WickedIssue, issue_id or handover.issue_id)
    if issue_id is not None and handover.issue_id != issue_id:
        raise Invalid(
            [
                Problem(
                    f"handover {handover.key}",
                    "issue_id",
                    handover.issue_id,
                    f"differs from the issue it is recorded on ({issue_id!r})",
                )
            ]
        )
    return store.apply(Batch(handovers=[handover]), run)


# -- supporters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportReason:
    """Why someone can help the receiving team, in words, with its kind for machines."""

    kind: Literal["worked_on_issue", "sponsored", "new_organisation", "knows_the_team", "interest"]
    text: str


@dataclass(frozen=True)
class Supporter:
    profile: Profile
    score: float
    reasons: tuple[SupportReason, ...]
    via: tuple[Profile, ...]
    """People who worked on the issue and know them (for ``knows_the_team``), warmest first."""


_STOPWORDS = frozenset(
    "about across after also among and been before behind between both each every from"
    " have help hold into less little local lose more most only other others over part"
    " people public same service services single some than that their them they this"
    " those through well when where which while whole with without essex county".split()
)


def _stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        return word[:-1]
    return word


def _words(text: str) -> set[str]:
    """Significant words of a text, crudely stemmed: enough to tie an interest to an issue.

    >>> sorted(_words("Loneliness and isolation in rural Essex"))
    ['isolation', 'loneliness', 'rural']
    """
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.casefold()) if len(w) >= 4} - _STOPWORDS


_SCORE = {
    "lead": 4.0,
    "member": 3.0,
    "sponsored": 3.0,
    "new_organisation": 1.0,
    "knows": 0.5,
    "interest": 1.0,
}


def supporters(
    store: GraphStore,
    found: Lineage,
    *,
    visible: Predicate,
    route_through: Predicate,
    contact_details: Predicate,
    exclude: Collection[str] = (),
) -> list[Supporter]:
    """Who can help the team picking the issue up, ranked, each with its reasons.

    Three kinds of people: those who worked on a finished project on the issue
    (a lead scores 4, a member 3, per project); the sponsors of those projects
    (3 each); and, for each organisation the issue's network has not reached
    (nobody who worked on the issue was ever employed there), the one person
    there best placed to open its door: 1, plus 0.5 for each person who worked
    on the issue that they know (up to 3), plus 1 for each of their interests
    that matches the issue's title or description; they need one of the two.
    "Knowing" is a tie of the metrics' kinds between two people who both gave
    analytics consent: nobody else's ties are used.

    Everyone listed passes ``visible`` and can be contacted: ``contact_details``
    (their email may be shown) or ``route_through`` (they agreed to be
    introduced). People on projects still open (the receiving team) and
    ``exclude`` are left out; ``via`` lists only people passing
    ``route_through``. Ranked by score, then most recent involvement, then name.
    """
    team = set(found.working_now) | set(exclude)
    score: dict[str, float] = defaultdict(float)
    reasons: dict[str, list[SupportReason]] = defaultdict(list)
    latest: dict[str, date] = {}

    def add(pid: str, points: float, reason: SupportReason, when: date) -> None:
        score[pid] += points
        reasons[pid].append(reason)
        latest[pid] = max(latest.get(pid, when), when)

    for s in found.steps:
        if s.is_open:
            continue
        where = f"{s.project.title} ({s.cohort.name if s.cohort else s.project.cohort_id})"
        when = s.project.start_date
        for pid in s.leads:
            add(pid, _SCORE["lead"], SupportReason("worked_on_issue", f"led {where}"), when)
        for pid in s.members:
            add(pid, _SCORE["member"], SupportReason("worked_on_issue", f"worked on {where}"), when)
        if s.sponsor:
            add(
                s.sponsor,
                _SCORE["sponsored"],
                SupportReason("sponsored", f"sponsored {where}"),
                when,
            )
    insiders = {pid for s in found.steps for pid in s.people}

    def contactable(p: Person) -> bool:
        return visible(p) and (contact_details(p) or route_through(p))

    newcomers = _newcomers(
        store, found, insiders, route_through=route_through, contactable=contactable
    )

    result = [
        Supporter(profile, score[pid], tuple(reasons[pid]), ())
        for pid in score
        if (profile := found.profiles.get(pid)) is not None
        and pid not in team
        and contactable(profile.person)
    ]
    result += [
        Supporter(n.profile, n.score, n.reasons, n.via)
        for n in newcomers
        if n.profile.person.id not in team and contactable(n.profile.person)
    ]
    recent = {pid: d.toordinal() for pid, d in latest.items()}
    result.sort(
        key=lambda s: (
            -s.score,
            -recent.get(s.profile.person.id, 0),
            s.profile.person.name,
            s.profile.person.id,
        )
    )
    return result


@dataclass(frozen=True)
class _Newcomer:
    profile: Profile
    score: float
    reasons: tuple[SupportReason, ...]
    via: tuple[Profile, ...]


def _newcomers(
    store: GraphStore,
    found: Lineage,
    insiders: set[str],
    *,
    route_through: Predicate,
    contactable: Predicate,
) -> list[_Newcomer]:
    """The best-placed contactable person at each organisation no insider ever worked
    for, near the insiders or the topic (read per organisation: far fewer reads than a
    profile per candidate)."""
    reached: set[str] = set()
    for pid in insiders:
        reached |= {
            e.organisation_id for e in store.find(Employment, {"person_id": pid}, _SCAN).data
        }
    topic = _words(f"{found.issue.title} {found.issue.description or ''}")
    # who knows whom is the network: only ties between two people with analytics consent
    analysed = {
        pid
        for pid in insiders
        if (profile := found.profiles.get(pid)) is not None and profile.person.consent_analytics
    }
    knows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    ties = store.ties_of(sorted(analysed), DEFAULT_METRIC_KINDS) if analysed else []
    for t in ties:
        for near, far in ((t.source_id, t.target_id), (t.target_id, t.source_id)):
            if near in analysed and far not in insiders:
                knows[far][near] += STRENGTH[t.tie_kind]
    interests: dict[str, list[str]] = {}
    candidates: dict[str, Person] = {}
    for p in store.search_people(PersonQuery(), _SCAN).data:
        if p.id in insiders:
            continue
        if not p.consent_analytics:
            knows.pop(p.id, None)
        matching = [i for i in p.interests if _words(i) & topic]
        if matching:
            interests[p.id] = matching
        if (matching or p.id in knows) and contactable(p):
            candidates[p.id] = p
    if not candidates:
        return []
    doors: dict[str, tuple[float, Person, list[SupportReason], tuple[Profile, ...]]] = {}
    for organisation in store.find(Organisation, page=_SCAN).data:
        if organisation.id in reached:
            continue
        staff = store.search_people(
            PersonQuery(organisation_id=organisation.id, ids=sorted(candidates)), _SCAN
        ).data
        for person in staff:
            pid = person.id
            via_ids = sorted(
                (i for i in knows.get(pid, {}) if i in found.profiles),
                key=lambda i: (-knows[pid][i], found.profiles[i].person.name, i),
            )
            via = tuple(
                found.profiles[i] for i in via_ids if route_through(found.profiles[i].person)
            )
            matched = interests.get(pid, [])
            if not via and not matched:
                continue
            reasons = [
                SupportReason(
                    "new_organisation",
                    f"works at {organisation.name}, which no project on this issue has"
                    " involved yet",
                )
            ]
            points = _SCORE["new_organisation"]
            if via:
                known = "someone" if len(via) == 1 else f"{len(via)} people"
                reasons.append(SupportReason("knows_the_team", f"knows {known} on its projects"))
                points += _SCORE["knows"] * min(len(via), 3)
            if matched:
                reasons.append(SupportReason("interest", "interested in " + ", ".join(matched)))
                points += _SCORE["interest"] * len(matched)
            best = doors.get(organisation.id)
            if best is None or (-points, person.name, pid) < (-best[0], best[1].name, best[1].id):
                doors[organisation.id] = (points, person, reasons, via)
    winners = profiles(store, sorted((d[1] for d in doors.values()), key=lambda p: (p.name, p.id)))
    return [
        _Newcomer(winners[person.id], points, tuple(reasons), via)
        for points, person, reasons, via in doors.values()
    ]


# -- summaries and delivery tracking ------------------------------------------------------


@dataclass(frozen=True)
class IssueSummary:
    """One issue at a glance: its projects, whether anyone is on it, since when nobody is."""

    issue: WickedIssue
    projects: tuple[Project, ...]
    """Oldest first, as in the lineage."""
    cohorts: tuple[Cohort, ...]
    """The projects' cohorts (those loaded), in the projects' order."""
    handovers: int
    last_active: date | None
    """The last day a finished project was worked on; None if none has finished."""

    @property
    def open_projects(self) -> tuple[Project, ...]:
        return tuple(p for p in self.projects if p.status in OPEN_STATUSES)

    @property
    def active_now(self) -> bool:
        return any(p.status is ProjectStatus.ACTIVE for p in self.projects)

    def orphaned_since(self, day: date) -> bool:
        """True when no project on the issue was active on ``day`` or after it."""
        return not self.active_now and (self.last_active is None or self.last_active < day)


def issue_summaries(store: GraphStore, *, orphaned_since: date | None = None) -> list[IssueSummary]:
    """Every issue by id, or only those with no active project since ``orphaned_since``.

    A project counts as active from its start until ``active_until`` (for ever
    while its status is ``active``); a ``proposed`` project is not active yet.
    """
    issues = store.find(WickedIssue, page=_SCAN).data
    projects = store.find(Project, page=_SCAN).data
    handovers = store.find(Handover, page=_SCAN).data
    cohorts = _get_many(store, Cohort, {p.cohort_id for p in projects})
    handed: dict[str, date] = {}
    for h in handovers:
        handed[h.from_project_id] = min(handed.get(h.from_project_id, h.date), h.date)
    by_issue: dict[str, list[Project]] = defaultdict(list)
    for p in projects:
        if p.issue_id:
            by_issue[p.issue_id].append(p)
    result = []
    for issue in issues:
        mine = sorted(by_issue.get(issue.id, []), key=lambda p: _step_order(p, cohorts))
        ends = [d for p in mine if (d := active_until(p, handed.get(p.id))) is not None]
        summary = IssueSummary(
            issue=issue,
            projects=tuple(mine),
            cohorts=_cohorts_of(mine, cohorts),
            handovers=sum(1 for h in handovers if h.issue_id == issue.id),
            last_active=max(ends, default=None),
        )
        if orphaned_since is None or summary.orphaned_since(orphaned_since):
            result.append(summary)
    return result


def _cohorts_of(projects: Iterable[Project], cohorts: dict[str, Cohort]) -> tuple[Cohort, ...]:
    ids = dict.fromkeys(p.cohort_id for p in projects)
    return tuple(cohorts[c] for c in ids if c in cohorts)


def summary_of(found: Lineage) -> IssueSummary:
    """The summary of an issue whose lineage is read already (same answers as
    ``issue_summaries``, without reading every project of every issue)."""
    projects = [s.project for s in found.steps]
    return IssueSummary(
        issue=found.issue,
        projects=tuple(projects),
        cohorts=_cohorts_of(projects, found.cohorts),
        handovers=len(found.handovers),
        last_active=found.last_active,
    )


def is_overdue(project: Project, as_of: date) -> bool:
    """Past its due date and still active.

    >>> p = Project(id="p", title="t", cohort_id="c", start_date=date(2020, 1, 1),
    ...             due_date=date(2021, 1, 1))
    >>> is_overdue(p, date(2021, 1, 1)), is_overdue(p, date(2021, 1, 2))
    (False, True)
    """
    return (
        project.status is ProjectStatus.ACTIVE
        and project.due_date is not None
        and project.due_date < as_of
    )


def overdue_projects(projects: Iterable[Project], as_of: date) -> list[Project]:
    """The projects of ``projects`` past their due date on ``as_of`` and still active."""
    return [p for p in projects if is_overdue(p, as_of)]


def unsponsored_projects(projects: Iterable[Project]) -> list[Project]:
    """The projects of ``projects`` without a sponsoring Chief Officer."""
    return [p for p in projects if p.sponsor_id is None]
