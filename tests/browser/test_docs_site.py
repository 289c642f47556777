"""The documentation site (``make docs``: mkdocs.yml, docs/, docs_hooks/) in Chromium.

Every page is opened from a loopback server: it loads with no console error and no request to
any other host; each tutorial page shows its saved runs styled by nbagent's own CSS (the static
HTML copy, in the shadow root docs/assets/notebook.js gives it); the API reference lists every
name of ``nbagent.__all__`` and each resolves to its entry; search answers, offline; light and
dark are offered. The built ``site/`` is used when it is newer than everything it is made
from, else the site is built (strict) into a temporary folder.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

import nbagent
from tests.browser.conftest import REPO, serving, unavailable
from tests.wait import PAGE_PATIENCE

pytestmark = pytest.mark.browser

SITE = REPO / "site"
SOURCES = ("mkdocs.yml", "DEVELOP.md", "docs", "docs_hooks", "notebooks", "nbagent")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
NBAGENT_CLASSES = ".nbagent-static, .nbagent-evaluation, .nbagent-inspector-static"


def _newest_source() -> float:
    """The newest mtime of the site's sources: git's files there (tracked, or new and not
    ignored: no bytecode, no built widget, no notebook's run log a test wrote), as make's
    site/ target counts them; every file there outside a git checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *SOURCES],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if listed.returncode == 0:
        files = [REPO / name for name in listed.stdout.splitlines()]
    else:
        files = [p for name in SOURCES for p in (REPO / name).rglob("*")]
        files.extend(REPO / name for name in SOURCES if (REPO / name).is_file())
    return max(p.stat().st_mtime for p in files if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: ``site/`` when it is up to date, else a strict build of our own."""
    index = SITE / "index.html"
    if index.is_file() and index.stat().st_mtime >= _newest_source():
        return SITE
    if importlib.util.find_spec("mkdocs") is None:
        unavailable("mkdocs is not installed: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)]
    done = subprocess.run(build, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}"
    return out


@pytest.fixture(scope="module")
def origin(site: Path) -> Iterator[str]:
    with serving(site, "docs-site") as url:
        yield url


def pages(site: Path) -> list[str]:
    """The documentation's pages: not its assets, nor the try-it site in ``lite/`` (a JupyterLite
    app, docs_hooks/lite.py; tests/browser/test_lite.py opens it)."""
    return sorted(
        str(p.relative_to(site))
        for p in site.rglob("*.html")
        if "assets" not in p.parts and p.relative_to(site).parts[0] != "lite"
    )


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS


SEARCH_READY = (
    "(m => m && m.textContent && !/Initializing/i.test(m.textContent))"
    "(document.querySelector('.md-search-result__meta'))"
)
"""The theme's search worker has fetched and built its index ("Type to start searching")."""


class Browsing:
    """One tab that opens page after page, with every request and console error of each."""

    def __init__(self, browser: Any, scheme: str = "light") -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        # Nothing may leave the machine: a foreign request is recorded, and the browser's proxy
        # (conftest.CHROMIUM_ARGS) takes it nowhere.
        self.context = browser.new_context(color_scheme=scheme)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def open(self, url: str) -> Any:
        """Load ``url`` and wait until its search index is in (its last request)."""
        self.requests.clear()
        self.errors.clear()
        self.page.goto(url, wait_until="load", timeout=PAGE_PATIENCE * 1000)
        self.page.wait_for_function(SEARCH_READY, polling=50, timeout=PAGE_PATIENCE * 1000)
        return self.page

    def foreign(self) -> list[str]:
        return [u for u in self.requests if not is_local(u)]

    def close(self) -> None:
        self.context.close()


def test_every_page_loads_offline_with_no_console_error(
    chromium_browser: Any, site: Path, origin: str
) -> None:
    found = pages(site)
    assert len(found) > 40, found  # guides, tutorials and API pages were all built
    tab = Browsing(chromium_browser)
    try:
        for name in found:
            page = tab.open(f"{origin}/{name}")
            assert tab.foreign() == [], f"{name} asked another host: {tab.foreign()}"
            assert tab.errors == [], f"{name}: console errors {tab.errors}"
            assert page.locator("h1").count() >= 1, f"{name} has no title"
    finally:
        tab.close()


def test_each_tutorial_shows_its_runs_styled_as_nbagent_draws_them(
    chromium_browser: Any, site: Path, origin: str
) -> None:
    tutorials = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    assert len(tutorials) >= 9
    for scheme in ("light", "dark"):
        tab = Browsing(chromium_browser, scheme)
        try:
            for stem in tutorials:
                page = tab.open(f"{origin}/tutorials/{stem}.html")
                hosts = page.locator(".nb-nbagent")
                assert hosts.count() >= 1, f"{stem}: no nbagent output"
                attached = page.evaluate(
                    "[...document.querySelectorAll('.nb-nbagent')].every(h => h.shadowRoot)"
                )
                assert attached, f"{stem}: an output was not drawn"
                # Playwright's CSS locators pierce the open shadow roots.
                run = page.locator(".nbagent-static").first
                run.wait_for(state="visible", timeout=PAGE_PATIENCE * 1000)
                # From the static copy's own stylesheet (nbagent/transcript/export), not the
                # theme's.
                style = run.evaluate(
                    "e => { const s = getComputedStyle(e);"
                    " return [s.borderTopStyle, s.borderTopLeftRadius]; }"
                )
                assert style == ["solid", "6px"], f"{stem} ({scheme}): {style}"
                panel = page.locator(".nbagent-static details").first
                radius = panel.evaluate("e => getComputedStyle(e).borderTopLeftRadius")
                assert radius == "6px", f"{stem} ({scheme}): a panel styled by the theme"
                assert page.locator(NBAGENT_CLASSES).count() >= hosts.count()
                assert tab.foreign() == []
                assert tab.errors == []
        finally:
            tab.close()


def test_the_api_reference_lists_every_public_name(
    chromium_browser: Any, site: Path, origin: str
) -> None:
    tab = Browsing(chromium_browser)
    try:
        page = tab.open(f"{origin}/api/index.html")
        text = page.locator("article").inner_text()
        hrefs = page.eval_on_selector_all("article a", "as => as.map(a => a.href)")
    finally:
        tab.close()
    missing = [n for n in nbagent.__all__ if f"nbagent.{n}" not in text]
    assert missing == [], f"the API page does not list {missing}"
    for name in nbagent.__all__:
        link = next((h for h in hrefs if h.endswith(f"#nbagent.{name}")), None)
        assert link is not None, f"nbagent.{name} links nowhere"
        target = site / urlparse(link).path.lstrip("/")
        assert f'id="nbagent.{name}"' in target.read_text(encoding="utf-8"), link


def test_search_and_the_light_and_dark_toggle_work_offline(
    chromium_browser: Any, origin: str
) -> None:
    tab = Browsing(chromium_browser)
    try:
        page = tab.open(f"{origin}/index.html")
        before = page.evaluate("document.body.dataset.mdColorScheme")
        page.locator("form[data-md-component=palette] label:visible").first.click()
        after = page.evaluate("document.body.dataset.mdColorScheme")
        assert {before, after} == {"default", "slate"}
        # open() waited for the search index: type.
        search = page.locator(".md-search__input")
        search.focus()
        search.press_sequentially("breakpoints")
        result = page.locator(".md-search-result__item").first
        result.wait_for(state="attached", timeout=PAGE_PATIENCE * 1000)
        assert "debugging" in (result.locator("a").first.get_attribute("href") or "")
        assert tab.foreign() == []
        assert tab.errors == []
    finally:
        tab.close()
