"""No module of nbagent or of its frontend, and no stylesheet of the frontend (``*.css``), is
over ``MAX_LINES`` lines (DEVELOP.md, "How we write code"): a module that grows past it is split
where its parts are (a package of the class and its readers, a module of the helpers, a
stylesheet per what it styles), not let grow."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400
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


def test_every_module_is_at_most_400_lines() -> None:
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in modules()}
    assert len(sizes) > 200  # nbagent and its frontend were found
    over = {str(p.relative_to(ROOT)): n for p, n in sizes.items() if n > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"
