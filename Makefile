# Two commands on a fresh machine: `make run` and `make test`. Each sets up what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The test Neo4j runs on its own port and data directory, so a developer's server is untouched.
TEST_NEO4J := ALUMNI_GRAPH_NEO4J_PORT=7688 ALUMNI_GRAPH_NEO4J_HOME=$(CURDIR)/.neo4j-test

.PHONY: run test lint typecheck pytest bench neo4j-start neo4j-stop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on the embedded default: load the demo programme, print a key per
# role, and serve the API and pages on http://127.0.0.1:8000 (Ctrl-C stops it).
run: $(STAMP)
	$(BIN)/alumni-graph demo --keys
	$(BIN)/alumni-graph status
	$(BIN)/alumni-graph serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Every test on both stores: Neo4j is started for the run and stopped after it, pass or fail.
test: $(STAMP) lint typecheck
	$(TEST_NEO4J) scripts/neo4j start --fresh
	set -o pipefail; \
	status=0; \
	NEO4J_URI=$$($(TEST_NEO4J) scripts/neo4j uri) ALUMNI_GRAPH_REQUIRE_NEO4J=1 \
		$(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	$(TEST_NEO4J) scripts/neo4j stop; \
	exit $$status

neo4j-start:
	scripts/neo4j start

neo4j-stop:
	scripts/neo4j stop

clean:
	rm -rf $(VENV) .neo4j-test .pytest_cache .mypy_cache .ruff_cache alumni-graph.db*
