"""Domain errors to ``application/problem+json`` (RFC 9457), in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from graph.errors import (
    AlumniGraphError,
    Conflict,
    Invalid,
    NotFound,
    Problem,
    StoreUnavailable,
)

PROBLEM_JSON = "application/problem+json"

_STATUS: tuple[tuple[type[AlumniGraphError], int, str], ...] = (
    (NotFound, 404, "Not found"),
    (Invalid, 422, "Invalid input"),
    (Conflict, 409, "Conflict"),
    (StoreUnavailable, 503, "Store unavailable"),
)


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _problem_item(p: Problem) -> dict[str, str]:
    return {"record": p.record, "field": p.field, "value": str(p.value), "reason": p.reason}


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AlumniGraphError)
    for kind, status, title in _STATUS:
        if isinstance(error, kind):
            extra: dict[str, object] = {}
            if isinstance(error, Invalid):
                extra["errors"] = [
                    {
                        "record": p.record,
                        "field": p.field,
                        "value": str(p.value),
                        "reason": p.reason,
                    }
                    for p in error.problems
                ]
            return problem(status, title, str(error), **extra)
    return problem(500, "Internal error", type(error).__name__)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AlumniGraphError, _domain_error)
