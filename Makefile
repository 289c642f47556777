# Two commands for a newcomer: `make demo` and `make test`. Everything installs into .venv
# from this repository's own files (pyproject.toml, js/package-lock.json).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
JS_SOURCES := $(shell find js/src -type f 2>/dev/null) js/build.mjs js/package.json js/package-lock.json
LAB_SOURCES := $(shell find js/lab/src -type f 2>/dev/null) js/lab/package.json js/lab/package-lock.json
LABEXT := nbagent/labextension/package.json
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --ServerApp.allow_root=True)

.PHONY: help install build demo recordings test lint typecheck test-js test-py fuzz load bench bench-quick clean

help:
	@echo "make demo   install and open notebooks/quickstart.ipynb in JupyterLab (offline, no API key)"
	@echo "make test   install and run every check (lint, types, JS tests, Python, kernel and browser tests)"
	@echo "make fuzz   the fuzz tests with the full budget (over 100,000 generated inputs)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

js/node_modules/.package-lock.json: js/package.json js/package-lock.json
	npm --prefix js ci --no-audit --no-fund
	@touch $@

nbagent/static/widget.js: js/node_modules/.package-lock.json $(JS_SOURCES)
	npm --prefix js run build

js/lab/node_modules/.package-lock.json: js/lab/package.json js/lab/package-lock.json
	npm --prefix js/lab ci --no-audit --no-fund
	@touch $@

# `jupyter labextension build` needs JupyterLab before nbagent itself can be installed.
$(STAMP)/jupyterlab: $(BIN)/python
	$(BIN)/pip install --quiet "jupyterlab>=4.4,<5"
	@mkdir -p $(STAMP) && touch $@

# The JupyterLab / Notebook 7 extension (js/lab): bundles js/src's view for saved transcripts.
$(LABEXT): $(STAMP)/jupyterlab js/node_modules/.package-lock.json js/lab/node_modules/.package-lock.json $(JS_SOURCES) $(LAB_SOURCES)
	cd js/lab && PATH="$(CURDIR)/$(BIN):$$PATH" jupyter labextension build .

build: nbagent/static/widget.js $(LABEXT)

# pip copies the extension into .venv/share/jupyter/labextensions/nbagent: again after a rebuild.
$(STAMP)/install: $(BIN)/python pyproject.toml nbagent/static/widget.js $(LABEXT)
	$(BIN)/pip install --quiet -e ".[dev]"
	@mkdir -p $(STAMP) && touch $@

install: $(STAMP)/install

demo: install
	$(BIN)/jupyter lab notebooks/quickstart.ipynb $(ROOT_FLAG)

# Re-make the demo runs shipped in nbagent/demo/ (nbagent.Agent against a scripted model).
recordings: install
	$(BIN)/python -m tests.record_demos

lint: install
	$(BIN)/ruff check nbagent tests benchmarks
	$(BIN)/ruff format --check nbagent tests benchmarks
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

test-js: js/node_modules/.package-lock.json js/lab/node_modules/.package-lock.json
	npm --prefix js run check

test-py: install
	$(BIN)/pytest

test: lint typecheck test-js test-py

# The fuzz tests with the full budget (101,000 generated inputs, ~12 min); make test runs
# the same tests with a short one. Inputs per target are printed at the end.
fuzz: install
	NBAGENT_FUZZ=full $(BIN)/pytest tests/fuzz -q

clean:
	rm -rf $(VENV) $(STAMP) js/node_modules js/lab/node_modules nbagent/static nbagent/labextension

# Issue 7's full load test: 16 streams at 200 deltas/s for 30 s in one JupyterLab page
# (make test runs the same test for 5 s).
load: install
	NBAGENT_LOAD_S=30 $(BIN)/pytest tests/browser/test_load.py -v

bench: install
	$(BIN)/python -m benchmarks.run

bench-quick: install
	$(BIN)/python -m benchmarks.run --quick
