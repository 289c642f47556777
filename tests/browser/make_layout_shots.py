"""Make docs/cell-<tag>-<width>-<theme>.png: the layout scenes (tests/browser/layout_scenes.py,
two lanes with tables, then a long run with panels) in JupyterLab at 1,400 and 800 px, light
and dark, each cropped to the notebook from its top to the end of the long run's answer
(at most ``MAX_HEIGHT`` px) and reduced to 256 colours to stay small.

    .venv/bin/python tests/browser/make_layout_shots.py --tag after

``--tag before`` was made from main's build before issue 18's layout changes.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.browser.lab import (  # noqa: E402
    CHROMIUM,
    LabPage,
    LabServer,
    set_theme,
)
from tests.browser.layout_scenes import install, lanes_cell, long_cell  # noqa: E402
from tests.browser.make_screenshot import ONLY_NOTEBOOK_JS, QUIET_FRAME_JS  # noqa: E402

WIDTHS = (1400, 800)
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
MAX_HEIGHT = 1600


def quiet(lab: LabPage) -> None:
    """No file browser, menu bar or status bar; no focus ring; the notebook at its top."""
    lab.js(ONLY_NOTEBOOK_JS)


def shoot(lab: LabPage, out: Path) -> None:
    from PIL import Image

    lab.js(QUIET_FRAME_JS)
    lab.page.mouse.move(0, 0)
    lab.page.wait_for_timeout(400)
    clip = lab.js(
        """(max) => {
            const p = document.querySelector('.jp-NotebookPanel-notebook').getBoundingClientRect();
            const roots = document.querySelectorAll('.nbagent');
            const last = roots[roots.length - 1].getBoundingClientRect();
            const bottom = Math.min(last.bottom + 10, p.bottom, p.top + max);
            return {x: p.left, y: p.top, width: p.width, height: bottom - p.top};
        }""",
        MAX_HEIGHT,
    )
    png = lab.page.screenshot(clip=clip)
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
    image.save(out, optimize=True)
    print(f"wrote {out} ({int(clip['width'])}x{int(clip['height'])}, {out.stat().st_size} B)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", required=True, help="before | after")
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with LabServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_context(
                viewport={"width": WIDTHS[0], "height": MAX_HEIGHT + 100}, device_scale_factor=1
            ).new_page()
            lab = LabPage(server, page)
            cells: list[str | tuple[str, str]] = [
                install(server.root),
                lanes_cell(1.0),
                long_cell(1.0),
                "",
            ]
            lab.open("layout.ipynb", cells, run=False)
            quiet(lab)
            lab.run_all()
            lab.wait_js(
                """() => {
                    const l = [...document.querySelectorAll('.nba-status-label')];
                    return l.length >= 3 && l.every((e) => e.textContent.startsWith('completed'));
                }""",
                timeout=60,
            )
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": MAX_HEIGHT + 100})
                for name, theme in THEMES.items():
                    set_theme(lab, theme)
                    shoot(lab, args.out_dir / f"cell-{args.tag}-{width}-{name}.png")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
