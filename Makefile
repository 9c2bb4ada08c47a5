# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-pg bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Apply migrations to the embedded SQLite database and start the CSMS (OCPP :9000, REST :8000).
run: $(STAMP)
	$(BIN)/csms db upgrade
	$(BIN)/csms serve

## Run every test (SQLite; PostgreSQL and Redis tests run when CSMS_TEST_DATABASE_URL / CSMS_TEST_REDIS_URL are set).
test: $(STAMP)
	$(BIN)/pytest -q

## Benchmarks: each prints its figures (not tests).
bench: $(STAMP)
	$(BIN)/python -m bench

## Guard rails (CI runs them): ruff, the import contracts of .importlinter, mypy (strict on the pure cores).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache csms.sqlite3
