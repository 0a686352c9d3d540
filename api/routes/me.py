"""``GET /me``: who the key belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from api import consent
from api.auth import AnyRole
from api.deps import StoreDep
from api.problems import responses
from api.schemas import MeOut

router = APIRouter(tags=["people"])


@router.get("/me", response_model=MeOut, responses=responses(401, 429), summary="The caller")
def me(store: StoreDep, viewer: AnyRole) -> MeOut:
    """The key's id and role, and its person (always visible to themself) if it has one."""
    person = consent.visible_profile(store, viewer, viewer.person_id) if viewer.person_id else None
    return MeOut(key_id=viewer.key_id, role=viewer.role, person=person)
