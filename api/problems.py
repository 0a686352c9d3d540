"""Every error to ``application/problem+json`` (RFC 9457), in one place.

Domain errors (``graph.errors``), the API's own (``api.errors``), request
validation and Starlette's HTTP errors (unknown route, wrong method, body too
large) all leave through the handlers installed here, with one body shape:
``ProblemOut``. Routes declare which of them they may answer with
``responses(...)``; the OpenAPI document lists them as problem+json.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import BundleRefused, RateLimited, TooLarge, Unauthenticated
from graph.errors import (
    AlumniGraphError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Problem,
    StoreUnavailable,
)
from services.schemas import IngestReportOut

PROBLEM_JSON = "application/problem+json"


class ProblemItem(BaseModel):
    """One thing wrong with one field: a record (or ``request``), a field, a value, why."""

    record: str
    field: str
    value: str
    reason: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem: every error this API returns has this shape."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Not found",
                    "status": 404,
                    "detail": "person 'p-0123456789abcdef' not found",
                }
            ]
        },
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemItem] | None = Field(
        default=None, description="Every problem found (422), not just the first."
    )
    report: IngestReportOut | None = Field(
        default=None, description="The ingestion report of a refused bundle (422 on /ingest)."
    )


_STATUS: tuple[tuple[type[AlumniGraphError], int, str], ...] = (
    (NotFound, 404, "Not found"),
    (Invalid, 422, "Invalid input"),
    (BundleRefused, 422, "Bundle refused"),
    (Conflict, 409, "Conflict"),
    (Unauthenticated, 401, "Unauthenticated"),
    (Forbidden, 403, "Forbidden"),
    (RateLimited, 429, "Too many requests"),
    (TooLarge, 413, "Content too large"),
    (StoreUnavailable, 503, "Store unavailable"),
)

_TITLES = {status: title for _, status, title in reversed(_STATUS)}
"""One title per status, so a 404 reads the same from a route as from the store."""

_DESCRIPTIONS = {
    400: "The body cannot be parsed: JSON that is not UTF-8, or malformed multipart.",
    401: "No API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`).",
    403: "The key's role may not do this.",
    404: "No such record, or one this key may not see.",
    409: "The request contradicts what the store holds.",
    413: "The upload is larger than `ALUMNI_GRAPH_MAX_UPLOAD_BYTES`.",
    422: "Invalid input: every problem is listed in `errors`.",
    429: "Too many failed authentications from this address (`Retry-After`).",
    503: "The store cannot be reached.",
}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: Sequence[ProblemItem] | None = None,
    report: dict[str, object] | None = None,
) -> JSONResponse:
    """The one way a problem response is built."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    if report is not None:
        body["report"] = report
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _item(p: Problem) -> ProblemItem:
    return ProblemItem(record=p.record, field=p.field, value=str(p.value), reason=p.reason)


def _report_items(report: dict[str, object]) -> list[ProblemItem]:
    items: list[ProblemItem] = []
    errors = report.get("errors")
    for e in errors if isinstance(errors, list) else []:
        where = str(e.get("sheet") or e.get("file") or "bundle")
        if e.get("row") is not None:
            where += f" {e.get('unit') or 'row'} {e['row']}"
        hint = ", ".join(str(s) for s in e.get("suggestions") or [])
        value = e.get("value")
        items.append(
            ProblemItem(
                record=where,
                field=str(e.get("column") or ""),
                value="" if value is None else str(value),
                reason=str(e.get("reason", "")) + (f" (did you mean: {hint}?)" if hint else ""),
            )
        )
    return items


def _with_suggestions(request: Request, error: NotFound) -> NotFound:
    """A 404's closest keys of its kind that its caller may know of (cohorts,
    organisations, issues, projects for anyone; people, runs and keys for the programme
    team: ``services.people.with_suggestions``), through the one helper the command line
    uses too; a caller not yet known is treated as an alumnus."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        return error
    from graph.model import KeyRole
    from services.consent import Viewer
    from services.people import with_suggestions

    caller = getattr(request.state, "viewer", None)
    viewer = caller if isinstance(caller, Viewer) else Viewer(role=KeyRole.ALUMNI, key_id="404")
    try:
        return with_suggestions(store, viewer, error)
    except AlumniGraphError:  # the store failed as well: the 404 as it was
        return error


async def _domain_error(request: Request, raised: Exception) -> Response:
    assert isinstance(raised, AlumniGraphError)
    error = raised
    if isinstance(error, NotFound):
        error = await run_in_threadpool(_with_suggestions, request, error)
    found = next(((s, t) for kind, s, t in _STATUS if isinstance(error, kind)), None)
    if found is None:
        return problem(500, "Internal error", type(error).__name__)
    status, title = found
    headers: dict[str, str] | None = None
    errors: list[ProblemItem] | None = None
    report: dict[str, object] | None = None
    if isinstance(error, Unauthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(error, RateLimited):
        headers = {"Retry-After": str(error.retry_after)}
    elif isinstance(error, Invalid):
        errors = [_item(p) for p in error.problems]
    elif isinstance(error, BundleRefused):
        report = error.report
        errors = _report_items(report)
    if _is_page(request):
        return await _page(request, status, title, _page_reason(error), headers)
    return problem(status, title, str(error), headers=headers, errors=errors, report=report)


# -- pages ----------------------------------------------------------------------------------
# A page's address that goes wrong (a bad date, an unknown record, no such page) answers
# with the site's error page and the same status; forms posted from a page, and the JSON
# API, keep answering problem+json.


def _is_page(request: Request) -> bool:
    """A browser asked for a page: a GET of a page route, or of no route at all by a
    browser (it accepts HTML)."""
    if request.method not in ("GET", "HEAD"):
        return False
    endpoint = request.scope.get("endpoint")
    if endpoint is None:
        return "text/html" in request.headers.get("accept", "")
    return str(getattr(endpoint, "__module__", "")).startswith("api.pages.")


async def _page(
    request: Request, status: int, title: str, reason: str, headers: dict[str, str] | None
) -> Response:
    from api.pages.render import error_page

    return await run_in_threadpool(error_page, request, status, title, reason, headers)


def _page_reason(error: AlumniGraphError) -> str:
    if isinstance(error, NotFound):
        kind = error.kind.replace("_", " ")
        return f"There is no {kind} {error.key!r} that this key may see{_hint(error)}."
    if isinstance(error, Invalid):
        return " ".join(f"{p.field} {str(p.value)!r}: {p.reason}." for p in error.problems)
    return str(error)


def _hint(error: NotFound) -> str:
    from graph.errors import did_you_mean

    return did_you_mean(error.suggestions)


def _in_words(e: Mapping[str, Any]) -> str:
    """One of a request's validation errors as a sentence naming the parameter and the
    value: "as_of 'yesterday' is not a date: write it as YYYY-MM-DD"."""
    loc = [str(part) for part in e.get("loc", ()) if not isinstance(part, int)]
    name = loc[-1] if loc else "the address"
    value = e.get("input")
    shown = "" if value is None or isinstance(value, dict | list) else f" {str(value)[:80]!r}"
    kind = str(e.get("type", ""))
    if kind.startswith(("date", "datetime")):
        return f"{name}{shown} is not a date: write it as YYYY-MM-DD, e.g. 2024-03-31."
    if kind == "missing":
        return f"{name} is missing."
    message = str(e.get("msg", "is not allowed"))
    return f"{name}{shown}: {message[:1].lower()}{message[1:]}."


def reason_in_words(e: Mapping[str, Any]) -> str:
    """What is wrong with one value a request or form sent, in words a person reads (a
    date's, a missing value's; pydantic's own message otherwise, less its "Value error, "
    prefix): the reason the API's problem items and the pages' form errors both give."""
    kind = str(e.get("type", ""))
    if kind.startswith(("date", "datetime")):
        return "is not a date: write it as YYYY-MM-DD, e.g. 2024-03-31"
    if kind == "missing":
        return "is missing"
    return str(e.get("msg", "is not allowed")).removeprefix("Value error, ")


def _location(loc: Sequence[int | str]) -> tuple[str, str]:
    parts = [str(p) for p in loc]
    if len(parts) > 1:
        return parts[0], ".".join(parts[1:])
    return "request", ".".join(parts)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    items = []
    for e in error.errors():
        record, field = _location(e.get("loc", ()))
        value = e.get("input")
        shown = "" if value is None or isinstance(value, dict | list) else str(value)[:200]
        items.append(
            ProblemItem(record=record, field=field, value=shown, reason=reason_in_words(e))
        )
    detail = "; ".join(f"{i.record}.{i.field}: {i.reason}" for i in items[:5])
    if _is_page(request):
        words = " ".join(_in_words(e) for e in error.errors()[:5])
        return await _page(request, 422, "This address does not work", words, None)
    return problem(422, "Invalid input", detail, errors=items)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    title = _TITLES.get(error.status_code)
    if title is None:
        try:
            title = HTTPStatus(error.status_code).phrase
        except ValueError:
            title = "Error"
    detail = error.detail if isinstance(error.detail, str) else title
    if _is_page(request) and error.status_code in (404, 405):
        reason = "There is no page at this address." if error.status_code == 404 else detail
        return await _page(request, error.status_code, title, reason, dict(error.headers or {}))
    return problem(error.status_code, title, detail, headers=dict(error.headers or {}))


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """What a route declares it may answer with besides success, as problems; every
    route that reads the store may also answer 503 when the store is down."""
    return {
        code: {"model": ProblemOut, "description": _DESCRIPTIONS[code]}
        for code in sorted({*codes, 503})
    }


def _unparsable() -> dict[str, Any]:
    ref = f"#/components/schemas/{ProblemOut.__name__}"
    return {"description": _DESCRIPTIONS[400], "content": {PROBLEM_JSON: {"schema": {"$ref": ref}}}}


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The app's OpenAPI document, with every error response as problem+json, and a 400
    on every operation with a body: FastAPI answers 400 to a body it cannot parse (JSON
    that is not UTF-8, broken multipart) before the route runs."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" in operation:
                    operation["responses"] = dict(
                        sorted({**operation["responses"], "400": _unparsable()}.items())
                    )
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                    if ref == f"#/components/schemas/{ProblemOut.__name__}":
                        content[PROBLEM_JSON] = content.pop("application/json")
        app.openapi_schema = schema
        return schema

    return openapi


def install(app: FastAPI) -> None:
    """Route every error through the handlers above; document them as problem+json."""
    app.add_exception_handler(AlumniGraphError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.openapi = _openapi(app)  # type: ignore[method-assign]
