"""Stores for the tests: every store-backed test runs on SQLite and on Neo4j.

Neo4j comes from ``NEO4J_URI`` (``make test`` starts one with scripts/neo4j),
else from a testcontainers ``Neo4jContainer`` when a Docker engine answers,
else the Neo4j half skips with the reason, unless
``ALUMNI_GRAPH_REQUIRE_NEO4J=1`` makes that skip a failure.

Lanes: every test is marked ``neo4j`` (it needs a Neo4j server), ``browser`` (it
drives Chromium) or neither, here at collection, so ``make check`` can run the
SQLite lane alone (``-m "not neo4j and not browser and not slow"``); ``slow`` is
marked by hand on the slowest tests. ``make test`` runs everything on both cores
with pytest-xdist (``-n 2 --dist loadgroup``): the tests on the shared Neo4j, which
wipes it per test, form one group that a single worker runs; every other module's
tests stay together on one worker, so module fixtures (a browser, a private Neo4j,
a loaded demo) are set up once.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.settings import get_settings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from ingest.demo import write_demo
from ingest.pipeline import load_bundle

from .trust import figures

STORE_KINDS = ("sqlite", "neo4j")

pytest_plugins = ["tests.browser"]
"""Browser fixtures (a live server, a Playwright page on Debian's Chromium) for any test."""


def _docker_answers() -> bool:
    """True when a Docker engine answers ``/_ping`` (checked without the docker
    library, which leaks its socket when the engine is absent)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return True  # a remote engine: let testcontainers try it
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(3)
            sock.connect(host.removeprefix("unix://"))
            sock.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            return b" 200 " in sock.recv(64)
    except OSError:
        return False


def _neo4j_unavailable(reason: str) -> None:
    if os.environ.get("ALUMNI_GRAPH_REQUIRE_NEO4J") == "1":
        pytest.fail(f"Neo4j is required (ALUMNI_GRAPH_REQUIRE_NEO4J=1) but {reason}")
    pytest.skip(reason)


def _wait_until_answering(
    uri: str, user: str, password: str, seconds: float, failed: Path | None = None
) -> None:
    """Return once Neo4j at ``uri`` answers, waiting up to ``seconds`` (``make test`` starts
    pytest while the server's JVM is still starting, so the two overlap), and no longer
    once the file ``failed`` exists (``make test``'s start writes it when it fails)."""
    from neo4j import GraphDatabase

    deadline = time.monotonic() + seconds
    # Short timeouts: something else on the port may take the connection and never answer.
    timeouts = {"connection_timeout": 5.0, "connection_acquisition_timeout": 5.0}
    with GraphDatabase.driver(uri, auth=(user, password), **timeouts) as driver:
        while True:
            if failed is not None and failed.exists():
                _neo4j_unavailable(f"its start failed ({failed}; scripts/neo4j said why)")
            try:
                driver.verify_connectivity()
                return
            except Exception as error:  # refused while it starts; anything else, at the end
                if time.monotonic() > deadline:
                    _neo4j_unavailable(f"{uri} did not answer within {seconds:.0f} s: {error}")
                time.sleep(0.25)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[tuple[str, str, str]]:
    """(uri, user, password) of a running Neo4j 5 (waited for up to ``NEO4J_WAIT_SECONDS``)."""
    uri = os.environ.get("NEO4J_URI")
    user = os.environ.get("NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", get_settings().neo4j_password.get_secret_value())
    if uri:
        failed = os.environ.get("NEO4J_START_FAILED")
        waited = float(os.environ.get("NEO4J_WAIT_SECONDS", 0))
        _wait_until_answering(uri, user, password, waited, Path(failed) if failed else None)
        yield uri, user, password
        return
    if not _docker_answers():
        _neo4j_unavailable("NEO4J_URI is not set and no Docker engine answers for testcontainers")
    from testcontainers.community.neo4j import Neo4jContainer

    with Neo4jContainer("neo4j:5.26-community", password=password) as container:
        yield container.get_connection_url(), "neo4j", password


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_server: tuple[str, str, str]) -> Iterator[GraphStore]:
    from graph.neo4j_store import Neo4jStore

    uri, user, password = neo4j_server
    store = Neo4jStore(uri, user=user, password=password)
    yield store
    store.close()


def _fresh_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    if kind == "sqlite":
        return SqliteStore(f"sqlite:///{tmp_path / 'graph.db'}")
    store = request.getfixturevalue("neo4j_session_store")
    store.wipe()
    return store  # type: ignore[no-any-return]


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each kind in turn."""
    graph_store = _fresh_store(request.param, request, tmp_path)
    yield graph_store
    if request.param == "sqlite":
        graph_store.close()


@pytest.fixture
def both_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[GraphStore]]:
    """One empty store of every kind, side by side, for cross-store comparisons."""
    stores = [_fresh_store(kind, request, tmp_path) for kind in STORE_KINDS]
    yield stores
    stores[0].close()


# -- the demo programme, built once per session (per xdist worker) ---------------------


class Demo:
    """The demo programme (ingest/demo.py) as its bundles and as loaded SQLite files,
    each written once per session; tests read the bundles and get copies of the files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._bundles: list[Path] = []
        self._files: dict[int, Path] = {}

    @property
    def bundles(self) -> list[Path]:
        """The bundles in load order (read them, do not change them)."""
        if not self._bundles:
            self._bundles = write_demo(self.folder / "bundles")
        return list(self._bundles)

    def sqlite_copy(self, target: Path, bundles: int | None = None) -> Path:
        """A SQLite file at ``target`` holding the first ``bundles`` bundles (all by
        default), loaded through the users' path once and copied for each caller."""
        count = len(self.bundles) if bundles is None else bundles
        if count not in self._files:
            built = self.folder / f"demo-{count}.db"
            store = SqliteStore(f"sqlite:///{built}")
            try:
                for path in self.bundles[:count]:
                    assert load_bundle(path, store).ok
            finally:
                store.close()
            self._files[count] = built
        built = self._files[count]
        assert not Path(f"{built}-wal").exists(), "closing the store checkpoints its WAL"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)
        return target


@pytest.fixture(scope="session")
def demo_programme(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo programme, written and loaded once for the session (see ``Demo``)."""
    return Demo(tmp_path_factory.mktemp("demo-programme"))


# -- lanes: markers and xdist groups -------------------------------------------------------

SHARED_NEO4J_FIXTURES = {"both_stores", "neo4j_server", "neo4j_session_store"}
PRIVATE_NEO4J_FIXTURES = {"neo4j"}
"""tests/trust/test_faults.py's private Neo4j servers (free ports, own homes)."""
BROWSER_FIXTURES = {"chromium_path", "browser", "page", "chromium"}
"""tests/browser.py's, and tests/wicked/test_pack.py's own ``chromium``."""
NEO4J_GROUP = "neo4j"


def _on_shared_neo4j(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    if any(isinstance(value, str) and value == "neo4j" for value in params):
        return True
    return bool(SHARED_NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``neo4j`` and ``browser`` from the fixtures a test uses; put the tests on
    the shared Neo4j in one xdist group, so two workers never wipe it under each other."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if _on_shared_neo4j(item):
            item.add_marker(pytest.mark.neo4j)
            item.add_marker(pytest.mark.xdist_group(NEO4J_GROUP))
        elif PRIVATE_NEO4J_FIXTURES & fixtures:
            item.add_marker(pytest.mark.neo4j)
        if BROWSER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.browser)
    folder = getattr(config, "workerinput", {}).get(GROUPS_INPUT)
    if folder:
        groups = {item.nodeid: group for item in items if (group := _group_of(item))}
        long = [item.nodeid for item in items if _takes_long(item)]
        worker = config.workerinput["workerid"]  # type: ignore[attr-defined]
        written = {"groups": groups, "long": long}
        (Path(folder) / f"{worker}.json").write_text(json.dumps(written))


def _takes_long(item: pytest.Item) -> bool:
    """Marked ``slow``, or it starts a private Neo4j or a browser: its module is sent
    out early, so that it does not start last and leave one worker running alone."""
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("slow") is not None or bool(
        (PRIVATE_NEO4J_FIXTURES | BROWSER_FIXTURES) & fixtures
    )


# pytest-xdist's own ``--dist loadgroup`` sends a test's group to the controller by
# appending it to the node id, which pytest 9.2's structured node ids silently ignore
# (pytest-dev/pytest-xdist#1386: every test then runs wherever, and two workers wipe
# the shared Neo4j under each other). So the groups travel on a side channel instead:
# each worker writes {node id: group} into a folder the controller names in the
# workers' input, and the scheduler below reads it. Node ids are left as they are.

GROUPS_INPUT = "alumni_graph_xdist_groups"


def _group_of(item: pytest.Item) -> str | None:
    marks = item.iter_markers("xdist_group")
    names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
    return "_".join(sorted(names)) or None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Name the side channel's folder in each worker's input (controller only)."""
    config = node.config
    if not hasattr(config, "_xdist_groups_folder"):
        config._xdist_groups_folder = tempfile.mkdtemp(prefix="pytest-xdist-groups-")
    node.workerinput[GROUPS_INPUT] = config._xdist_groups_folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_xdist_groups_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """For ``--dist loadgroup``: the tests of an xdist group go to one worker, and the
    tests outside a group stay together by module (as ``--dist loadscope``) rather
    than being sent one by one, so a module's fixtures (a browser, a private Neo4j,
    a loaded demo) are set up on one worker, once. The longest work goes out first
    (the groups, then the modules with a long test, then the rest, most tests first),
    so the run ends on short modules and neither worker is left running alone."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroupElseModule(LoadScopeScheduling):
        groups: dict[str, str] | None = None
        long: set[str] = set()
        ordered = False

        def _read_side_channel(self) -> dict[str, str]:
            folder = Path(getattr(config, "_xdist_groups_folder", "") or ".")
            if not any(folder.glob("gw*.json")):
                raise RuntimeError(f"no worker wrote its xdist groups into {folder}")
            groups: dict[str, str] = {}
            for written in sorted(folder.glob("gw*.json")):
                sent = json.loads(written.read_text())
                groups.update(sent["groups"])
                self.long.update(sent["long"])
            return groups

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:  # first asked once every worker has collected
                self.long = set()
                self.groups = self._read_side_channel()
            group = self.groups.get(nodeid)
            return f"group:{group}" if group else nodeid.split("::", 1)[0]

        def _first(self, scope: str, nodeids: dict[str, bool]) -> tuple[int, int]:
            rank = 0 if scope.startswith("group:") else 1 if self.long & nodeids.keys() else 2
            return rank, -len(nodeids)

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:  # the queue is whole by the first assignment
                self.ordered = True
                queue = sorted(self.workqueue.items(), key=lambda unit: self._first(*unit))
                self.workqueue.clear()
                self.workqueue.update(queue)
            super()._assign_work_unit(node)

    return ByGroupElseModule(config, log)


# -- the end of the run: tests per store, trust figures ---------------------------------


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its trust figures to the controller, which adds them up."""
    if _is_worker(session.config):
        output = session.config.workeroutput  # type: ignore[attr-defined]
        output["trust_figures"] = json.dumps(figures.snapshot(), default=str)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    shared = getattr(node, "workeroutput", {}).get("trust_figures")
    if shared:
        figures.merge(json.loads(shared))


def _store_of(nodeid: str) -> str | None:
    params = nodeid.partition("[")[2].rstrip("]").split("-")
    return next((kind for kind in STORE_KINDS if kind in params), None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say, per store, how many store-backed tests passed, failed and skipped, so
    the output shows the contract suite ran on both stores; then the trust suite's
    figures (tests/trust/figures.py), all workers' added up."""
    if _is_worker(terminalreporter.config):
        return
    _tests_per_store(terminalreporter)
    _trust_figures(terminalreporter)


def _tests_per_store(terminalreporter: pytest.TerminalReporter) -> None:
    tally: dict[str, dict[str, int]] = {kind: {} for kind in STORE_KINDS}
    contract = dict.fromkeys(STORE_KINDS, 0)
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            kind = _store_of(getattr(report, "nodeid", ""))
            if kind is None:
                continue
            tally[kind][outcome] = tally[kind].get(outcome, 0) + 1
            if outcome == "passed" and report.nodeid.startswith("tests/contract"):
                contract[kind] += 1
    terminalreporter.section("tests per store")
    for kind, counts in tally.items():
        shown = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "none"
        terminalreporter.write_line(f"{kind}: {shown} (contract suite: {contract[kind]} passed)")


def _trust_figures(terminalreporter: pytest.TerminalReporter) -> None:
    written = figures.write()
    if written is None:
        return
    terminalreporter.section("trust figures")
    shown = ", ".join(f"{k}={v}" for k, v in sorted(figures.FIGURES.items()) if isinstance(v, int))
    terminalreporter.write_line(f"{shown} (all in {written})")
