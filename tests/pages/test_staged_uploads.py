"""A checked upload waits on disk, not in memory: a private file with a random name in
the staging folder, deleted when it is loaded, cancelled or expired, and refused with
a problem report when the staging folder or the key's share of it is full."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from graph.store import GraphStore

from ..api.conftest import SETTINGS, Keys, write_json_bundle
from .conftest import sign_in

STAGED = re.compile(r'name="staged" value="([^"]+)"')


def _settings(folder: Path, **quotas: int) -> ApiSettings:
    return SETTINGS.model_copy(update={"staged_upload_dir": str(folder), **quotas})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "staged"


@pytest.fixture
def staging_client(
    sample_store: GraphStore, folder: Path, request: pytest.FixtureRequest
) -> Iterator[TestClient]:
    quotas = getattr(request, "param", {})
    app = create_app(store=sample_store, settings=_settings(folder, **quotas))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def _check(client: TestClient, token: str, bundle: Path, name: str | None = None) -> str:
    """Upload ``bundle`` for its check; the staged id the page offers to load."""
    checked = client.post(
        "/upload",
        data={"csrf_token": token},
        files={"file": (name or bundle.name, bundle.read_bytes())},
    )
    assert checked.status_code == 200 and "ready to load" in checked.text, checked.text
    found = STAGED.search(checked.text)
    assert found is not None
    return found.group(1)


def test_checked_upload_is_a_private_file_until_loaded(
    staging_client: TestClient,
    keys: Keys,
    sample_store: GraphStore,
    folder: Path,
    tmp_path: Path,
) -> None:
    token = sign_in(staging_client, keys.programme)
    bundle = write_json_bundle(tmp_path)
    staged = _check(staging_client, token, bundle)
    (kept,) = _files(folder)
    assert kept.read_bytes() == bundle.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert bundle.name not in kept.name and staged in kept.name  # a random name
    runs = len(sample_store.runs())
    loaded = staging_client.post("/upload/load", data={"staged": staged, "csrf_token": token})
    assert loaded.status_code == 200 and "loaded" in loaded.text
    assert len(sample_store.runs()) == runs + 1
    assert _files(folder) == []
    again = staging_client.post("/upload/load", data={"staged": staged, "csrf_token": token})
    assert again.status_code == 409
    assert len(sample_store.runs()) == runs + 1


def test_cancelled_upload_is_deleted_and_never_loaded(
    staging_client: TestClient,
    keys: Keys,
    sample_store: GraphStore,
    folder: Path,
    tmp_path: Path,
) -> None:
    token = sign_in(staging_client, keys.programme)
    staged = _check(staging_client, token, write_json_bundle(tmp_path))
    assert len(_files(folder)) == 1
    runs = len(sample_store.runs())
    cancelled = staging_client.post("/upload/cancel", data={"staged": staged, "csrf_token": token})
    assert cancelled.status_code == 200 and "Cancelled" in cancelled.text
    assert _files(folder) == []
    load = staging_client.post("/upload/load", data={"staged": staged, "csrf_token": token})
    assert load.status_code == 409
    assert len(sample_store.runs()) == runs


def test_a_second_check_replaces_the_first_file(
    staging_client: TestClient, keys: Keys, folder: Path, tmp_path: Path
) -> None:
    token = sign_in(staging_client, keys.programme)
    bundle = write_json_bundle(tmp_path)
    first = _check(staging_client, token, bundle)
    second = _check(staging_client, token, bundle)
    (kept,) = _files(folder)
    assert second in kept.name and first not in kept.name


def test_refused_bundle_leaves_no_file(
    staging_client: TestClient, keys: Keys, folder: Path, tmp_path: Path
) -> None:
    token = sign_in(staging_client, keys.programme)
    broken = tmp_path / "broken.json"
    broken.write_text('{"cohort": [{"cohort_id": ""}]}')
    refused = staging_client.post(
        "/upload", data={"csrf_token": token}, files={"file": (broken.name, broken.read_bytes())}
    )
    assert refused.status_code == 422
    assert _files(folder) == []


@pytest.mark.parametrize(
    ("staging_client", "which"),
    [
        ({"staged_upload_per_key_bytes": 1500}, "this key's"),
        ({"staged_upload_total_bytes": 1500}, "waiting to be loaded"),
    ],
    indirect=["staging_client"],
    ids=["per-key", "total"],
)
def test_upload_over_the_staging_quota_is_a_problem_and_leaves_no_file(
    staging_client: TestClient, keys: Keys, folder: Path, tmp_path: Path, which: str
) -> None:
    """The bundle is about 900 bytes: the first fits in 1,500, a second from another
    session of the same key (the first still waiting) does not."""
    bundle = write_json_bundle(tmp_path)
    assert 750 < len(bundle.read_bytes()) < 1500
    token = sign_in(staging_client, keys.programme)
    _check(staging_client, token, bundle)
    staging_client.cookies.clear()
    other = keys.admin if which != "this key's" else keys.programme
    token = sign_in(staging_client, other)
    refused = staging_client.post(
        "/upload", data={"csrf_token": token}, files={"file": (bundle.name, bundle.read_bytes())}
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert which in refused.json()["detail"]
    assert len(_files(folder)) == 1  # the first one, still waiting


def test_expired_upload_is_swept_and_cannot_be_loaded(
    staging_client: TestClient,
    keys: Keys,
    sample_store: GraphStore,
    folder: Path,
    tmp_path: Path,
) -> None:
    token = sign_in(staging_client, keys.programme)
    staged = _check(staging_client, token, write_json_bundle(tmp_path))
    staging = staging_client.app.state.staged_uploads  # type: ignore[attr-defined]
    staging.clock = lambda: 10**12  # long after its ttl
    runs = len(sample_store.runs())
    load = staging_client.post("/upload/load", data={"staged": staged, "csrf_token": token})
    assert load.status_code == 409
    assert _files(folder) == []
    assert len(sample_store.runs()) == runs
