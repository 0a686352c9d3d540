"""The app factory: one store per process, opened in ``lifespan``, closed after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import problems
from api.routes import health
from graph.store import GraphStore
from graph.stores import open_store


def create_app(store_url: str | None = None, store: GraphStore | None = None) -> FastAPI:
    """An app on ``store`` if given (tests), else on the store ``store_url`` names."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store or open_store(store_url)
        try:
            yield
        finally:
            if store is None:
                app.state.store.close()

    app = FastAPI(
        title="alumni-graph",
        summary="The alumni network of a systems-leadership programme, as a graph.",
        version="0.1.0",
        lifespan=lifespan,
    )
    problems.install(app)
    app.include_router(health.router)
    return app
