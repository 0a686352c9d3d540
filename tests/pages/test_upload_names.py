"""An upload's file name with a NUL, a control character or a path separator: the upload
page shows the error (422), never a 500, and nothing is loaded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import MULTIPART_ALLOWANCE
from graph.store import GraphStore

from ..api.conftest import SETTINGS, Keys
from .conftest import sign_in


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("bad\x00name.json", "bad\\x00name.json"),
        ("tab\there.xlsx", "tab\\there.xlsx"),
        ("../../etc/cohort.json", "../../etc/cohort.json"),
    ],
)
def test_upload_page_refuses_an_unsafe_file_name_with_an_error_page(
    client: TestClient, keys: Keys, sample_store: GraphStore, name: str, shown: str
) -> None:
    csrf = sign_in(client, keys.programme)
    runs = len(sample_store.runs())
    boundary = "names-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: application/json\r\n\r\n{{}}\r\n--{boundary}--\r\n"
    ).encode()
    answer = client.post(
        "/upload",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "the file name holds a" in answer.text
    assert shown in answer.text
    assert len(sample_store.runs()) == runs


def test_upload_page_over_the_body_limit_is_an_error_page_before_anything_is_read(
    client: TestClient, keys: Keys
) -> None:
    csrf = sign_in(client, keys.programme)
    limit = SETTINGS.max_upload_bytes + MULTIPART_ALLOWANCE
    answer = client.post(
        "/upload",
        content=b"x" * (limit + 1),
        headers={
            "Content-Type": "multipart/form-data; boundary=b",
            "Accept": "text/html",
            "X-CSRF-Token": csrf,
        },
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert f"the body is over {limit} bytes" in answer.text
