"""Make docs/screenshot.png: the demo run, finished, in a JupyterLab notebook (light theme).

    .venv/bin/python tests/browser/make_screenshot.py [--out docs/screenshot.png]

Starts its own JupyterLab (like the tests' fixture, tests/browser/lab.py), opens a notebook
with a title cell and the demo cell (the recorded weather run), waits for the run to complete,
expands the Oslo tool panel, and saves a crop of the notebook area (1200 px wide).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.browser.lab import CHROMIUM, ROOT_SEL, LabPage, LabServer  # noqa: E402

CELLS: list[str | tuple[str, str]] = [
    ("markdown", "# nbagent quickstart"),
    "import nbagent\nfrom nbagent import demo\n\n"
    "run = nbagent.replay(demo.recording('weather'), speed=3)",
    "",  # the active cell after the run (JupyterLab marks it): below the crop
]

WIDTH = 1200
# A first guess; grown until the whole widget fits (see below).
VIEW_HEIGHT = 1000

# Only the notebook: no file browser, right panel, menu bar or status bar.
ONLY_NOTEBOOK_JS = """async () => {
    const shell = jupyterapp.shell;
    if (!shell.leftCollapsed) shell.collapseLeft();
    if (!shell.rightCollapsed) shell.collapseRight();
    await jupyterapp.commands.execute('application:toggle-header');
    await jupyterapp.commands.execute('statusbar:toggle');
    await jupyterapp.commands.execute('application:toggle-side-tabbar');
}"""
# A quiet frame: no focus ring, hover or cursor; the empty last cell active; the notebook
# scrolled to its top.
QUIET_FRAME_JS = """() => {
    const nb = jupyterapp.shell.currentWidget.content;
    nb.activeCellIndex = nb.widgets.length - 1;
    nb.mode = 'command';
    document.activeElement && document.activeElement.blur();
    document.querySelector('.jp-WindowedPanel-outer').scrollTop = 0;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with LabServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(
                viewport={"width": WIDTH + 60, "height": VIEW_HEIGHT}, device_scale_factor=1
            )
            lab = LabPage(server, context.new_page())
            lab.open("quickstart.ipynb", CELLS, run=False)
            lab.js(ONLY_NOTEBOOK_JS)
            lab.run_all()
            lab.wait_status("completed")
            oslo = lab.page.locator(f"{ROOT_SEL} details.nba-tool").filter(has_text="Oslo")
            if oslo.get_attribute("open") is None:
                oslo.locator(":scope > summary").click()
            lab.page.wait_for_function(
                f"() => [...document.querySelectorAll('{ROOT_SEL} details.nba-tool')]"
                ".some((d) => d.open && d.textContent.includes('Oslo'))"
            )
            lab.js(QUIET_FRAME_JS)
            lab.page.mouse.move(0, 0)
            # The widget grows with the notebook: grow the window
            # until the whole widget, status line included, fits in the notebook panel.
            clip = None
            for _ in range(6):
                lab.page.wait_for_timeout(300)
                m = lab.js(
                    """() => {
                        const p = document.querySelector('.jp-NotebookPanel-notebook')
                            .getBoundingClientRect();
                        const w = document.querySelector('.nbagent').getBoundingClientRect();
                        const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');
                        const next = cells[cells.length - 1].getBoundingClientRect().top;
                        return {x: p.left, y: p.top, width: p.width, height: p.height,
                                need: Math.min(w.bottom + 10, next - 1) - p.top};
                    }"""
                )
                size = lab.page.viewport_size
                if abs(m["width"] - WIDTH) > 0.5:
                    width = size["width"] + round(WIDTH - m["width"])
                    lab.page.set_viewport_size({"width": width, "height": size["height"]})
                    continue
                if m["need"] <= m["height"]:
                    clip = {"x": m["x"], "y": m["y"], "width": m["width"],
                            "height": m["need"]}  # fmt: skip
                    break
                grow = int((m["need"] - m["height"]) / 0.3) + 8
                lab.page.set_viewport_size(
                    {"width": size["width"], "height": size["height"] + grow}
                )
            assert clip is not None, "the widget never fit in the window"
            args.out.parent.mkdir(parents=True, exist_ok=True)
            lab.page.screenshot(path=str(args.out), clip=clip)
            print(f"wrote {args.out} ({int(clip['width'])}x{int(clip['height'])})")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
