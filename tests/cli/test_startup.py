"""The command line starts at once: a command imports what it needs when it runs.

What a command imports is counted, not timed (timings belong in ``make bench``):
the heavy libraries below cost about a second together, and ``--help`` or
``status`` on SQLite needs none of them.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "networkx",
    "numpy",
    "scipy",
    "matplotlib",
    "fastapi",
    "pyvis",
    "neo4j",
    "openpyxl",
    "api",
    "visualisations",
    "ingest.pipeline",
    "rich.progress",
)
"""Modules that no command needs to show help or count a SQLite store's records."""

SETTINGS = ("pydantic_settings",)
"""What reads the environment (about 50 ms, asyncio with it): a command given a SQLite
``--store`` has no setting to read."""

MODELS = ("graph.model",)
"""The records' models (building their classes costs about 50 ms): help needs none of
them, since options name the plain enums of ``graph.vocabulary``."""

_PROBE = """
import json, sys
from typer.testing import CliRunner
from cli.main import app
result = CliRunner().invoke(app, sys.argv[1:])
loaded = [m for m in {watched!r} if m in sys.modules]
print(json.dumps({{"exit": result.exit_code, "output": result.output, "loaded": loaded}}))
"""


def _run(
    *args: str, watched: tuple[str, ...] = HEAVY, env: dict[str, str] | None = None
) -> dict[str, object]:
    """Run the CLI in a fresh interpreter (this one has imported everything already)
    and say which of the ``watched`` modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(watched=watched), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    answer: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return answer


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("ingest", "--help"),
        ("metrics", "--help"),
        ("wicked", "--help"),
        ("keys", "--help"),
        ("visualise", "--help"),
        ("survey", "--help"),
        ("mentors", "--help"),
        ("demo", "--help"),
    ],
)
def test_help_imports_no_heavy_module_nor_the_models(args: tuple[str, ...]) -> None:
    answer = _run(*args, watched=HEAVY + MODELS)
    assert answer["exit"] == 0, answer["output"]
    assert "Usage" in str(answer["output"])
    assert answer["loaded"] == []


def test_help_of_the_root_imports_no_pydantic() -> None:
    """Only the root's help can keep pydantic out: once a subcommand is named, typer
    (0.29) builds a pydantic ``TypeAdapter`` for the root's flags."""
    answer = _run("--help", watched=("pydantic",))
    assert answer["exit"] == 0, answer["output"]
    assert answer["loaded"] == []


def test_status_on_sqlite_imports_no_heavy_module_nor_the_settings(tmp_path: Path) -> None:
    answer = _run(
        "status", "--store", f"sqlite:///{tmp_path / 'graph.db'}", watched=HEAVY + SETTINGS
    )
    assert answer["exit"] == 0, answer["output"]
    assert "person" in str(answer["output"])
    assert answer["loaded"] == []


PRINTING = ("rich",)
"""rich (about 35 ms): ``status`` prints its counts as plain lines."""


def test_status_of_an_existing_sqlite_store_imports_neither_the_models_nor_rich(
    tmp_path: Path,
) -> None:
    store = f"sqlite:///{tmp_path / 'graph.db'}"
    first = _run("status", "--store", store, watched=MODELS)
    assert first["loaded"] == list(MODELS)  # the probe can fail: a new file is created
    answer = _run("status", "--store", store, watched=HEAVY + SETTINGS + MODELS + PRINTING)
    assert answer["exit"] == 0, answer["output"]
    lines = str(answer["output"]).splitlines()
    assert lines[:3] == [
        f"alumni-graph status: {store}",
        "kind            count",
        "area                0",
    ]
    assert "ambition            7" in lines
    assert answer["loaded"] == []


def test_probe_sees_a_heavy_import_when_a_command_needs_one(tmp_path: Path) -> None:
    """The probe can fail: ``metrics`` on a store really loads networkx."""
    answer = _run("metrics", "--as-of", "2020-01-01", "--store", f"sqlite:///{tmp_path / 'g.db'}")
    assert answer["exit"] == 0, answer["output"]
    assert "networkx" in answer["loaded"]  # type: ignore[operator]


def test_probe_sees_the_models_when_a_command_reads_records(tmp_path: Path) -> None:
    """The probe can fail for ``MODELS`` and pydantic too: ``keys list`` reads keys."""
    store = f"sqlite:///{tmp_path / 'g.db'}"
    answer = _run("keys", "list", "--store", store, watched=("pydantic", *MODELS))
    assert answer["exit"] == 0, answer["output"]
    assert answer["loaded"] == ["pydantic", *MODELS]


def test_probe_sees_the_settings_when_the_store_is_named_by_the_environment(
    tmp_path: Path,
) -> None:
    """The probe can fail for ``SETTINGS``: without ``--store`` the URL is a setting."""
    env = {"ALUMNI_GRAPH_STORE": f"sqlite:///{tmp_path / 'g.db'}"}
    answer = _run("status", watched=SETTINGS, env=env)
    assert answer["exit"] == 0, answer["output"]
    assert answer["loaded"] == list(SETTINGS)


def test_command_modules_hand_typer_evaluated_annotations() -> None:
    """typer reads every command's signature twice (``inspect.signature(eval_str=True)``
    and ``get_type_hints``): postponed annotations are compiled and evaluated both times,
    about 25 ms over the CLI's commands at every start."""
    postponed = [
        path.name
        for path in sorted((Path(__file__).resolve().parents[2] / "cli").glob("*.py"))
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
    ]
    assert postponed == []
