"""``GET /me``: who the key belongs to; ``PATCH /me/consent``: change one's own consent."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from api.auth import AnyRole
from api.deps import StoreDep
from api.problems import responses
from services import people
from services.schemas import MeOut
from services.schemas_people import ConsentIn, ConsentOut

router = APIRouter(tags=["people"])


@router.get("/me", response_model=MeOut, responses=responses(401, 429), summary="The caller")
def me(store: StoreDep, viewer: AnyRole) -> MeOut:
    """The key's id and role, and its person (always visible to themself) if it has one."""
    return people.me(store, viewer)


@router.patch(
    "/me/consent",
    response_model=ConsentOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="Change the caller's own consent",
)
def change_my_consent(body: ConsentIn, store: StoreDep, viewer: AnyRole) -> ConsentOut:
    """Set the caller's directory, contact or analytics consent, dated now.

    The change is stamped with this moment: a bundle dated today or before,
    loaded later, never gives back a consent withdrawn here.
    """
    return people.change_consent(store, viewer, body, datetime.now(UTC))
