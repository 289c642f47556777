"""No module of nbagent or of its frontend, and no stylesheet of the frontend (``*.css``), is
over ``MARGIN_LINES`` lines: the design's ceiling is ``MAX_LINES`` (ARCHITECTURE.md, "Budgets
with room"), and the code stays 8% under it at every landing so that the next feature lands
without golfing lines. A module that grows past the margin is split where its parts are (a
package of the class and its readers, a module of the helpers, a stylesheet per what it
styles), not let grow."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400
"""The design's ceiling of a module."""
MARGIN_LINES = 368
"""The working margin, 8% under ``MAX_LINES``: what this test holds."""
SOURCES = [
    (ROOT / "nbagent", "*.py"),
    (ROOT / "js" / "src", "*.js"),
    (ROOT / "js" / "lab" / "src", "*.js"),
    (ROOT / "js" / "src", "*.css"),
    (ROOT / "js" / "lab" / "src", "*.css"),
]
BUILT = ("static", "labextension", "node_modules")
"""Build output under those folders is not ours to split."""


def modules() -> list[Path]:
    return [
        path
        for folder, pattern in SOURCES
        for path in folder.rglob(pattern)
        if not any(part in BUILT for part in path.relative_to(folder).parts)
    ]


def over_margin(sizes: dict[str, int]) -> list[str]:
    """Each module over ``MARGIN_LINES``: its path, its lines and how far over (and whether it
    crossed the design's ceiling too), largest first."""
    over = sorted(((n, p) for p, n in sizes.items() if n > MARGIN_LINES), reverse=True)
    return [
        f"{path}: {n} lines, {n - MARGIN_LINES} over the margin of {MARGIN_LINES}"
        + (f" and {n - MAX_LINES} over the ceiling of {MAX_LINES}" if n > MAX_LINES else "")
        for n, path in over
    ]


def test_the_margin_is_8_percent_under_the_ceiling() -> None:
    assert MAX_LINES * 92 // 100 == MARGIN_LINES


def test_a_module_over_the_margin_is_named_with_its_lines_and_how_far_over() -> None:
    said = over_margin({"a.py": 368, "b.js": 380, "c.css": 402})
    assert said == [
        "c.css: 402 lines, 34 over the margin of 368 and 2 over the ceiling of 400",
        "b.js: 380 lines, 12 over the margin of 368",
    ]


def test_every_module_is_within_the_margin_under_400_lines() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in modules()
    }
    assert len(sizes) > 200  # nbagent and its frontend were found
    over = over_margin(sizes)
    assert not over, "modules over the margin (split them by responsibility):\n" + "\n".join(over)
