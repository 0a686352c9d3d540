"""A person's contacts: the people they know, and the people those know, ranked.

Pure functions over the ``GraphStore`` protocol. Who may be *seen* and who may be
*routed through* is not decided here: the caller hands in one ``Visibility``
(``services.consent.Viewer``), so the consent policy lives in one place and this
module stays about the graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from graph.connections import WARM_KINDS, Contexts, Hop, Ties, other_end
from graph.errors import Invalid, Problem
from graph.profiles import PeopleOnDemand, Profile, other_organisation, profiles
from graph.store import GraphStore
from graph.viewer import Visibility

__all__ = ["Contact", "Scope", "contacts"]

Scope = Literal["other-organisations", "all"]


@dataclass(frozen=True)
class Contact:
    """Someone the subject knows (``hops`` 1) or can be introduced to (``hops`` 2)."""

    profile: Profile
    hops: int
    score: float
    path: tuple[Hop, ...]
    """The strongest path from the subject to them, every hop explained."""
    via: tuple[Profile, ...]
    """Every intermediary (``hops`` 2), strongest first; empty for direct contacts."""


def contacts(
    store: GraphStore,
    person_id: str,
    *,
    viewer: Visibility,
    scope: Scope = "all",
    max_hops: int = 1,
) -> list[Contact]:
    """The subject's contacts, ranked: direct ones first, then strongest, then by name.

    A direct contact's score is the strength of their ties to the subject; one
    two hops away scores half the weaker hop of each intermediary, summed over
    intermediaries. Intermediaries are people ``viewer.may_route_through``; everyone
    returned is someone ``viewer.sees``. ``scope="other-organisations"`` keeps people whose current
    employer is known and differs from the subject's.
    """
    if max_hops not in (1, 2):
        raise Invalid([Problem("contacts", "max_hops", max_hops, "must be 1 or 2")])
    people = PeopleOnDemand(store)
    subject = people.require(person_id)
    ties = Ties()
    first = store.ties_of([subject.id], WARM_KINDS)
    ties.add(first)
    direct = sorted({other_end(t, subject.id) for t in first})
    people.load(direct)
    direct = [d for d in direct if (p := people.cache[d]) is not None and viewer.sees(p)]
    via: dict[str, list[str]] = defaultdict(list)
    if max_hops == 2:
        bridges = [d for d in direct if viewer.may_route_through(people.require(d))]
        second = store.ties_of(bridges, WARM_KINDS)
        ties.add(second)
        bridge_set, direct_set = set(bridges), set(direct)
        for t in second:
            for bridge, far in ((t.source_id, t.target_id), (t.target_id, t.source_id)):
                if bridge in bridge_set and far != subject.id and far not in direct_set:
                    if bridge not in via[far]:
                        via[far].append(bridge)
        people.load(via)
        via = {
            k: v for k, v in via.items() if (p := people.cache[k]) is not None and viewer.sees(p)
        }
    everyone = [subject.id, *direct, *via]
    found = profiles(store, [people.require(i) for i in dict.fromkeys(everyone)])
    me = found[subject.id]
    contexts = Contexts.of(store, ties.all())
    result: list[Contact] = []
    for other in direct:
        hop = ties.hop(subject.id, other, contexts)
        result.append(Contact(found[other], 1, hop.strength, (hop,), ()))
    for far, through in via.items():
        scored = []
        for bridge in through:
            first_hop = ties.hop(subject.id, bridge, contexts)
            second_hop = ties.hop(bridge, far, contexts)
            scored.append(
                (min(first_hop.strength, second_hop.strength), bridge, first_hop, second_hop)
            )
        scored.sort(key=lambda s: (-s[0], found[s[1]].person.name, s[1]))
        best = scored[0]
        score = sum(s[0] for s in scored) / 2
        result.append(
            Contact(found[far], 2, score, (best[2], best[3]), tuple(found[s[1]] for s in scored))
        )
    if scope == "other-organisations":
        result = [c for c in result if other_organisation(me, c.profile)]
    result.sort(key=lambda c: (c.hops, -c.score, c.profile.person.name, c.profile.person.id))
    return result
