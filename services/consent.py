"""Consent, enforced in one place: who a caller may see, route through and contact.

Every person a response names becomes a ``PersonOut`` here and nowhere else,
so one reading of this module says what any caller can learn:

- an ``alumni`` caller never sees a person without ``consent_directory``: not
  in search, not by id (404, exactly as for an absent id), not as a contact, a
  recommendation or a path's end; they always see themself;
- nobody is routed through (an intermediary of a path, of a two-hop contact,
  of a "near" recommendation) without ``consent_directory``: an introduction
  asks something of them;
- an email is shown only with ``consent_contact``, to every role (the
  programme team sees everyone, but contact details only with consent), and
  to the person themself;
- alumni ask about their own network only (contacts, paths from,
  recommendations); subject access is for the person or an admin;
- free text (handover notes, project outcomes, issue descriptions) reaches an
  alumni caller with the name and email of everyone they may not see withheld,
  and the email of everyone whose contact details they may not see, whoever
  wrote the text (``free_text``); the programme team reads it whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

from graph.connections import Connection, Hop
from graph.contacts import Contact
from graph.delivery import IssueSummary
from graph.errors import Forbidden, NotFound
from graph.lineage import Lineage, Step
from graph.model import UNDIRECTED_KINDS, Handover, KeyRole, Person, Tie
from graph.paths import IntroductionPath
from graph.profiles import Profile, profiles
from graph.recommendations import Recommendation
from graph.redact import Matcher, Mention, Named
from graph.store import GraphStore, Page, PersonQuery
from services.schemas import (
    CohortRef,
    ConnectionOut,
    ContactOut,
    ContextOut,
    HopOut,
    IntroductionPathOut,
    OrganisationRef,
    PersonOut,
    ReasonOut,
    RecommendationOut,
    TieOut,
)


@dataclass(frozen=True)
class Viewer:
    """Who is calling: the key's role, its id (for audits) and its person, if any."""

    role: KeyRole
    key_id: str
    person_id: str | None = None

    def is_self(self, person_id: str) -> bool:
        return self.person_id is not None and self.person_id == person_id

    def sees(self, person: Person) -> bool:
        """May this caller learn that the person exists?"""
        return (
            self.role is not KeyRole.ALUMNI or person.consent_directory or self.is_self(person.id)
        )

    def may_route_through(self, person: Person) -> bool:
        """May a path, a two-hop contact or a recommendation go through this person?"""
        return person.consent_directory and self.sees(person)

    def sees_contact_details(self, person: Person) -> bool:
        return person.consent_contact or self.is_self(person.id)


def seen_by(viewer: Viewer, query: PersonQuery) -> PersonQuery:
    """``query`` narrowed to the people ``viewer`` sees, as data a store's query applies
    (``Viewer.sees`` as filters): alumni see directory-consenting people and themself."""
    if viewer.role is KeyRole.ALUMNI:
        return replace(query, directory_only=True, also_id=viewer.person_id)
    return query


def ensure_own_network(viewer: Viewer, person_id: str) -> None:
    """Alumni ask about their own network only; the programme team about anyone's."""
    if not sees_network(viewer, person_id):
        raise Forbidden("an alumni key may only ask about its own person's network")


def sees_network(viewer: Viewer, person_id: str) -> bool:
    """May this caller see the person's network (``ensure_own_network`` would pass)?"""
    return viewer.role is not KeyRole.ALUMNI or viewer.is_self(person_id)


def ensure_own_data(viewer: Viewer, person_id: str) -> None:
    """Personal data rights are exercised by the person themself, or by an admin."""
    if viewer.role is not KeyRole.ADMIN and not viewer.is_self(person_id):
        raise Forbidden("only the person themself or an admin may do this")


def ensure_map_allowed(viewer: Viewer, person_id: str | None) -> None:
    """Alumni draw only their own ego map (people they may see, reached through people
    who may be routed through); the programme team draws any map."""
    if viewer.role is KeyRole.ALUMNI and person_id is None:
        raise Forbidden("an alumni key may only draw its own network: add person=YOUR_ID")
    if person_id is not None:
        ensure_own_network(viewer, person_id)


def is_team(viewer: Viewer) -> bool:
    """The programme team: programme or admin keys."""
    return viewer.role in (KeyRole.PROGRAMME, KeyRole.ADMIN)


def ensure_team(viewer: Viewer) -> None:
    """Recording what happened (a handover) is for the programme team: programme or admin."""
    if not is_team(viewer):
        raise Forbidden(f"{viewer.role.value} keys may not do this (it needs: programme, admin)")


def _hidden(person_id: str) -> NotFound:
    """Exactly what the store says of an absent person, so absence and refusal look alike."""
    return NotFound("person", person_id)


def person_out(viewer: Viewer, profile: Profile) -> PersonOut:
    """The one place a person becomes part of a response."""
    person = profile.person
    if not viewer.sees(person):
        raise _hidden(person.id)
    organisation = profile.organisation
    return PersonOut(
        id=person.id,
        name=person.name,
        job_title=person.job_title,
        organisation=OrganisationRef(id=organisation.id, name=organisation.name)
        if organisation
        else None,
        sector=profile.sector,
        area=person.area,
        interests=list(person.interests),
        skills=list(person.skills),
        cohorts=[CohortRef(id=c.id, name=c.name) for c in profile.cohorts],
        email=person.email if viewer.sees_contact_details(person) else None,
    )


def people_out(viewer: Viewer, found: Iterable[Profile]) -> list[PersonOut]:
    """The people of a list this caller may see, in order; the others are left out."""
    return [person_out(viewer, p) for p in found if viewer.sees(p.person)]


def visible_person(store: GraphStore, viewer: Viewer, person_id: str) -> Person:
    """A person by id, or 404 when absent or hidden from this caller."""
    person = store.get_many(Person, [person_id]).get(person_id)
    if person is None or not viewer.sees(person):
        raise _hidden(person_id)
    return person


def visible_profile(store: GraphStore, viewer: Viewer, person_id: str) -> PersonOut:
    person = visible_person(store, viewer, person_id)
    return person_out(viewer, profiles(store, [person])[person.id])


def connection_out(c: Connection) -> ConnectionOut:
    return ConnectionOut(
        kind=c.kind,
        direction=c.direction,
        text=c.text,
        context=ContextOut(type=c.context_type, id=c.context_id, name=c.context_name)
        if c.context_type
        else None,
        wave=c.wave,
        since=c.start,
        until=c.end,
    )


def _hop_out(hop: Hop) -> HopOut:
    return HopOut(
        from_id=hop.source,
        to_id=hop.target,
        connections=[connection_out(c) for c in hop.connections],
    )


# Contacts, paths and recommendations are found by graph functions handed this same
# viewer: everyone in them is someone the viewer sees, every intermediary someone it
# may route through. ``person_out`` still refuses anyone hidden (a 404, never a leak).


def contacts_out(viewer: Viewer, found: Iterable[Contact]) -> list[ContactOut]:
    """Contacts found for this viewer (``graph.contacts.contacts(viewer=viewer)``)."""
    return [
        ContactOut(
            person=person_out(viewer, c.profile),
            hops=c.hops,
            score=c.score,
            path=[_hop_out(h) for h in c.path],
            via=[person_out(viewer, p) for p in c.via],
        )
        for c in found
    ]


def paths_out(viewer: Viewer, found: Iterable[IntroductionPath]) -> list[IntroductionPathOut]:
    """Paths found for this viewer (``graph.paths.introduction_paths(viewer=viewer)``)."""
    return [
        IntroductionPathOut(
            hops=len(p.hops),
            people=[person_out(viewer, x) for x in p.people],
            steps=[_hop_out(h) for h in p.hops],
        )
        for p in found
    ]


def recommendations_out(viewer: Viewer, found: Iterable[Recommendation]) -> list[RecommendationOut]:
    """Recommendations found for this viewer (``graph.recommendations``, ``viewer=viewer``)."""
    return [
        RecommendationOut(
            person=person_out(viewer, r.profile),
            score=r.score,
            reasons=[ReasonOut(kind=x.kind, text=x.text) for x in r.reasons],
            via=[person_out(viewer, p) for p in r.via],
        )
        for r in found
    ]


def tie_out(viewer: Viewer, tie: Tie, subject_id: str, others: dict[str, Person]) -> TieOut:
    """One of the subject's ties; the other person's id only if the caller may see them."""
    other_id = tie.target_id if tie.source_id == subject_id else tie.source_id
    other = others.get(other_id)
    shown = other is not None and viewer.sees(other)
    undirected = tie.tie_kind in UNDIRECTED_KINDS
    return TieOut(
        kind=tie.tie_kind,
        direction="mutual" if undirected else ("out" if tie.source_id == subject_id else "in"),
        other_person_id=other_id if shown else None,
        other_withheld=not shown,
        start=tie.start,
        end=tie.end,
        wave=tie.wave,
        cohort_id=tie.cohort_id,
        context=tie.context,
        frequency=tie.frequency,
    )


# -- free text ----------------------------------------------------------------------------

FreeText = Callable[[str | None], str | None]
"""How one caller reads a free-text field: the text as they may see it."""


@dataclass(frozen=True)
class _Everyone:
    """Everyone of a store whom some alumni caller may not see (or not see the email
    of), as free text may name them, as of one store version."""

    version: str
    people: dict[str, Person]
    matcher: Matcher


_EVERYONE: WeakKeyDictionary[GraphStore, _Everyone] = WeakKeyDictionary()
_EVERYONE_LOCK = threading.Lock()
_PEOPLE_PAGE = 10_000


def _everyone(store: GraphStore) -> _Everyone:
    """Read once per store version: any write may add, rename or erase someone."""
    version = store.version()
    with _EVERYONE_LOCK:
        known = _EVERYONE.get(store)
    if known is not None and known.version == version:
        return known
    people: dict[str, Person] = {}
    offset = 0
    while True:
        found = store.find(Person, None, Page(limit=_PEOPLE_PAGE, offset=offset)).data
        people.update((p.id, p) for p in found if not (p.consent_directory and p.consent_contact))
        if len(found) < _PEOPLE_PAGE:
            break
        offset += _PEOPLE_PAGE
    known = _Everyone(
        version, people, Matcher(Named(p.id, p.name, p.email) for p in people.values())
    )
    with _EVERYONE_LOCK:
        _EVERYONE[store] = known
    return known


def _whole(text: str | None) -> str | None:
    return text


def free_text(store: GraphStore, viewer: Viewer) -> FreeText:
    """The one reading of free text for this caller: for alumni, every mention (full
    name, first and last name, email) of a person they may not see is withheld, and
    so is the email of anyone whose contact details they may not see; a name shared
    by a visible and a hidden person is withheld too. The programme team reads it whole.
    """
    if viewer.role is not KeyRole.ALUMNI:
        return _whole

    known: list[_Everyone] = []  # read on the first text, then kept per store version

    def withheld(mention: Mention) -> bool:
        named = [known[0].people[k] for k in mention.keys if k in known[0].people]
        if mention.what == "email":
            return any(not (viewer.sees(p) and viewer.sees_contact_details(p)) for p in named)
        return any(not viewer.sees(p) for p in named)

    def read(text: str | None) -> str | None:
        if not text:
            return text
        if not known:
            known.append(_everyone(store))
        return known[0].matcher.redact(text, withheld)

    return read


def _handover_seen(h: Handover, text: FreeText) -> Handover:
    return h.model_copy(update={"notes": text(h.notes)}) if h.notes else h


def lineage_seen(store: GraphStore, viewer: Viewer, found: Lineage) -> Lineage:
    """An issue's lineage with its description, outcomes and handover notes as this
    caller may read them (see ``free_text``); its people are shown by ``people_out``."""
    text = free_text(store, viewer)
    if text is _whole:
        return found

    def step(s: Step) -> Step:
        return replace(
            s,
            project=s.project.model_copy(update={"outcomes": text(s.project.outcomes)}),
            handed_over=tuple(_handover_seen(h, text) for h in s.handed_over),
            received=tuple(_handover_seen(h, text) for h in s.received),
        )

    return replace(
        found,
        issue=found.issue.model_copy(update={"description": text(found.issue.description)}),
        steps=tuple(step(s) for s in found.steps),
        handovers=tuple(_handover_seen(h, text) for h in found.handovers),
    )


def summaries_seen(
    store: GraphStore, viewer: Viewer, found: Sequence[IssueSummary]
) -> list[IssueSummary]:
    """Issue summaries with their descriptions and outcomes as this caller may read them."""
    text = free_text(store, viewer)
    if text is _whole:
        return list(found)
    return [
        replace(
            s,
            issue=s.issue.model_copy(update={"description": text(s.issue.description)}),
            projects=tuple(p.model_copy(update={"outcomes": text(p.outcomes)}) for p in s.projects),
        )
        for s in found
    ]
