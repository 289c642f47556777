"""How a finished run looks, read from the computed styles of the page: one probe for every
host (JupyterLab, Notebook 7, Voilà, the html-manager page, marimo ``edit`` and ``run``), so
each host's test compares its look with JupyterLab's.

The run is the offline weather demo (a tool panel, a status line with its Details button).
``LAYOUT`` is JupyterLab's layout of it, light and dark alike: ``tests/browser/test_lab.py``
checks that JupyterLab still draws it so, and every other host must draw the same. Colours
differ by host (each page's theme colours, or nbagent's own palette where a page has none), so
they are compared by what they must do: the card follows the page's light or dark theme, the
text reads on it, the border shows.

``NBAGENT_SHOTS=DIR`` saves each host's widget as ``DIR/<host>-<theme>.png``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.browser.lab import LabPage, set_theme

# The run each host shows: `nbagent.replay(demo.recording("weather"), speed=0, title="Look")`
# in a kernel, or the demo agent's run of the same question (its tool panels and status line
# are the same elements).
LOOK_RUN = 'nbagent.replay(demo.recording("weather"), speed=0, title="Look")'

# The widget's root `.nbagent` (in the page or in a shadow root) -> its look.
LOOK_JS = """(root) => {
    const style = (sel) => {
        const el = sel ? root.querySelector(sel) : root;
        return el ? getComputedStyle(el) : null;
    };
    const pick = (s, names) => s ? Object.fromEntries(names.map((n) => [n, s[n]])) : null;
    const card = style(null);
    const button = style('.nba-status .nba-details-toggle');
    const summary = style('.nba-tool > .nba-summary');
    return {
        layout: {
            card: pick(card, ['borderTopWidth', 'borderTopStyle', 'borderTopLeftRadius',
                              'fontSize', 'lineHeight', 'overflowX']),
            title: pick(style('.nba-title'), ['fontWeight', 'display']),
            status: pick(style('.nba-status'), ['display', 'alignItems', 'flexWrap',
                                                 'columnGap', 'fontSize']),
            button: pick(button, ['fontSize', 'paddingLeft', 'paddingTop', 'borderTopWidth',
                                  'borderTopStyle', 'borderTopLeftRadius', 'cursor']),
            summary: pick(summary, ['display', 'cursor', 'fontSize', 'listStyleType']),
            tool: pick(style('.nba-tool'), ['borderTopWidth', 'borderTopStyle',
                                            'borderTopLeftRadius']),
            text: pick(style('.nba-text'), ['fontSize']),
            code: pick(style('.nba-tool .nba-preview'), ['fontSize']),
            // the answer's markdown: what a host's own reset (marimo's) may undo
            heading: pick(style('.nba-text h1, .nba-text h2, .nba-text h3'),
                          ['fontSize', 'fontWeight', 'marginTop']),
            list: pick(style('.nba-text ol'), ['listStyleType', 'paddingLeft', 'marginTop']),
            table: pick(style('.nba-text table'), ['borderCollapse']),
            cell: pick(style('.nba-text th'), ['fontWeight', 'paddingLeft', 'borderTopWidth']),
            pre: pick(style('.nba-text pre'), ['fontSize', 'paddingLeft', 'borderTopWidth']),
            strong: pick(style('.nba-text strong'), ['fontWeight']),
        },
        colors: {
            background: card.backgroundColor, text: card.color,
            border: card.borderTopColor, status: style('.nba-status')?.color ?? null,
            answer: style('.nba-text p')?.color ?? null,
        },
        shadow: root.getRootNode() instanceof ShadowRoot,
    };
}"""


def luminance(css: str) -> float:
    """Of a computed colour, ``rgb(r, g, b)``, ``rgba(...)`` or ``color(srgb r g b)`` (0-1, as
    ``color-mix`` computes): 0 (black) to 255 (white)."""
    numbers = [float(x) for x in re.findall(r"[\d.]+", css)[:3]]
    r, g, b = (x * 255 for x in numbers) if css.startswith("color(") else numbers
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# JupyterLab's layout of the run (JupyterLab 4, Light and Dark: the same).
LAYOUT: dict[str, Any] = {
    "card": {
        "borderTopWidth": "1px", "borderTopStyle": "solid", "borderTopLeftRadius": "6px",
        "fontSize": "14px", "lineHeight": "21px", "overflowX": "hidden",
    },
    "title": {"fontWeight": "600", "display": "block"},
    "status": {
        "display": "flex", "alignItems": "center", "flexWrap": "nowrap", "columnGap": "10px",
        "fontSize": "11.9px",
    },
    "button": {
        "fontSize": "11.9px", "paddingLeft": "4px", "paddingTop": "0px",
        "borderTopWidth": "0px", "borderTopStyle": "none", "borderTopLeftRadius": "4px",
        "cursor": "pointer",
    },
    "summary": {"display": "flex", "cursor": "pointer", "fontSize": "14px",
                "listStyleType": "none"},
    "tool": {"borderTopWidth": "1px", "borderTopStyle": "solid", "borderTopLeftRadius": "6px"},
    "text": {"fontSize": "14px"},
    "code": {"fontSize": "13px"},
    "heading": {"fontSize": "18.2px", "fontWeight": "600", "marginTop": "9.1px"},
    "list": {"listStyleType": "decimal", "paddingLeft": "30.8px", "marginTop": "7px"},
    "table": {"borderCollapse": "collapse"},
    "cell": {"fontWeight": "600", "paddingLeft": "8px", "borderTopWidth": "1px"},
    "pre": {"fontSize": "13px", "paddingLeft": "10px", "borderTopWidth": "1px"},
    "strong": {"fontWeight": "700"},
}  # fmt: skip


def assert_looks_like_lab(look: dict[str, Any], theme: str, where: str) -> None:
    """`look` (``LOOK_JS``) is JupyterLab's layout, in colours that follow `theme`."""
    differ = {
        part: (look["layout"][part], want)
        for part, want in LAYOUT.items()
        if look["layout"].get(part) != want
    }
    assert not differ, f"{where} ({theme}) differs from JupyterLab: {differ}"
    colors = look["colors"]
    background, text = luminance(colors["background"]), luminance(colors["text"])
    dark = theme == "dark"
    assert background < 80 if dark else background > 180, (where, colors)
    assert abs(text - background) > 100, (where, colors)  # the text reads on the card
    assert colors["answer"], (where, colors)
    assert abs(luminance(colors["answer"]) - background) > 100, (where, colors)
    assert abs(luminance(colors["border"]) - background) > 12, (where, colors)
    assert colors["status"], (where, colors)
    assert abs(luminance(colors["status"]) - background) > 60, (where, colors)


def look_of(root: Any, host: str, theme: str) -> dict[str, Any]:
    """The look of the widget whose root is the Playwright locator `root`, checked against
    JupyterLab's; saved as a screenshot under ``NBAGENT_SHOTS`` when set."""
    root.scroll_into_view_if_needed()
    look: dict[str, Any] = root.evaluate(LOOK_JS)
    shots = os.environ.get("NBAGENT_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        root.screenshot(path=str(Path(shots) / f"{host}-{theme}.png"))
    assert_looks_like_lab(look, theme, host)
    return look


def lab_looks_light_and_dark(page: LabPage, host: str) -> None:
    """The first widget of a JupyterLab or Notebook 7 page looks as JupyterLab's reference in
    the Light theme, then in the Dark one, and as before once back in the Light."""
    root = page.widget()
    light = look_of(root, host, "light")
    try:
        set_theme(page, "JupyterLab Dark")
        page.page.wait_for_function(
            "([r, light]) => getComputedStyle(r).backgroundColor !== light",
            arg=[root.element_handle(), light["colors"]["background"]],
        )
        look_of(root, host, "dark")
    finally:
        set_theme(page, "JupyterLab Light")
    assert root.evaluate(LOOK_JS) == light
