"""The one protocol every store satisfies, and the values that cross it.

The rest of the service (ingestion, analytics, API, pages) talks to a
``GraphStore`` and never to SQLite or Neo4j directly; ``tests/contract`` runs
the same tests against every implementation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from graph.model import (
    DEFAULT_METRIC_KINDS,
    WRITE_ORDER,
    ApiKey,
    Area,
    Assessment,
    Cohort,
    Employment,
    Erasure,
    Handover,
    IngestRun,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    Record,
    Sector,
    Tie,
    TieKind,
    Wave,
    WickedIssue,
)

if TYPE_CHECKING:  # networkx is imported by the snapshot builder, when a snapshot is built
    import networkx as nx

    from graph.surveys import SurveyStore

R = TypeVar("R", bound=Record)
T = TypeVar("T")

TieEnds = tuple[list[str], list[str]]
"""Sources and targets of some ties, aligned: columns, not a tuple per tie, because a
network of 100,000 people has millions."""


@dataclass
class Batch:
    """Everything one load writes, in one transaction."""

    organisations: list[Organisation] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    issues: list[WickedIssue] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    project_members: list[ProjectMember] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    derived: list[tuple[TieKind, str]] = field(default_factory=list)
    """Cohorts (``cohort_peer``, cohort id) and projects (``project``, project id) whose
    co-membership ties the store derives from memberships when read (``graph.derived``),
    instead of tie rows: a load names every group it touches; the store counts the ties
    that appear or change as ``tie`` records created or updated, as if they were stored."""

    def of(self, model: type[R]) -> list[R]:
        """The batch's records of one kind."""
        records: list[R] = getattr(self, _BATCH_FIELD[model])
        return records

    def by_kind(self) -> Iterator[tuple[type[Record], list[Record]]]:
        for model in WRITE_ORDER:
            yield model, list(self.of(model))


_BATCH_FIELD: dict[type[Record], str] = {
    Organisation: "organisations",
    Person: "people",
    Cohort: "cohorts",
    WickedIssue: "issues",
    Membership: "memberships",
    Employment: "employments",
    Project: "projects",
    ProjectMember: "project_members",
    Handover: "handovers",
    Tie: "ties",
    Assessment: "assessments",
    Area: "areas",
}


@dataclass(frozen=True)
class JournalEntry:
    """What one run did to one record: ``previous`` is None when it created it."""

    run_id: str
    seq: int
    kind: str
    key: str
    previous: dict[str, object] | None
    people: tuple[str, ...]


ChangedRecord = tuple[str, str, tuple[str, ...]]
"""One record a write created, updated or deleted: its kind, its key and every person it
names, before and after (``JournalEntry``'s ``kind``, ``key`` and ``people``)."""


@dataclass(frozen=True)
class StoreChanges:
    """What was written since a mark (``GraphStore.changes_since``)."""

    mark: int
    """The latest write's mark: what to ask about next time."""
    entries: tuple[ChangedRecord, ...] | None
    """Every record written since the mark asked about (a superset: a record may be
    named although unchanged), or None when the store cannot tell (a rollback, an
    erasure, an import, a large write without a run, a mark too old): read it all."""


FACETS = ("organisation", "sector", "cohort", "issue", "project")
"""What a search document lists its person under: employers now and their sectors,
cohorts, the wicked issues worked on and the projects that tie them to those issues."""

SEARCH_WEIGHTS = (8.0, 6.0, 4.0, 3.0, 2.0, 1.0)
"""How much a word found in each field counts (``graph.search``: name, employer, job,
sector/area/interests/skills, wicked issues, cohorts); a document holds one text per
weight, in this order."""

SEARCH_QUALITIES = (1.0, 0.75, 0.4)
"""A word found whole, at a word's start, inside a word: how much of the weight it gets."""


@dataclass(frozen=True)
class SearchDocument:
    """One person as a store's search index holds them (``graph.search`` writes them)."""

    person_id: str
    name: str
    directory: bool
    """``consent_directory``: alumni find only these (and themself)."""
    area: str
    """As written ("" for none; what the filters list)."""
    area_key: str
    """Folded (what the area filter compares)."""
    body: str
    """Every field searched, folded, one after another: the text the index holds."""
    weighted: tuple[str, ...]
    """The same fields by ``SEARCH_WEIGHTS``: for each weight, its fields' folded texts
    joined by ``" | "`` and padded with a space each side ("" when none)."""
    facets: tuple[tuple[str, str], ...]
    """(one of ``FACETS``, key) pairs the filters select by."""


def word_weights(weighted: Sequence[str]) -> dict[str, float]:
    """Each word of a document's ``weighted`` texts with the highest weight holding it:
    what both stores' word postings carry."""
    found: dict[str, float] = {}
    for weight, text in zip(SEARCH_WEIGHTS, weighted, strict=True):
        for word in text.split():
            if word != "|" and word not in found:
                found[word] = weight
    return found


@dataclass(frozen=True)
class SearchHit:
    """A person a search index found, in the order the search ranks them."""

    person_id: str
    name: str


@dataclass
class StoreContent:
    """A whole store's content, as ``export_records`` reads it and ``import_records``
    writes it: every store reads and writes the same value, so content moves between
    kinds of store (and to and from a backup file) without knowing either.

    ``records`` by kind: the ``WRITE_ORDER`` kinds, then ``ingest_run``, ``api_key``
    and ``erasure`` (``CONTENT_KINDS``), each by key but the runs, oldest first;
    ``journal``: every run's entries, run by run in that order, each run's by ``seq``.
    Not in it: the ambitions (the programme's constants, seeded by every store) and
    page sessions (bookkeeping of signed-in browsers, not data).
    """

    records: dict[str, list[Record]] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)


CONTENT_KINDS: tuple[str, ...] = (
    *(m.kind for m in WRITE_ORDER),
    IngestRun.kind,
    ApiKey.kind,
    Erasure.kind,
)
"""The kinds of ``StoreContent.records``, in the order they are read and written."""


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class WriteReport:
    """What a write did (or, for a plan, would do), per kind of record."""

    counts: dict[str, KindCounts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.values())

    @property
    def deleted(self) -> int:
        return sum(c.deleted for c in self.counts.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {kind: vars(c).copy() for kind, c in self.counts.items()}


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class PageResult(Generic[T]):
    data: list[T]
    count: int


@dataclass(frozen=True)
class PersonQuery:
    """Filters for listing people; every given filter must hold (AND)."""

    text: str | None = None
    organisation_id: str | None = None
    sector: Sector | None = None
    cohort_id: str | None = None
    issue_id: str | None = None
    area: str | None = None
    ids: Collection[str] | None = None
    directory_only: bool = False
    """Only people who consented to the directory (and ``also_id``, whatever their consent)."""
    also_id: str | None = None


class GraphStore(Protocol):
    """Where the graph lives. Every method is one transaction."""

    url: str

    def close(self) -> None: ...

    # -- writes -----------------------------------------------------------
    def apply(
        self, batch: Batch, run: IngestRun | None = None, *, expected_version: str | None = None
    ) -> WriteReport:
        """Upsert a batch atomically and idempotently; stamp it with ``run``.

        Raises ``Invalid`` (naming record and field) and writes nothing when
        any record breaks a rule or a reference does not resolve.

        ``expected_version`` is what ``version()`` said before the batch was
        derived from the store's content: once the store's write lock is held,
        a different version raises ``Stale`` and writes nothing, so a batch
        derived from what another writer has since changed never lands.
        """
        ...

    def plan(self, batch: Batch) -> WriteReport:
        """What ``apply`` would do, checked the same way, writing nothing."""
        ...

    def rollback(self, run_id: str) -> WriteReport:
        """Undo a run: remove what it created, restore what it overwrote."""
        ...

    def erase_person(self, person_id: str, actor: str) -> Erasure:
        """Erase a person and everything that names them, keeping only an audit."""
        ...

    # -- reads ------------------------------------------------------------
    def get(self, model: type[R], key: str) -> R:
        """One record by key; ``NotFound`` when absent."""
        ...

    def get_many(self, model: type[R], keys: Collection[str]) -> dict[str, R]: ...

    def find(
        self,
        model: type[R],
        where: Mapping[str, str | None] | None = None,
        page: Page | None = None,
    ) -> PageResult[R]:
        """Records whose fields equal ``where``'s values, ordered by key."""
        ...

    def person_by_email(self, email: str) -> Person: ...

    def search_people(self, query: PersonQuery, page: Page | None = None) -> PageResult[Person]:
        """People matching every filter; ``text`` matches all its words anywhere in
        name, job title, interests and skills, case-insensitively. Ordered by name."""
        ...

    def ties_of(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        """Every tie touching any of these people, in either direction."""
        ...

    def ties_among(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        """Every tie between two of these people, ordered by key."""
        ...

    def profile_links(
        self, person_ids: Collection[str]
    ) -> tuple[list[Employment], list[Membership]]:
        """Every employment and membership of these people, in one read, ordered by key."""
        ...

    def members_of(self, kind: TieKind, contexts: Collection[str]) -> dict[str, set[str]]:
        """The members of each of these cohorts (``cohort_peer``) or projects (``project``:
        members proper, not a sponsor who is only that), by id, in one read; one with no
        member, or not stored, is left out."""
        ...

    def assessments(
        self, cohort_id: str, *, wave: Wave | None = None, person_id: str | None = None
    ) -> list[Assessment]:
        """A cohort's assessments (of one wave, of one person), ordered by key."""
        ...

    def tie_ends(self, kinds: Collection[TieKind]) -> dict[TieKind, TieEnds]:
        """The two ends of every tie of these kinds, kind by kind, in one read and in no
        particular order (kinds without a tie are left out)."""
        ...

    def tie_ends_of(
        self, person_ids: Collection[str], kinds: Collection[TieKind]
    ) -> dict[TieKind, TieEnds]:
        """The two ends of every tie of these kinds with an end among these people, once
        each, kind by kind (``tie_ends`` of ``ties_of``): what a read cache needs to
        catch up with a write, without a record per tie."""
        ...

    def version(self) -> str:
        """A token that changes whenever anything is written, by this or any other
        process: what read caches compare to know they are still true, and what
        ``apply(expected_version=...)`` checks. Compare only tokens read through the
        same store object (SQLite's count this connection's view of the file); a token
        may also change when nothing was written (a checkpoint), never the other way."""
        ...

    def runs(self) -> list[IngestRun]:
        """Ingest runs, oldest first."""
        ...

    def changes_since(self, mark: int | None) -> StoreChanges:
        """What every write after ``mark`` changed (``graph.store_changes``), in one read;
        ``None`` asks only for the latest mark (``entries`` is then None). Read the mark
        before reading what it covers: a write racing the read is then named again."""
        ...

    # -- the people search index (``graph.search`` keeps it) -------------------
    def search_mark(self) -> int | None:
        """The ``changes_since`` mark the search index is up to date with (None: never built)."""
        ...

    def index_people(
        self,
        documents: Sequence[SearchDocument],
        *,
        drop: Collection[str],
        everything: bool,
        mark: int,
    ) -> None:
        """Write these documents into the search index, remove ``drop``'s (or, with
        ``everything``, every other document) and note ``mark``; in one transaction
        that leaves ``version()`` alone (the index is derived, not content)."""
        ...

    def indexed_people(self, facets: Collection[tuple[str, str]]) -> set[str]:
        """Ids of the people whose indexed document lists any of these facets."""
        ...

    def search_index(
        self, query: PersonQuery, words: Sequence[str], page: Page
    ) -> tuple[list[SearchHit], int]:
        """One page of the indexed people holding every word (folded: letters and digits,
        each a substring of a word of theirs) and passing every filter of ``query`` (its
        ``area`` folded), consent (``directory_only``, ``also_id``) included, and how many
        there are. Without words in name order; with words best first (``graph.search``'s
        score: for each word the best of weight x quality over the weighted texts,
        summed in the words' order, plus, for several words, the highest weight whose
        text holds the whole phrase), then by name and id."""
        ...

    def search_areas(self, query: PersonQuery) -> list[tuple[str, str]]:
        """(folded, as written) areas of the indexed people ``query``'s consent lets through."""
        ...

    # -- API keys (hashed; an erased person's keys go with them) ---------------
    def save_key(self, key: ApiKey) -> None: ...

    def key_by_hash(self, secret_sha256: str) -> ApiKey:
        """The key with this hash, revoked or not; ``NotFound`` when none."""
        ...

    def keys(self) -> list[ApiKey]: ...

    def revoke_key(self, key_id: str, at: datetime) -> ApiKey: ...

    def erasures(self) -> list[Erasure]: ...

    def snapshot(self, as_of: date, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS) -> nx.Graph:
        """The network as of a date, as ``../shared/spec/metrics.md`` defines it."""
        ...

    def wave_snapshot(
        self, cohort_id: str, wave: Wave, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS
    ) -> nx.Graph:
        """The network at one survey wave of one cohort."""
        ...

    def counts(self) -> dict[str, int]:
        """How many records of every kind (and runs, erasures) the store holds."""
        ...

    def dump(self) -> dict[str, list[dict[str, object]]]:
        """Every record's content by kind, sorted by key: equal dumps, equal stores."""
        ...

    # -- everything at once (backups, moves from one kind of store to another) -------

    def export_records(self) -> StoreContent:
        """Everything the store holds (``StoreContent`` says what, in what order),
        read in one transaction so the parts agree."""
        ...

    def import_records(self, content: StoreContent, *, replace: bool = False) -> None:
        """Write ``content`` as it is, in one transaction: records, runs, journal, API
        keys and erasures, unchecked (it is what a store held) and unstamped.

        With ``replace`` the store's content (not its ambitions, re-seeded) goes first,
        in the same transaction, so a failure leaves the store as it was; without, the
        caller has made sure the store is empty. Changes ``version()``."""
        ...

    # -- page sessions (bookkeeping, not data: writing one does not change ``version()``)

    def save_session(self, session: PageSession, *, keep_per_key: int | None = None) -> None:
        """Create or replace a session; then, if ``keep_per_key`` is given, end the oldest
        sessions of the same key (by ``created_at``) beyond that many. Other keys'
        sessions are never touched."""
        ...

    def session(self, token_sha256: str, now: datetime) -> PageSession:
        """The session with this token hash, if it has not expired by ``now``;
        ``NotFound`` otherwise."""
        ...

    def delete_session(self, token_sha256: str) -> None:
        """End one session (nothing happens when there is none)."""
        ...

    def delete_sessions_of_key(self, key_id: str) -> int:
        """End every session of a key; how many there were."""
        ...

    def delete_expired_sessions(self, now: datetime) -> int:
        """Forget every session expired by ``now``; how many."""
        ...

    def sessions_of_key(self, key_id: str) -> list[PageSession]:
        """A key's live and expired sessions, oldest first."""
        ...

    # -- survey waves (bookkeeping, not data, like sessions: ``graph.surveys``)
    @property
    def surveys(self) -> SurveyStore:
        """The store's survey waves, links and saved answers."""
        ...


# -- page sessions -----------------------------------------------------------------


@dataclass(frozen=True)
class PageSession:
    """A browser signed in on the pages, as the store keeps it: never the session's
    token, only its SHA-256, so reading the store does not sign anyone in.

    ``expires_at`` is the earlier of the sign-in's lifetime and the idle timeout since
    last use; the service moves it on as the session is used. ``staged_id`` and
    ``staged_name`` name the bundle the browser checked and may now load (its bytes are
    on disk, never here)."""

    token_sha256: str
    key_id: str
    key_sha256: str
    created_at: datetime
    expires_at: datetime
    staged_id: str | None = None
    staged_name: str | None = None
