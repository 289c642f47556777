"""DEVELOP.md is the index of the developer pages (``docs/develop/``), and they are a guide to
the contracts, not a history: DEVELOP.md under ``INDEX_BYTES``, each page under ``PAGE_BYTES``
(the design's 30 KB page ceiling less its 8% margin), none citing an issue number, and every file
they point at, in a code span or a link, exists (module docstrings are the reference they point
to, so a pointer to a moved or deleted file is a fact lost)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEVELOP = ROOT / "DEVELOP.md"
PAGES = ROOT / "docs" / "develop"
INDEX_BYTES = 12 * 1024
PAGE_BYTES = 28_262
POINTER = re.compile(r"`((?:nbagent|js|tests|docs|docs_hooks|benchmarks)/[\w./-]*)`")
LINK = re.compile(r"\]\((?!https?:|#)([^)#\s]+)(?:#[\w-]*)?\)")
"""A markdown link to a file of the repository, relative to the page it is on."""


def pages() -> list[Path]:
    found = sorted(PAGES.glob("*.md"))
    assert found, f"no developer pages in {PAGES}"
    return found


def everything() -> list[Path]:
    return [DEVELOP, *pages()]


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_develop_md_is_an_index() -> None:
    size = len(DEVELOP.read_bytes())
    assert size <= INDEX_BYTES, (
        f"DEVELOP.md is {size} bytes, over {INDEX_BYTES}: move a section to docs/develop/"
    )


@pytest.mark.parametrize("page", pages(), ids=name)
def test_each_developer_page_keeps_its_margin(page: Path) -> None:
    size = len(page.read_bytes())
    assert size <= PAGE_BYTES, f"{name(page)} is {size} bytes, over {PAGE_BYTES}: split it"


def test_no_developer_page_cites_an_issue() -> None:
    found = {
        name(path): hits
        for path in everything()
        if (hits := re.findall(r"issue \d+", path.read_text(encoding="utf-8"), re.IGNORECASE))
    }
    assert not found, f"the developer pages say what the code is, not its history: {found}"


def test_every_file_the_developer_pages_point_at_exists() -> None:
    pointers = {name(path): set(POINTER.findall(path.read_text("utf-8"))) for path in everything()}
    assert pointers[name(DEVELOP)], "DEVELOP.md points at no file of the repository"
    missing = {
        page: sorted(p for p in found if not (ROOT / p.rstrip("/")).exists())
        for page, found in pointers.items()
    }
    missing = {page: found for page, found in missing.items() if found}
    assert not missing, f"the developer pages point at files that do not exist: {missing}"


def test_every_link_of_the_developer_pages_leads_to_a_file() -> None:
    """As a clone or GitHub shows them (mkdocs --strict checks the site's links)."""
    broken = {
        name(path): sorted(
            target
            for target in LINK.findall(path.read_text(encoding="utf-8"))
            if not (path.parent / target).exists()
        )
        for path in everything()
    }
    broken = {page: targets for page, targets in broken.items() if targets}
    assert not broken, f"links that lead nowhere: {broken}"
