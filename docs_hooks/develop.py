"""MkDocs hook: the repository's ``DEVELOP.md`` is the first page of the site's Develop section
(``develop/index.md``), so the index of the developer pages is written once, at the root where
a clone and GitHub show it. Its links point from the root (``docs/develop/delta.md``); on the
site's page they are made relative to ``develop/``. A link to a file outside ``docs/`` has no
page on the site and fails the build: name such a file in a code span instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

DEVELOP = Path(__file__).resolve().parents[1] / "DEVELOP.md"
PAGE = "develop/index.md"
LINK = re.compile(r"\]\((?!https?:|#)([^)\s]+)\)")
"""A markdown link's target relative to the repository's root (not a URL, not an anchor)."""


def site_link(target: str) -> str:
    """``target``, a path from the repository's root, as a link from ``develop/index.md``."""
    if target.startswith("docs/develop/"):
        return target.removeprefix("docs/develop/")
    if target.startswith("docs/"):
        return "../" + target.removeprefix("docs/")
    raise ValueError(f"DEVELOP.md links to {target}, which is not on the site: use a code span")


def develop_markdown() -> str:
    """DEVELOP.md with its links made relative to ``develop/``."""
    text = DEVELOP.read_text(encoding="utf-8")
    return LINK.sub(lambda m: f"]({site_link(m.group(1))})", text)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    files.append(File.generated(config, PAGE, content=develop_markdown()))
    return files
