# Two commands on a fresh machine: `make run` and `make test`. Each sets up what it needs.
# `make check` is the fast lane for a change in progress: lint and the SQLite tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Debian's Chromium renders the handover pack in the browser tests.
BROWSER_STAMP := $(VENV)/.chromium-stamp
# The test Neo4j runs on its own port and data directory, so a developer's server is untouched.
TEST_NEO4J_PORT ?= 7688
TEST_NEO4J := ALUMNI_GRAPH_NEO4J_PORT=$(TEST_NEO4J_PORT) ALUMNI_GRAPH_NEO4J_HOME=$(CURDIR)/.neo4j-test \
	ALUMNI_GRAPH_NEO4J_CONF=$(CURDIR)/tests/neo4j-test.conf
# Both cores (pytest-xdist). Tests on the shared Neo4j run on one worker, one after the
# other; every other module runs whole on either worker (see tests/conftest.py).
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadgroup
# The fast lane leaves out what needs Neo4j or Chromium, and the tests marked slow.
FAST_LANE := not neo4j and not browser and not slow

.PHONY: run test check lint typecheck pytest bench neo4j-start neo4j-stop clean

# The tests' Python writes the bytecode of what it imports, once, into the venv and the
# clone's __pycache__ (git-ignored), whatever the environment says: with
# PYTHONDONTWRITEBYTECODE=1 (this machine sets it) every process of the suite compiled
# numpy, matplotlib and the project from source again (a run took 956 s, not 723 s).
# Compiling what is imported, when it is first imported, leaves out most of
# site-packages, which uv's --compile-bytecode compiled whole (15 s, not 3 s, to install).
WRITE_BYTECODE := unset PYTHONDONTWRITEBYTECODE

# uv resolves and installs the same versions as pip (checked: the same freeze) in about
# 3 s with a warm cache, where pip took 58 s of a fresh clone's `make test`.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

# The main job on the embedded default: load the demo programme, print a key per
# role, and serve the API and pages on http://127.0.0.1:8000 (Ctrl-C stops it).
run: $(STAMP)
	$(BIN)/alumni-graph demo --keys
	$(BIN)/alumni-graph status
	$(BIN)/alumni-graph serve --host 127.0.0.1 --port 8000

$(BROWSER_STAMP): $(STAMP)
	command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && SUDO= || SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium; }
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy's cache lives outside the clone, like pip's and Maven's: a fresh clone is checked
# in about a second where a cold cache takes 20-30 s (files are matched by content).
MYPY_CACHE ?= $(HOME)/.cache/alumni-graph/mypy
typecheck: $(STAMP)
	$(BIN)/mypy --cache-dir $(MYPY_CACHE)

# Every test on both stores: Neo4j is started for the run and stopped after it, pass or fail.
# Its JVM starts while ruff, mypy and the workers' collection run; the tests on Neo4j wait
# for it (NEO4J_WAIT_SECONDS, tests/conftest.py), and a failed start fails the run: the
# start leaves NEO4J_START_FAILED behind, so the tests stop waiting at once.
TEST_NEO4J_FAILED := $(CURDIR)/.neo4j-test.start-failed
test: $(STAMP) $(BROWSER_STAMP)
	set -o pipefail; $(WRITE_BYTECODE); \
	checked=0; started=0; status=0; rm -f $(TEST_NEO4J_FAILED); \
	{ $(TEST_NEO4J) scripts/neo4j start --fresh || { touch $(TEST_NEO4J_FAILED); exit 1; }; } & \
	starting=$$!; \
	$(MAKE) --no-print-directory lint typecheck || checked=$$?; \
	if [ $$checked = 0 ]; then \
		NEO4J_URI=$$($(TEST_NEO4J) scripts/neo4j uri) NEO4J_WAIT_SECONDS=180 \
		NEO4J_START_FAILED=$(TEST_NEO4J_FAILED) \
		ALUMNI_GRAPH_REQUIRE_NEO4J=1 ALUMNI_GRAPH_REQUIRE_BROWSER=1 \
			$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS) || status=$$?; \
	else status=1; fi; \
	wait $$starting || started=$$?; \
	[ $$started = 0 ] || status=1; \
	$(TEST_NEO4J) scripts/neo4j stop; \
	exit $$status

# The fast lane, for a change that touches one module: lint, then the tests on SQLite
# that need neither Neo4j nor Chromium and are not marked slow, on both cores.
# `make test` still runs before a merge.
check: $(STAMP) lint
	$(WRITE_BYTECODE); $(BIN)/python -m pytest $(XDIST) -m "$(FAST_LANE)" $(PYTEST_ARGS)

# Benchmarks, never part of `make test`: their own Neo4j (port 7689, data under benchmarks/out/),
# stopped afterwards, pass or fail; Chromium times the drawing of the 10,000-person map. Options pass through: make bench BENCH_ARGS=--quick
bench: $(STAMP) $(BROWSER_STAMP)
	set -e; \
	export ALUMNI_GRAPH_NEO4J_PORT=$${BENCH_NEO4J_PORT:-7689} \
		ALUMNI_GRAPH_NEO4J_PAGECACHE=$${BENCH_NEO4J_PAGECACHE:-4096} ALUMNI_GRAPH_NEO4J_HEAP=$${BENCH_NEO4J_HEAP:-2g} \
		ALUMNI_GRAPH_NEO4J_HOME=$(CURDIR)/benchmarks/out/neo4j; \
	trap 'scripts/neo4j stop' EXIT; \
	scripts/neo4j start --fresh; \
	$(BIN)/python -m benchmarks.cli_start; \
	NEO4J_URI=$$(scripts/neo4j uri) $(BIN)/python -m benchmarks $(BENCH_ARGS)

neo4j-start:
	scripts/neo4j start

neo4j-stop:
	scripts/neo4j stop

clean:
	rm -rf $(VENV) .neo4j-test .pytest_cache .mypy_cache .ruff_cache alumni-graph.db*
