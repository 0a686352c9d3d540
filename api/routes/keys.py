"""``/keys``: issue, list and revoke API keys (admin). The CLI does the same: ``cli.keys``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api import keys
from api.auth import AdminRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from api.rights import key_out
from services.schemas import KeyOut, NewKeyIn, NewKeyOut, Paged

router = APIRouter(prefix="/keys", tags=["keys"])


@router.get("", response_model=Paged[KeyOut], responses=responses(401, 403, 422, 429))
def list_keys(store: StoreDep, viewer: AdminRole, page: PageDep) -> Paged[KeyOut]:
    """Every key's id, role, person and dates; never a secret or a hash."""
    found = store.keys()
    shown = found[page.offset : page.offset + page.limit]
    return Paged[KeyOut](data=[key_out(k) for k in shown], count=len(found))


@router.post(
    "",
    response_model=NewKeyOut,
    status_code=201,
    responses=responses(401, 403, 404, 422, 429),
    summary="Issue a key",
)
def create_key(store: StoreDep, viewer: AdminRole, body: NewKeyIn, response: Response) -> NewKeyOut:
    """The new key is in this response only; the store keeps its SHA-256."""
    key, record = keys.issue_key(store, body.role, body.person_id)
    response.headers["Cache-Control"] = "no-store"
    return NewKeyOut(**key_out(record).model_dump(), key=key)


@router.post(
    "/{key_id}/revoke",
    response_model=KeyOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="Revoke a key",
)
def revoke_key(
    store: StoreDep,
    viewer: AdminRole,
    key_id: Annotated[str, Path(min_length=1, max_length=200)],
) -> KeyOut:
    """From now on the key is refused (401)."""
    return key_out(keys.revoke_key(store, key_id))
