"""Issue 37 in Chromium: no text freezes the page. Every family of repeated openers in the
hostile corpus (fixtures/hostile_repeat.json, shared with js/test/hostile.js and
tests/test_hostile_export.py), alone and after a table header, goes through the built widget
on the bare page: rendered whole and streamed by characters and by 50-character messages
(bare/hostile.js). A watchdog (hostile_page.py) fails a render that hangs, with the step it was
in; nothing asserts a duration (benchmarks/hostile.py reports them).

``make test`` takes each family at the corpus's first size; the larger ones run here under
``make fuzz`` (``NBAGENT_FUZZ=full``): the jsdom suite (js/test/hostile_*.test.js) takes every
family at every size in ``make test``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import require_bundle
from tests.browser.hostile_page import Hang, HostilePages
from tests.hostile_corpus import FAMILIES, FRAMES, HEADER, SIZES, expand

pytestmark = pytest.mark.browser

# A hang's budget for one text rendered three times, on a loaded machine.
BUDGET_S = 120
BROWSER_SIZES = SIZES if os.environ.get("NBAGENT_FUZZ") == "full" else SIZES[:1]


@pytest.fixture(scope="module")
def hostile_pages(chromium_browser: Any, bare_server: str) -> Iterator[HostilePages]:
    require_bundle()
    pages = HostilePages(chromium_browser.browser_type, bare_server, BUDGET_S)
    yield pages
    pages.close()


@pytest.mark.timeout(2 * BUDGET_S + 120)  # past the watchdog's, which says more
@pytest.mark.parametrize("size", BROWSER_SIZES)
@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f["name"])
def test_hostile_text_renders_whole_and_streamed(
    hostile_pages: HostilePages, family: dict[str, str], size: int
) -> None:
    for header in ("", HEADER):
        where = f"{family['name']}, {size} characters{' after a table header' if header else ''}"
        try:
            r = hostile_pages.render(header + expand(family, size), FRAMES)
        except Hang as hang:
            pytest.fail(f"{where}: {hang}", pytrace=False)
        assert "error" not in r, f"{where}: {r.get('error')}"
        assert r["violations"] == [], f"{where}: {r['violations']}"
        assert r["page_errors"] == [], f"{where}: {r['page_errors']}"
