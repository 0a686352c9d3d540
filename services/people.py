"""People: one function per thing a user does with the directory and the network.

Finding people, a person's profile, their contacts, introduction paths and
recommendations; the cohorts, organisations and projects they belong to. Each takes
the store (and the warm network where a path is searched) and a ``Viewer``, and
returns the public models the API, the pages and the command line all show.
Consent is applied once, through ``services.consent``: the graph functions are
handed the viewer (who may be seen, who may be routed through) and what they
return becomes public models in ``consent``.
"""

from __future__ import annotations

from datetime import date, datetime

from graph import delivery as tracking
from graph.adjacency import AdjacencyCache
from graph.contacts import Scope, contacts
from graph.errors import Forbidden, Invalid, NotFound, Problem, close_matches
from graph.facts import set_consent
from graph.model import (
    CONSENT_FACTS,
    Cohort,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    ProjectStatus,
    Sector,
    WickedIssue,
)
from graph.paths import introduction_paths
from graph.profiles import profiles
from graph.recommendations import recommendations
from graph.search import areas as searched_areas
from graph.search import fold
from graph.search import search as find_people
from graph.store import GraphStore, Page, PersonQuery
from services import consent
from services.consent import Viewer
from services.schemas import (
    CohortDetailOut,
    CohortMemberOut,
    CohortOut,
    CohortRef,
    ContactOut,
    IntroductionPathsOut,
    IssueRef,
    MeOut,
    OrganisationDetailOut,
    OrganisationOut,
    OrganisationRef,
    Paged,
    PersonOut,
    ProjectDetailOut,
    ProjectMemberOut,
    ProjectOut,
    RecommendationOut,
)
from services.schemas_people import ConsentIn, ConsentOut, PersonPageOut, SearchFiltersOut

__all__ = [
    "change_consent",
    "cohort",
    "cohorts",
    "contacts_of",
    "filter_id",
    "introduction",
    "me",
    "organisation",
    "organisations",
    "person",
    "person_id_of",
    "person_page",
    "project",
    "projects",
    "recommendations_for",
    "search",
    "search_filters",
    "with_suggestions",
    "worth_meeting",
]

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


# -- people ------------------------------------------------------------------------------


def search(store: GraphStore, viewer: Viewer, query: PersonQuery, page: Page) -> Paged[PersonOut]:
    """People matching a query, best first, as this caller may see them: one page and
    the full count (``graph.search``: name, employer and its aliases, sector, area, job,
    interests, skills, cohorts and wicked issues, case- and accent-insensitive)."""
    found = find_people(store, consent.seen_by(viewer, query), page)
    return Paged[PersonOut](
        data=[consent.person_out(viewer, p) for p in found.data], count=found.count
    )


def search_filters(store: GraphStore, viewer: Viewer) -> SearchFiltersOut:
    """What the caller may narrow a search by (alumni too: organisations, cohorts and
    issues name no one), each list in the order a person reads it."""
    return SearchFiltersOut(
        organisations=[
            OrganisationRef(id=o.id, name=o.name)
            for o in sorted(
                store.find(Organisation, None, _SCAN).data, key=lambda o: (fold(o.name), o.id)
            )
        ],
        sectors=list(Sector),
        areas=searched_areas(store, consent.seen_by(viewer, PersonQuery())),
        cohorts=[
            CohortRef(id=c.id, name=c.name)
            for c in sorted(
                store.find(Cohort, None, _SCAN).data, key=lambda c: (c.start_date, c.id)
            )
        ],
        issues=[
            IssueRef(id=i.id, title=i.title)
            for i in sorted(
                store.find(WickedIssue, None, _SCAN).data, key=lambda i: (fold(i.title), i.id)
            )
        ],
    )


def filter_id(store: GraphStore, option: str, kind: str, text: str) -> str:
    """The id of the organisation, cohort or wicked issue (``kind``) a person typed: its
    id, or its name (an organisation's alias too), case and accents ignored; else
    ``Invalid`` naming ``option`` and suggesting the closest names."""
    named: dict[str, list[str]] = {}
    if kind == "organisation":
        named = {o.id: [o.name, *o.aliases] for o in store.find(Organisation, None, _SCAN).data}
    elif kind == "cohort":
        named = {c.id: [c.name] for c in store.find(Cohort, None, _SCAN).data}
    elif kind == "issue":
        named = {i.id: [i.title] for i in store.find(WickedIssue, None, _SCAN).data}
    else:
        raise ValueError(f"no filter of kind {kind!r}")
    if text in named:
        return text
    by_name = {fold(n): key for key, names in named.items() for n in names}
    if (found := by_name.get(fold(text))) is not None:
        return found
    close = [named[key][0] for key in close_matches(text, named)]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise Invalid([Problem("option", option, text, f"no {kind} has this id or name{hint}")])


def person_id_of(store: GraphStore, viewer: Viewer, text: str) -> str:
    """The person a command line or form names: by email (anything holding an ``@``,
    case ignored) or else taken as their id, as typed. An email nobody has raises
    ``NotFound`` suggesting the closest emails the caller may see (the team only)."""
    text = text.strip()
    if "@" not in text:
        return text
    try:
        return store.person_by_email(text).id
    except NotFound:
        raise NotFound("person with email", text, _close_emails(store, viewer, text)) from None


def _close_emails(store: GraphStore, viewer: Viewer, text: str) -> list[str]:
    if not consent.is_team(viewer):
        return []
    everyone = store.find(Person, page=_SCAN).data
    return close_matches(text, {p.email: [] for p in everyone if p.email and viewer.sees(p)})


def _names_by_key(store: GraphStore, viewer: Viewer, kind: str) -> dict[str, list[str]]:
    """What a record of ``kind`` may be asked for by (key -> its names), among those the
    viewer may know of: cohorts, organisations, issues and projects for everyone; people,
    runs, keys and survey waves for the programme team only."""
    team = consent.is_team(viewer)
    if kind == "cohort":
        return {c.id: [c.name] for c in store.find(Cohort, page=_SCAN).data}
    if kind == "organisation":
        return {o.id: [o.name, *o.aliases] for o in store.find(Organisation, page=_SCAN).data}
    if kind in ("wicked_issue", "wicked issue", "issue"):
        return {i.id: [i.title] for i in store.find(WickedIssue, page=_SCAN).data}
    if kind == "project":
        return {p.id: [p.title] for p in store.find(Project, page=_SCAN).data}
    if kind in ("person", "person in the network") and team:
        return {p.id: [p.name] for p in store.find(Person, page=_SCAN).data if viewer.sees(p)}
    if kind in ("ingest run", "ingest_run") and team:
        return {r.id: [] for r in store.runs()}
    if kind in ("api key", "api_key") and team:
        return {k.id: [] for k in store.keys()}
    if kind == "survey wave" and team:  # asked for as "COHORT WAVE"
        return {f"{w.cohort_id} {w.wave.value}": [] for w in store.surveys.waves()}
    return {}


def with_suggestions(store: GraphStore, viewer: Viewer, error: NotFound) -> NotFound:
    """``error`` naming the closest keys of its kind the viewer may know of (one helper
    for every command and the API's 404s); unchanged when it was asked for by something
    no one typed ("by hash", "by email") or nothing is close."""
    if error.suggestions or error.key.startswith("by ") or error.kind == "person with email":
        return error
    return error.suggesting(close_matches(error.key, _names_by_key(store, viewer, error.kind)))


def suggestions_for(store: GraphStore, viewer: Viewer, error: NotFound) -> list[tuple[str, str]]:
    """``with_suggestions``' keys, each with the name a page shows it by (the key when it
    has none): what a "did you mean" on a page links to, among what the viewer may know
    of (people for the programme team only)."""
    found = with_suggestions(store, viewer, error)
    if not found.suggestions:
        return []
    names = _names_by_key(store, viewer, error.kind)
    return [(key, next(iter(names.get(key) or []), key)) for key in found.suggestions]


def person(store: GraphStore, viewer: Viewer, person_id: str) -> PersonOut:
    """A person by id; ``NotFound`` both when there is none and when the caller may not
    see them."""
    return consent.visible_profile(store, viewer, person_id)


def me(store: GraphStore, viewer: Viewer) -> MeOut:
    """The key's id and role, and its person (always visible to themself) if it has one."""
    found = consent.visible_profile(store, viewer, viewer.person_id) if viewer.person_id else None
    return MeOut(key_id=viewer.key_id, role=viewer.role, person=found)


def change_consent(
    store: GraphStore, viewer: Viewer, changes: ConsentIn, at: datetime
) -> ConsentOut:
    """Set the caller's own directory, contact or analytics consent, dated ``at``.

    Stamped with that moment: a bundle dated that day or before, loaded later, never
    gives back a consent withdrawn here.
    """
    if viewer.person_id is None:
        raise Forbidden("this key belongs to no person: only a person changes their own consent")
    found = set_consent(store, viewer.person_id, changes.changes(), at)
    return ConsentOut(
        consent_directory=found.consent_directory,
        consent_contact=found.consent_contact,
        consent_analytics=found.consent_analytics,
        stated_on={f: s for f, s in found.stated_on.items() if f in CONSENT_FACTS},
    )


def contacts_of(
    store: GraphStore,
    viewer: Viewer,
    person_id: str,
    *,
    scope: Scope = "all",
    max_hops: int = 1,
    page: Page = _SCAN,
) -> Paged[ContactOut]:
    """A person's contacts, direct first, warmest first; alumni ask about their own only."""
    consent.ensure_own_network(viewer, person_id)  # so the subject is visible to the caller
    found = contacts(store, person_id, viewer=viewer, scope=scope, max_hops=max_hops)
    shown = consent.contacts_out(viewer, found)
    return Paged[ContactOut](data=shown[page.offset : page.offset + page.limit], count=len(shown))


def recommendations_for(
    store: GraphStore, viewer: Viewer, person_id: str, page: Page = _SCAN
) -> Paged[RecommendationOut]:
    """People worth meeting, each with its reasons; alumni ask about their own only."""
    consent.ensure_own_network(viewer, person_id)  # so the subject is visible to the caller
    found = recommendations(store, person_id, viewer=viewer)
    shown = consent.recommendations_out(viewer, found)
    return Paged[RecommendationOut](
        data=shown[page.offset : page.offset + page.limit], count=len(shown)
    )


def person_page(
    store: GraphStore, viewer: Viewer, person_id: str, recommended: Page = _SCAN
) -> PersonPageOut:
    """A person; with their network (contacts in other organisations, the best
    ``recommended`` people worth meeting) when the caller may see it."""
    found = consent.visible_profile(store, viewer, person_id)
    if not consent.sees_network(viewer, person_id):
        return PersonPageOut(person=found, contacts=None, worth_meeting=None)
    return PersonPageOut(
        person=found,
        contacts=contacts_of(store, viewer, person_id, scope="other-organisations").data,
        worth_meeting=worth_meeting(store, viewer, person_id, recommended),
    )


def worth_meeting(
    store: GraphStore, viewer: Viewer, person_id: str, page: Page = _SCAN
) -> Paged[RecommendationOut]:
    """Recommendations that open new organisations: people whose employer now is known
    and is neither the person's nor that of anyone they already know (a warm tie),
    best first, each with its reasons (the person page shows these)."""
    consent.ensure_own_network(viewer, person_id)
    known = contacts(store, person_id, viewer=viewer, max_hops=1)
    own = profiles(store, [consent.visible_person(store, viewer, person_id)])[person_id]
    reached = {p.organisation.id for p in (own, *(c.profile for c in known)) if p.organisation}
    fresh = [
        r
        for r in recommendations(store, person_id, viewer=viewer)
        if r.profile.organisation is not None and r.profile.organisation.id not in reached
    ]
    shown = consent.recommendations_out(viewer, fresh)
    return Paged[RecommendationOut](
        data=shown[page.offset : page.offset + page.limit], count=len(shown)
    )


def introduction(
    store: GraphStore,
    warm: AdjacencyCache,
    viewer: Viewer,
    *,
    start: str | None,
    to: str | None = None,
    to_organisation: str | None = None,
    max_hops: int = 4,
) -> IntroductionPathsOut:
    """Up to 3 shortest warm paths from ``start`` (default the caller) to a person or to
    anyone employed at an organisation now; an empty list when there is no such path."""
    start = start or viewer.person_id
    if start is None:
        raise Invalid([Problem("request", "query.from", "", "required for a key without a person")])
    consent.ensure_own_network(viewer, start)
    origin = consent.visible_person(store, viewer, start)
    target = consent.visible_person(store, viewer, to) if to is not None else None
    employer = store.get(Organisation, to_organisation) if to_organisation else None
    network = warm.current()
    found = introduction_paths(
        store,
        start,
        target_id=to,
        organisation_id=to_organisation,
        viewer=viewer,
        max_hops=max_hops,
        network=network,
    )
    # A path shows its ends' profiles already: read them only when there is none.
    shown = {p.person.id: p for path in found for p in path.people}
    ends = [p for p in (origin, target) if p is not None and p.id not in shown]
    shown.update(profiles(store, ends, network) if ends else {})
    return IntroductionPathsOut(
        from_person=consent.person_out(viewer, shown[origin.id]),
        to_person=consent.person_out(viewer, shown[target.id]) if target is not None else None,
        to_organisation=OrganisationRef(id=employer.id, name=employer.name) if employer else None,
        paths=consent.paths_out(viewer, found),
    )


# -- cohorts, organisations, projects ------------------------------------------------------


def _cohort_out(c: Cohort) -> CohortOut:
    return CohortOut.model_validate(c, from_attributes=True)


def cohorts(store: GraphStore, viewer: Viewer, page: Page) -> Paged[CohortOut]:
    """Every cohort, by id."""
    found = store.find(Cohort, page=page)
    return Paged[CohortOut](data=[_cohort_out(c) for c in found.data], count=found.count)


def cohort(store: GraphStore, viewer: Viewer, cohort_id: str) -> CohortDetailOut:
    """One cohort and its members (those the caller may see) with their roles."""
    found_cohort = store.get(Cohort, cohort_id)
    memberships = store.find(Membership, {"cohort_id": found_cohort.id}, _SCAN).data
    people = store.get_many(Person, {m.person_id for m in memberships})
    seen = [p for p in people.values() if viewer.sees(p)]
    found = profiles(store, sorted(seen, key=lambda p: (p.name, p.id)))
    members = [
        CohortMemberOut(person=consent.person_out(viewer, found[m.person_id]), role=m.role)
        for m in sorted(memberships, key=lambda m: (people[m.person_id].name, m.key))
        if m.person_id in found
    ]
    return CohortDetailOut(**_cohort_out(found_cohort).model_dump(), members=members)


def _organisation_out(o: Organisation) -> OrganisationOut:
    return OrganisationOut.model_validate(o, from_attributes=True)


def organisations(store: GraphStore, viewer: Viewer, page: Page) -> Paged[OrganisationOut]:
    """Every organisation, by id."""
    found = store.find(Organisation, page=page)
    return Paged[OrganisationOut](
        data=[_organisation_out(o) for o in found.data], count=found.count
    )


def organisation(store: GraphStore, viewer: Viewer, organisation_id: str) -> OrganisationDetailOut:
    """One organisation and how many people it employs now."""
    o = store.get(Organisation, organisation_id)
    now = store.search_people(PersonQuery(organisation_id=o.id), Page(limit=1)).count
    return OrganisationDetailOut(**_organisation_out(o).model_dump(), people_now=now)


def _project_outs(store: GraphStore, found: list[Project]) -> list[ProjectOut]:
    found_cohorts = store.get_many(Cohort, {p.cohort_id for p in found})
    issues = store.get_many(WickedIssue, {p.issue_id for p in found if p.issue_id})
    return [
        ProjectOut(
            id=p.id,
            title=p.title,
            cohort=CohortRef(
                id=p.cohort_id, name=c.name if (c := found_cohorts.get(p.cohort_id)) else ""
            ),
            issue=IssueRef(id=i.id, title=i.title)
            if p.issue_id and (i := issues.get(p.issue_id))
            else None,
            status=p.status,
            start_date=p.start_date,
            due_date=p.due_date,
            outcomes=p.outcomes,
        )
        for p in found
    ]


def projects(
    store: GraphStore,
    viewer: Viewer,
    page: Page,
    *,
    cohort_id: str | None = None,
    issue_id: str | None = None,
    status: ProjectStatus | None = None,
    overdue: bool | None = None,
    sponsored: bool | None = None,
    as_of: date | None = None,
) -> Paged[ProjectOut]:
    """Projects by id, filtered by cohort, wicked issue, status; delivery tracking with
    ``overdue`` (judged on ``as_of``, default today) and ``sponsored``."""
    where = {
        k: v
        for k, v in {
            "cohort_id": cohort_id,
            "issue_id": issue_id,
            "status": status.value if status else None,
        }.items()
        if v is not None
    }
    if overdue is None and sponsored is None:
        found = store.find(Project, where, page)
        return Paged[ProjectOut](data=_project_outs(store, found.data), count=found.count)
    chosen = store.find(Project, where, _SCAN).data
    if overdue is not None:
        late = {p.id for p in tracking.overdue_projects(chosen, as_of or date.today())}
        chosen = [p for p in chosen if (p.id in late) is overdue]
    if sponsored is not None:
        orphans = {p.id for p in tracking.unsponsored_projects(chosen)}
        chosen = [p for p in chosen if (p.id not in orphans) is sponsored]
    shown = chosen[page.offset : page.offset + page.limit]
    return Paged[ProjectOut](data=_project_outs(store, shown), count=len(chosen))


def project(store: GraphStore, viewer: Viewer, project_id: str) -> ProjectDetailOut:
    """One project, its sponsor and its members (those the caller may see) with roles."""
    found_project = store.get(Project, project_id)
    members = store.find(ProjectMember, {"project_id": found_project.id}, _SCAN).data
    sponsor_id = found_project.sponsor_id
    ids = {m.person_id for m in members} | ({sponsor_id} if sponsor_id else set())
    people = store.get_many(Person, ids)
    seen = [p for p in people.values() if viewer.sees(p)]
    found = profiles(store, sorted(seen, key=lambda p: (p.name, p.id)))
    sponsor = found.get(sponsor_id or "")
    return ProjectDetailOut(
        **_project_outs(store, [found_project])[0].model_dump(),
        sponsor=consent.person_out(viewer, sponsor) if sponsor else None,
        members=[
            ProjectMemberOut(person=consent.person_out(viewer, found[m.person_id]), role=m.role)
            for m in sorted(members, key=lambda m: (m.role.value, people[m.person_id].name))
            if m.person_id in found
        ],
    )
