"""JupyterLab + Playwright helpers for the end-to-end widget tests.

``LabServer`` runs one JupyterLab (the venv's, ``sys.executable``) on a free port with an
empty token, in a temporary root dir, with settings and workspaces isolated from the
user's; it serves this checkout's js/lab build (``nbagent/labextension``) when there is one.
``LabPage`` drives one Playwright page in it: write a notebook, open it, wait for its
kernel, run its cells, wait for conditions, sample the widget's DOM.

The fixtures are conftest.py's: ``lab_server`` and ``notebook7_server`` (one of each for the
session), ``lab`` and ``notebook7`` (a page for the module, ``lab_page``; each
``lab.open(...)`` starts from a clean workspace and a fresh kernel). Kernels can import
``notebooks/nbtest_sources.py`` (the sources the test notebooks stream).

Verified recipe: /work/shared/design/widgets.md §2(d).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
import pytest

from tests.browser.served import (  # noqa: F401 - REPO, NOTEBOOKS: for importers
    NOTEBOOKS,
    REPO,
    ServerProcess,
    kernel_env,
    own_labextension,
)
from tests.wait import PAGE_PATIENCE

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent

# Where the widget's root is (its own buttons are listed in bare/check.js).
ROOT_SEL = ".nbagent"


def write_notebook(path: Path, cells: list[str | tuple[str, str]]) -> Path:
    """Write a notebook with a Python kernelspec; a str is a code cell, ``("markdown", src)``
    a markdown cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python",
    }  # fmt: skip
    nb.metadata["language_info"] = {"name": "python"}
    for cell in cells:
        if isinstance(cell, tuple):
            kind, src = cell
            nb.cells.append(
                nbformat.v4.new_markdown_cell(src)
                if kind == "markdown"
                else nbformat.v4.new_code_cell(src)
            )
        else:
            nb.cells.append(nbformat.v4.new_code_cell(cell))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


class LabServer(ServerProcess):
    """One JupyterLab (or, with ``app="notebook"``, Notebook 7) subprocess; ``stop()`` (or the
    context manager) leaves no process."""

    name = "JupyterLab"

    def __init__(
        self,
        root: Path | None = None,
        *,
        log: Path | None = None,
        app: str = "jupyterlab",
        disabled: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.app = app
        self.disabled = disabled
        """Lab extensions its pages do not load (``page_config.json``), e.g. ``nbagent``."""
        self.written: set[str] = set()
        """The notebooks its pages' ``LabPage.open`` wrote."""
        self.root = root or (self._tmp / "root")
        self.root.mkdir(parents=True, exist_ok=True)
        self.log_path = log or self.log_path
        # User settings in a temp dir: light theme, no news/update toasts.
        apputils = "@jupyterlab/apputils-extension"
        self.user_settings(
            f"{apputils}:notification", {"fetchNews": "false", "checkForUpdates": False}
        )
        self.user_settings(f"{apputils}:themes", {"theme": "JupyterLab Light"})

    def user_settings(self, plugin: str, values: dict[str, Any]) -> None:
        """Write user settings of ``plugin`` (``"@jupyterlab/apputils-extension:kernels-settings"``)
        before ``start()``."""
        package, name = plugin.split(":")
        folder = self._tmp / "settings" / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))

    def start(self, timeout: float = PAGE_PATIENCE) -> LabServer:
        env = kernel_env(drop=("JUPYTER_TOKEN",))
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self._tmp / "settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self._tmp / "workspaces")
        env["JUPYTER_RUNTIME_DIR"] = str(self._tmp / "runtime")
        # A page config in a config dir of this server's own: the extensions disabled (what
        # `jupyter labextension disable` writes), and no build check, which every page load of
        # JupyterLab asks for and the server answers by running `yarn config` (a prebuilt
        # extension needs no build: 65 runs, ~13 CPU-s, in the browser lane).
        labconfig = self._tmp / "config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        page_config = {
            "disabledExtensions": dict.fromkeys(self.disabled, True),
            "buildCheck": False,
            "buildAvailable": False,
        }
        (labconfig / "page_config.json").write_text(json.dumps(page_config))
        env["JUPYTER_CONFIG_DIR"] = str(self._tmp / "config")
        app_class = "LabApp" if self.app == "jupyterlab" else "JupyterNotebookApp"
        cmd = [
            sys.executable, "-m", self.app, "--no-browser",
            f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=", "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--{app_class}.expose_app_in_browser=True",
            "--ServerApp.allow_root=True",
            f"--ServerApp.root_dir={self.root}",
        ]  # fmt: skip
        # LabServerApp: both apps a Notebook 7 server runs (notebook, jupyterlab) serve them.
        extensions = own_labextension(self._tmp / "labextensions")
        if extensions is not None:
            cmd.append(f"--LabServerApp.extra_labextensions_path={extensions}")
        up = functools.partial(self.api, "GET", "/api/status", timeout=2)
        self.launch(cmd, cwd=self.root, env=env, up=up, timeout=timeout)
        return self

    def doc_url(self, name: str, *, reset: bool = False) -> str:
        """The page that opens notebook ``name`` (JupyterLab: on a clean workspace if ``reset``)."""
        if self.app == "notebook":
            return f"{self.url}/notebooks/{name}"
        return f"{self.url}/lab/tree/{name}{'?reset' if reset else ''}"

    def api(self, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def shutdown_sessions(self) -> None:
        """Shut down every session (and its kernel)."""
        with contextlib.suppress(OSError, urllib.error.URLError):
            for s in self.api("GET", "/api/sessions"):
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/sessions/{s['id']}")
            for k in self.api("GET", "/api/kernels"):
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/kernels/{k['id']}")

    def write_notebook(self, name: str, cells: list[str | tuple[str, str]]) -> Path:
        """Write ``name`` into the root dir; a str is a code cell, ``("markdown", src)`` not."""
        return write_notebook(self.root / name, cells)

    def shutdown(self) -> None:
        self.shutdown_sessions()
        with contextlib.suppress(OSError, urllib.error.URLError):
            self.api("POST", "/api/shutdown", timeout=5)


# -- the page --------------------------------------------------------------------------

# One sample of the first widget under a selector (null when there is none): its status label,
# the length of its answer's text, whether its thinking panel is open, whether Stop shows.
SAMPLE_JS = """(sel) => {
  const root = document.querySelector(sel);
  if (!root) return null;
  const label = root.querySelector(".nba-status-label");
  const text = root.querySelector(".nba-text");
  const think = root.querySelector("details.nba-thinking");
  return {
    status: label ? label.textContent : null,
    text: text ? text.textContent.length : 0,
    thinkingOpen: think ? think.open : null,
    stop: !!root.querySelector(".nba-stop:not([hidden])"),
  };
}"""

# A panel's place, empty until the tools chunk has loaded (js/src/base/tools.js).
PANEL_PLACE = ".nba-panel-place"

# Whether the page is this server's JupyterLab, loaded, with no dialog up: it can open the
# next notebook itself (LabPage.show).
CAN_SHOW_IN_APP_JS = """(origin) => {
  const app = window.jupyterapp;
  return location.origin === origin && location.pathname.startsWith('/lab')
    && !!app && !!app.shell && app.name === 'JupyterLab'
    && app.commands.hasCommand('docmanager:open') && !document.querySelector('.jp-Dialog');
}"""
# Close every document of the app without asking to save (the test saved what it keeps), and
# set the page's recorders (INIT_SCRIPT) back as a page load does. window.__pwned stays: a
# page that was ever pwned must fail whichever test looks next.
CLOSE_DOCUMENTS_JS = """() => {
  for (const w of Array.from(jupyterapp.shell.widgets('main'))) {
    if (w.context && w.context.model) w.context.model.dirty = false;
    w.dispose();
  }
  window.__nbaWatchState?.stop?.();
  window.__nbaSampleStop?.();
  window.__nbaSent = [];
  window.__nbaSocket = undefined;
}"""
SHOW_IN_APP_JS = """async (path) => {
  await jupyterapp.commands.execute('docmanager:open', {path});
}"""
# What JupyterLab's widget renderer logs when the widget manager, declared restored, has no
# model of the view's id (``LabPage.show_restored``).
MODEL_NOT_FOUND = "widget model not found"
# Notebook 7's start sometimes breaks on its own: its shortcuts plugin reads the schema of a
# plugin the settings registry has not got yet, the start stops half way, the widget manager
# never restores the saved widget state (CI, test_reopen.py: "widget model not found").
UPSTREAM_LOAD_RACE = "Cannot read properties of undefined (reading 'schema')"

# Installed in every document the page loads (before JupyterLab's own scripts).
INIT_SCRIPT = (
    r"""
(() => {
  const ROOT = __ROOT__;

  // Kernel websocket traffic the page sends: the comm "sync" requests of the widget.
  window.__nbaSent = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      if (String(this.url).includes("/channels")) window.__nbaSocket = this;
      let s = "";
      if (typeof data === "string") s = data;
      else if (data instanceof ArrayBuffer) s = new TextDecoder().decode(data);
      else if (ArrayBuffer.isView(data)) s = new TextDecoder().decode(data);
      const m = s.match(/"type"\s*:\s*"(sync|stop)"/);
      if (m) window.__nbaSent.push({type: m[1], t: performance.now()});
    } catch (e) {}
    return send.call(this, data);
  };

  // A comm message made by hand, as anyone with the page's console can: `content` to the
  // widget `commId`, on the page's kernel socket (the last that sent), as a JSON text
  // or in the binary v1.kernel.websocket.jupyter.org framing, whichever the socket speaks.
  window.__nbaForge = (commId, content) => {
    const socket = window.__nbaSocket;
    if (!socket) throw new Error("the page has no kernel socket");
    const header = {
      msg_id: crypto.randomUUID(), msg_type: "comm_msg", session: crypto.randomUUID(),
      username: "", date: new Date().toISOString(), version: "5.3",
    };
    const body = {comm_id: commId, data: {method: "custom", content}};
    if (socket.protocol !== "v1.kernel.websocket.jupyter.org") {
      const msg = {channel: "shell", header, parent_header: {}, metadata: {}, content: body};
      return send.call(socket, JSON.stringify(msg));
    }
    const parts = ["shell", ...[header, {}, {}, body].map((p) => JSON.stringify(p))]
      .map((p) => new TextEncoder().encode(p));
    const offsets = [8 * (parts.length + 2)];
    for (const p of parts) offsets.push(offsets[offsets.length - 1] + p.length);
    const out = new Uint8Array(offsets[offsets.length - 1]);
    const w = new DataView(out.buffer);
    w.setBigUint64(0, BigInt(offsets.length), true);
    offsets.forEach((o, i) => w.setBigUint64(8 * (i + 1), BigInt(o), true));
    parts.forEach((p, i) => out.set(p, offsets[i]));
    return send.call(socket, out.buffer);
  };

  // Every violation of rendering.md §5 inside the widget's DOM, for one root: the same
  // checks as the bare page and the vitest suite (tests/browser/bare/check.js).
  __CHECK_JS__
  window.__nbaViolations = violations;

  // A MutationObserver that checks every widget root after every batch of DOM mutations
  // (i.e. every intermediate state the page could paint), plus `window.__pwned`.
  window.__nbaWatch = () => {
    const w = {checks: 0, violations: [], pwned: false, texts: {}};
    window.__nbaWatchState = w;
    const check = () => {
      w.checks++;
      if (window.__pwned !== undefined) w.pwned = true;
      for (const root of document.querySelectorAll(ROOT)) {
        for (const v of window.__nbaViolations(root)) {
          if (w.violations.length < 50) w.violations.push(v);
        }
      }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body,
                {subtree: true, childList: true, attributes: true, characterData: true});
    w.stop = () => obs.disconnect();
    check();
    return true;
  };

  // Periodic samples of the first widget (SAMPLE_JS).
  window.__nbaSample = (ms) => {
    const s = [];
    window.__nbaSamples = s;
    const t0 = performance.now();
    const id = setInterval(() => {
      const sample = (__SAMPLE_JS__)(ROOT);
      if (!sample) return;
      s.push({t: performance.now() - t0, ...sample});
      if (s.length > 5000) clearInterval(id);
    }, ms);
    window.__nbaSampleStop = () => clearInterval(id);
    return true;
  };
})();
""".replace("__ROOT__", json.dumps(ROOT_SEL))
    .replace(
        "__CHECK_JS__",
        (Path(__file__).parent / "bare" / "check.js").read_text().replace("export ", ""),
    )
    .replace("__SAMPLE_JS__", SAMPLE_JS)
)


class LabPage:
    """One Playwright page in a ``LabServer``; logs every request the page makes."""

    def __init__(self, server: LabServer, page: Any) -> None:
        self.server = server
        self.page = page
        self.requests: list[str] = []
        self.console: list[str] = []
        self.name: str | None = None
        self.written: set[str] = set()
        """The notebooks this page's ``open`` wrote."""
        self.clean_workspace = False
        """Whether the page's last load was ``show``'s, on a clean workspace: only then does the
        app open the next notebook itself. (After a reload, JupyterLab's restorer can bring a
        notebook closed meanwhile back as the current one.)"""
        page.on("request", lambda r: self.requests.append(r.url))
        self.frames: list[tuple[float, str, str]] = []
        """Widget comm messages the page received: (time, "snapshot" | "ops", seq)."""
        page.on("websocket", self._on_websocket)
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on(
            "pageerror", lambda e: self.console.append(f"pageerror: {e} {getattr(e, 'stack', '')}")
        )
        page.add_init_script(INIT_SCRIPT)
        page.set_default_timeout(PAGE_PATIENCE * 1000)

    def _on_websocket(self, ws: Any) -> None:
        self.requests.append(ws.url)

        def received(payload: str | bytes) -> None:
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            if '"comm_msg"' not in text or '"method": "custom"' not in text:
                return
            kind = "snapshot" if '"type": "snapshot"' in text else "ops"
            seq = re.search(r'"seq": (\d+)', text)
            self.frames.append((time.monotonic(), kind, seq.group(1) if seq else "?"))
            del self.frames[:-200]

        ws.on("framereceived", received)

    # -- notebooks ---------------------------------------------------------------------

    def open(self, name: str, cells: list[str | tuple[str, str]], *, run: bool = True) -> None:
        """Write a notebook, open it on a clean workspace and a fresh kernel, run all cells.
        A name another page (another module's) wrote on this server fails: the server is the
        session's, and one module would open what another left."""
        if name in self.server.written and name not in self.written:
            pytest.fail(f"{name} was written by another module: give this one its own name")
        self.written.add(name)
        self.server.written.add(name)
        self.server.write_notebook(name, cells)
        self.show(name)
        if run:
            self.run_all()

    def show(self, name: str, *, wait_kernel: bool = True, new_page: bool = False) -> None:
        """Show the notebook ``name`` as saved, on a fresh kernel, every other session shut down.

        JupyterLab's app, once loaded on this server, opens it itself (``SHOW_IN_APP_JS``), as a
        user opens a file: a page load costs ~2.5 s of CPU and as much time, paid by every open
        of the browser lane, and what the page holds from the notebooks it closed is tested by
        every open after the first. Notebook 7 shows one notebook per page, and a page with a
        dialog up starts afresh: there, or with ``new_page``, the page loads the notebook's URL
        on a clean workspace."""
        self.name = name
        origin = self.server.url.rstrip("/")
        if not new_page and self.clean_workspace and self.js(CAN_SHOW_IN_APP_JS, origin):
            self.js(CLOSE_DOCUMENTS_JS)
            self.server.shutdown_sessions()
            self.requests.clear()
            self.js(SHOW_IN_APP_JS, name)
        else:
            self._load(self.server.doc_url(name, reset=True))
        if wait_kernel:
            self.wait_kernel_idle()

    def show_restored(self, name: str, live_sel: str, *, new_page: bool = False) -> None:
        """``show`` a notebook saved with its widget state, until the widget manager has
        restored that state: an element ``live_sel`` selects shows.

        The manager (@jupyter-widgets/jupyterlab-manager 5, ``restoreWidgets``) loads the
        notebook's widget state only after the new kernel's widgets; when that first look at
        a kernel still starting fails (on a loaded machine), it skips the notebook's state, and
        a later reconnect declares the manager restored without it: every view then finds no
        model and logs ``MODEL_NOT_FOUND`` (nbagent's renderer shows the same transcript from
        the saved state instead). A reader would reload; this shows the notebook once more,
        only then. A model missing for any other reason fails the caller's check, as before."""
        for _attempt in range(2):
            seen = len(self.console)
            self.show(name, new_page=new_page)
            deadline = time.monotonic() + PAGE_PATIENCE
            while time.monotonic() < deadline:
                if self.js("(sel) => document.querySelector(sel) !== null", live_sel):
                    return
                if any(MODEL_NOT_FOUND in line for line in self.console[seen:]):
                    new_page = True  # the manager skipped the saved state: load it again
                    break
                self.page.wait_for_timeout(200)  # the console is heard between two polls
            else:
                return  # the caller's wait says what shows instead

    def _load(self, url: str) -> None:
        """Load ``url`` on a fresh page; once more if Notebook 7's start broke on
        ``UPSTREAM_LOAD_RACE``, as a user would reload."""
        for attempt in range(2):
            self.page.goto("about:blank")
            self.server.shutdown_sessions()
            self.requests.clear()
            seen = len(self.console)
            self.page.goto(url)
            self.clean_workspace = True
            if attempt or self.server.app != "notebook":
                return
            # The race shows as a page error of the start, before the kernel connects.
            with contextlib.suppress(Exception):
                self.wait_kernel_idle_or_busy()
            if not any(UPSTREAM_LOAD_RACE in line for line in self.console[seen:]):
                return

    def wait_kernel_idle(self, timeout: float = PAGE_PATIENCE) -> None:
        self.page.wait_for_function(
            """(name) => {
                const app = window.jupyterapp;
                const w = app && app.shell && app.shell.currentWidget;
                if (!w || !w.context || w.context.path !== name) return false;
                const s = w.sessionContext && w.sessionContext.session;
                return !!(s && s.kernel && s.kernel.status === 'idle');
            }""",
            arg=self.name,
            timeout=timeout * 1000,
        )

    def kernel_session(self) -> str:
        """The session id the page's kernel signs its replies with: a kernel process's own,
        new at every start, so a reply says which process answered."""
        return str(
            self.page.evaluate(
                """async () => {
                    const k = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                    return (await k.requestKernelInfo()).header.session;
                }"""
            )
        )

    def wait_kernel_back(self, old_session: str, timeout: float = PAGE_PATIENCE) -> None:
        """Wait until a new kernel process, not the one that signed ``old_session``, answers
        the page. A status does not say which process sent it: the old kernel's last
        ``idle`` (its shutdown request handled) can come after the restart began, and a cell
        sent then is lost; and the new kernel's ``starting`` may be the page's last status
        until a cell runs (the status around a kernel-info request is untracked). The server
        pushes nothing for a restart another client asked for
        (jupyter-server/jupyter_server#247), so ask for the kernel's info every 2 s."""
        seen = self.page.evaluate(
            """async ([budget, old]) => {
                const kernel = () => jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                const until = Date.now() + budget;
                const after = (ms) => new Promise((resolve) => setTimeout(() => resolve(null), ms));
                let session = null;
                while (session === null && Date.now() < until) {
                    const info = kernel().requestKernelInfo().catch(() => null);
                    const reply = await Promise.race([info, after(2000)]);
                    if (reply && reply.header.session !== old) session = reply.header.session;
                    else if (reply) await after(100);  // the old process still answers
                }
                const k = kernel();
                return {id: k.id, status: k.status, connection: k.connectionStatus, session};
            }""",
            [timeout * 1000, old_session],
        )
        if seen["session"] is None:
            server = self.server.api("GET", f"/api/kernels/{seen['id']}")
            raise AssertionError(
                f"no new kernel process answered the page in {timeout} s; its kernel is "
                f"{seen['status']} ({seen['connection']}), the server says "
                f"{server.get('execution_state')}\n{self.diagnose()}"
            )

    def run_all(self) -> None:
        self.page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")

    def run_cell(self, index: int) -> None:
        """Run one cell (by index) the way a user does: select it, Ctrl+Enter."""
        self.page.evaluate(
            """async (i) => {
                const nb = jupyterapp.shell.currentWidget.content;
                nb.activeCellIndex = i;
                await jupyterapp.commands.execute('notebook:run-cell');
            }""",
            index,
        )

    def run_source(self, index: int, source: str) -> None:
        """Replace cell ``index``'s source with ``source`` and start running it.

        Returns once the cell is sent, not when it finishes (``run_cell`` waits for that).
        """
        self.page.evaluate(
            """([i, src]) => {
                const nb = jupyterapp.shell.currentWidget.content;
                nb.widgets[i].model.sharedModel.setSource(src);
                nb.activeCellIndex = i;
                jupyterapp.commands.execute('notebook:run-cell');
            }""",
            [index, source],
        )

    def cell_output_text(self, index: int) -> str:
        return str(
            self.page.evaluate(
                """(i) => {
                    const nb = jupyterapp.shell.currentWidget.content;
                    const cell = nb.widgets[i];
                    const out = cell.node.querySelector('.jp-OutputArea');
                    return out ? out.innerText : '';
                }""",
                index,
            )
        )

    def wait_cell_output(self, index: int, needle: str, timeout: float = PAGE_PATIENCE) -> str:
        """Cell ``index``'s output once it shows ``needle`` with the rest of its line: a print
        may reach the page in pieces ("kernel:", then " cancelled 12"), so the line counts once a
        newline follows the needle or the cell has finished."""
        self.page.wait_for_function(
            """([i, needle]) => {
                const cell = jupyterapp.shell.currentWidget.content.widgets[i];
                const out = cell.node.querySelector('.jp-OutputArea');
                if (!out) return false;
                const text = out.innerText;
                const at = text.lastIndexOf(needle);
                if (at < 0) return false;
                const prompt = cell.node.querySelector('.jp-InputPrompt')?.textContent ?? '';
                return !prompt.includes('*') || text.includes('\\n', at + needle.length);
            }""",
            arg=[index, needle],
            timeout=timeout * 1000,
        )
        return self.cell_output_text(index)

    def save(self) -> None:
        # A run's end writes its saved output (js/src/store/offer.js) a moment after its status says
        # so; a save that came first leaves the notebook dirty again: save again until clean.
        self.page.evaluate("jupyterapp.commands.execute('docmanager:save')")
        self.page.wait_for_function(
            """() => {
                const w = jupyterapp.shell.currentWidget;
                if (!w) return false;
                if (!w.context.model.dirty) return true;
                const now = Date.now();
                if (now - (window.__nbaLastSave ?? now) > 1000) {
                    jupyterapp.commands.execute('docmanager:save');
                    window.__nbaLastSave = now;
                }
                window.__nbaLastSave ??= now;
                return false;
            }""",
            polling=250,
        )

    def reload(self) -> None:
        """Reload the page: JupyterLab reopens the notebook on the same (live) kernel."""
        self.clean_workspace = False
        self.page.goto(self.server.doc_url(str(self.name)))
        self.wait_kernel_idle_or_busy()

    def wait_kernel_idle_or_busy(self, timeout: float = PAGE_PATIENCE) -> None:
        self.page.wait_for_function(
            """(name) => {
                const app = window.jupyterapp;
                const w = app && app.shell && app.shell.currentWidget;
                if (!w || !w.context || w.context.path !== name) return false;
                const s = w.sessionContext && w.sessionContext.session;
                return !!(s && s.kernel && ['idle', 'busy'].includes(s.kernel.status));
            }""",
            arg=self.name,
            timeout=timeout * 1000,
        )

    # -- the widget --------------------------------------------------------------------

    def widget(self, nth: int = 0) -> Any:
        """Locator of the nth widget root on the page."""
        return self.page.locator(ROOT_SEL).nth(nth)

    def wait_status(self, text: str, nth: int = 0, timeout: float = PAGE_PATIENCE) -> None:
        """Wait until the nth widget's status label starts with ``text`` and its panels are
        drawn: a tool call's or a sub-agent's panel keeps an empty place until the tools chunk
        has loaded (js/src/base/tools.js), which a widget restored on a (re)loaded page
        imports as it renders, a moment after its status shows."""
        self.page.wait_for_function(
            """([sel, nth, text]) => {
                const root = document.querySelectorAll(sel)[nth];
                const l = root && root.querySelector('.nba-status-label');
                return !!l && l.textContent.startsWith(text) && !root.querySelector(PLACE);
            }""".replace("PLACE", json.dumps(PANEL_PLACE)),
            arg=[ROOT_SEL, nth, text],
            timeout=timeout * 1000,
        )

    def wait_tools_listed(self) -> None:
        """Until an MCP inspector has listed its server's tools (its "Tools (n)" tab)."""
        self.wait_js(
            "() => [...document.querySelectorAll('.nba-insp-tab')].some("
            "(t) => t.textContent.startsWith('Tools ('))",
            what="the inspector's tools listed",
        )

    def wait_drawn(self, sel: str) -> None:
        """Until the widget at ``sel`` shows with its panels drawn (``wait_status``)."""
        self.wait_js(
            "([sel, place]) => { const r = document.querySelector(sel);"
            " return !!r && !r.querySelector(place); }",
            [sel, PANEL_PLACE],
            what=f"the widget at {sel} with its panels drawn",
        )

    def diagnose(self) -> str:
        """What the page shows (for failure messages): widgets, outputs, comm requests, log."""
        state = self.page.evaluate(
            """(sel) => ({
                url: location.href,
                widgets: [...document.querySelectorAll(sel)]
                    .map((r) => r.textContent.slice(0, 300)),
                outputs: [...document.querySelectorAll('.jp-OutputArea-output')]
                    .map((o) => o.className + ': ' + o.innerText.slice(0, 200)),
                sent: window.__nbaSent,
                kernel: (() => { try {
                    return jupyterapp.shell.currentWidget.sessionContext.session.kernel.status;
                } catch (e) { return String(e); } })(),
            })""",
            ROOT_SEL,
        )
        lines = [f"{k}: {v!r}" for k, v in state.items()]
        now = time.monotonic()
        snaps = [
            f"{t - now:.2f}s {kind} {seq}" for t, kind, seq in self.frames if kind == "snapshot"
        ]
        ops = [f"{t - now:.2f}s {seq}" for t, kind, seq in self.frames if kind == "ops"][-5:]
        lines += [f"snapshots received: {snaps}", f"last ops received: {ops}"]
        lines += ["console:", *self.console[-40:]]
        lines += ["server log (tail):", self.server.log()[-2500:]]
        return "\n".join(lines)

    def wait_js(
        self, expr: str, arg: Any = None, timeout: float = PAGE_PATIENCE, *, what: str = ""
    ) -> None:
        """``page.wait_for_function``, failing with ``what`` was awaited and what the page
        shows."""
        try:
            self.page.wait_for_function(expr, arg=arg, timeout=timeout * 1000)
        except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError and friends
            pytest.fail(f"{what + ': ' if what else ''}{exc}\n{self.diagnose()}", pytrace=False)

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def foreign_requests(self) -> list[str]:
        """Requests the page made to anything but the JupyterLab server (data:/blob: aside)."""
        here = urlsplit(self.server.url).netloc
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.netloc != here:
                out.append(url)
        return out


def set_theme(lab: LabPage, theme: str) -> None:
    """Switch a page's JupyterLab theme in place ("JupyterLab Light" / "JupyterLab Dark")."""
    light = "true" if "Light" in theme else "false"
    lab.js(f"jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})")
    lab.page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")


def rerun(panel: Any, args: str, timeout: float = PAGE_PATIENCE) -> Any:
    """Re-run the tool of an open tool ``panel`` with ``args`` (JSON) from its Re-run editor;
    the re-run's locator, once its result shows."""
    panel.get_by_role("button", name="Re-run").click()
    panel.locator(".nba-rerun-args").fill(args)
    panel.get_by_role("button", name="Run", exact=True).click()
    done = panel.locator(".nba-rerun")
    done.locator(".nba-result").wait_for(timeout=timeout * 1000)
    return done


# -- pages ---------------------------------------------------------------------------


def require_bundle() -> None:
    """The built widget must exist (``npm --prefix js run build``); skip, or fail on CI."""
    static = REPO / "nbagent" / "static"
    missing = [p.name for p in (static / "widget.js", static / "widget.css") if not p.is_file()]
    if missing:
        reason = f"nbagent/static/{', '.join(missing)} missing: run `npm --prefix js run build`"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def new_lab_page(browser: Any, server: LabServer) -> tuple[Any, LabPage]:
    """A context + page on ``server``; every request to another host is logged
    (``LabPage.foreign_requests``) and goes nowhere: the browser's proxy
    (conftest.CHROMIUM_ARGS) takes all but the loopback's."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    return context, LabPage(server, context.new_page())


@contextlib.contextmanager
def lab_page(browser: Any, server: LabServer) -> Iterator[LabPage]:
    """A page on ``server`` for a test module; at the end it is left and its kernels shut down."""
    require_bundle()
    context, page = new_lab_page(browser, server)
    try:
        yield page
    finally:
        with contextlib.suppress(Exception):
            page.page.goto("about:blank")
        server.shutdown_sessions()
        context.close()
