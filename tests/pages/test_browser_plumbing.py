"""The browser plumbing itself: a live server on a store, driven by Chromium."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page

from graph.sqlite_store import SqliteStore
from tests.browser import ARTIFACTS, Screenshot, Serve


def test_open_health_in_chromium_reads_the_live_server(
    serve: Serve, page: Page, page_errors: list[str], screenshot: Screenshot, tmp_path: Path
) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'graph.db'}")
    try:
        base = serve(store)
        response = page.goto(f"{base}/health")
        assert response is not None and response.status == 200
        assert json.loads(page.inner_text("body"))["status"] == "ok"
        saved = screenshot(page, "health")
        assert saved.parent == ARTIFACTS and saved.stat().st_size > 0
        # Chromium asks for /favicon.ico by itself; the JSON API has none.
        assert [e for e in page_errors if "/favicon.ico" not in e] == []
    finally:
        store.close()


def test_page_records_errors_thrown_by_scripts(page: Page, page_errors: list[str]) -> None:
    page.set_content("<script>console.error('from the console'); nope();</script>")
    assert any("from the console" in e for e in page_errors)
    assert any("nope" in e for e in page_errors)
