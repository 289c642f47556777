"""A real marimo server for the browser tests: ``marimo edit`` or ``marimo run`` of a notebook
written from cells, in a temporary directory.

``MarimoServer`` writes the notebook (marimo's file format: one ``@app.cell`` function per
cell; marimo finds each cell's references itself), a ``.marimo.toml`` beside it that runs every
cell when the page opens (``marimo edit`` does not by default), and starts the venv's marimo
(``sys.executable -m marimo``) on a free port with no token, with this checkout and
``notebooks/nbtest_sources.py`` importable by the notebook's kernel. No model key reaches the
kernel: ``nbagent.demo.connect()`` answers with the offline scripted model.

``marimo edit`` runs the notebook's kernel in a process of its own per session; ``marimo run``
runs each viewer's session on a thread of the server process.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import textwrap
import time
import urllib.error
import urllib.request
from typing import Any

from tests.browser.served import ServerProcess, kernel_env

ROOT_SEL = ".nbagent"
"""The widget's root (in marimo: inside the shadow root of a ``marimo-anywidget``, which
Playwright's CSS locators pierce)."""


def notebook(cells: list[str]) -> str:
    """A marimo notebook file with ``cells`` (Python source, in order)."""
    parts = ["import marimo\n\napp = marimo.App()\n"]
    for cell in cells:
        body = textwrap.indent(textwrap.dedent(cell).strip(), "    ")
        parts.append(f"\n@app.cell\ndef _():\n{body}\n    return\n")
    parts.append('\n\nif __name__ == "__main__":\n    app.run()\n')
    return "\n".join(parts)


class MarimoServer(ServerProcess):
    """``marimo edit|run <notebook>`` as a subprocess; ``stop()`` (or the context manager)
    leaves no process."""

    name = "marimo"

    def __init__(self, cells: list[str], *, mode: str = "edit", name: str = "nb.py") -> None:
        if mode not in ("edit", "run"):
            raise ValueError(f"mode is 'edit' or 'run', not {mode!r}")
        super().__init__()
        self.mode = mode
        self.dir = self._tmp
        self.path = self.dir / name
        self.path.write_text(notebook(cells), encoding="utf-8")
        (self.dir / ".marimo.toml").write_text("[runtime]\nauto_instantiate = true\n")

    def start(self, timeout: float = 60) -> MarimoServer:
        env = kernel_env(drop=("OPENAI_", "MARIMO_"))
        env["XDG_CONFIG_HOME"] = str(self.dir / "config")  # not the user's marimo settings
        env["NBAGENT_DEMO_SPEED"] = "4"
        cmd = [
            sys.executable, "-m", "marimo", self.mode, str(self.path),
            "--headless", "--host", "127.0.0.1", "--port", str(self.port), "--no-token",
            "--no-sandbox",
        ]  # fmt: skip
        if self.mode == "edit":
            cmd.append("--skip-update-check")

        def up() -> None:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                if response.status != 200:
                    raise OSError(f"marimo answers {response.status}")

        self.launch(cmd, cwd=self.dir, env=env, up=up, timeout=timeout)
        return self

    def shutdown(self) -> None:
        if self.proc is not None:  # the server and the kernels of its sessions
            os.killpg(self.proc.pid, signal.SIGTERM)


class MarimoPage:
    """One Playwright page on a marimo server: its widgets by title, their text and status."""

    def __init__(self, page: Any, server: MarimoServer) -> None:
        self.page = page
        self.server = server
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(server.url)

    def widget(self, title: str) -> Any:
        """The widget whose title is ``title`` (a run's, or a lanes widget's)."""
        exact = re.compile(f"^{re.escape(title)}$")
        return self.page.locator(ROOT_SEL).filter(
            has=self.page.locator(".nba-title", has_text=exact)
        )

    def text(self, title: str) -> str:
        found = self.widget(title)
        return str(found.first.inner_text()) if found.count() else ""

    def wait_text(self, title: str, needle: str, timeout: float = 60) -> None:
        """Wait until the widget ``title`` shows ``needle``."""
        deadline = time.monotonic() + timeout
        while needle not in self.text(title):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{needle!r} not in widget {title!r} after {timeout} s: {self.diagnose()}"
                )
            self.page.wait_for_timeout(100)

    def status(self, title: str, nth: int = 0) -> str:
        labels = self.widget(title).locator(".nba-status-label")
        return str(labels.nth(nth).inner_text()) if labels.count() > nth else ""

    def wait_status(self, title: str, state: str, nth: int = 0, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.status(title, nth).startswith(state):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"widget {title!r} lane {nth} not {state!r} after {timeout} s "
                    f"(status {self.status(title, nth)!r}): {self.diagnose()}"
                )
            self.page.wait_for_timeout(100)

    def diagnose(self) -> str:
        texts = [t[-300:] for t in self.page.locator(ROOT_SEL).all_inner_texts()]
        return f"widgets: {texts}; page errors: {self.errors}; server log:\n{self.server.log()}"
