# The two commands of the README: `make run` and `make test`. Everything they need
# is installed into .venv from pinned versions; nothing downloads at run time.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres lint bench screenshots clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/opiekun migrate --noinput
	$(BIN)/opiekun demo
	$(BIN)/opiekun serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test-sqlite: install
	$(BIN)/pytest

test-postgres: install
	scripts/with-postgres $(BIN)/pytest

test: lint test-sqlite test-postgres

screenshots: install
	OPIEKUN_SCREENSHOTS=1 $(BIN)/pytest tests/e2e -q

bench: install
	scripts/with-postgres $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
