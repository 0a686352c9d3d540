"""The closed sets of words records use: sectors, roles, waves, tie kinds, key roles.

Plain enums, kept out of ``graph.model`` (which re-exports them) so that the
command line can name them in its options without importing pydantic for ``--help``.
"""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    LOCAL_GOVERNMENT = "local_government"
    HEALTH = "health"
    POLICE = "police"
    FIRE = "fire"
    EDUCATION = "education"
    VOLUNTARY_COMMUNITY = "voluntary_community"
    BUSINESS = "business"
    CENTRAL_GOVERNMENT = "central_government"
    OTHER = "other"


class Role(StrEnum):
    PARTICIPANT = "participant"
    MENTOR = "mentor"
    SPONSOR = "sponsor"
    FACILITATOR = "facilitator"
    ALUMNI_SUPPORTER = "alumni_supporter"


class ProjectStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    HANDED_OVER = "handed_over"
    CLOSED = "closed"


class ProjectRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


class Wave(StrEnum):
    BASELINE = "baseline"
    END = "end"
    FOLLOW_UP = "follow_up"


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    RARELY = "rarely"


class TieKind(StrEnum):
    COHORT_PEER = "cohort_peer"
    PROJECT = "project"
    MENTORING = "mentoring"
    ADVICE = "advice"
    COLLABORATION = "collaboration"
    KNEW_BEFORE = "knew_before"
    WANT_TO_MEET = "want_to_meet"


class AmbitionKey(StrEnum):
    IDENTITY = "identity"
    OLD_AGE = "old_age"
    EQUAL_START = "equal_start"
    COMMUNITIES = "communities"
    SUSTAINABLE = "sustainable"
    CONNECT = "connect"
    PROSPERITY = "prosperity"


class Rater(StrEnum):
    """Who gave an assessment: the person themself, a peer, or their manager."""

    SELF = "self"
    PEER = "peer"
    MANAGER = "manager"


class AreaKind(StrEnum):
    """Whether an area is mainly urban, rural or mixed (``cohort-bundle.md``, ``areas``)."""

    URBAN = "urban"
    RURAL = "rural"
    MIXED = "mixed"


class KeyRole(StrEnum):
    ALUMNI = "alumni"
    PROGRAMME = "programme"
    ADMIN = "admin"
