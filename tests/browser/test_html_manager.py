"""nbagent's widgets in ipywidgets 8's other widget manager, ``@jupyter-widgets/html-manager``:
what nbconvert's HTML export (``lab`` template, with widget state) and VS Code's notebook
renderer use. A notebook of demo runs, a lanes run and a two-turn chat, executed with `jupyter
execute` and exported with nbconvert, is served from 127.0.0.1 and opened in Chromium; every
run shows as the live widget restored from the saved state, its code imported once.

The page loads require.js, html-manager's ``embed-amd.js`` and anywidget from CDNs (unpkg,
jsDelivr, cdnjs). Each such request is answered from the npm packages pinned in
``tests/browser/html_manager`` (``npm --prefix tests/browser/html_manager ci``), after checking
the installed version satisfies the version the page asks for; anything else is aborted and
reported: nothing reaches the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from benchmarks.saved_size import demo_cells, execute
from tests.browser.conftest import require_bundle, serving, unavailable
from tests.browser.lab import NOTEBOOKS
from tests.browser.look import look_of

pytestmark = pytest.mark.browser

PACKAGES = Path(__file__).resolve().parent / "html_manager"
MODULES = PACKAGES / "node_modules"
DEMO_RUNS = 3
# MathJax 2 (nbconvert's page loads it for the notebook's own math; there is none here) is 71 MB
# on npm: not installed, its request is aborted. Nothing else may be left unanswered.
NOT_SERVED = ("https://cdnjs.cloudflare.com/ajax/libs/mathjax/",)

# Markup in a title stays text, in the live widget and in the static copy.
LANES_TITLE = '<img src=x onerror="window.__nbaPwned = 1">Two lanes'
CELLS = [
    *demo_cells(DEMO_RUNS),
    f"import sys\nsys.path.insert(0, {str(NOTEBOOKS)!r})\nimport nbtest_sources as S\n"
    "lanes = nbagent.show({'left': S.sliced('Left answer', 3, 0.01),\n"
    f"                      'right': S.sliced('Right answer', 3, 0.01)}}, title={LANES_TITLE!r})\n"
    "_ = await lanes",
    "chat = nbagent.Chat(lambda p, turns: S.sliced('Echo: ' + p, 3, 0.01), title='Echo chat')\n"
    "chat.send('first question')\n"
    "_ = await chat",
    # A turn sent from a later cell: the chat's output stays in the cell that showed it.
    "chat.send('second question')\n_ = await chat",
]
WIDGETS = DEMO_RUNS + 2


# ---- the CDN, from local npm packages -----------------------------------------------------


def installed_version(package: str) -> str | None:
    manifest = MODULES / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.is_file() else None


def satisfies(version: str, wanted: str) -> bool:
    """Whether ``version`` (x.y.z) is in the npm range ``wanted``, for the ranges these pages
    ask for: ``*``, an exact version, ``~x.y.*`` / ``~x.y.z`` and ``^x.y.z``."""
    if wanted in ("*", "latest", ""):
        return True
    have = [int(p) for p in version.split("-")[0].split(".")]
    op, rest = (wanted[0], wanted[1:]) if wanted[0] in "~^" else ("", wanted)
    parts = rest.split(".")
    fixed = [int(p) for p in parts if p not in ("*", "x")]
    if op == "^":
        keep = next((i + 1 for i, p in enumerate(fixed) if p != 0), len(fixed))
    elif op == "~":
        keep = min(len(fixed), 2)
    else:
        keep = len(fixed)
    return have[:keep] == fixed[:keep] and have[: len(fixed)] >= fixed


# https://unpkg.com/<pkg>@<range>/<path>, https://cdn.jsdelivr.net/npm/<pkg>@<range>/<path>
NPM_CDN = re.compile(
    r"^https://(?:unpkg\.com|cdn\.jsdelivr\.net/npm)/((?:@[^/@]+/)?[^/@]+)@([^/]*)/(.+)$"
)
REQUIRE_JS = re.compile(r"^https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/([^/]+)/")


def local_file(url: str) -> Path | None:
    """The installed file that answers a CDN ``url``, or None."""
    bare = url.split("?")[0].split("#")[0]
    if m := REQUIRE_JS.match(bare):
        # cdnjs serves the minified build; npm's requirejs ships the same version unminified.
        ok = installed_version("requirejs") == m[1]
        return MODULES / "requirejs" / "require.js" if ok else None
    if m := NPM_CDN.match(bare):
        package, wanted, path = m[1], m[2], m[3]
        version = installed_version(package)
        if version is None or not satisfies(version, wanted):
            return None
        # Within node_modules only: a path of ``..`` in a URL serves nothing.
        file = (MODULES / package / path).resolve()
        if MODULES.resolve() in file.parents and file.is_file():
            return file
    return None


@dataclass
class Network:
    """What the page asked the CDNs for: answered from node_modules, or aborted."""

    origin: str
    served: dict[str, Path] = field(default_factory=dict)
    aborted: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/"):
            route.continue_()
            return
        file = local_file(url)
        if file is None:
            self.aborted.append(url)
            route.abort()
            return
        self.served[url] = file
        # Fonts and the like are fetched with CORS from the page's origin.
        route.fulfill(path=str(file), headers={"Access-Control-Allow-Origin": "*"})

    def unexpected(self) -> list[str]:
        return [u for u in self.aborted if not u.startswith(NOT_SERVED)]


@pytest.fixture(scope="module")
def cdn_packages() -> None:
    require_bundle()
    needed = {
        "@jupyter-widgets/html-manager": "dist/embed-amd.js",
        "anywidget": "dist/index.js",
        "requirejs": "require.js",
    }
    missing = [p for p, f in needed.items() if not (MODULES / p / f).is_file()]
    if missing:
        unavailable(
            f"{', '.join(missing)} not installed in {MODULES.relative_to(PACKAGES.parents[2])}: "
            "run `npm --prefix tests/browser/html_manager ci` (what nbconvert's HTML page loads "
            "from CDNs; the test serves it from there)"
        )


# ---- the exported notebook ----------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, cdn_packages: None) -> Iterator[str]:
    """The executed notebook exported to HTML with its widget state (``runs.html``, and
    ``runs-dark.html`` in JupyterLab's dark theme) and without (``static.html``), served on
    127.0.0.1; yields the origin."""
    from nbconvert import HTMLExporter

    root = tmp_path_factory.mktemp("html-manager")
    nb = execute(root / "runs.ipynb", CELLS)
    exporter = HTMLExporter(template_name="lab")
    (root / "runs.html").write_text(exporter.from_notebook_node(nb)[0])
    dark = HTMLExporter(template_name="lab", theme="dark")
    (root / "runs-dark.html").write_text(dark.from_notebook_node(nb)[0])
    del nb.metadata["widgets"]
    (root / "static.html").write_text(exporter.from_notebook_node(nb)[0])
    with serving(root, "html-site") as origin:
        yield origin


@dataclass
class Page:
    page: Any
    network: Network
    errors: list[str]

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def page_errors(self) -> list[str]:
        """Uncaught errors and console errors; failed loads are judged by ``network``."""
        return [e for e in self.errors if not e.startswith("Failed to load resource")]

    def diagnose(self) -> str:
        return (
            f"errors: {self.errors[-6:]}\nserved: {sorted(self.network.served)}\n"
            f"aborted: {self.network.aborted}\n"
            f"body: {self.js('() => document.body.innerText')[:1500]}"
        )


@pytest.fixture
def open_page(chromium_browser: Any, site: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(name: str) -> Page:
        context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        network = Network(site)
        context.route("**/*", network.route)
        page = context.new_page()
        page.set_default_timeout(60_000)
        out = Page(page, network, [])
        page.on("pageerror", lambda e: out.errors.append(f"{e} {getattr(e, 'stack', '')}"))
        page.on("console", lambda m: m.type == "error" and out.errors.append(m.text))
        page.goto(f"{site}/{name}")
        return out

    yield open_
    for context in contexts:
        context.close()


# ---- the live widgets ---------------------------------------------------------------------

# nbagent's outermost roots (a lanes or chat widget holds one per lane or turn).
TOP_JS = (
    "[...document.querySelectorAll('.nbagent')].filter((r) => !r.parentElement.closest('.nbagent'))"
)
RESTORED_JS = f"""(n) => {{
    const tops = {TOP_JS};
    return tops.length === n && document.querySelectorAll('.nba-turn').length === 2
        && document.querySelectorAll('.nba-lanes > .nba-lane').length === 2
        && tops.every((r) => r.querySelector('.nba-status-label'));
}}"""
PAGE_JS = f"""() => {{
    const tops = {TOP_JS};
    const text = (el, sel) => el.querySelector(sel)?.textContent ?? null;
    const box = (el) => {{
        const r = el.getBoundingClientRect();
        return [r.left, r.top, r.width];
    }};
    return {{
        runs: tops.filter((r) => !r.classList.contains('nba-group')).map((r) => ({{
            title: text(r, '.nba-title'), text: text(r, '.nba-text'),
            status: text(r, '.nba-status-label'),
            tools: [...r.querySelectorAll('details.nba-tool')]
                .map((d) => text(d, '.nba-tool-name')),
        }})),
        lanes: [...document.querySelectorAll('.nba-lanes > .nba-lane')].map((l) => ({{
            name: text(l, '.nba-title'), text: text(l, '.nba-text .nba-md'),
            status: text(l, '.nba-status-label'), box: box(l),
        }})),
        lanesTitle: text(document.querySelector('.nba-layout-lanes'), ':scope > .nba-title'),
        lanesDisplay: getComputedStyle(document.querySelector('.nba-lanes')).display,
        chatTitle: text(document.querySelector('.nba-layout-chat'), ':scope > .nba-title'),
        turns: [...document.querySelectorAll('.nba-turn')].map((t) => ({{
            prompt: text(t, '.nba-prompt'), text: text(t, '.nba-text .nba-md'),
            status: text(t, '.nba-status-label'),
            promptAbove: box(t.querySelector('.nba-prompt'))[1]
                < box(t.querySelector('.nba-text .nba-md'))[1],
        }})),
        chatBox: document.querySelector('.nba-chat-text')?.disabled ?? null,
        chatNotice: document.querySelector('.nba-chat-notice:not([hidden])')?.textContent ?? null,
        codeImports: globalThis.__nbagentLoaded?.size ?? null,
        styles: document.querySelectorAll('style[data-nbagent]').length,
        staticCopies: [...document.querySelectorAll('.nbagent-static')]
            .filter((e) => e.checkVisibility()).length,
        apart: [...document.querySelectorAll('.nba-apart')].map((e) =>
            [e.textContent.includes('Echo: second question'), e.checkVisibility()]),
        pwned: window.__nbaPwned ?? null,
        body: document.body.innerText,
    }};
}}"""


def test_every_run_shows_as_the_live_widget_restored_from_the_saved_state(
    open_page: Any,
) -> None:
    p = open_page("runs.html")
    try:
        p.page.wait_for_function(RESTORED_JS, arg=WIDGETS, polling=200, timeout=60_000)
    except Exception as exc:
        raise AssertionError(f"not {WIDGETS} restored widgets\n{p.diagnose()}") from exc
    shown = p.js(PAGE_JS)

    assert [r["title"] for r in shown["runs"]] == [f"run {i}" for i in range(DEMO_RUNS)]
    for run in shown["runs"]:
        assert "Have a good trip!" in run["text"]
        assert run["status"] == "completed"
        assert run["tools"] == ["get_weather", "get_weather"]
    # Lanes side by side (the widget's CSS applies), each with its own text and status.
    assert shown["lanesTitle"] == LANES_TITLE
    assert shown["lanesDisplay"] == "grid"
    left, right = shown["lanes"]
    assert [left["name"], right["name"]] == ["left", "right"]
    assert (left["text"].strip(), right["text"].strip()) == ("Left answer", "Right answer")
    assert left["status"] == right["status"] == "completed"
    assert left["box"][1] == right["box"][1]  # same row
    assert left["box"][0] + left["box"][2] <= right["box"][0]  # left of the other
    # The chat's turns, each under its prompt; the second was sent from a later cell.
    assert shown["chatTitle"] == "Echo chat"
    assert [(t["prompt"], t["text"].strip(), t["status"]) for t in shown["turns"]] == [
        ("first question", "Echo: first question", "completed"),
        ("second question", "Echo: second question", "completed"),
    ]
    assert all(t["promptAbove"] for t in shown["turns"])
    # No kernel behind the page: the chat takes no message, and says why.
    assert shown["chatBox"] is True
    assert "No kernel" in (shown["chatNotice"] or ""), shown["chatNotice"]

    # The code model's bundle was imported once for the page, its styles added once; the
    # widgets are the live ones, not the outputs' static copies.
    assert shown["codeImports"] == 1
    assert shown["styles"] == 1
    assert shown["staticCopies"] == 0
    # The later cell's turn has its static copy in that cell's output (for readers without
    # the widget), hidden here where the chat's widget shows it.
    assert shown["apart"] == [[True, False]]
    assert shown["pwned"] is None
    assert "Error displaying widget" not in shown["body"]
    assert not p.page_errors(), p.page_errors()

    # A tool panel opens and closes.
    summary = p.page.locator("details.nba-tool > summary").first
    for expected in (True, False):
        summary.click()
        opened = p.js("() => document.querySelector('details.nba-tool').open")
        assert opened is expected

    # Every CDN request was answered from the pinned npm packages; nothing reached the network.
    served = {p.network.served[u].relative_to(MODULES).as_posix() for u in p.network.served}
    assert {
        "requirejs/require.js",
        "@jupyter-widgets/html-manager/dist/embed-amd.js",
        "anywidget/dist/index.js",
    } <= served, served
    assert not p.network.unexpected(), p.network.unexpected()


@pytest.mark.parametrize("page", ["runs.html", "runs-dark.html"])
def test_the_look_is_jupyterlabs(open_page: Any, page: str) -> None:
    """The restored demo run looks as in JupyterLab (tests/browser/look.py), light and dark."""
    p = open_page(page)
    try:
        p.page.wait_for_function(RESTORED_JS, arg=WIDGETS, polling=200, timeout=60_000)
    except Exception as exc:
        raise AssertionError(f"not {WIDGETS} restored widgets\n{p.diagnose()}") from exc
    root = p.page.locator(".nbagent", has=p.page.locator(".nba-title", has_text="run 0")).first
    look_of(root, "html-manager", "dark" if "dark" in page else "light")
    assert not p.page_errors(), p.page_errors()


# ---- without widget state -----------------------------------------------------------------

STATIC_JS = """() => ({
    runs: [...document.querySelectorAll('.nbagent-static')]
        .filter((s) => !s.matches('.nba-title, .nba-prompt')).map((s) => ({
            text: s.querySelector('.nba-text')?.textContent ?? '',
            status: s.querySelector('.nba-status')?.textContent ?? '',
            tools: s.querySelectorAll('.nba-tool').length,
        })),
    titles: [...document.querySelectorAll('.nbagent-static.nba-title')].map((t) => t.textContent),
    prompts: [...document.querySelectorAll('.nbagent-static.nba-prompt')].map((t) => t.textContent),
    scripts: document.querySelectorAll('.jp-OutputArea-output script').length,
    live: document.querySelectorAll('.nbagent').length,
    pwned: window.__nbaPwned ?? null,
    radius: getComputedStyle(document.querySelector('.nbagent-static')).borderRadius,
})"""


def test_without_widget_state_every_run_shows_its_escaped_static_copy(open_page: Any) -> None:
    p = open_page("static.html")
    p.page.wait_for_load_state("load")
    shown = p.js(STATIC_JS)
    runs = shown["runs"]
    # Three demo runs, two lanes, two turns: the text/html copy of each.
    assert len(runs) == DEMO_RUNS + 4, runs
    assert all("completed" in r["status"] for r in runs)
    assert all("Have a good trip!" in r["text"] and r["tools"] == 2 for r in runs[:DEMO_RUNS])
    assert [r["text"].strip() for r in runs[DEMO_RUNS:]] == [
        "Left answer",
        "Right answer",
        "Echo: first question",
        "Echo: second question",
    ]
    assert shown["titles"] == [LANES_TITLE, "Echo chat"]
    assert shown["prompts"] == ["first question", "second question"]
    # No widget manager without state, no script in the outputs, the markup stayed text.
    assert shown["live"] == 0
    assert shown["scripts"] == 0
    assert shown["pwned"] is None
    # The output's own one-line style applies; its tool panels open and close.
    assert shown["radius"] == "6px"
    for expected in (True, False):
        p.page.locator(".nbagent-static details.nba-tool > summary").first.click()
        opened = p.js("() => document.querySelector('.nbagent-static details.nba-tool').open")
        assert opened is expected
    assert not p.page_errors(), p.page_errors()
    assert not p.network.unexpected(), p.network.unexpected()
