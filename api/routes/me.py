"""``GET /me``: who the key belongs to; ``PATCH /me/consent``: change one's own consent."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from api.auth import AnyRole
from api.deps import StoreDep
from api.problems import responses
from graph.errors import Forbidden
from graph.facts import set_consent
from graph.model import CONSENT_FACTS
from services import consent
from services.schemas import ConsentIn, ConsentOut, MeOut

router = APIRouter(tags=["people"])


@router.get("/me", response_model=MeOut, responses=responses(401, 429), summary="The caller")
def me(store: StoreDep, viewer: AnyRole) -> MeOut:
    """The key's id and role, and its person (always visible to themself) if it has one."""
    person = consent.visible_profile(store, viewer, viewer.person_id) if viewer.person_id else None
    return MeOut(key_id=viewer.key_id, role=viewer.role, person=person)


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
    if viewer.person_id is None:
        raise Forbidden("this key belongs to no person: only a person changes their own consent")
    person = set_consent(store, viewer.person_id, body.changes(), datetime.now(UTC))
    return ConsentOut(
        consent_directory=person.consent_directory,
        consent_contact=person.consent_contact,
        consent_analytics=person.consent_analytics,
        stated_on={f: s for f, s in person.stated_on.items() if f in CONSENT_FACTS},
    )
