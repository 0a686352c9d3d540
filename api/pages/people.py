"""Alumni pages: home, finding people, a person and their network, an introduction path."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import NetworkDep, StoreDep
from api.pages.render import (
    closest,
    not_found,
    refused,
    render,
    signed_in,
    to_sign_in,
)
from graph.errors import Forbidden, Invalid, NotFound
from graph.model import Sector
from graph.store import Page, PersonQuery
from services import people

SEARCH_PAGE = Page(limit=50)
RECOMMENDED = Page(limit=10)
router = APIRouter(include_in_schema=False)

# -- alumni -----------------------------------------------------------------------------------


@router.get("/")
def home(request: Request, store: StoreDep) -> Response:
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    me = None
    if who.viewer.person_id:
        try:
            me = people.person(store, who.viewer, who.viewer.person_id)
        except NotFound:
            me = None
    return render(request, "home.html", who, me=me)


FIND_PAGE_SIZE = 25
Choice = Annotated[str, Query(max_length=200)]


def _sector(value: str) -> Sector | None:
    return next((s for s in Sector if s.value == value), None)


@router.get("/find")
def find(
    request: Request,
    store: StoreDep,
    q: Choice = "",
    organisation: Choice = "",
    sector: Choice = "",
    area: Choice = "",
    cohort: Choice = "",
    issue: Choice = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Search alumni, with filters and pages, as ``GET /people`` does."""
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    # an address typed or kept by hand may name a filter by its name, or by nothing
    # there is: said in words above the (then empty) results, with what is close
    unknown: list[str] = []

    def resolved(label: str, kind: str, text: str) -> str:
        try:
            return people.filter_id(store, label, kind, text) if text else ""
        except Invalid as refused:
            unknown.extend(f"{p.field} {p.value!r}: {p.reason}" for p in refused.problems)
            return text

    organisation = resolved("Organisation", "organisation", organisation)
    cohort = resolved("Cohort", "cohort", cohort)
    issue = resolved("Wicked issue", "issue", issue)
    if sector and _sector(sector) is None:
        unknown.append(f"Sector {sector!r}: is not a sector; choose one from the list")
    chosen = {
        "q": q.strip(),
        "organisation": organisation,
        "sector": sector if _sector(sector) else "",
        "area": area,
        "cohort": cohort,
        "issue": issue,
    }
    query = PersonQuery(
        text=chosen["q"] or None,
        organisation_id=organisation or None,
        sector=_sector(sector),
        area=area or None,
        cohort_id=cohort or None,
        issue_id=issue or None,
    )
    window = Page(limit=FIND_PAGE_SIZE, offset=(page - 1) * FIND_PAGE_SIZE)
    found = people.search(store, who.viewer, query, window)
    pages = max(1, -(-found.count // FIND_PAGE_SIZE))
    kept = {k: v for k, v in chosen.items() if v}

    def page_url(n: int) -> str:
        return "/find?" + urlencode({**kept, "page": n})

    return render(
        request,
        "find.html",
        who,
        q=q,
        chosen=chosen,
        unknown=unknown,
        filters=people.search_filters(store, who.viewer),
        people=found.data,
        count=found.count,
        first=window.offset + 1,
        page=page,
        pages=pages,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < pages else None,
    )


@router.get("/person/{person_id}")
def person_page(request: Request, store: StoreDep, person_id: str) -> Response:
    """A person; for themself or the team, also their ego map and contacts elsewhere (an
    alumni key draws and lists its own network only, as ``GET /visualisations/network.html``
    and ``GET /people/{id}/contacts`` decide)."""
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    try:
        found = people.person_page(store, who.viewer, person_id, RECOMMENDED)
    except NotFound as missing:
        return not_found(
            request,
            who,
            "No such person, or none you may see.",
            closest(store, who, missing, lambda key: f"/person/{key}"),
        )
    return render(
        request,
        "person.html",
        who,
        person=found.person,
        contacts=found.contacts,
        recommended=found.worth_meeting,
        introduce_from="" if who.viewer.is_self(person_id) else person_id,
        map_url="/visualisations/network.html?" + urlencode({"person": person_id}),
    )


@dataclass(frozen=True)
class Node:
    x: int
    y: int
    name: str
    org: str
    id: str = ""
    """The person's id, for the link on their name."""
    org_lines: tuple[str, ...] = ()
    """``org`` wrapped to fit under the person."""


@dataclass(frozen=True)
class Edge:
    x1: int
    x2: int
    y: int
    mid: float
    label: str
    """The tie behind the hop, in full (``lines`` wraps it to fit above the hop)."""
    title: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drawing:
    """One path as an SVG: a row of people, each hop labelled with the tie behind it."""

    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]


LINE = 13
"""Pixels a line of a hop's label takes."""


def path_drawing(
    people: list[tuple[str, str]], labels: list[str], ids: list[str] | None = None
) -> Drawing:
    """Where the people of one path, ``(name, organisation)``, go in its SVG; every
    hop's label whole, wrapped in lines that fit between its two people.

    >>> d = path_drawing([("Ann", "ECC"), ("Bob", "NHS")], ["both in cohort 2019"])
    >>> [(n.x, n.name) for n in d.nodes], d.edges[0].label, d.width
    ([(100, 'Ann'), (360, 'Bob')], 'both in cohort 2019', 460)
    >>> long = "worked together on project Good work for everyone in Essex and beyond"
    >>> path_drawing([("A", ""), ("B", "")], [long]).edges[0].lines
    ('worked together on project Good', 'work for everyone in Essex and', 'beyond')
    """
    gap, left = 260, 100
    wrapped = [tuple(textwrap.wrap(label, 34)) or ("",) for label in labels]
    top = 24 + LINE * max((len(w) for w in wrapped), default=1)
    nodes = [
        Node(
            left + i * gap,
            top,
            name,
            organisation,
            ids[i] if ids else "",
            tuple(textwrap.wrap(organisation, 30)),
        )
        for i, (name, organisation) in enumerate(people)
    ]
    below = max((len(n.org_lines) for n in nodes), default=1)
    edges = [
        Edge(a.x + 14, b.x - 14, top, (a.x + b.x) / 2, label, label, lines)
        for a, b, label, lines in zip(nodes, nodes[1:], labels, wrapped, strict=False)
    ]
    height = top + 56 + 14 * max(below, 1)
    return Drawing(left * 2 + gap * max(len(people) - 1, 0), height, nodes, edges)


@router.get("/introduction")
def introduction(
    request: Request,
    store: StoreDep,
    warm: NetworkDep,
    to: Annotated[str, Query(max_length=200)] = "",
    to_organisation: Annotated[str, Query(max_length=200)] = "",
    from_: Annotated[str, Query(alias="from", max_length=200)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Who can introduce me to someone, or to anyone at an organisation: up to three
    shortest warm paths, every hop with the tie that explains it, as
    ``GET /paths/introduction`` answers."""
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    viewer = who.viewer
    start = from_ or viewer.person_id or ""
    context: dict[str, Any] = {
        "to": to,
        "to_organisation": to_organisation,
        "from_": from_,
        "q": q,
        "start": start,
        "filters": people.search_filters(store, viewer),
    }
    if q.strip():
        context["candidates"] = people.search(
            store, viewer, PersonQuery(text=q.strip()), SEARCH_PAGE
        ).data
    if not (to or to_organisation) or not start:
        return render(request, "introduction.html", who, **context)
    try:
        found = people.introduction(
            store,
            warm,
            viewer,
            start=start,
            to=to or None,
            to_organisation=None if to else to_organisation,
        )
    except Forbidden:
        return refused(request, who, "An alumni key finds introductions from its own person only.")
    except NotFound as missing:
        # the same request with the missing one replaced by a suggestion
        asked = {"from": from_, "to": to, "to_organisation": "" if to else to_organisation}
        aim = next((k for k, v in asked.items() if v == missing.key), "to")

        def retried(key: str) -> str:
            return "/introduction?" + urlencode({k: v for k, v in {**asked, aim: key}.items() if v})

        return not_found(
            request,
            who,
            "No such person or organisation, or none you may see.",
            closest(store, who, missing, retried),
        )
    paths = found.paths
    drawn = [
        path_drawing(
            [(x.name, x.organisation.name if x.organisation else "") for x in p.people],
            ["; ".join(c.text for c in s.connections) for s in p.steps],
            [x.id for x in p.people],
        )
        for p in paths
    ]
    names = {person.id: person.name for p in paths for person in p.people}
    return render(
        request,
        "introduction.html",
        who,
        origin=found.from_person,
        target=found.to_person,
        organisation=found.to_organisation,
        paths=list(zip(paths, drawn, strict=True)),
        names=names,
        **context,
    )
