"""The access log without personal data: a route's template for its path, no query.

uvicorn logs every request as ``client - "METHOD PATH?QUERY HTTP/1.1" status``;
the path of ``/people/{person_id}`` is a person's id and the query of
``/people?q=`` may be their name. ``RedactedAccessLog``, a filter on the
``uvicorn.access`` logger (``alumni-graph serve`` installs it through
``log_config()``), rewrites the path to the template of the route it matches
(``/people/{person_id}``), drops the query string, and cuts a path no route
matches to its first segment (``/people/…``), as it could hold anything.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

Templates = Sequence[tuple[re.Pattern[str], str]]


def _walk(routes: Iterable[object]) -> Iterator[tuple[re.Pattern[str], str]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included router
        if included is not None:
            yield from _walk(included.routes)
            continue
        regex = getattr(route, "path_regex", None)
        template = getattr(route, "path_format", None)
        if isinstance(regex, re.Pattern) and isinstance(template, str):
            yield regex, template


def app_templates() -> Templates:
    """Every route of the app as (regex, template), in the order the app tries them.
    (Should a FastAPI release hide some, their paths are cut to the first segment:
    less to read, nothing personal.)"""
    from api.app import create_app

    return list(_walk(create_app(store_url="sqlite:///:memory:").routes))


def redact_path(path: str, templates: Templates) -> str:
    """The path as the access log may show it.

    >>> routes = [(re.compile(r"^/people/(?P<person_id>[^/]+)$"), "/people/{person_id}")]
    >>> redact_path("/people/p-1a2b?q=Ann+Smith", routes)
    '/people/{person_id}'
    >>> redact_path("/people/p-1a2b/nothing", routes), redact_path("/", routes)
    ('/people/…', '/')
    """
    bare = path.partition("?")[0]
    for regex, template in templates:
        if regex.match(bare):
            return template
    first, _, rest = bare.lstrip("/").partition("/")
    return f"/{first}/…" if rest else f"/{first}"


class RedactedAccessLog(logging.Filter):
    """Rewrite the path of each ``uvicorn.access`` record; the route table is read
    from the app on first use (``templates`` replaces it, for tests)."""

    def __init__(self, templates: Callable[[], Templates] = app_templates) -> None:
        super().__init__()
        self._load = templates
        self._templates: Templates | None = None
        self._lock = threading.Lock()

    def templates(self) -> Templates:
        with self._lock:
            if self._templates is None:
                self._templates = self._load()
            return self._templates

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2], self.templates()), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with ``RedactedAccessLog`` on its access log
    (a dict, so every worker process builds the filter for itself)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_access"] = {
        "()": f"{__name__}.{RedactedAccessLog.__name__}"
    }
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_access"]
    # The service's own loggers (``alumni_graph.*``) beside uvicorn's, from INFO: without
    # this their warnings reached stderr through Python's last-resort handler only.
    config["loggers"]["alumni_graph"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config
