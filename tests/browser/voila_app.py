"""A real Voilà server and a Playwright page in it, for the Voilà end-to-end tests.

``VoilaServer`` runs the venv's Voilà (``sys.executable -m voila``) on a free port of
127.0.0.1 with no token, serving a temporary root dir: ``write_notebook`` puts a notebook
there, ``render_url`` is the page that executes and shows it (a fresh kernel per page load).
Kernels import nbagent from this checkout and ``notebooks/nbtest_sources.py``; this
checkout's js/lab build (``nbagent/labextension``) is served before the venv's, as
``LabServer`` does. Voilà has no ``allow_root`` (it is not a ``ServerApp``): it runs as root.
``VoilaPage`` drives one page: the same init script as ``lab.py`` (sent ``sync``/``stop``
requests, the DOM checks), every request it makes, its console.
"""

from __future__ import annotations

import contextlib
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.lab import INIT_SCRIPT, write_notebook
from tests.browser.served import ServerProcess, kernel_env, own_labextension

# What Voilà's own lab template links (Font Awesome from a CDN): not nbagent's requests.
VOILA_TEMPLATE_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@"

# The page has run every cell: Voilà removes its spinner and shows the cells (voila_finish).
EXECUTED_JS = """() => !document.getElementById('loading') &&
    document.getElementById('rendered_cells')?.style.display === ''"""


class VoilaServer(ServerProcess):
    """One Voilà subprocess; ``stop()`` (or the context manager) leaves no process."""

    name = "Voilà"
    grace_s = 15
    """(Stopped by SIGTERM, which Voilà handles as SIGINT, shutting its kernels down: a process
    started in the background inherits SIGINT ignored.)"""

    def __init__(self) -> None:
        super().__init__()
        self.root = self._tmp / "root"
        self.root.mkdir()
        self.command: list[str] = []

    def start(self, timeout: float = 60) -> VoilaServer:
        # The offline demo agent: nbagent.demo.connect() asks its scripted model on 127.0.0.1.
        env = kernel_env(drop=("OPENAI_API_KEY", "OPENAI_BASE_URL", "JUPYTER_TOKEN"))
        env["JUPYTER_RUNTIME_DIR"] = str(self._tmp / "runtime")
        self.command = [
            sys.executable, "-m", "voila", "--no-browser",
            f"--Voila.port={self.port}", "--Voila.port_retries=0", "--Voila.ip=127.0.0.1",
            "--Voila.token=", f"--Voila.root_dir={self.root}",
            f"--Voila.connection_dir_root={self._tmp}",
        ]  # fmt: skip
        extensions = own_labextension(self._tmp / "labextensions")
        if extensions is not None:
            self.command.append(f"--VoilaConfiguration.extra_labextensions_path={extensions}")

        def up() -> None:
            with urllib.request.urlopen(self.url + "/", timeout=2):
                pass

        self.launch(self.command, cwd=self.root, env=env, up=up, timeout=timeout)
        return self

    def write_notebook(self, name: str, cells: list[str | tuple[str, str]]) -> Path:
        """Write ``name`` into the root dir (``lab.write_notebook``)."""
        return write_notebook(self.root / name, cells)

    def render_url(self, name: str) -> str:
        return f"{self.url}/voila/render/{name}"


class VoilaPage:
    """One Playwright page on a ``VoilaServer``; every request to another host is logged and
    aborted (nothing leaves the machine)."""

    def __init__(self, browser: Any, server: VoilaServer) -> None:
        self.server = server
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000})
        here = server.url + "/"
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith((here, "data:", "blob:"))
                else route.abort()
            ),
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.add_init_script(INIT_SCRIPT)
        self.page.set_default_timeout(30_000)

    def open(self, name: str, timeout: float = 90) -> tuple[float, float]:
        """Load the notebook's Voilà page; the seconds until it reported the notebook
        executed, and until an nbagent widget was live in it."""
        start = time.monotonic()
        self.page.goto(self.server.render_url(name), wait_until="commit")
        self.wait_js(EXECUTED_JS, timeout=timeout)
        executed = time.monotonic() - start
        self.wait_js("() => !!document.querySelector('.nba-live .nbagent')", timeout=timeout)
        return executed, time.monotonic() - start

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def wait_js(self, expr: str, arg: Any = None, timeout: float = 30) -> None:
        """``page.wait_for_function`` (polled: Voilà's page may be hidden), failing with
        what the page shows."""
        try:
            self.page.wait_for_function(expr, arg=arg, timeout=timeout * 1000, polling=50)
        except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError and friends
            pytest.fail(f"{exc}\n{self.diagnose()}", pytrace=False)

    def diagnose(self) -> str:
        state = self.js(
            """() => [...document.querySelectorAll('.jp-OutputArea-output')]
                .map((o) => o.className + ': ' + o.innerText.slice(0, 200))"""
        )
        sent = self.js("window.__nbaSent")
        lines = [f"outputs: {state!r}", f"sent: {sent!r}", "console:", *self.console[-8:]]
        return "\n".join([*lines, "server log (tail):", self.server.log()[-2500:]])

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the Voilà server (data:/blob: aside), Voilà's own
        template's CDN stylesheets aside."""
        here = urlsplit(self.server.url).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).netloc != here
            and not url.startswith(VOILA_TEMPLATE_CDN)
        ]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.page.goto("about:blank")
        self.context.close()
