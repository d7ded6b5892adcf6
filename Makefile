# The two commands of the README: `make run` and `make test`. Everything they need
# is installed into .venv from pinned versions; nothing downloads at run time.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock run test test-sqlite test-postgres lint bench bench-http screenshots clean

install: $(VENV)/.installed

# requirements.lock pins every package, transitive ones included, with their hashes
# (`make lock` rewrites it from the top-level pins in pyproject.toml).
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet pip-tools==7.6.2
	$(VENV)-lock/bin/pip-compile --quiet --generate-hashes --extra dev --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	rm -rf $(VENV)-lock

run: install
	$(BIN)/opiekun migrate --noinput
	$(BIN)/opiekun demo
	$(BIN)/opiekun serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/opiekun makemigrations --check --dry-run
	BIN=$(BIN) scripts/check-translations

# The suite runs on pytest-xdist workers, one per CPU (`-n auto`), at most 4: each worker
# has its own test database, and on PostgreSQL its own connections (test database,
# live server, `opiekun serve` subprocesses) to a server started with max_connections=60.
# `make test PYTEST_WORKERS=0` runs it in one process (docs/architecture.md, "Engines").
# --maxschedchunk 1: each worker is sent the next test in the collection's order when it
# has fewer than two left, instead of a first chunk of a quarter of the suite; the
# slowest tests, first in that order (SLOW_FIRST in tests/conftest.py), go to both
# workers, and the two end within a test of each other.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --maxprocesses 4 --maxschedchunk 1
# pytest keeps the test modules it has rewritten (and the plugins' modules: schemathesis
# alone is some 300) as bytecode in __pycache__, unless PYTHONDONTWRITEBYTECODE is set;
# then every worker of every run compiles them all again: about 6 s of CPU per worker
# (collection: 12.7 s of CPU without the cache, 6.8 s with it). The test targets let it
# keep them; __pycache__ is ignored by git.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

test-sqlite: install
	$(PYTEST) $(PYTEST_PARALLEL)

# --replica: a hot standby beside the primary, for tests/test_replicas.py (reads from replicas).
# It costs about 10 s of start-up (pg_basebackup); the suite itself runs no slower with the
# standby streaming (tests/operators: 65 s with it, 67 s without; 49 s / 47 s on a rerun).
# --engine-independent=skip: the tests that cannot depend on the engine (pure functions,
# the repo's files; ENGINE_INDEPENDENT in tests/conftest.py) and the browser tests of the
# browser's side alone (BROWSER_SIDE, same file) run in test-sqlite only.
test-postgres: install
	PYTHONDONTWRITEBYTECODE= scripts/with-postgres --replica $(BIN)/pytest $(PYTEST_PARALLEL) \
	  --engine-independent=skip

# Lint and the two engines' runs go side by side (make -j3): the PostgreSQL server and its
# standby start while SQLite's workers run, and a part that waits (a live server, a
# subprocess, a browser) leaves its CPU to the others. Each part's output is printed
# whole when it ends (--output-sync), lint's first; `make test` fails if any part fails
# (the others still run to their end). docs/architecture.md, "Where the suite's time goes".
test: install
	@echo "make test: lint, the suite on SQLite and the suite on PostgreSQL run side by side;" \
	  "each part's output appears when it ends." >&2
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint test-sqlite test-postgres

screenshots: install
	OPIEKUN_SCREENSHOTS=1 $(BIN)/pytest tests/e2e -q

bench: install
	scripts/with-postgres $(BIN)/python bench/run.py

# Pages and API calls through `opiekun serve`; e.g. make bench-http BENCH_HTTP_ARGS="--contractors 100000"
BENCH_HTTP_ARGS ?=
bench-http: install
	scripts/with-postgres $(BIN)/python bench/http_bench.py $(BENCH_HTTP_ARGS)

clean:
	rm -rf $(VENV) var
