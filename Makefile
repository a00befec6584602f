# Two commands for a newcomer: `make run` (app on demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench docs browser postgres clean lock audit sbom

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every package is installed from a lock file, each with its hashes (pip refuses a file whose hash differs); then
# fsdash itself, with nothing more.
LOCKED = --quiet --require-hashes --no-deps -r
SELF = --quiet --no-deps --no-build-isolation -e .

$(VENV)/.installed: pyproject.toml requirements/app.lock | $(BIN)/python
	$(BIN)/pip install $(LOCKED) requirements/app.lock
	$(BIN)/pip install $(SELF)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install $(LOCKED) requirements/dev.lock
	$(BIN)/pip install $(SELF)
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
	rm -rf $(VENV) .venv-tools dist var test-artifacts .pytest_cache .mypy_cache

## lock: make the lock files anew from the supported ranges in pyproject.toml (keeping each pin that still fits;
## `make lock UPGRADE=--upgrade` takes the newest releases), with every file's hash
TOOLS := .venv-tools/bin
COMPILE = $(TOOLS)/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links \
	--strip-extras $(UPGRADE)

$(TOOLS)/.installed: requirements/tools.lock
	$(PYTHON) -m venv .venv-tools
	$(TOOLS)/pip install $(LOCKED) requirements/tools.lock
	@touch $@

lock: $(TOOLS)/.installed
	$(COMPILE) --build-deps-for editable -o requirements/app.lock pyproject.toml
	$(COMPILE) --build-deps-for editable --extra dev -o requirements/dev.lock pyproject.toml
	$(COMPILE) -o requirements/tools.lock requirements/tools.in

## audit: every locked package (the app's and the tests') checked against the known vulnerabilities (PyPI's advisory
## database, through pip-audit); exits non-zero if one is found
audit: $(TOOLS)/.installed
	$(TOOLS)/pip-audit --disable-pip --require-hashes --progress-spinner off -r requirements/dev.lock

## sbom: the software bill of materials of what a deployment installs (CycloneDX JSON), in dist/
sbom: $(TOOLS)/.installed
	@mkdir -p dist
	$(TOOLS)/cyclonedx-py requirements --output-reproducible --output-format JSON \
	  --output-file dist/fsdash-sbom.cdx.json requirements/app.lock
	@echo "Wrote dist/fsdash-sbom.cdx.json"
