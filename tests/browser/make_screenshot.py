"""Make docs/screenshot.png: the quickstart's first run, finished, in a JupyterLab notebook
(light theme), offline as `make demo` opens it.

    .venv/bin/python tests/browser/make_screenshot.py [--out docs/screenshot.png] [--width 1200]
        [--notebook notebooks/quickstart.ipynb]

Starts its own JupyterLab (like the tests' fixture, tests/browser/lab.py) with no API key in
its environment, opens a notebook of the quickstart's title, its first code cell and its first
run's cell (taken from ``--notebook``), runs them, waits for the run to complete, expands the
Oslo tool panel, and saves a crop of the notebook area (``--width`` px wide).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.browser.lab import CHROMIUM, ROOT_SEL, LabPage, LabServer  # noqa: E402

QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"


def first_run(notebook: Path) -> list[str | tuple[str, str]]:
    """The notebook's title, its first code cell (the set-up) and its second (the first run),
    then an empty cell (the active cell after the run, which JupyterLab marks: below the crop)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = ["".join(c["source"]) for c in cells]
    code = [s for c, s in zip(cells, source, strict=True) if c["cell_type"] == "code"]
    return [("markdown", source[0].splitlines()[0]), code[0], code[1], ""]


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
    parser.add_argument("--width", type=int, default=WIDTH, help="the notebook area's width")
    parser.add_argument("--notebook", type=Path, default=QUICKSTART)
    args = parser.parse_args()
    width = args.width
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NBAGENT_DEMO_SPEED"):
        os.environ.pop(name, None)  # offline, at the scripted model's own pace

    from playwright.sync_api import sync_playwright

    with LabServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(
                viewport={"width": width + 60, "height": VIEW_HEIGHT}, device_scale_factor=1
            )
            lab = LabPage(server, context.new_page())
            lab.open("quickstart.ipynb", first_run(args.notebook), run=False)
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
                if abs(m["width"] - width) > 0.5:
                    wider = size["width"] + round(width - m["width"])
                    lab.page.set_viewport_size({"width": wider, "height": size["height"]})
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
