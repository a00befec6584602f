# Two commands for a newcomer: `make run` (app on demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench docs browser postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

## run: install, migrate the SQLite database, load demo data if it is empty, start on http://localhost:8501
## (two-step sign-in is optional for the invented accounts here; on real data administrators and service leads must)
run: $(VENV)/.installed
	$(BIN)/fsdash db upgrade
	$(BIN)/fsdash seed --scale demo --if-empty
	FSDASH_DEMO=1 FSDASH_MFA_REQUIRED=none $(BIN)/fsdash run --port $(PORT)

## test: install with test tools, make sure PostgreSQL and Chromium are there, check lint, format and types (mypy,
## configured in pyproject.toml), then run every test on SQLite and PostgreSQL
test: $(VENV)/.installed-dev browser postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

## browser: Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser)
browser:
	@{ command -v chromium && dpkg -s fonts-noto-color-emoji; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium (and fonts for the screenshots) for the browser tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null; }

## postgres: start the local PostgreSQL cluster if it is not accepting connections
postgres:
	@.ci/ensure-postgres

## bench: the benchmarks on county-sized data (prints tables)
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

## docs: regenerate the docs made from the code (docs/cli.md, the SSD column table in docs/ssd-import.md)
docs: $(VENV)/.installed
	$(BIN)/python -m dashboard.cli.docs

## lint: the checks `make test` runs before the tests (lint, format, types), on their own
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache
