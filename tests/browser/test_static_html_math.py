"""The static HTML export in real Chromium: its MathML lays out as math (fractions stacked,
display math a centered block, inline math in the line), with no request at all, and the
hostile math inputs leave nothing that runs or loads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nbagent.transcript.export import to_html
from tests.browser.conftest import serving

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORMULAS: list[str] = json.loads((FIXTURES / "formulas.json").read_text())
HOSTILE_MATH: list[str] = json.loads((FIXTURES / "hostile_math.json").read_text())

ANSWER = (
    "The roots are $x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$ in general, and it costs $5 "
    "and $10.\n\n$$\n\\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}\n$$\n\n"
    + "\n\n".join(f"- ${f}$" for f in FORMULAS)
)


@pytest.fixture
def export_page(chromium_browser: Any, tmp_path: Path) -> Iterator[Any]:
    """Open a standalone export (``to_html(standalone=True)``) of ``ANSWER`` and the hostile
    inputs; every request is logged and, but for the page itself, aborted."""
    state = {
        "title": "math",
        "blocks": [
            {"type": "text", "text": ANSWER},
            *({"type": "thinking", "text": h} for h in HOSTILE_MATH),
            *({"type": "text", "text": h} for h in HOSTILE_MATH),
        ],
    }
    (tmp_path / "run.html").write_text(to_html(state, standalone=True), encoding="utf-8")
    with serving(tmp_path, "export-math") as origin:
        context = chromium_browser.new_context()
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        url = origin + "/run.html"
        context.route(
            "**/*",
            lambda route: route.continue_() if route.request.url == url else route.abort(),
        )
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        try:
            yield page, requests, origin
        finally:
            context.close()


def test_exported_math_renders_as_mathml(export_page: Any) -> None:
    page, requests, origin = export_page
    layout = page.evaluate(
        """() => {
          const NS = "http://www.w3.org/1998/Math/MathML";
          const maths = [...document.querySelector(".nba-text").querySelectorAll("math")];
          const empty = maths.filter(m => {
            const r = m.getBoundingClientRect(); return !(r.width > 0 && r.height > 0);
          }).length;
          const frac = document.querySelector(".nba-text p .nb-math mfrac");
          const [num, den] = [...frac.children].map(c => c.getBoundingClientRect());
          const display = document.querySelector(".nb-math-display math");
          const box = display.firstElementChild.getBoundingClientRect();  // the formula
          const holder = display.parentElement.getBoundingClientRect();
          const inline = document.querySelector(".nba-text p .nb-math math");
          return {
            count: maths.length, empty,
            namespaces: [...new Set(maths.map(m => m.namespaceURI))],
            stacked: num.bottom <= den.top + 1 && num.height > 0 && den.height > 0,
            displayStyle: getComputedStyle(display).display,
            inlineStyle: getComputedStyle(inline).display,
            offCentre: Math.abs((box.left + box.right) / 2 - (holder.left + holder.right) / 2),
            narrower: box.width < holder.width / 2,
            currency: document.querySelector(".nba-text p").textContent.includes("$5 and $10"),
          };
        }"""
    )
    assert layout["count"] == len(FORMULAS) + 2
    assert layout["empty"] == 0
    assert layout["namespaces"] == ["http://www.w3.org/1998/Math/MathML"]
    assert layout["stacked"], "a fraction's numerator sits above its denominator"
    assert layout["displayStyle"] == "block math"
    assert layout["inlineStyle"] == "math"
    assert layout["narrower"]
    assert layout["offCentre"] < 2, "display math is centered"
    assert layout["currency"]
    assert requests == [origin + "/run.html"], "no request but the page itself"


def test_hostile_math_in_the_export_is_inert(export_page: Any) -> None:
    page, requests, origin = export_page
    found = page.evaluate(
        """() => ({
          pwned: window.__pwned === undefined ? null : String(window.__pwned),
          bad: [...document.querySelectorAll("script, img, svg, style, button, iframe, a[href]")]
            .map(e => e.tagName + " " + (e.getAttribute("href") || ""))
            .filter(t => !/^(STYLE |A (https?:|mailto:|#))/i.test(t)),
          styles: document.querySelectorAll("style").length,
          attrs: [...document.querySelectorAll("*")].flatMap(e => [...e.attributes]
            .map(a => a.name)
            .filter(n => /^on|^style$|^src$|^data-|^href$|^xlink:/.test(n)
                          && !(n === "href" && e.tagName === "A"))),
          mathOutside: [...document.querySelectorAll("math")]
            .filter(m => !m.parentElement.classList.contains("nb-math")).length,
        })"""
    )
    assert found == {"pwned": None, "bad": [], "styles": 1, "attrs": [], "mathOutside": 0}
    assert requests == [origin + "/run.html"]
