"""Every Cypher statement the Neo4j store runs, and the graph model they imply.

Values always travel as parameters. Labels, relationship types and property
names are interpolated only from the code constants below, keyed by record
kind, so no input can change the shape of a query. Builders run once, at
import, into ``KIND_QUERIES``.

The model: node records are nodes (``:Person``, ``:Organisation``, ...);
association records are relationships carrying a ``key`` and every field of
the record (``(:Person)-[:MEMBER_OF]->(:Cohort)``, ``-[:TIE]->``, ...); node
records also get structural relationships derived from their references
(``(:Project)-[:IN_COHORT]->(:Cohort)``, ...). Bookkeeping (runs, journal,
erasures, API keys) lives on nodes that no domain relationship touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString


@dataclass(frozen=True)
class NodeKind:
    """A record kind stored as a node, found by its ``identity`` property."""

    label: LiteralString
    identity: LiteralString


@dataclass(frozen=True)
class RelKind:
    """A record kind stored as a relationship from ``source`` to ``target``."""

    rel_type: LiteralString
    source_label: LiteralString
    source_field: LiteralString
    target_label: LiteralString
    target_field: LiteralString


@dataclass(frozen=True)
class Link:
    """A structural relationship derived from one field of a node record.

    ``outgoing`` False means the other node points at the owner
    (``(:Person)-[:SPONSORS]->(:Project)`` is owned by the project).
    """

    rel_type: LiteralString
    field: LiteralString
    other_label: LiteralString
    outgoing: bool = True


NODE_KINDS: dict[LiteralString, NodeKind] = {
    "organisation": NodeKind("Organisation", "id"),
    "person": NodeKind("Person", "id"),
    "cohort": NodeKind("Cohort", "id"),
    "wicked_issue": NodeKind("WickedIssue", "id"),
    "project": NodeKind("Project", "id"),
    "handover": NodeKind("Handover", "key"),
    "ambition": NodeKind("Ambition", "id"),
    "area": NodeKind("Area", "id"),
    "ingest_run": NodeKind("IngestRun", "id"),
    "erasure": NodeKind("Erasure", "key"),
    "api_key": NodeKind("ApiKey", "id"),
}

REL_KINDS: dict[LiteralString, RelKind] = {
    "membership": RelKind("MEMBER_OF", "Person", "person_id", "Cohort", "cohort_id"),
    "employment": RelKind("EMPLOYED_BY", "Person", "person_id", "Organisation", "organisation_id"),
    "project_member": RelKind("WORKS_ON", "Person", "person_id", "Project", "project_id"),
    "tie": RelKind("TIE", "Person", "source_id", "Person", "target_id"),
    "assessment": RelKind("ASSESSED", "Person", "person_id", "Cohort", "cohort_id"),
}

LINKS: dict[str, tuple[Link, ...]] = {
    "project": (
        Link("IN_COHORT", "cohort_id", "Cohort"),
        Link("ADDRESSES", "issue_id", "WickedIssue"),
        Link("SPONSORS", "sponsor_id", "Person", outgoing=False),
    ),
    "wicked_issue": (Link("SERVES", "ambitions", "Ambition"),),
    "handover": (
        Link("OF_ISSUE", "issue_id", "WickedIssue"),
        Link("FROM_PROJECT", "from_project_id", "Project"),
    ),
}
"""``to_cohort_id`` of a handover stays a property: the cohort may not be loaded yet."""

CASCADE: dict[str, tuple[LiteralString, ...]] = {
    "person": ("MEMBER_OF", "EMPLOYED_BY", "WORKS_ON", "TIE", "ASSESSED"),
    "project": ("IN_COHORT", "ADDRESSES", "SPONSORS", "WORKS_ON"),
    "wicked_issue": ("SERVES",),
    "handover": ("OF_ISSUE", "FROM_PROJECT"),
}
"""Relationships deleted with a node; any other relationship left blocks the delete
(as a foreign key without ON DELETE CASCADE does in SQLite)."""

NODE_KINDS_BY_LABEL: dict[str, NodeKind] = {n.label: n for n in NODE_KINDS.values()}

_WHERE_FIELDS: LiteralString = (
    "all(c IN $conditions WHERE CASE WHEN c.value IS NULL THEN x[c.field] IS NULL"
    " ELSE x[c.field] = c.value END)"
)
"""``find``'s filter: field names are parameters too, read with ``x[$field]``."""


def _types(types: tuple[LiteralString, ...]) -> LiteralString:
    return "|".join(types)


def _paged(match: LiteralString, order: LiteralString) -> LiteralString:
    """Count and one page of ``x`` in one statement, so both see the same data."""
    return (
        f"{match} WITH x ORDER BY {order} WITH collect(x) AS matched"
        " RETURN size(matched) AS count,"
        " [m IN matched[$offset..$offset + $limit] | properties(m)] AS page"
    )


@dataclass(frozen=True)
class KindQueries:
    """The statements that read and write one kind of record."""

    fetch: LiteralString
    """``$keys`` -> ``props`` rows."""
    every: LiteralString
    """All records -> ``props`` rows."""
    upsert: LiteralString
    """``$rows`` of ``{key, props}`` (plus ``source``/``target`` for relationships)."""
    delete: LiteralString
    """``$keys``."""
    find: LiteralString
    """``$conditions`` of ``{field, value}``, ``$offset``, ``$limit`` -> ``count``, ``page``."""
    find_by_source: LiteralString | None = None
    """``find`` from the ``$anchor`` source node: a person's employments without a scan."""
    find_by_target: LiteralString | None = None
    """``find`` from the ``$anchor`` target node: a cohort's memberships without a scan."""


def _node_queries(kind: str, node: NodeKind) -> KindQueries:
    label, ident = node.label, node.identity
    cascade = CASCADE.get(kind, ())
    detach: LiteralString = (
        f" OPTIONAL MATCH (n)-[r:{_types(cascade)}]-() DELETE r WITH DISTINCT n" if cascade else ""
    )
    return KindQueries(
        fetch=f"UNWIND $keys AS k MATCH (n:{label} {{{ident}: k}}) RETURN properties(n) AS props",
        every=f"MATCH (n:{label}) RETURN properties(n) AS props",
        upsert=(
            f"UNWIND $rows AS row MERGE (n:{label} {{{ident}: row.key}}) SET n = row.props"
            " RETURN count(*) AS written"
        ),
        delete=f"UNWIND $keys AS k MATCH (n:{label} {{{ident}: k}}){detach} DELETE n",
        find=_paged(f"MATCH (x:{label}) WHERE {_WHERE_FIELDS}", f"x.{ident}"),
    )


def _rel_queries(rel: RelKind) -> KindQueries:
    pattern: LiteralString = f"()-[r:{rel.rel_type}]->()"
    # Without the hint the 5.26 planner may scan the whole key index once per row
    # (it prefers an index scan that caches ``r.key`` when the properties are returned).
    by_key: LiteralString = (
        f"()-[r:{rel.rel_type} {{key: k}}]->() USING INDEX SEEK r:{rel.rel_type}(key)"
    )
    return KindQueries(
        fetch=f"UNWIND $keys AS k MATCH {by_key} RETURN properties(r) AS props",
        every=f"MATCH {pattern} RETURN properties(r) AS props",
        upsert=(
            f"UNWIND $rows AS row MATCH (a:{rel.source_label} {{id: row.source}})"
            f" MATCH (b:{rel.target_label} {{id: row.target}})"
            f" MERGE (a)-[r:{rel.rel_type} {{key: row.key}}]->(b) SET r = row.props"
            " RETURN count(*) AS written"
        ),
        delete=f"UNWIND $keys AS k MATCH {by_key} DELETE r",
        find=_paged(f"MATCH ()-[x:{rel.rel_type}]->() WHERE {_WHERE_FIELDS}", "x.key"),
        find_by_source=_paged(
            f"MATCH (:{rel.source_label} {{id: $anchor}})-[x:{rel.rel_type}]->()"
            f" WHERE {_WHERE_FIELDS}",
            "x.key",
        ),
        find_by_target=_paged(
            f"MATCH ()-[x:{rel.rel_type}]->(:{rel.target_label} {{id: $anchor}})"
            f" WHERE {_WHERE_FIELDS}",
            "x.key",
        ),
    )


KIND_QUERIES: dict[str, KindQueries] = {
    **{kind: _node_queries(kind, node) for kind, node in NODE_KINDS.items()},
    **{kind: _rel_queries(rel) for kind, rel in REL_KINDS.items()},
}


def _create(kind: str) -> LiteralString:
    """``CREATE`` for records the write has just found absent: no ``MERGE`` lookup, no lock
    on the endpoints' relationship chains; the uniqueness constraints still refuse a clash."""
    if kind in NODE_KINDS:
        return f"UNWIND $rows AS row CREATE (n:{NODE_KINDS[kind].label}) SET n = row.props" + (
            " RETURN count(*) AS written"
        )
    rel = REL_KINDS[kind]
    return (
        f"UNWIND $rows AS row MATCH (a:{rel.source_label} {{id: row.source}})"
        f" MATCH (b:{rel.target_label} {{id: row.target}})"
        f" CREATE (a)-[r:{rel.rel_type}]->(b) SET r = row.props"
        " RETURN count(*) AS written"
    )


CREATE: dict[str, LiteralString] = {kind: _create(kind) for kind in (*NODE_KINDS, *REL_KINDS)}
"""``$rows`` as for ``KindQueries.upsert`` -> ``written``."""


def _unlink(kind: str) -> LiteralString:
    node = NODE_KINDS[kind]
    types = _types(tuple(link.rel_type for link in LINKS[kind]))
    return (
        f"UNWIND $keys AS k MATCH (n:{node.label} {{{node.identity}: k}})-[r:{types}]-() DELETE r"
    )


def _link(kind: str, link: Link) -> LiteralString:
    node = NODE_KINDS[kind]
    other = NODE_KINDS_BY_LABEL[link.other_label]
    edge: LiteralString = (
        f"(n)-[:{link.rel_type}]->(m)" if link.outgoing else f"(m)-[:{link.rel_type}]->(n)"
    )
    return (
        f"UNWIND $rows AS row MATCH (n:{node.label} {{{node.identity}: row.key}})"
        f" MATCH (m:{other.label} {{{other.identity}: row.other}})"
        f" MERGE {edge} RETURN count(*) AS written"
    )


UNLINK: dict[str, LiteralString] = {kind: _unlink(kind) for kind in LINKS}
"""``$keys``: drop the structural relationships of rewritten nodes, before re-linking."""

LINK: dict[tuple[str, str], LiteralString] = {
    (kind, link.rel_type): _link(kind, link) for kind, links in LINKS.items() for link in links
}
"""``$rows`` of ``{key, other}`` -> ``written``."""


# -- schema ---------------------------------------------------------------------


def _unique_node(name: LiteralString, label: LiteralString, prop: LiteralString) -> LiteralString:
    return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"


def _unique_rel(name: LiteralString, rel_type: LiteralString) -> LiteralString:
    return (
        f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR ()-[r:{rel_type}]-() REQUIRE r.key IS UNIQUE"
    )


SCHEMA: tuple[LiteralString, ...] = (
    *(_unique_node(f"{kind}_{n.identity}", n.label, n.identity) for kind, n in NODE_KINDS.items()),
    _unique_node("person_email", "Person", "email"),
    _unique_node("organisation_name", "Organisation", "name"),
    _unique_node("api_key_secret", "ApiKey", "secret_sha256"),
    *(_unique_rel(f"{kind}_key", rel.rel_type) for kind, rel in REL_KINDS.items()),
    "CREATE INDEX journal_chunk_run IF NOT EXISTS FOR (n:JournalChunk) ON (n.run_id)",
    "CREATE INDEX project_sponsor IF NOT EXISTS FOR (n:Project) ON (n.sponsor_id)",
    "CREATE INDEX api_key_person IF NOT EXISTS FOR (n:ApiKey) ON (n.person_id)",
    "CREATE INDEX tie_kind IF NOT EXISTS FOR ()-[r:TIE]-() ON (r.tie_kind, r.start)",
    "CREATE INDEX tie_wave IF NOT EXISTS FOR ()-[r:TIE]-() ON (r.cohort_id, r.wave)",
    # GROUP_TIE_ROWS, on every load naming a cohort or project: without it, a scan of
    # every tie in the store (survey ties hold no context, so it stays small).
    "CREATE INDEX tie_context IF NOT EXISTS FOR ()-[r:TIE]-() ON (r.context)",
    _unique_node("store_version_id", "StoreVersion", "id"),
    _unique_node("derived_group_key", "DerivedGroup", "key"),
)
"""One statement per constraint or index; uniqueness constraints back every MERGE.
Relationship keys are unique too (Neo4j 5.7+), which also gives them a range index."""


# -- bookkeeping ----------------------------------------------------------------

SAVE_RUN: LiteralString = (
    "MERGE (r:IngestRun {id: $id}) ON CREATE SET r.sort_key = $sort_key SET r += $props"
)
"""``sort_key`` is the first ``started_at`` seen, kept on update (as SQLite keeps its column)."""

ADD_JOURNAL: LiteralString = "UNWIND $rows AS row CREATE (j:JournalChunk) SET j = row"
"""A run's journal is kept as chunks, one node per up to ``JOURNAL_CHUNK`` entries, in
parallel lists (``seqs``, ``kinds``, ``keys``, ``previous`` with ``""`` for none,
``entry_people`` as space-joined ids) plus ``people``, every id named in the chunk:
one node per record made the journal cost as much to write as the records themselves.
``seq`` is the chunk's first entry, for order."""

JOURNAL_CHUNKS: LiteralString = (
    "MATCH (j:JournalChunk {run_id: $run_id})"
    " RETURN j.seqs AS seqs, j.kinds AS kinds, j.keys AS keys, j.previous AS previous,"
    " j.entry_people AS entry_people ORDER BY j.seq"
)

DROP_JOURNAL_CHUNKS: LiteralString = "MATCH (j:JournalChunk {run_id: $run_id}) DELETE j"

ERASE_JOURNAL_CHUNKS: LiteralString = (
    "MATCH (j:JournalChunk) WHERE $id IN j.people"
    " WITH j, [i IN range(0, size(j.keys) - 1)"
    "   WHERE NOT $id IN split(j.entry_people[i], ' ')] AS keep"
    " WITH j, [i IN keep | j.seqs[i]] AS seqs, [i IN keep | j.kinds[i]] AS kinds,"
    " [i IN keep | j.keys[i]] AS keys, [i IN keep | j.previous[i]] AS previous,"
    " [i IN keep | j.entry_people[i]] AS entry_people"
    " SET j.seqs = seqs, j.kinds = kinds, j.keys = keys, j.previous = previous,"
    " j.entry_people = entry_people,"
    " j.people = reduce(acc = [], ep IN entry_people |"
    "   acc + [p IN split(ep, ' ') WHERE p <> '' AND NOT p IN acc])"
    " WITH j WHERE size(j.keys) = 0 DELETE j"
)
"""Drop the entries naming the person from every chunk (and chunks left empty)."""

ASSESSMENTS: LiteralString = (
    "MATCH (:Person)-[a:ASSESSED]->(:Cohort {id: $cohort_id})"
    " WHERE ($wave IS NULL OR a.wave = $wave) AND ($person_id IS NULL OR a.person_id = $person_id)"
    " RETURN properties(a) AS props ORDER BY a.key"
)
"""A cohort's assessments (``$wave``, ``$person_id`` or null for any), ordered by key."""

EMPLOYMENTS_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Person {id: id})-[e:EMPLOYED_BY]->() RETURN properties(e) AS props"
)

# -- erasure --------------------------------------------------------------------

ERASE_SPONSORSHIPS: LiteralString = (
    "MATCH (pr:Project) WHERE pr.sponsor_id = $id SET pr.sponsor_id = null"
)
ERASE_PERSON: LiteralString = "MATCH (p:Person {id: $id}) DETACH DELETE p"
"""Takes the person's memberships, employments, project work, ties and sponsorships."""
ADD_ERASURE: LiteralString = "CREATE (e:Erasure) SET e = $props"
FREE_TEXT_JOURNAL_CHUNKS: LiteralString = (
    "MATCH (j:JournalChunk) WHERE any(k IN j.kinds WHERE k IN $kinds)"
    " RETURN elementId(j) AS id, j.kinds AS kinds, j.previous AS previous"
)
"""Chunks holding before-images of records with free text, which erasure scrubs."""
SET_JOURNAL_CHUNK_PREVIOUS: LiteralString = (
    "MATCH (j:JournalChunk) WHERE elementId(j) = $id SET j.previous = $previous"
)

# -- API keys -------------------------------------------------------------------

SAVE_KEY: LiteralString = "MERGE (k:ApiKey {id: $id}) SET k = $props"
KEY_BY_HASH: LiteralString = (
    "MATCH (k:ApiKey {secret_sha256: $secret_sha256}) RETURN properties(k) AS props"
)
DROP_PERSON_KEYS: LiteralString = (
    "UNWIND $ids AS id MATCH (k:ApiKey) WHERE k.person_id = id DELETE k"
)
"""A key belongs to its person: it goes when the person is erased or rolled back."""

# -- reads ----------------------------------------------------------------------

PERSON_BY_EMAIL: LiteralString = "MATCH (p:Person {email: $email}) RETURN properties(p) AS props"

SEARCH_PEOPLE: LiteralString = _paged(
    "MATCH (x:Person)"
    " WHERE ($ids IS NULL OR x.id IN $ids)"
    " AND all(word IN $words WHERE x.search CONTAINS word)"
    " AND ($organisation_id IS NULL OR EXISTS {"
    "   MATCH (x)-[e:EMPLOYED_BY]->(:Organisation {id: $organisation_id})"
    "   WHERE e.`end` IS NULL })"
    " AND ($sector IS NULL OR EXISTS {"
    "   MATCH (x)-[e:EMPLOYED_BY]->(o:Organisation) WHERE e.`end` IS NULL AND o.sector = $sector })"
    " AND ($cohort_id IS NULL OR EXISTS { (x)-[:MEMBER_OF]->(:Cohort {id: $cohort_id}) })"
    " AND ($issue_id IS NULL OR EXISTS {"
    "   (x)-[:WORKS_ON|SPONSORS]->(:Project)-[:ADDRESSES]->(:WickedIssue {id: $issue_id}) })"
    " AND ($area IS NULL OR toLower(x.area) = toLower($area))"
    " AND (NOT $directory_only OR x.consent_directory = true OR x.id = $also_id)",
    "x.name, x.id",
)
"""Current employment is the one without an ``end``; the issue is reached through a
project the person works on or sponsors."""

TIES_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Person {id: id})-[t:TIE]-()"
    " WHERE $kinds IS NULL OR t.tie_kind IN $kinds"
    " WITH DISTINCT t RETURN properties(t) AS props"
)

TIES_AMONG: LiteralString = (
    "UNWIND $ids AS id MATCH (:Person {id: id})-[t:TIE]->(b:Person)"
    " WHERE b.id IN $ids AND ($kinds IS NULL OR t.tie_kind IN $kinds)"
    " RETURN properties(t) AS props"
)

PROFILE_LINKS: LiteralString = (
    "UNWIND $ids AS id MATCH (p:Person {id: id})"
    " RETURN [(p)-[e:EMPLOYED_BY]->() | properties(e)] AS jobs,"
    " [(p)-[m:MEMBER_OF]->() | properties(m)] AS memberships"
)
"""A page of people's employments and memberships, one row per person, one round trip."""

TIE_ENDS: LiteralString = (
    "MATCH ()-[t:TIE]->() WHERE t.tie_kind IN $kinds"
    " RETURN t.tie_kind AS kind, collect(t.source_id) AS sources, collect(t.target_id) AS targets"
)
"""One record per kind, its ends in two lists: at 100,000 people (3.7M warm ties) 17×
faster than a record per tie, which the driver decodes one by one."""

BUMP_VERSION: LiteralString = (
    "MERGE (v:StoreVersion {id: 'store'}) SET v.token = randomUUID(),"
    " v.change_seq = coalesce(v.change_seq, 0) + 1,"
    " v.changes = (coalesce(v.changes, []) + [$line])[$keep_from..]"
)
"""Last in every write transaction, one round trip: a new random token, so read caches
see any write (a wiped and reloaded database can never repeat an old token), and the
write's line in the log of writes (``graph.store_changes``), numbered by ``change_seq``;
the last ``-keep_from`` lines are kept on the version node (the wipe keeps it)."""

VERSION: LiteralString = "OPTIONAL MATCH (v:StoreVersion {id: 'store'}) RETURN v.token AS token"

LOCK_VERSION: LiteralString = (
    "MERGE (v:StoreVersion {id: 'store'}) SET v.locked_at = datetime() RETURN v.token AS token"
)
"""First in every write transaction: the write lock on the version node (held to the
end, so writers take turns), then the token as the last writer committed it. The
``SET`` takes the lock before ``RETURN`` reads the token, so no commit slips between."""

SNAPSHOT_PEOPLE: LiteralString = (
    "MATCH (p:Person)-[:MEMBER_OF]->(c:Cohort)"
    " WHERE p.consent_analytics = true AND c.start_date <= $as_of"
    " RETURN DISTINCT p.id AS id"
)
"""Consenting members of a cohort started by ``as_of``."""

SNAPSHOT_EMPLOYMENTS: LiteralString = (
    "MATCH ()-[e:EMPLOYED_BY]->()"
    " RETURN e.person_id AS person_id, e.organisation_id AS organisation_id, e.start AS start"
)

SNAPSHOT_ORGANISATIONS: LiteralString = (
    "MATCH (o:Organisation) RETURN o.id AS id, o.name AS name, o.sector AS sector"
)

ACTIVE_TIES: LiteralString = (
    "MATCH ()-[t:TIE]->()"
    " WHERE t.tie_kind IN $kinds AND t.start <= $as_of AND (t.`end` IS NULL OR t.`end` > $as_of)"
    " RETURN t.source_id AS source, t.target_id AS target, t.tie_kind AS kind"
)

_WAVE_TIES: LiteralString = (
    "MATCH (s:Person)-[t:TIE]->()"
    " WHERE t.cohort_id = $cohort_id AND t.wave = $wave AND t.tie_kind IN $kinds"
    " AND EXISTS { (s)-[:MEMBER_OF]->(:Cohort {id: $cohort_id}) }"
)
"""A wave's answers: survey ties of that cohort and wave, given by one of its members."""

WAVE_LATEST: LiteralString = f"{_WAVE_TIES} RETURN max(t.start) AS latest"

WAVE_TIES: LiteralString = (
    f"{_WAVE_TIES} RETURN t.source_id AS source, t.target_id AS target, t.tie_kind AS kind"
)


# -- ties derived from memberships (graph.derived) --------------------------------

COHORT_MEMBERS: LiteralString = (
    "UNWIND $contexts AS context MATCH (p:Person)-[:MEMBER_OF]->(:Cohort {id: context})"
    " RETURN context, p.id AS person"
)

PROJECT_MEMBERS: LiteralString = (
    "UNWIND $contexts AS context MATCH (p:Person)-[:WORKS_ON]->(:Project {id: context})"
    " RETURN context, p.id AS person"
)
"""Project members proper, without the sponsor (``graph.writes`` adds the sponsor it
will keep)."""

MARKS: LiteralString = (
    "UNWIND $keys AS k MATCH (g:DerivedGroup {key: k}) RETURN g.key AS key, g.run_id AS run_id"
)

SAVE_MARKS: LiteralString = (
    "UNWIND $rows AS row MERGE (g:DerivedGroup {key: row.key})"
    " SET g.tie_kind = row.kind, g.context = row.context, g.run_id = row.run_id"
)
"""A marked cohort or project: its co-membership ties are derived, never stored."""

GROUP_TIE_ROWS: LiteralString = (
    "MATCH ()-[t:TIE]->() WHERE t.tie_kind IN $kinds AND t.context IN $contexts"
    " RETURN properties(t) AS props"
)
"""Tie relationships of groups written before they were derived."""

_COHORT_GROUP: LiteralString = (
    " MATCH (g:DerivedGroup {key: 'cohort_peer|' + c.id})"
    " RETURN 'cohort_peer' AS kind, c.id AS context, c.start_date AS start,"
    " g.run_id AS run_id, [(p:Person)-[:MEMBER_OF]->(c) | p.id] AS members"
)
_PROJECT_GROUP: LiteralString = (
    " MATCH (g:DerivedGroup {key: 'project|' + x.id})"
    " RETURN 'project' AS kind, x.id AS context, x.start_date AS start,"
    " g.run_id AS run_id, [(p:Person)-[:WORKS_ON|SPONSORS]->(x) | p.id] AS members"
)

COHORT_GROUPS: LiteralString = "MATCH (c:Cohort)" + _COHORT_GROUP
"""Every marked cohort with its members (any role), one row per cohort."""

COHORT_GROUPS_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Person {id: id})-[:MEMBER_OF]->(c:Cohort) WITH DISTINCT c"
    + _COHORT_GROUP
)

PROJECT_GROUPS: LiteralString = "MATCH (x:Project)" + _PROJECT_GROUP
"""Every marked project with its members and sponsor, one row per project."""

PROJECT_GROUPS_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Person {id: id})-[:WORKS_ON|SPONSORS]->(x:Project)"
    " WITH DISTINCT x" + _PROJECT_GROUP
)


def _counts() -> LiteralString:
    parts: list[LiteralString] = []
    for kind, node in NODE_KINDS.items():
        parts.append(f"COUNT {{ (:{node.label}) }} AS {kind}")
    for kind, rel in REL_KINDS.items():
        parts.append(f"COUNT {{ ()-[:{rel.rel_type}]->() }} AS {kind}")
    return "RETURN " + ", ".join(parts)


COUNTS: LiteralString = _counts()
"""One row, one column per record kind."""

WIPE_SOME_RELATIONSHIPS: LiteralString = (
    "MATCH ()-[r]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted"
)
"""Relationships first, a bounded number per transaction: ``DETACH DELETE`` of 10,000
people took their 800,000 ties with them and ran out of transaction memory (1 GB heap)."""

WIPE_SOME: LiteralString = (
    "MATCH (n) WHERE NOT n:StoreVersion WITH n LIMIT $limit DETACH DELETE n"
    " RETURN count(*) AS deleted"
)

# -- page sessions ----------------------------------------------------------------

SESSION_SCHEMA: tuple[LiteralString, ...] = (
    _unique_node("page_session_token", "PageSession", "token_sha256"),
    "CREATE INDEX page_session_key IF NOT EXISTS FOR (n:PageSession) ON (n.key_id)",
    "CREATE INDEX page_session_expiry IF NOT EXISTS FOR (n:PageSession) ON (n.expires_at)",
)
"""Made on first use of a session, not at start-up: only a served app needs them."""

SAVE_SESSION: LiteralString = (
    "MERGE (s:PageSession {token_sha256: $props.token_sha256}) SET s = $props"
)
"""Times are seconds since the epoch (floats), as in SQLite, so expiry is one comparison."""

KEEP_NEWEST_SESSIONS: LiteralString = (
    "MATCH (s:PageSession {key_id: $key_id})"
    " WITH s ORDER BY s.created_at DESC, s.token_sha256 DESC SKIP $keep DELETE s"
)
"""A key's sessions beyond its newest ``$keep``; no other key's."""

SESSION: LiteralString = (
    "MATCH (s:PageSession {token_sha256: $token_sha256}) WHERE s.expires_at > $now"
    " RETURN properties(s) AS props"
)

DELETE_SESSION: LiteralString = "MATCH (s:PageSession {token_sha256: $token_sha256}) DELETE s"

DELETE_SESSIONS_OF_KEY: LiteralString = (
    "MATCH (s:PageSession {key_id: $key_id}) DELETE s RETURN count(*) AS deleted"
)

DELETE_EXPIRED_SESSIONS: LiteralString = (
    "MATCH (s:PageSession) WHERE s.expires_at <= $now DELETE s RETURN count(*) AS deleted"
)

SESSIONS_OF_KEY: LiteralString = (
    "MATCH (s:PageSession {key_id: $key_id})"
    " RETURN properties(s) AS props ORDER BY s.created_at, s.token_sha256"
)


# -- the log of writes (graph.store_changes) --------------------------------------------

FORGET_CHANGES: LiteralString = "MATCH (v:StoreVersion {id: 'store'}) SET v.changes = []"
"""In an erasure: lines name people; the erasure's own line (anything changed) follows."""

CHANGES: LiteralString = (
    "OPTIONAL MATCH (v:StoreVersion {id: 'store'})"
    " RETURN coalesce(v.change_seq, 0) AS seq, coalesce(v.changes, []) AS lines"
)

JOURNAL_CHANGES: LiteralString = (
    "MATCH (j:JournalChunk) WHERE j.run_id IN $run_ids"
    " RETURN j.kinds AS kinds, j.keys AS keys, j.entry_people AS entry_people"
    " ORDER BY j.run_id, j.seq"
)
"""What ``changes_since`` needs of these runs' journals: no before-images."""
