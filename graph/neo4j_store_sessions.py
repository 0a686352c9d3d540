"""Page sessions as the Neo4j store keeps them: ``:PageSession`` nodes whose times are
seconds since the epoch (as in SQLite), so expiry is one comparison."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from graph.store import PageSession


def session_props(session: PageSession) -> dict[str, Any]:
    return {
        "token_sha256": session.token_sha256,
        "key_id": session.key_id,
        "key_sha256": session.key_sha256,
        "created_at": session.created_at.timestamp(),
        "expires_at": session.expires_at.timestamp(),
        "staged_id": session.staged_id,
        "staged_name": session.staged_name,
    }


def session_of(props: Mapping[str, Any]) -> PageSession:
    return PageSession(
        token_sha256=props["token_sha256"],
        key_id=props["key_id"],
        key_sha256=props["key_sha256"],
        created_at=datetime.fromtimestamp(props["created_at"], UTC),
        expires_at=datetime.fromtimestamp(props["expires_at"], UTC),
        staged_id=props.get("staged_id"),
        staged_name=props.get("staged_name"),
    )
