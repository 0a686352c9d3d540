"""API keys: ``ag_<id>_<secret>``, stored only as the SHA-256 of the whole key.

The id (8 hex characters) names a key in lists, audits and revocations without
revealing it; the secret (``secrets.token_urlsafe(32)``, 256 bits) makes it
unguessable, so a plain SHA-256 is enough to store it (no salt or slow hash
needed for random secrets of this length). Shared by ``cli.keys`` and the
``/keys`` routes so both issue keys the same way.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from graph.errors import Invalid, Problem
from graph.model import ApiKey, KeyRole, Person
from graph.store import GraphStore

KEY_PREFIX = "ag_"


def hash_key(key: str) -> str:
    """The SHA-256 (hex) of a whole key, as stored in ``ApiKey.secret_sha256``."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(store: GraphStore, role: KeyRole, person_id: str | None = None) -> tuple[str, ApiKey]:
    """Create and save a new key; return it (shown once) and its stored record.

    ``alumni`` keys must belong to a person; other roles may (a team member who
    is also an alumnus). The person must exist: ``NotFound`` otherwise.
    """
    if role is KeyRole.ALUMNI and not person_id:
        raise Invalid([Problem("api key", "person", None, "an alumni key belongs to a person")])
    if person_id:
        store.get(Person, person_id)
    taken = {k.id for k in store.keys()}
    key_id = secrets.token_hex(4)
    while key_id in taken:  # 32 bits: rare, but saving would overwrite the other key
        key_id = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        id=key_id,
        secret_sha256=hash_key(key),
        role=role,
        person_id=person_id or None,
        created_at=datetime.now(UTC),
    )
    store.save_key(record)
    return key, record


def revoke_key(store: GraphStore, key_id: str) -> ApiKey:
    """Revoke a key from now on, ending its page sessions; ``NotFound`` when there is no
    such key."""
    revoked = store.revoke_key(key_id, datetime.now(UTC))
    store.delete_sessions_of_key(key_id)
    return revoked
