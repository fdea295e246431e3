# Vigie — the two commands of the README, and a few more.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test check bench vendor screenshots clean

$(BIN)/vigie: pyproject.toml constraints.txt
	scripts/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

## make run: install, create or migrate the SQLite database, load the demo once, serve
run: $(BIN)/vigie
	$(BIN)/vigie init-db
	$(BIN)/vigie demo --if-empty
	$(BIN)/vigie run --host $(HOST) --port $(PORT)

## make test: the whole suite (DATABASE_URL=postgresql://… runs it on PostgreSQL)
test: $(BIN)/vigie
	$(BIN)/vigie bpmn check
	$(BIN)/python -m pytest

## make bench: speed figures (printed, never asserted)
bench: $(BIN)/vigie
	$(BIN)/python scripts/bench.py

## make screenshots: the README's screenshots, taken by the browser tests (docs/screenshots/)
screenshots: $(BIN)/vigie
	VIGIE_SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_information_preoccupante.py tests/browser/test_audit_screens.py
	rm -f docs/screenshots/ECHEC-*.png

## make vendor: copy the npm packages of package-lock.json into static/vendor/ (DSFR, bpmn-js, axe-core)
vendor:
	scripts/vendor_assets.py

clean:
	rm -rf $(VENV) instance build *.egg-info .pytest_cache
