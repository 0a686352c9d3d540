"""``GET /health``: for load balancers, no key needed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import StoreDep
from graph.errors import StoreUnavailable

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    store: str


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(store: StoreDep) -> Health | JSONResponse:
    """``ok`` when the store answers, 503 ``unavailable`` when it does not."""
    kind = store.url.split(":", 1)[0]
    try:
        store.counts()
    except StoreUnavailable:
        return JSONResponse({"status": "unavailable", "store": kind}, status_code=503)
    return Health(status="ok", store=kind)
