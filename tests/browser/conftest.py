"""Fixtures for the browser tests (``@pytest.mark.browser``).

Chromium is Debian's, driven by Playwright; ``playwright install`` is never used: its headless
shell (``chromium-headless-shell``, ``CHROMIUM``) where installed, else ``/usr/bin/chromium``.
When neither is there the browser tests are skipped, except on CI (``CI=true``) where that is a
failure.

Sections: helpers, browser, bare page, JupyterLab and Notebook 7.

One JupyterLab and one Notebook 7 serve the whole session, each started when a test first asks
for it (``lab_server``, ``notebook7_server``); a module gets a page of its own on them (``lab``,
``notebook7``), left at the module's end with every kernel of the server shut down. What one
module leaves on a server the next sees: each test opens a notebook of a name no other test
uses, on a fresh kernel, and sets back the settings it changes (theme, widget state saving).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.browser.lab import LabPage, LabServer, lab_page
from tests.wait import PAGE_PATIENCE

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "nbagent" / "static"
FULL_CHROMIUM = Path("/usr/bin/chromium")
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = HEADLESS_SHELL if HEADLESS_SHELL.exists() else FULL_CHROMIUM
"""The browser the tests drive: Debian's chromium-headless-shell (the same version and Blink as
its chromium; Playwright's own headless default) where installed. The full browser's headless
mode builds each browser context a window with the browser's UI, that UI's page in a renderer of
its own (~0.6 CPU-s) and the browser process's share of both: the browser lane took 1,042 CPU-s
on it, 790 on the headless shell."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
    # Nothing leaves the machine: every request but to 127.0.0.1 and localhost (which a proxy
    # never takes) goes to a proxy on the discard port, refused (or swallowed) there. The
    # pages log each request (``foreign_requests``), and a test fails on any off its server;
    # no request waits on a route handler of Playwright's (one round trip through the driver
    # and this process each: ~10% of the CPU of a page that loads JupyterLab).
    "--proxy-server=http://127.0.0.1:9",
]


# ---- helpers ------------------------------------------------------------------------------


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it on CI (``CI=true``), where nothing may be silently skipped."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def require_bundle() -> None:
    """The built widget must exist (``npm --prefix js run build``)."""
    missing = [p.name for p in (STATIC / "widget.js", STATIC / "widget.css") if not p.is_file()]
    if missing:
        unavailable(
            f"nbagent/static/{', '.join(missing)} missing: build the widget with "
            "`npm --prefix js ci && npm --prefix js run build`"
        )


# ---- browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """A headless Chromium (Debian's binary) shared by the whole session."""
    if not CHROMIUM.exists():
        unavailable(
            f"{CHROMIUM} not found: install Debian's chromium-headless-shell or chromium "
            "(apt-get install chromium chromium-headless-shell)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        unavailable("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# ---- bare page ----------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, logging nothing and letting the browser cache nothing."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextlib.contextmanager
def serving(
    directory: Path, name: str, handler_class: type[QuietHandler] = QuietHandler
) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (random port) on a thread called ``name`` with
    ``handler_class``; yields the origin, e.g. http://127.0.0.1:4711."""
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def bare_server() -> Iterator[str]:
    """The repository, served on 127.0.0.1 (``serving``)."""
    with serving(REPO, "bare-server") as origin:
        yield origin


class BarePage:
    """The bare widget page plus a log of every request it made."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the page's own server."""
        return [u for u in self.requests if not u.startswith(self.origin + "/")]

    def eval(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def js(self, expression: str, arg: Any = None) -> Any:
        """``eval``, by LabPage's name: the helpers written for either page take this one."""
        return self.eval(expression, arg)

    def diagnose(self) -> str:
        """What the page shows (for failure messages)."""
        return f"the page shows {self.eval('nba.text()')[:600]!r}; page errors: {self.errors}"


def open_bare_page(
    browser: Any, origin: str, *, manual: bool, listen: Callable[[Any], None] = lambda page: None
) -> tuple[Any, Any]:
    """A new context and page on ``browser`` showing the bare page served at ``origin``, ready
    (``window.nbaReady``), with ``?manual`` frames when ``manual``; ``listen(page)`` attaches
    listeners before the page loads. Every request leaving ``origin`` is aborted: nothing may
    leave the machine. Returns ``(context, page)``."""
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(origin + "/") else route.abort()
        ),
    )
    page = context.new_page()
    listen(page)
    page.goto(f"{origin}/tests/browser/bare/index.html{'?manual' if manual else ''}")
    # Interval polling: Playwright's default rAF polling never fires on a ?manual page.
    page.wait_for_function("window.nbaReady === true", polling=50, timeout=PAGE_PATIENCE * 1000)
    return context, page


@pytest.fixture
def bare_page_factory(chromium_browser: Any, bare_server: str) -> Iterator[Any]:
    """Open the bare page: ``bare_page_factory(manual=True)`` runs frames by hand (fast)."""
    require_bundle()
    contexts: list[Any] = []

    def open_page(*, manual: bool = False) -> BarePage:
        bare = BarePage(None, bare_server)

        def listen(page: Any) -> None:
            # Foreign requests are aborted, and logged for foreign_requests().
            page.on("request", lambda r: bare.requests.append(r.url))
            page.on("pageerror", lambda e: bare.errors.append(str(e)))

        context, bare.page = open_bare_page(
            chromium_browser, bare_server, manual=manual, listen=listen
        )
        contexts.append(context)
        return bare

    yield open_page
    for context in contexts:
        context.close()


# ---- JupyterLab and Notebook 7 ------------------------------------------------------------


@pytest.fixture(scope="session")
def lab_server() -> Iterator[LabServer]:
    """The session's JupyterLab (``tests/browser/lab.py``)."""
    with LabServer() as server:
        yield server


@pytest.fixture(scope="session")
def notebook7_server() -> Iterator[LabServer]:
    """The session's Notebook 7 (the same prebuilt extension as JupyterLab's)."""
    with LabServer(app="notebook") as server:
        yield server


@pytest.fixture(scope="module")
def lab(chromium_browser: Any, lab_server: LabServer) -> Iterator[LabPage]:
    """The module's page on the session's JupyterLab; each ``lab.open()`` starts clean."""
    with lab_page(chromium_browser, lab_server) as page:
        yield page


@pytest.fixture(scope="module")
def notebook7(chromium_browser: Any, notebook7_server: LabServer) -> Iterator[LabPage]:
    """The module's page on the session's Notebook 7."""
    with lab_page(chromium_browser, notebook7_server) as page:
        yield page
