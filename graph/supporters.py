"""Who can help: the people a team picking up a wicked issue could talk to, ranked.

Those who worked on the issue's finished projects, their sponsors, and, for
each organisation the issue's network has not reached, the person best placed
to open its door; each with the reasons, in words.

Pure functions over the ``GraphStore`` protocol. Who may be seen, routed
through or contacted is the reader's to say (a ``Reader``: ``services.consent``'s
``Viewer`` is one); the consent policy stays in ``services.consent``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from graph.connections import STRENGTH
from graph.lineage import Lineage
from graph.model import DEFAULT_METRIC_KINDS, Employment, Organisation, Person
from graph.profiles import Profile, profiles
from graph.store import GraphStore, Page, PersonQuery
from graph.viewer import Visibility

__all__ = ["Reader", "SupportReason", "Supporter", "supporters"]

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


class Reader(Visibility, Protocol):
    """Who is asking for supporters: whom they see and route through, and whose email
    they may be shown (someone is listed only if they can be contacted)."""

    def sees_contact_details(self, person: Person) -> bool:
        """May the caller be shown the person's email?"""
        ...


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
    reader: Reader,
    *,
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

    Everyone listed is seen by ``reader`` and can be contacted: their email may
    be shown to the reader (``sees_contact_details``) or the reader may be
    introduced through them (``may_route_through``). People on projects still
    open (the receiving team) and ``exclude`` are left out; ``via`` lists only
    people the reader may route through. Ranked by score, then most recent involvement, then name.
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
        return reader.sees(p) and (reader.sees_contact_details(p) or reader.may_route_through(p))

    newcomers = _newcomers(store, found, insiders, reader, contactable)

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
    reader: Visibility,
    contactable: Callable[[Person], bool],
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
                found.profiles[i]
                for i in via_ids
                if reader.may_route_through(found.profiles[i].person)
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
