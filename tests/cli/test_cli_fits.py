"""The command line fits the terminal (issue 18, item 6): ``wicked list``; an email
wherever a person's id is taken; a suggestion on every "not found"; tables at 80
columns that keep whole what a later command takes; errors in words.

On the hand-drawn sample programme (tests/contract/sample.py): people ann..fay with
emails ``<id>@example.org``, cohorts c2019 and c2021, one wicked issue
(domestic-abuse); ingest runs from the ingest tests' sample bundle.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from cli.main import app, main
from cli.output import in_words, validation_in_words
from graph.errors import Invalid, NotFound, Problem, close_matches
from graph.sqlite_store import SqliteStore
from graph.store import Batch
from ingest.write import write_bundle

from ..contract.sample import person as sample_person
from ..contract.sample import programme
from ..ingest.conftest import sample_tables

RUN_ID = re.compile(r"run-[0-9]{8}-[0-9]{6}-[0-9a-f]+")


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = SqliteStore(url)
    store.apply(programme())
    store.close()
    return url


def run(url: str, *args: str, columns: int = 80) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, [*args, "--store", url], env={"COLUMNS": str(columns)})
    return result.exit_code, result.output, result.exception


def run_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Through ``cli.main.main`` as the installed command runs: exit status and stderr."""
    monkeypatch.setattr("sys.argv", ["alumni-graph", *args])
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as exited:
        main()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


# -- list commands ----------------------------------------------------------------------------


def test_wicked_list_names_every_issue_with_its_whole_id(url: str) -> None:
    code, output, _ = run(url, "wicked", "list")
    assert code == 0, output
    assert max(len(line) for line in output.splitlines()) <= 80
    assert "│ domestic-abuse " in output and "Domestic abuse" in output
    assert "1 wicked issues, page 1 of 1" in output


# -- an email wherever a person's id is taken ---------------------------------------------------


@pytest.mark.parametrize("person", ["ann", "Ann@Example.org", " ann@example.org "])
def test_keys_create_takes_a_persons_email_in_any_case_or_their_id(url: str, person: str) -> None:
    code, output, _ = run(url, "keys", "create", "--role", "alumni", "--person", person)
    assert code == 0, output
    store = SqliteStore(url)
    try:
        assert [k.person_id for k in store.keys()] == ["ann"]
    finally:
        store.close()


def test_visualise_person_takes_an_email_and_draws_the_same_map_as_the_id(
    url: str, tmp_path: Path
) -> None:
    drawn = {}
    for person in ("cat", "CAT@example.org"):
        out = tmp_path / f"{person}.html"
        code, output, _ = run(url, "visualise", "-o", str(out), "--person", person)
        assert code == 0, output
        drawn[person] = output.replace(str(out), "MAP")
    assert drawn["cat"] == drawn["CAT@example.org"]


def test_an_email_nobody_has_is_not_found_with_the_closest_emails(url: str) -> None:
    code, _, error = run(url, "keys", "create", "--role", "alumni", "--person", "ann@exampel.org")
    assert isinstance(error, NotFound)
    assert error.suggestions == ("ann@example.org",)


# -- a suggestion on every "not found" ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kind", "suggested"),
    [
        (["wicked", "show", "domestic-abuses"], "wicked_issue", ("domestic-abuse",)),
        (["wicked", "pack", "Domestic abuse!", "-o", "PACK"], "wicked_issue", ("domestic-abuse",)),
        (["report", "--cohort", "c2012", "-o", "MAP"], "cohort", ("c2019", "c2021")),
        (["visualise", "-o", "MAP", "--person", "anne"], "person in the network", ("ann",)),
        (["keys", "revoke", "nothing"], "api key", ()),
    ],
    ids=["issue-id", "issue-title", "cohort", "person-id", "key-with-nothing-close"],
)
def test_not_found_names_the_closest_keys_of_its_kind(
    url: str, tmp_path: Path, args: list[str], kind: str, suggested: tuple[str, ...]
) -> None:
    out = {"PACK": str(tmp_path / "pack.md"), "MAP": str(tmp_path / "map.html")}
    _, _, error = run(url, *[out.get(a, a) for a in args])
    assert isinstance(error, NotFound), error
    assert (error.kind, error.suggestions) == (kind, suggested)
    assert not any(Path(p).exists() for p in out.values())


def test_not_found_reads_as_a_sentence_with_the_suggestion(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_main(monkeypatch, capsys, "wicked", "show", "domestic-abus", "--store", url)
    assert code == 3
    assert err.strip() == "error: no wicked issue 'domestic-abus'; did you mean domestic-abuse?"


@pytest.mark.parametrize("store_option", ["--store", "--store="])
def test_a_command_opening_its_own_store_still_suggests(
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    store_option: str,
) -> None:
    """``metrics growth`` opens its store itself; ``cli.main.main`` reads the suggestions."""
    where = [store_option + url] if store_option.endswith("=") else [store_option, url]
    code, err = run_main(monkeypatch, capsys, "metrics", "growth", "--cohort", "c2O21", *where)
    assert code == 3
    assert err.strip().endswith("did you mean c2021?")


def test_close_matches_ignores_case_and_accents_and_ranks_by_likeness() -> None:
    choices = {"lge-2021": ["Leading Greater Essex 2021"], "sian": ["Siân Jones"], "x": ["Y"]}
    assert close_matches("lge-2012", choices) == ["lge-2021"]
    assert close_matches("SIAN JONES", choices) == ["sian"]
    assert close_matches("zzz", choices) == []


# -- tables at 80 columns -----------------------------------------------------------------------


def test_ingest_runs_at_80_columns_shows_whole_ids_that_rollback_takes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    name = "leading-greater-essex-2021-cohort-bundle-final-version-2.json"
    bundle = write_bundle(sample_tables(), tmp_path / name)
    assert run(url, "ingest", str(bundle))[0] == 0
    code, output, _ = run(url, "ingest", "runs")
    assert code == 0, output
    assert max(len(line) for line in output.splitlines()) <= 80
    store = SqliteStore(url)
    try:
        [expected] = [r.id for r in store.runs()]
    finally:
        store.close()
    assert RUN_ID.findall(output) == [expected]
    code, output, _ = run(url, "ingest", "rollback", RUN_ID.findall(output)[0])
    assert code == 0 and f"rolled back {expected}" in output


def test_keys_list_at_80_columns_keeps_every_key_id_that_revoke_takes(
    url: str, tmp_path: Path
) -> None:
    store = SqliteStore(url)
    try:
        long_id = "p-0123456789abcdef0123"  # as long as the ids a salted email hash gives
        store.apply(Batch(people=[sample_person(long_id, consent_directory=True)]))
    finally:
        store.close()
    for role, who in (("alumni", long_id), ("programme", "ann@example.org"), ("admin", None)):
        chosen = ["--person", who] if who else []
        assert run(url, "keys", "create", "--role", role, *chosen)[0] == 0
    store = SqliteStore(url)
    try:
        made = sorted(k.id for k in store.keys())
    finally:
        store.close()
    assert run(url, "keys", "revoke", made[0])[0] == 0
    code, output, _ = run(url, "keys", "list")
    assert code == 0, output
    assert max(len(line) for line in output.splitlines()) <= 80
    shown = re.findall(r"^│ ([0-9a-f]{8}) ", output, re.M)
    assert sorted(shown) == made
    assert "…" not in output  # nothing cut short: a long person id folds, dates fit


def test_ingest_rollback_of_a_mistyped_run_suggests_the_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    run(url, "ingest", str(write_bundle(sample_tables(), tmp_path / "b.json")))
    store = SqliteStore(url)
    [run_id] = [r.id for r in store.runs()]
    store.close()
    _, _, error = run(url, "ingest", "rollback", run_id[:-1])
    assert isinstance(error, NotFound) and error.suggestions == (run_id,)


# -- errors in words ----------------------------------------------------------------------------


def test_a_bad_option_reads_as_the_option_its_value_and_why(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_main(monkeypatch, capsys, "people", "--sector", "planet", "--store", url)
    assert code == 2
    assert err.startswith("error: --sector 'planet': is not a sector; one of")
    assert "problem(s)" not in err and "option:" not in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["people", "--page", "0"], "Invalid value for '--page': '0' must be 1 or more"),
        (["people", "--page", "two"], "Invalid value for '--page': 'two' is not a whole number"),
        (
            ["keys", "create", "--role", "alumnus"],
            "Invalid value for '--role': 'alumnus' is not one of 'alumni', 'programme',"
            " 'admin'; did you mean alumni?",
        ),
    ],
    ids=["too-small", "not-a-number", "not-a-choice"],
)
def test_a_value_typer_refuses_reads_as_the_value_and_why(
    url: str, args: list[str], words: str
) -> None:
    code, output, _ = run(url, *args, columns=200)
    assert code == 2
    assert words in output
    assert "Input should" not in output and "Value error" not in output


def test_map_options_that_contradict_name_the_options() -> None:
    error = Invalid([Problem("map", "as_of/wave", "2021-01-01/None", "give a date or a wave")])
    assert in_words(error) == "--as-of and --wave '2021-01-01/None': give a date or a wave"


def test_a_model_refusing_a_value_reads_as_the_option_and_value() -> None:
    class Request(BaseModel):
        as_of: date

    with pytest.raises(ValidationError) as refused:
        Request.model_validate({"as_of": "soon"})
    words = validation_in_words(refused.value)
    assert words is not None and words.startswith("--as-of 'soon': Input should be a valid date")
    assert validation_in_words(ValueError("x")) is None


@pytest.mark.parametrize(
    "command",
    [
        ["visualise", "-o"],
        ["export", "-o"],
        ["wicked", "pack", "domestic-abuse", "-o"],
        ["report", "--cohort", "c2019", "-o"],
    ],
    ids=["visualise", "export", "wicked-pack", "report"],
)
def test_an_output_that_cannot_be_written_is_one_line_naming_it(
    url: str,
    tmp_path: Path,
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "no-such-folder" / "out.html"
    code, err = run_main(monkeypatch, capsys, *command, str(target), "--store", url)
    expected = f"error: cannot use {target}: No such file or directory"
    assert code == 1
    assert "".join(err.split()) == "".join(expected.split())  # as wrapped at 80 columns
    assert not target.parent.exists()


def test_python_m_cli_main_runs_the_command_line() -> None:
    """``python -m cli.main`` is the installed ``alumni-graph``, not a silent no-op."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "--help"],
        cwd=root, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "ingest" in done.stdout
