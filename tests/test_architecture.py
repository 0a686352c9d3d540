"""The layout keeps its promises (STYLE.md, issue 20): arrows point one way, no adapter
imports another, query text lives only in the store modules, and no module does so many
jobs that it runs past 600 lines.

Read from the source with ``ast``, so a violation names the file and line it is on.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "ingest", "services", "api", "visualisations", "cli", "demo")
MAX_LINES = 600

# What each package may import of the project's own packages (its own included).
ALLOWED = {
    "graph": {"graph"},
    "ingest": {"graph", "ingest", "demo"},  # the demo builder reads the demo's data files
    "visualisations": {"graph", "visualisations"},
    "demo": {"demo"},
    "services": {"graph", "ingest", "visualisations", "services", "demo"},
    "api": {"graph", "ingest", "visualisations", "services", "api", "demo"},
    "cli": {"graph", "ingest", "visualisations", "services", "api", "cli", "demo"},
}
# The modules that assemble adapters: the app includes the routers and pages, the
# command's entry point registers its commands, ``serve`` starts the app.
ASSEMBLERS = {"api/app.py", "cli/main.py"}
# Pages share these; they are not pages themselves.
PAGE_SUPPORT = {"__init__", "render", "sessions", "security"}
STORE_MODULE = re.compile(r"^graph/(sqlite|neo4j)_[a-z_]*\.py$|^graph/(sqlite|neo4j)/")
QUERY = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bDELETE\s+FROM\b|"
    r"\bCREATE\s+(TABLE|INDEX|CONSTRAINT)\b|\bMATCH\s*\(|\bMERGE\s*\(|\bUNWIND\s+\$"
)


def _modules(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    return _imports_in(path.read_text(encoding="utf-8"))


def _imports_in(source: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # ``from api.pages import people`` imports a page
                yield node.lineno, f"{node.module}.{alias.name}"


def _is_adapter(module: str) -> bool:
    parts = module.split(".")
    if parts[:2] == ["api", "routes"] and len(parts) > 2:
        return True
    return parts[:2] == ["api", "pages"] and len(parts) > 2 and parts[2] not in PAGE_SUPPORT


def test_no_module_runs_past_600_lines() -> None:
    long = {
        _name(path): count
        for path in _modules(*PACKAGES, "benchmarks")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_packages_import_only_downwards() -> None:
    wrong = [
        f"{_name(path)}:{line} imports {module}"
        for package, allowed in ALLOWED.items()
        for path in _modules(package)
        for line, module in _imports(path)
        if module.split(".")[0] in PACKAGES and module.split(".")[0] not in allowed
    ]
    assert wrong == []


def test_no_adapter_imports_another_adapter() -> None:
    wrong = [
        f"{_name(path)}:{line} imports {module}"
        for path in _modules("api", "cli", "visualisations", "services")
        if _name(path) not in ASSEMBLERS
        for line, module in _imports(path)
        if _is_adapter(module) and module.replace(".", "/") + ".py" != _name(path)
    ]
    assert wrong == []


def _queries_in(source: str) -> list[int]:
    """Lines of string constants (docstrings aside) that hold SQL or Cypher."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and QUERY.search(node.value)
    ]


def test_query_text_only_in_store_modules() -> None:
    wrong = [
        f"{_name(path)}:{line}"
        for path in _modules(*PACKAGES)
        if not STORE_MODULE.match(_name(path))
        for line in _queries_in(path.read_text(encoding="utf-8"))
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        (
            "from api.routes.people import router\n",
            lambda s: any(_is_adapter(m) for _, m in _imports_in(s)),
        ),
        (
            "from api.pages import people\n",
            lambda s: any(_is_adapter(m) for _, m in _imports_in(s)),
        ),
        (
            "from api.pages.render import render\n",
            lambda s: not any(_is_adapter(m) for _, m in _imports_in(s)),
        ),
        ("Q = 'SELECT id FROM person'\n", lambda s: _queries_in(s) == [1]),
        ('"""Reads MATCH (p) docs."""\n', lambda s: _queries_in(s) == []),
        ("Q = 'MATCH (p:Person) RETURN p'\n", lambda s: _queries_in(s) == [1]),
    ],
)
def test_the_rules_catch_what_they_forbid(source: str, caught: Callable[[str], bool]) -> None:
    """Each rule finds its violation in source written to break it, and lets pass what it
    allows (so no rule passes only because it looks at nothing)."""
    assert caught(source)
