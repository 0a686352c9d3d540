"""The app factory: one store per process, opened in ``lifespan``, closed after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import problems
from api.auth import FailedAuthLimiter
from api.clients import ForwardedFor
from api.deps import warm_network_in_background
from api.limits import BodyLimit
from api.pages import dashboard, site, survey_waves, upload
from api.pages import decisions as decision_pages
from api.pages import people as people_pages
from api.pages import programme as programme_pages
from api.pages import surveys as survey_pages
from api.pages import wicked as wicked_pages
from api.pages.security import SecurityHeaders
from api.pages.sessions import Sessions
from api.routes import (
    cohorts,
    health,
    ingest,
    keys,
    me,
    metrics,
    organisations,
    paths,
    people,
    projects,
    reports,
    surveys,
    wicked_issues,
)
from api.routes import mentoring as mentoring_routes
from api.routes import selection as selection_routes
from api.routes import visualisations as visualisation_routes
from api.settings import ApiSettings, get_api_settings
from graph.store import GraphStore
from graph.stores import open_store

MULTIPART_ALLOWANCE = 64 * 1024
"""Bytes of multipart framing (boundaries, part headers) allowed on top of the upload."""

UPLOAD_PATHS = ("/ingest", "/upload")
"""The routes that take a bundle: the upload limit; every other route the small body limit."""

TAGS = [
    {"name": "health", "description": "For load balancers; no key needed."},
    {"name": "people", "description": "Search the alumni, their contacts and recommendations."},
    {"name": "paths", "description": "Warm introduction paths, every hop explained."},
    {"name": "organisations", "description": "Programme team."},
    {"name": "cohorts", "description": "Programme team."},
    {"name": "projects", "description": "Programme team."},
    {"name": "metrics", "description": "Programme team: the spec's network metrics."},
    {"name": "ingest", "description": "Programme team: load cohort bundles, undo loads."},
    {"name": "keys", "description": "Admin: issue and revoke API keys."},
    {
        "name": "surveys",
        "description": "Programme team: open, follow and close survey waves; a respondent's "
        "form as JSON at `/s/{token}.json`, the link's token its only credential.",
    },
    {
        "name": "wicked-issues",
        "description": "Everyone: what happened to a wicked issue before, who can help now, "
        "and its handover pack; recording a handover is for the programme team.",
    },
]


def create_app(
    store_url: str | None = None,
    store: GraphStore | None = None,
    *,
    settings: ApiSettings | None = None,
) -> FastAPI:
    """An app on ``store`` if given (tests), else on the store ``store_url`` names."""
    settings = settings or get_api_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = None if store is not None else open_store(store_url)
        app.state.store = store or own
        if settings.warm_on_start:
            warm_network_in_background(app.state)
        try:
            yield
        finally:
            if own is not None:  # what it opened, even if a test swapped app.state.store
                own.close()

    app = FastAPI(
        title="alumni-graph",
        summary="The alumni network of a systems-leadership programme, as a graph.",
        description=(
            "Alumni find people in other organisations and warm introductions to them; "
            "the programme team measures whether the network is becoming less siloed. "
            "Every call but `/health` needs `Authorization: Bearer KEY`; errors are "
            "`application/problem+json`."
        ),
        version="0.1.0",
        lifespan=lifespan,
        openapi_tags=TAGS,
    )
    app.state.settings = settings
    body_limit = settings.max_upload_bytes + MULTIPART_ALLOWANCE
    app.state.auth_limiter = FailedAuthLimiter(
        settings.auth_failures_per_minute, settings.auth_failure_window_seconds
    )
    app.state.sessions = Sessions.of(settings)
    problems.install(app)
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        limits=dict.fromkeys(UPLOAD_PATHS, body_limit),
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ForwardedFor, proxies=settings.proxy_networks())
    app.include_router(health.router)
    app.include_router(me.router)
    app.include_router(people.router)
    app.include_router(paths.router)
    app.include_router(organisations.router)
    app.include_router(cohorts.router)
    app.include_router(projects.router)
    app.include_router(wicked_issues.router)
    app.include_router(metrics.router)
    app.include_router(ingest.router, max_body_size=settings.max_upload_bytes + MULTIPART_ALLOWANCE)
    app.include_router(keys.router)
    app.include_router(visualisation_routes.router)
    app.include_router(reports.router)
    app.include_router(mentoring_routes.router)
    app.include_router(selection_routes.router)
    app.include_router(decision_pages.router)
    app.include_router(surveys.router)  # before the pages: /s/{token}.json, then /s/{token}
    for page_router in (site.router, people_pages.router, wicked_pages.router, dashboard.router):
        app.include_router(page_router)
    app.include_router(programme_pages.router)
    app.include_router(upload.router, max_body_size=body_limit)
    app.include_router(survey_pages.router)
    app.include_router(survey_waves.router)
    return app
