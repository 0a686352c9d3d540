"""Free text that names someone alumni may not see: a warning with the cell it is in.

Descriptions, outcomes and handover notes are shown to alumni with everyone
they may not see withheld (``services.consent.free_text``), so a bundle that names
a person without directory consent still loads; the programme team is told
where (file, sheet, row, column), so they can reword the text or ask for
consent. The warning names the cell, never the person: warnings are stored
with the ingest run.

The people looked for are those a bundle's free text most likely names, found
without reading the whole directory (nor every project of an issue) on every
load: the bundle's own people (as they will be after it loads), everyone its
rows name by email (members, project teams and sponsors, mentors, survey
contacts), the teams and sponsors of the projects its handovers pass between,
and anyone its free text names by email.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from graph.integrity import Lookup
from graph.model import (
    Handover,
    Membership,
    Person,
    Project,
    ProjectMember,
    Tie,
    normalise_email,
    person_id_for,
)
from graph.redact import Matcher, Named
from graph.store import Batch, GraphStore, Page
from ingest.read import Issue, RawBundle

__all__ = ["FREE_TEXT_COLUMNS", "REASON", "free_text_warnings"]

FREE_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "wicked_issues": ("description",),
    "projects": ("outcomes",),
    "handovers": ("notes",),
}
"""The bundle's free-text columns, by table (``spec/cohort-bundle.md``)."""

REASON = (
    "names a person without directory consent (by name or email): alumni will see it"
    " withheld; reword it, or ask for their consent"
)

_SCAN = Page(limit=100_000)
_EMAIL_IN_TEXT = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")


def _texts(raw: RawBundle) -> list[tuple[Issue, str]]:
    """Every non-empty free-text cell, with an issue placed on it (reason to fill)."""
    found = []
    for table, columns in FREE_TEXT_COLUMNS.items():
        for row in raw.rows(table):
            for column in columns:
                value = row.cells.get(column)
                if value is not None and str(value).strip():
                    found.append((Issue(row.location, column, None, REASON), str(value)))
    return found


def _people(
    batch: Batch, store: GraphStore, lookup: Lookup, salt: str, texts: Iterable[str]
) -> list[Person]:
    """The people the texts may name (see the module's docstring), as after the load."""
    ids: set[str] = set()
    ids |= {m.person_id for m in batch.of(Membership)}
    ids |= {m.person_id for m in batch.of(ProjectMember)}
    ids |= {p.sponsor_id for p in batch.of(Project) if p.sponsor_id}
    ids |= {i for t in batch.of(Tie) for i in (t.source_id, t.target_id)}
    for text in texts:
        ids |= {person_id_for(normalise_email(e), salt) for e in _EMAIL_IN_TEXT.findall(text)}
    handed = {h.from_project_id for h in batch.of(Handover)}
    handed |= {h.to_project_id for h in batch.of(Handover) if h.to_project_id}
    for project in lookup(Project, handed - {p.id for p in batch.of(Project)}).values():
        assert isinstance(project, Project)
        ids |= {project.sponsor_id} if project.sponsor_id else set()
    for project_id in sorted(handed):
        team = store.find(ProjectMember, {"project_id": project_id}, _SCAN).data
        ids |= {m.person_id for m in team}
    people = {p.id: p for p in batch.of(Person)}
    wanted = ids - people.keys()
    if wanted:
        found = lookup(Person, wanted)
        people = {**{k: p for k, p in found.items() if isinstance(p, Person)}, **people}
    return list(people.values())


def free_text_warnings(
    raw: RawBundle, batch: Batch, store: GraphStore, salt: str, *, lookup: Lookup | None = None
) -> list[Issue]:
    """A warning for each free-text cell of the bundle that names (full name, first
    and last name, or email) a person without directory consent.

    ``lookup`` answers which records the store holds (default: ``store.get_many``); the
    validator passes its own, which answers from what it has already read."""
    cells = _texts(raw)
    if not cells:
        return []
    hidden = [
        Named(p.id, p.name, p.email)
        for p in _people(batch, store, lookup or store.get_many, salt, (t for _, t in cells))
        if not p.consent_directory
    ]
    matcher = Matcher(hidden)
    if not matcher:
        return []
    return [issue for issue, text in cells if matcher.find(text)]
