"""What routes are handed: the one store of this process, opened in ``lifespan``."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from graph.store import GraphStore


def get_store(request: Request) -> GraphStore:
    return cast(GraphStore, request.app.state.store)


StoreDep = Annotated[GraphStore, Depends(get_store)]
