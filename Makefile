# Two commands for a newcomer: `make demo` and `make test`. Everything installs into .venv
# from this repository's own files (pyproject.toml, js/package-lock.json).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
JS_SOURCES := $(shell find js/src -type f 2>/dev/null) js/build.mjs js/package.json js/package-lock.json
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --ServerApp.allow_root=True)

.PHONY: help install build demo test lint typecheck test-js test-py fuzz bench bench-quick clean

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

build: nbagent/static/widget.js

$(STAMP)/install: $(BIN)/python pyproject.toml nbagent/static/widget.js
	$(BIN)/pip install --quiet -e ".[dev]"
	@mkdir -p $(STAMP) && touch $@

install: $(STAMP)/install

demo: install
	$(BIN)/jupyter lab notebooks/quickstart.ipynb $(ROOT_FLAG)

lint: install
	$(BIN)/ruff check nbagent tests benchmarks
	$(BIN)/ruff format --check nbagent tests benchmarks

typecheck: install
	$(BIN)/mypy

test-js: js/node_modules/.package-lock.json
	npm --prefix js run check

test-py: install
	$(BIN)/pytest

test: lint typecheck test-js test-py

# The fuzz tests with the full budget (101,000 generated inputs, ~12 min); make test runs
# the same tests with a short one. Inputs per target are printed at the end.
fuzz: install
	NBAGENT_FUZZ=full $(BIN)/pytest tests/fuzz -q

clean:
	rm -rf $(VENV) $(STAMP) js/node_modules nbagent/static

bench: install
	$(BIN)/python -m benchmarks.run

bench-quick: install
	$(BIN)/python -m benchmarks.run --quick
