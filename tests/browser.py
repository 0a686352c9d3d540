"""Browser-test plumbing: the API served on a free loopback port, driven by Playwright
in Debian's Chromium (``/usr/bin/chromium``; no browser is downloaded).

A pytest plugin (listed in ``tests/conftest.py``'s ``pytest_plugins``), so any test
directory can use its fixtures:

- ``chromium_path``: the browser's executable; without it the test skips with the
  reason, unless ``ALUMNI_GRAPH_REQUIRE_BROWSER=1`` makes that a failure (the
  convention of ``tests/wicked/test_pack.py``);
- ``serve``: ``serve(store, settings=None) -> base URL``, the app on that store,
  run by uvicorn in a thread for the rest of the test;
- ``page``: a fresh Playwright page (own cookies) whose console errors and
  uncaught page errors are collected in ``page_errors``; a screenshot of how the
  test left it is saved in ``test-artifacts/`` named after the test;
- ``screenshot``: ``screenshot(page, "step")`` saves one mid-test, for humans.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.app import create_app
from api.settings import ApiSettings
from graph.store import GraphStore

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

Serve = Callable[..., str]
Screenshot = Callable[..., Path]


def artifact_name(nodeid: str, suffix: str = "") -> str:
    """A file name for a test's artefact: its node id with anything unsafe as ``_``.

    >>> artifact_name("tests/pages/test_x.py::test_sign_in[sqlite]", "after")
    'pages-test_x-test_sign_in-sqlite-after.png'
    """
    path, _, name = nodeid.partition("::")
    stem = Path(path).with_suffix("").as_posix().removeprefix("tests/")
    raw = "-".join(part for part in (stem, name, suffix) if part)
    return re.sub(r"[^A-Za-z0-9_.]+", "-", raw).strip("-") + ".png"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        reason = "chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("ALUMNI_GRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"a browser is required (ALUMNI_GRAPH_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless Chromium per test module (pages get their own contexts); Playwright's
    event loop lives no longer than the module that needs it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=LAUNCH_ARGS
        )
        yield launched
        launched.close()


class _Server:
    """uvicorn in a daemon thread on an already bound loopback socket."""

    def __init__(self, store: GraphStore, settings: ApiSettings | None) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            create_app(store=store, settings=settings),
            log_level="warning",
            access_log=False,  # nothing personal in logs, even in tests
            ws="none",
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        ready = threading.Event()
        while not ready.wait(0.02):
            if self.server.started:
                ready.set()
            elif not self.thread.is_alive():
                raise RuntimeError("the test server stopped before it started")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """``serve(store, settings=None)``: the app on ``store`` at the returned base URL."""
    servers: list[_Server] = []

    def start(store: GraphStore, settings: ApiSettings | None = None) -> str:
        server = _Server(store, settings)
        server.start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    """``screenshot(page, suffix="")``: save the page as ``test-artifacts/<test>-<suffix>.png``."""

    def save(page: Page, suffix: str = "") -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / artifact_name(request.node.nodeid, suffix)
        page.screenshot(path=str(target), full_page=True)
        return target

    return save


@pytest.fixture
def page_errors() -> list[str]:
    """Console errors and uncaught exceptions of ``page``, in the order they happened."""
    return []


@pytest.fixture
def page(browser: Browser, page_errors: list[str], screenshot: Screenshot) -> Iterator[Page]:
    """A fresh page in its own browser context; its last state is saved as a screenshot."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.on(
        "console",
        lambda message: (
            page_errors.append(f"console: {message.text} ({message.location.get('url', '')})")
            if message.type == "error"
            else None
        ),
    )
    opened.on("pageerror", lambda error: page_errors.append(f"page error: {error}"))
    yield opened
    try:
        screenshot(opened)
    finally:
        context.close()
