"""``alumni-graph serve`` has each worker read the warm network as it starts (the
setting ``warm_on_start``), unless the environment says otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from cli.main import app
from graph.settings import get_settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """What the workers would be started with: uvicorn is not run, the settings each
    worker's ``create_app`` would read are recorded (and the environment restored)."""
    seen: dict[str, object] = {}

    def run(*_: object, **options: object) -> None:
        seen["factory"] = options.get("factory")
        seen["workers"] = options.get("workers")
        seen["warm_on_start"] = get_settings().warm_on_start

    monkeypatch.setattr(uvicorn, "run", run)
    for name in ("ALUMNI_GRAPH_STORE", "ALUMNI_GRAPH_WARM_ON_START", "ALUMNI_GRAPH_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield seen
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("environment", "warmed"),
    [(None, True), ("false", False)],
    ids=["by-default", "turned-off"],
)
def test_serve_has_its_workers_read_the_warm_network_unless_the_environment_says_not(
    served: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: str | None,
    warmed: bool,
) -> None:
    assert get_settings().warm_on_start is False  # the setting's own default
    if environment is not None:
        monkeypatch.setenv("ALUMNI_GRAPH_WARM_ON_START", environment)
    result = CliRunner().invoke(app, ["serve", "--store", f"sqlite:///{tmp_path / 'g.db'}"])
    assert result.exit_code == 0, result.output
    assert served == {"factory": True, "workers": 1, "warm_on_start": warmed}


def test_serve_takes_its_worker_count_from_the_environment_or_the_command_line(
    served: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A container sets ALUMNI_GRAPH_WORKERS (docker-compose.yml: 2); --workers wins."""
    store = ["--store", f"sqlite:///{tmp_path / 'g.db'}"]
    monkeypatch.setenv("ALUMNI_GRAPH_WORKERS", "2")
    assert CliRunner().invoke(app, ["serve", *store]).exit_code == 0
    assert served["workers"] == 2
    assert CliRunner().invoke(app, ["serve", *store, "--workers", "3"]).exit_code == 0
    assert served["workers"] == 3
    monkeypatch.setenv("ALUMNI_GRAPH_WORKERS", "0")
    refused = CliRunner().invoke(app, ["serve", *store])
    assert refused.exit_code != 0 and "ALUMNI_GRAPH_WORKERS" in refused.output
