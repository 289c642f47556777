"""The try-it site (``make lite``: JupyterLite, a Pyodide kernel) in Chromium, for
``test_lite.py`` and ``benchmarks/lite.py``.

``serve_lite`` serves the built site (``.lite/site``) from 127.0.0.1 with the types a browser
needs for ``.mjs`` and ``.wasm``, plus an overlay: notebooks of the test's own added to the
site's contents, and ``exposeAppInBrowser`` set in ``jupyter-lite.json`` (``window.jupyterapp``,
for the JupyterLab commands). ``open_lite`` opens a notebook on a context that aborts and
counts every request to another host (the kernel's worker's and the service worker's among
them; Chromium is also told that no other host resolves). ``LitePage`` runs it and finds its
widgets; on a timeout it fails saying what the page shows and the console's errors.
"""

from __future__ import annotations

import contextlib
import copy
import http.server
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import QuietHandler, serving

REPO = Path(__file__).resolve().parents[2]
LITE_SITE = REPO / ".lite" / "site"
"""What ``make lite`` built (site/lite is its copy; ``make docs`` empties site/)."""

LITE_PATIENCE = 180.0
"""Seconds the site gets to load, start its kernel and import nbagent: 29-41 s measured on a
loaded 2-core machine."""

LITE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
"""Chromium's flags beside conftest's: no name but 127.0.0.1 resolves."""

ROOT_SEL = ".nbagent"
ERROR_SEL = '[data-mime-type="application/vnd.jupyter.stderr"]'
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm"}
TYPES |= {".json": "application/json", ".whl": "application/zip", ".ipynb": "application/json"}


def notebook(cells: list[str]) -> dict[str, Any]:
    """An nbformat 4 notebook of code ``cells``, on the Pyodide kernel."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python", "display_name": "Python (Pyodide)",
                                    "language": "python"}},
        "cells": [
            {"cell_type": "code", "id": f"c{n}", "metadata": {}, "execution_count": None,
             "outputs": [], "source": source}
            for n, source in enumerate(cells)
        ],
    }  # fmt: skip


def overlay(site: Path, notebooks: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    """The files served instead of the site's (see the module's docstring)."""
    config = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))
    config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    listing = json.loads((site / "api/contents/all.json").read_text(encoding="utf-8"))
    files = {"/jupyter-lite.json": json.dumps(config).encode()}
    for name, nb in notebooks.items():
        body = json.dumps(nb).encode()
        entry = copy.deepcopy(listing["content"][0])
        entry.update(name=name, path=name, size=len(body), hash=None, content=None)
        listing["content"].append(entry)
        files[f"/files/{name}"] = body
    files["/api/contents/all.json"] = json.dumps(listing).encode()
    return files


WORDS = "Streamed in the browser, word by word, with nothing installed. LITE-DONE"

STREAM_NAME = "lite_stream.ipynb"
STREAM = notebook(
    [
        "import nbagent",
        "import asyncio\n\n"
        "async def words():\n"
        f"    for word in {WORDS!r}.split():\n"
        "        await asyncio.sleep(0.05)\n"
        "        yield word + ' '\n\n"
        "run = nbagent.show(words(), title='lite')",
    ]
)


class _Handler(QuietHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **TYPES,
    }
    files: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.files.get(urlsplit(self.path).path)
        if body is None:
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve_lite(site: Path, notebooks: dict[str, dict[str, Any]]) -> Iterator[str]:
    """Serve ``site`` with ``notebooks`` added on 127.0.0.1; yields the origin."""
    handler = type("LiteHandler", (_Handler,), {"files": overlay(site, notebooks)})
    with serving(site, "lite-server", handler) as origin:
        yield origin


class LitePage:
    """A notebook of the lite site in a page: ``open`` it, ``run_all``, find its widgets."""

    def __init__(self, context: Any, origin: str) -> None:
        self.context = context
        self.origin = origin
        self.foreign: list[str] = []
        self.routed: list[str] = []
        """Every request the route saw (the page's, its workers' and its service worker's)."""
        self.console: list[str] = []
        self.name = ""
        self.page: Any = None
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.routed.append(url)
        if url.startswith(self.origin + "/") or urlsplit(url).scheme in ("data", "blob"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def open(self, name: str, app: str = "lab") -> float:
        """Open notebook ``name`` in ``app`` (lab or notebooks) and wait until its kernel is
        idle with nbagent imported; returns the seconds that took."""
        self.name = name
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text[:300]}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        start = time.monotonic()
        self.page.goto(f"{self.origin}/{app}/index.html?path={name}")
        self.wait_js(
            """(name) => {
                const app = window.jupyterapp;
                const w = app && app.shell && app.shell.currentWidget;
                if (!w || !w.context || w.context.path !== name) return false;
                const s = w.sessionContext && w.sessionContext.session;
                return !!(s && s.kernel && s.kernel.status === 'idle');
            }""",
            name, what=f"{name} open with its kernel idle",
        )  # fmt: skip
        return time.monotonic() - start

    def run_all(self) -> None:
        self.page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")

    def widget(self, nth: int = 0) -> Any:
        """Locator of the nth nbagent widget on the page."""
        return self.page.locator(ROOT_SEL).nth(nth)

    def wait_widget(self, condition: str, arg: Any, what: str, timeout: float) -> float:
        """Until ``condition(root, arg)`` (a JS function) holds for a widget root, failing at
        once when a cell's output is an error; returns the seconds waited."""
        start = time.monotonic()
        self.wait_js(
            f"([sel, error, arg]) => {{ const test = {condition};"
            " return [...document.querySelectorAll(sel)].some((r) => test(r, arg))"
            " || !!document.querySelector(error); }",
            [ROOT_SEL, ERROR_SEL, arg], timeout=timeout, what=what,
        )  # fmt: skip
        if self.page.locator(ERROR_SEL).count():
            pytest.fail(f"a cell failed while waiting for {what}\n{self.diagnose()}", pytrace=False)
        return time.monotonic() - start

    def wait_text(self, needle: str, *, timeout: float = LITE_PATIENCE) -> float:
        """Until a widget shows ``needle``; returns the seconds waited."""
        test = "(r, needle) => r.textContent.includes(needle)"
        return self.wait_widget(test, needle, f"a widget showing {needle!r}", timeout)

    def wait_status(self, label: str, *, timeout: float = LITE_PATIENCE) -> float:
        """Until a widget's status line starts with ``label`` (``completed``, ``cancelled``,
        ``error: ...``); returns the seconds waited."""
        test = (
            "(r, label) => { const l = r.querySelector('.nba-status-label');"
            " return !!l && l.textContent.startsWith(label); }"
        )
        return self.wait_widget(test, label, f"a widget's status {label!r}", timeout)

    def run_cells(self, upto: int | None = None, since: int = 0) -> None:
        """Run the code cells ``since`` to ``upto`` (None: the last) and wait until the kernel
        has run each; fail on the first error, saying what the page shows."""
        self.page.evaluate(
            """([since, upto]) => {
                const nb = window.jupyterapp.shell.currentWidget.content;
                const code = nb.widgets.filter((c) => c.model.type === 'code');
                nb.activeCellIndex = nb.widgets.indexOf(code[since]);
                nb.deselectAll();
                nb.extendContiguousSelectionTo(nb.widgets.indexOf(code[(upto ?? code.length) - 1]));
                return window.jupyterapp.commands.execute('notebook:run-cell');
            }""",
            [since, upto],
        )
        self.wait_js(
            """([upto, error]) => {
                if (document.querySelector(error)) return true;
                const nb = window.jupyterapp.shell.currentWidget;
                const code = nb.content.widgets.filter((c) => c.model.type === 'code');
                return code.slice(0, upto ?? code.length).every((c) =>
                    c.model.executionCount !== null
                    && !c.node.querySelector('.jp-InputArea-prompt').textContent.includes('*'))
                  && nb.sessionContext.session.kernel.status === 'idle';
            }""",
            [upto, ERROR_SEL], what=f"{self.name}'s cells run",
        )  # fmt: skip
        if self.page.locator(ERROR_SEL).count():
            pytest.fail(f"a cell of {self.name} failed\n{self.diagnose()}", pytrace=False)

    def add_cell(self, source: str) -> None:
        """Append a code cell holding ``source`` and run it."""
        self.page.evaluate(
            """(source) => {
                const nb = window.jupyterapp.shell.currentWidget.content;
                nb.model.sharedModel.insertCell(nb.widgets.length, {cell_type: 'code', source});
                nb.activeCellIndex = nb.widgets.length - 1;
                nb.deselectAll();
                return window.jupyterapp.commands.execute('notebook:run-cell');
            }""",
            source,
        )

    def printed(self) -> str:
        """What the cells printed."""
        return str(self.page.evaluate(
            "Array.from(document.querySelectorAll('.jp-OutputArea-output pre'))"
            ".map((e) => e.textContent).join('\\n')"
        ))  # fmt: skip

    def click_stop(self, nth: int = 0) -> None:
        self.widget(nth).get_by_role("button", name="Stop").click()

    def widget_text(self, nth: int = 0) -> str:
        return str(self.widget(nth).text_content())

    def diagnose(self) -> str:
        """What the page shows, its cells' errors, the console's last lines, the foreign
        requests."""
        try:
            text = self.page.evaluate("document.body.innerText")[-2500:]
            errors = self.page.evaluate(
                "(sel) => [...document.querySelectorAll(sel)]"
                ".map((e) => e.textContent.slice(-1500))",
                ERROR_SEL,
            )
        except Exception as exc:  # noqa: BLE001 - a crashed page still gets a message
            text, errors = f"(no text: {exc})", []
        lines = [f"the page shows: {text!r}", f"errors: {errors}", "console:", *self.console[-40:]]
        return "\n".join([*lines, f"foreign requests: {self.foreign[:10]}"])

    def wait_js(
        self, expr: str, arg: Any = None, *, timeout: float = LITE_PATIENCE, what: str = ""
    ) -> None:
        try:
            self.page.wait_for_function(expr, arg=arg, timeout=timeout * 1000, polling=100)
        except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError and friends
            pytest.fail(f"waited for {what}: {exc}\n{self.diagnose()}", pytrace=False)


@contextlib.contextmanager
def open_lite(browser: Any, origin: str) -> Iterator[LitePage]:
    """A ``LitePage`` on a context of its own (closed at the end)."""
    context = browser.new_context()
    try:
        yield LitePage(context, origin)
    finally:
        context.close()
