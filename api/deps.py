"""What routes are handed: the one store of this process, opened in ``lifespan``,
and the settings the app was created with."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Query, Request

from api.settings import ApiSettings
from graph.store import GraphStore, Page


def get_store(request: Request) -> GraphStore:
    return cast(GraphStore, request.app.state.store)


StoreDep = Annotated[GraphStore, Depends(get_store)]


def get_settings(request: Request) -> ApiSettings:
    return cast(ApiSettings, request.app.state.settings)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]


def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(get_page)]
"""``limit`` (1..500, default 50) and ``offset``: every list is paged the same way."""
