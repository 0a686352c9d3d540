"""The handover pack: the renderer on a hand-made pack, the ``alumni-graph wicked``
commands on the whole demo programme (SQLite), and the HTML page opened in headless
Chromium, whose DOM must hold every section a new project team starts from.

Chromium is Debian's ``chromium`` package; without it the browser test skips, unless
``ALUMNI_GRAPH_REQUIRE_BROWSER=1`` makes that a failure. A screenshot of the page is
left in ``test-artifacts/`` for humans.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import wicked
from graph.errors import Invalid, NotFound
from ingest.demo import demo_tables
from visualisations.handover_model import (
    HandoverPack,
    PackHandover,
    PackPerson,
    PackProject,
    PackSupporter,
)
from visualisations.handover_pack import (
    SECTIONS,
    network_svg,
    render,
    to_html,
    to_markdown,
)

from ..conftest import Demo

ISSUE = "rural-isolation"
TABLES = dict(demo_tables())
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# -- the renderer ---------------------------------------------------------------------------

ANN = PackPerson(id="ann", name="Ann <b>Example</b>", organisation="ECC", sector="health")
BOB = PackPerson(id="bob", name="Bob Example", email="bob@example.org", sector="police")
HANDED = PackHandover(
    date=date(2020, 12, 1),
    from_project="First",
    to_cohort="C2021",
    to_project="Second",
    to_project_id="p2",
    notes="Remains: funding? <script>alert(1)</script>",
    open_questions=("Funding?",),
)
PACK = HandoverPack(
    issue_id="da",
    title="Domestic abuse & <everything>",
    description="A *wicked* issue",
    ambitions=("Strengthen communities through participation",),
    generated_on=date(2024, 1, 2),
    projects=(
        PackProject(
            id="p1",
            title="First",
            cohort="C2019",
            status="handed_over",
            start_date=date(2019, 6, 1),
            due_date=date(2020, 11, 30),
            outcomes="A pathway",
            leads=(ANN,),
            handed_over=(HANDED,),
        ),
        PackProject(
            id="p2",
            title="Second",
            cohort="C2021",
            status="active",
            start_date=date(2021, 6, 1),
            due_date=None,
            outcomes=None,
            leads=(BOB,),
            received=(HANDED,),
        ),
    ),
    working_now=(BOB,),
    supporters=(PackSupporter(person=ANN, reasons=("led First (C2019)",)),),
)


def test_render_html_escapes_every_text_and_loads_nothing() -> None:
    page = to_html(PACK)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Ann &lt;b&gt;Example&lt;/b&gt;" in page
    assert "Domestic abuse &amp; &lt;everything&gt;" in page
    assert "default-src 'none'" in page
    assert " src=" not in page and "@import" not in page and "url(http" not in page


def test_render_markdown_escapes_markup_and_keeps_sections_in_order() -> None:
    text = to_markdown(PACK)
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == [
        title for _, title in SECTIONS
    ]
    assert "Ann \\<b\\>Example\\</b\\>" in text
    assert "A \\*wicked\\* issue" in text
    assert "- Funding? _(from First, 1 December 2020)_" in text
    assert "Working on it now: Second (C2021, active)." in text


def test_render_pack_without_projects_says_so_in_every_section() -> None:
    empty = HandoverPack("x", "X", None, (), date(2024, 1, 2), (), (), ())
    page, text = to_html(empty), to_markdown(empty)
    assert "No projects yet." in page and "No projects yet." in text
    assert "Nobody at present." in page and "Nobody at present." in text
    assert "<svg" in page


def test_draw_network_map_is_the_same_for_the_same_pack() -> None:
    svg = network_svg(PACK)
    assert svg == network_svg(PACK)
    assert svg.count('class="node project"') == 2
    assert svg.count('class="edge handover"') == 1


def test_draw_network_map_draws_only_people_on_the_map() -> None:
    # PACK names Ann (lead of p1, a supporter) and Bob (lead of p2); the map may draw Ann only
    assert network_svg(PACK).count("<circle") == 0  # on_map defaults to nobody
    svg = network_svg(replace(PACK, on_map=frozenset({"ann"})))
    assert svg.count("<circle") == 1
    assert "Ann &lt;b&gt;Example&lt;/b&gt;" in svg and "Bob Example" not in svg
    both = network_svg(replace(PACK, on_map=frozenset({"ann", "bob"})))
    assert both.count("<circle") == 2


def test_render_to_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.md or \.html"):
        render(PACK, tmp_path / "pack.pdf")


# -- the commands on the demo -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, demo_programme: Demo) -> Iterator[str]:
    """Every demo bundle, loaded into SQLite (the commands do not depend on the store):
    a copy of the session's load."""
    folder = tmp_path_factory.mktemp("demo")
    yield f"sqlite:///{demo_programme.sqlite_copy(folder / 'graph.db')}"


def rows(table: str) -> list[dict[str, Any]]:
    return [r for _, t in TABLES.items() for r in t.get(table, []) if r.get("issue_id") == ISSUE]


PROJECTS = rows("projects")
"""The rural-isolation projects of the 2019, 2020 and 2021 bundles, in load order."""
PEOPLE = {p["email"]: p for _, t in TABLES.items() for p in t.get("people", [])}


def lead_of(project_id: str) -> dict[str, Any]:
    (email,) = [
        m["email"]
        for _, t in TABLES.items()
        for m in t.get("project_members", [])
        if m["project_id"] == project_id and m["role"] == "lead"
    ]
    return PEOPLE[email]


def test_show_issue_prints_projects_in_order(demo_url: str) -> None:
    result = CliRunner().invoke(wicked.app, ["show", ISSUE, "--store", demo_url])
    assert result.exit_code == 0, result.output
    numbered = [line for line in result.output.splitlines() if line[:3] in ("1. ", "2. ", "3. ")]
    assert numbered == [f"{i}. {p['title']}" for i, p in enumerate(PROJECTS, 1)]
    assert "handed over on 2020-05-14 to Village agents" in result.output


DEMO_DATES = [
    "9 July 2019 to 14 May 2020 (due 9 July 2020)",
    "18 July 2020 to 18 January 2022",
    "12 July 2021 to now (due 12 October 2022)",
]
"""By hand from the demo's rows: the 2019 project was handed over on 2020-05-14 (due
2020-07-09); the 2020 one completed (so ends on its due date); the 2021 one is proposed."""


def test_show_issue_and_pack_give_the_same_dates(demo_url: str, tmp_path: Path) -> None:
    shown = CliRunner().invoke(wicked.app, ["show", ISSUE, "--store", demo_url]).output
    spans = [line.rsplit(" | ", 1)[1] for line in shown.splitlines() if line.count(" | ") == 3]
    assert spans == DEMO_DATES
    out = tmp_path / "pack.md"
    CliRunner().invoke(wicked.app, ["pack", ISSUE, "-o", str(out), "--store", demo_url])
    dated = [line for line in out.read_text(encoding="utf-8").splitlines() if "Dates:" in line]
    assert dated == [f"- Dates: {d}" for d in DEMO_DATES]


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_write_pack_by_suffix(demo_url: str, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"pack{suffix}"
    result = CliRunner().invoke(wicked.app, ["pack", ISSUE, "-o", str(out), "--store", demo_url])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>" if suffix == ".html" else "# Handover pack:")
    assert PROJECTS[-1]["title"] in text


def test_write_pack_to_unknown_suffix_is_refused(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(wicked.app, ["pack", ISSUE, "-o", str(out), "--store", demo_url])
    assert isinstance(result.exception, Invalid)
    assert not out.exists()


def test_write_pack_of_unknown_issue_is_not_found(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "pack.md"
    result = CliRunner().invoke(wicked.app, ["pack", "nope", "-o", str(out), "--store", demo_url])
    assert isinstance(result.exception, NotFound)


def test_write_pack_shows_people_as_alumni_see_them(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "pack.md"
    CliRunner().invoke(wicked.app, ["pack", ISSUE, "-o", str(out), "--store", demo_url])
    text = out.read_text(encoding="utf-8")
    hidden = [p for p in PEOPLE.values() if not p["consent_directory"]]
    no_contact = [p for p in PEOPLE.values() if p["consent_directory"] and not p["consent_contact"]]
    assert hidden and no_contact
    assert not [p["name"] for p in hidden if p["name"] in text]
    assert not [p["email"] for p in no_contact if p["email"] in text]


# -- in a browser ------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        reason = "chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("ALUMNI_GRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"a browser is required (ALUMNI_GRAPH_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    return CHROMIUM


def browse(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class Outline(HTMLParser):
    """What a reader sees of the page: sections and their headings, lineage steps,
    list items of each section, the map's shapes, and any script."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.headings: dict[str, str] = {}
        self.steps: list[str] = []
        self.items: dict[str, list[str]] = {}
        self.shapes: dict[str, int] = {}
        self.scripts = 0
        self.quotes: list[str] = []
        self._open: list[str] = []
        self._text: list[str] | None = None
        self._into: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "section" and attr.get("id"):
            self.sections.append(str(attr["id"]))
        if tag == "script":
            self.scripts += 1
        if tag in ("rect", "circle", "path", "line") and self.sections:
            self.shapes[tag] = self.shapes.get(tag, 0) + 1
        if tag in ("h2", "h3", "li", "blockquote") and self.sections:
            self._into, self._text = (tag, self.sections[-1]), []
            self._open.append(tag)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._into is None or tag != self._into[0] or self._text is None:
            return
        text, (kind, section) = " ".join("".join(self._text).split()), self._into
        if kind == "h2":
            self.headings[section] = text
        elif kind == "h3" and section == "lineage":
            self.steps.append(text)
        elif kind == "li":
            self.items.setdefault(section, []).append(text)
        elif kind == "blockquote":
            self.quotes.append(text)
        self._into = self._text = None


def test_open_pack_in_headless_chromium_shows_every_section(
    chromium: str, demo_url: str, tmp_path: Path
) -> None:
    page = tmp_path / "pack.html"
    CliRunner().invoke(wicked.app, ["pack", ISSUE, "-o", str(page), "--store", demo_url])
    dom = browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    outline = Outline()
    outline.feed(dom)
    assert outline.sections == [sid for sid, _ in SECTIONS]
    assert outline.headings == dict(SECTIONS)
    assert outline.scripts == 0
    assert outline.steps == [p["title"] for p in PROJECTS]
    (quote,) = outline.quotes
    assert quote.startswith("Learned: village halls and parish councils reach people")
    assert any(
        q.startswith("A way to fund community connectors beyond the pilot villages.")
        for q in outline.items["open-questions"]
    )
    lead = lead_of(PROJECTS[-1]["project_id"])
    assert lead["consent_directory"]
    assert any(item.startswith(lead["name"]) for item in outline.items["people"])
    assert outline.shapes["rect"] == len(PROJECTS)
    assert outline.shapes["circle"] > len(PROJECTS)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"handover-pack-{ISSUE}.png"
    shot.unlink(missing_ok=True)
    browse(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,4000",
        "--hide-scrollbars",
        page.as_uri(),
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
