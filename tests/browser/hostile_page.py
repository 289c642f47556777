"""The hostile corpus through the built widget in Chromium: ``bare/hostile.js`` on the bare page,
under a watchdog. Shared by ``test_hostile_browser.py`` and ``benchmarks/hostile.py``.

A page whose main thread hangs answers nothing, and Playwright's own timeouts then never fire.
So the Chromium here is one of our own, started with a DevTools port and connected over CDP:
the watchdog, a timer thread, kills its renderer processes when a render is over budget, the
pending wait fails with "Target crashed", and a fresh page is opened for the next text. The
page logs each step to the console before taking it, which says where a hang was.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, open_bare_page

# Starts the render and returns at once; the result lands in window.__hostile.
_START = """(job) => {
  window.__hostile = null;
  import("/tests/browser/bare/hostile.js")
    .then((m) => m.renderHostile(job))
    .then(
      (r) => { window.__hostile = r; },
      (e) => { window.__hostile = { error: String((e && e.stack) || e) }; },
    );
}"""
_STEP = "hostile step: "
# Chromium writes its DevTools port here; on a loaded machine it may take a while.
_PORT_BUDGET_S = 60


class Hang(Exception):
    """A render that did not finish within the budget."""


class HostilePages:
    """A Chromium of our own with one bare page (``?manual`` frames) at ``origin``."""

    def __init__(self, browser_type: Any, origin: str, budget_s: float) -> None:
        self.origin = origin
        self.budget_s = budget_s
        self.steps: list[str] = []
        self.errors: list[str] = []
        self._profile = tempfile.TemporaryDirectory(
            prefix="nbagent-hostile-", ignore_cleanup_errors=True
        )
        args = [str(CHROMIUM), *CHROMIUM_ARGS, "--remote-debugging-port=0"]
        args += [f"--user-data-dir={self._profile.name}", "about:blank"]
        self.process = subprocess.Popen(args, stderr=subprocess.DEVNULL)
        self.browser = browser_type.connect_over_cdp(self._devtools_url())
        self.context: Any = None
        self.page: Any = None
        self._open()

    def _devtools_url(self) -> str:
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + _PORT_BUDGET_S
        while time.monotonic() < deadline and self.process.poll() is None:
            lines = port_file.read_text().split() if port_file.exists() else []
            if len(lines) == 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)  # polling a file Chromium writes once
        self.process.kill()
        raise RuntimeError(
            f"Chromium wrote no DevTools port in {_PORT_BUDGET_S} s "
            f"(exit code {self.process.poll()})"
        )

    def _open(self) -> None:
        def listen(page: Any) -> None:
            page.on("console", self._console)
            page.on("pageerror", lambda e: self.errors.append(str(e)))

        self.context, self.page = open_bare_page(
            self.browser, self.origin, manual=True, listen=listen
        )

    def _console(self, message: Any) -> None:
        if message.text.startswith(_STEP):
            self.steps.append(message.text.removeprefix(_STEP))

    def _kill_renderers(self) -> None:
        for child in psutil.Process(self.process.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):  # gone meanwhile
                if "--type=renderer" in child.cmdline():
                    child.kill()

    def render(self, text: str, frames: int) -> dict[str, Any]:
        """``renderHostile``'s figures for ``text``; raises `Hang` with the step it was in when it
        does not finish within the budget (the page is then replaced)."""
        from playwright.sync_api import Error as PlaywrightError

        self.steps.clear()
        self.errors.clear()
        lock = threading.Lock()
        state = {"finished": False, "fired": False}

        def watchdog() -> None:
            with lock:
                if not state["finished"]:
                    state["fired"] = True
                    self._kill_renderers()

        timer = threading.Timer(self.budget_s, watchdog)
        timer.start()
        result: dict[str, Any] = {}
        try:
            self.page.evaluate(_START, {"text": text, "frames": frames})
            done = self.page.wait_for_function("window.__hostile", polling=100, timeout=0)
            result = done.json_value()
        except PlaywrightError:
            if not state["fired"]:
                raise
        finally:
            with lock:
                state["finished"] = True
            timer.cancel()
        if state["fired"]:
            step = self.steps[-1] if self.steps else "starting"
            self.context.close()
            self._open()
            raise Hang(f'still in "{step}" after {self.budget_s:g} s: a hang')
        result["page_errors"] = list(self.errors)
        return result

    def close(self) -> None:
        self.browser.close()
        # The whole tree: a renderer or the zygote outliving the browser process would go on
        # writing to the profile while it is removed.
        chromium = psutil.Process(self.process.pid)
        processes = [*chromium.children(recursive=True), chromium]
        for process in processes:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(processes)
        self.process.wait()
        self._profile.cleanup()
